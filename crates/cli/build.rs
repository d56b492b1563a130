//! Puts the commit a binary is built from into `baseline --version` ("0.1.0 (1a2b3c4d5e6f)"),
//! when it is built from a git checkout; a build from a source archive says the version only.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn main() {
    // Only this repository's commit: a source archive unpacked inside another git checkout
    // (a home folder kept in git, say) must not borrow that one's.
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let ours = git(&["rev-parse", "--show-toplevel"]).is_some_and(|top| {
        std::fs::canonicalize(top).ok() == std::fs::canonicalize(&workspace).ok()
    });
    let suffix = ours
        .then(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .flatten()
        .map(|commit| format!(" ({commit})"))
        .unwrap_or_default();
    println!("cargo:rustc-env=BASELINE_VERSION_SUFFIX={suffix}");
    // Built again when HEAD moves: a new commit, or another branch checked out.
    for path in ["HEAD", "refs/heads", "packed-refs"] {
        if let Some(file) = git(&["rev-parse", "--git-path", path]) {
            println!("cargo:rerun-if-changed={file}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
