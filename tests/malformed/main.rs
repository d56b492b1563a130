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
