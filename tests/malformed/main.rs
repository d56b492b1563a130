//! The malformed-baseline corpus: every file in `cases/` must be refused by the real binary
//! with exit code 1, its `FILE:LINE:COL`, the offending key, a message and a hint, and no
//! panic. `expected.tsv` holds what each must say.

use std::path::Path;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_baseline");

struct Case {
    file: String,
    location: String,
    fragment: String,
    key: Option<String>,
}

fn cases(dir: &Path) -> Vec<Case> {
    let table = std::fs::read_to_string(dir.join("expected.tsv")).expect("expected.tsv");
    table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 4, "expected.tsv: {line}");
            Case {
                file: cols[0].to_owned(),
                location: cols[1].to_owned(),
                fragment: cols[2].to_owned(),
                key: (cols[3] != "-").then(|| cols[3].to_owned()),
            }
        })
        .collect()
}

#[test]
fn every_malformed_baseline_is_refused_with_its_location_and_a_hint() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/malformed");
    let cases = cases(&dir);
    let on_disk = std::fs::read_dir(dir.join("cases")).expect("cases").count();
    assert_eq!(
        cases.len(),
        on_disk,
        "every case file needs a line in expected.tsv"
    );
    assert!(cases.len() >= 30);

    let mut failures = Vec::new();
    for case in &cases {
        let output = Command::new(BIN)
            .current_dir(dir.join("cases"))
            .args(["validate", "-f", &case.file])
            .env_clear()
            .stdin(Stdio::null())
            .output()
            .expect("run baseline");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut wrong = Vec::new();
        if output.status.code() != Some(1) {
            wrong.push(format!("exit code {:?}", output.status.code()));
        }
        if !output.stdout.is_empty() {
            wrong.push("printed to stdout".to_owned());
        }
        if stderr.contains("panicked") {
            wrong.push("panicked".to_owned());
        }
        let location = format!("--> {}:{}", case.file, case.location);
        if !stderr.contains(&location) {
            wrong.push(format!("no `{location}`"));
        }
        if !stderr.contains(&case.fragment) {
            wrong.push(format!("no `{}`", case.fragment));
        }
        if let Some(key) = &case.key
            && !stderr.contains(&format!("(at `{key}`)"))
        {
            wrong.push(format!("no key `{key}`"));
        }
        if !stderr.contains("= hint: ") {
            wrong.push("no hint".to_owned());
        }
        if !wrong.is_empty() {
            failures.push(format!("{}: {}\n{stderr}", case.file, wrong.join(", ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_missing_file_is_an_error_with_a_hint() {
    let output = Command::new(BIN)
        .args(["validate", "-f", "no-such-baseline.yaml"])
        .env_clear()
        .output()
        .expect("run baseline");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains("cannot read no-such-baseline.yaml"),
        "{stderr}"
    );
    assert!(
        stderr.contains("= hint: pass the file with `-f FILE`"),
        "{stderr}"
    );
}

/// Runs `baseline validate -f PATH` with a deadline: a file that is not a file must never
/// make it wait (a pipe) or read without end (a device).
fn validate(path: &Path) -> (Option<i32>, String) {
    let mut child = Command::new(BIN)
        .args(["validate", "-f"])
        .arg(path)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run baseline");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
                .expect("stderr");
            return (status.code(), stderr);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("validate -f {} did not end", path.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn input_that_could_hurt_is_refused_quickly_with_a_bounded_message() {
    let dir = std::env::temp_dir().join(format!("baseline-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");

    // A pipe would block a reader for ever; a device would never end.
    let fifo = dir.join("fifo.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    for path in [fifo.as_path(), Path::new("/dev/zero"), dir.as_path()] {
        let (code, stderr) = validate(path);
        assert_eq!(code, Some(1), "{}: {stderr}", path.display());
        assert!(stderr.contains("is not a regular file"), "{stderr}");
    }

    // Larger than any baseline: refused without reading it all.
    let big = dir.join("big.yaml");
    std::fs::write(&big, vec![b'#'; 5 * 1024 * 1024]).expect("big file");
    let (code, stderr) = validate(&big);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("larger than 4 MiB"), "{stderr}");

    // Not UTF-8: the place of the first bad byte.
    let latin1 = dir.join("latin1.yaml");
    std::fs::write(
        &latin1,
        b"version: 1\naccount:\n  id: \"12345678901\xe9\"\n",
    )
    .expect("file");
    let (code, stderr) = validate(&latin1);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("the byte at offset 38 is not"), "{stderr}");
    assert!(stderr.contains("latin1.yaml:3:19"), "{stderr}");

    // A value of megabytes: the error says where, in a few hundred characters.
    let long = dir.join("long.yaml");
    let value = "x".repeat(3 * 1024 * 1024);
    std::fs::write(&long, format!("version: 1\naccount:\n  id: \"{value}\"\n")).expect("file");
    let (code, stderr) = validate(&long);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("long.yaml:3:"),
        "{}",
        &stderr[..stderr.len().min(500)]
    );
    assert!(stderr.len() < 2_000, "{} bytes of error", stderr.len());

    let _ = std::fs::remove_dir_all(&dir);
}
