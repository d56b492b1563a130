//! What an installed binary offers besides its commands: shell completions and a manual
//! page generated from the command definitions, and a version that names its commit.

use std::process::Command;

use baseline_test_support::Run;

use crate::BIN;

fn run(args: &[&str]) -> Run {
    let mut command = Command::new(BIN);
    command.args(args).env_clear();
    Run::of(command)
}

/// Every subcommand a person types, which completions and the manual must name.
const SUBCOMMANDS: &[&str] = &[
    "validate",
    "plan",
    "apply",
    "destroy",
    "init",
    "show",
    "schema",
    "force-unlock",
];

#[test]
fn completions_are_generated_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = run(&["completions", shell]).expect_code(0).stdout;
        for name in SUBCOMMANDS {
            assert!(script.contains(name), "{shell} completions lack `{name}`");
        }
        assert!(
            script.contains("target-account"),
            "{shell}: flags complete too"
        );
    }
    // The bash script is valid bash (syntax only: `bash -n`).
    let script = run(&["completions", "bash"]).expect_code(0).stdout;
    let dir = std::env::temp_dir().join(format!("baseline-completions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("baseline.bash");
    std::fs::write(&file, script).expect("write script");
    let status = Command::new("bash")
        .arg("-n")
        .arg(&file)
        .status()
        .expect("bash runs");
    assert!(status.success(), "bash -n rejects the completion script");
    let _ = std::fs::remove_dir_all(dir);
    // An unknown shell is refused with the list of shells.
    let wrong = run(&["completions", "tcsh"]).expect_code(2);
    assert!(wrong.stderr.contains("bash"), "{}", wrong.stderr);
}

#[test]
fn the_manual_page_is_generated() {
    let page = run(&["man"]).expect_code(0).stdout;
    assert!(
        page.starts_with(".ie") || page.contains(".TH baseline 1"),
        "{page}"
    );
    assert!(page.contains(".TH baseline 1"));
    assert!(page.contains(".SH SUBCOMMANDS"));
    for name in SUBCOMMANDS {
        assert!(
            page.contains(&format!("baseline\\-{}", name.replace('-', "\\-"))),
            "{name}"
        );
    }
    assert!(page.contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn the_version_names_the_commit_it_was_built_from() {
    let version = run(&["--version"]).expect_code(0).stdout;
    let expected = format!("baseline {}", env!("CARGO_PKG_VERSION"));
    assert!(version.starts_with(&expected), "{version}");
    // Built from a git checkout (as here), it names the commit.
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(baseline_test_support::repo_root())
        .output()
        .expect("git runs");
    if head.status.success() {
        let commit = String::from_utf8_lossy(&head.stdout).trim().to_owned();
        assert_eq!(version.trim(), format!("{expected} ({commit})"));
    }
}

/// `baseline schema | true`: the reader is gone before baseline writes; baseline stops
/// printing quietly and exits as it would have (0), never with a panic (101).
#[test]
fn a_closed_pipe_ends_output_quietly() {
    use std::process::Stdio;

    for args in [&["schema"][..], &["man"][..], &["completions", "zsh"][..]] {
        let mut child = Command::new(BIN)
            .args(args)
            .env_clear()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("baseline starts");
        // Close the reading end at once, as `head` does once it has what it wants.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("baseline ends");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
