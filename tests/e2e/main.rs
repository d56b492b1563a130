//! End-to-end tests: the real `baseline` binary and the real AWS SDK against the moto
//! emulator. Each test has its own account, so they run in parallel.

mod access;
mod alerts;
mod cli_errors;
mod examples;
mod faults;
mod foundation;
mod guardrails;
mod iam;
mod iam_permissions;
mod init;
mod install;
mod lock;
mod logging;
mod organizations;
mod plan_json;
mod progress;
mod review;

use baseline_test_support::{Run, TestAccount};

pub const BIN: &str = env!("CARGO_BIN_EXE_baseline");

/// The shipped default baseline, pinned to `account`.
pub fn default_baseline(account: &TestAccount) -> String {
    let text = std::fs::read_to_string(baseline_test_support::repo_root().join("baseline.yaml"))
        .expect("read baseline.yaml");
    text.replace("\"123456789012\"", &format!("\"{}\"", account.id))
}

/// A fresh account whose folder holds `file` (made for it) as baseline.yaml.
pub async fn account_with(file: impl FnOnce(&TestAccount) -> String) -> TestAccount {
    let account = TestAccount::new().await;
    account.write("baseline.yaml", &file(&account));
    account
}

/// A baseline file pinned to `account`, with `body` after its `account:` section's id.
pub fn pinned(account: &TestAccount, body: &str) -> String {
    format!("version: 1\naccount:\n  id: \"{}\"\n{body}", account.id)
}

/// The addresses a plan says something about (its block headers).
pub fn planned(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| l.contains(" will be ") || l.contains(" needs a manual step"))
        .filter_map(|l| l.split_whitespace().nth(1).map(str::to_owned))
        .collect()
}

/// The addresses `plan --detailed-exitcode` will change (it must exit 2: something is left
/// to change), every region's on its own, in the plan's order.
pub fn changes_planned(account: &TestAccount) -> Vec<String> {
    planned(&plan_unfolded(account, 2).stdout)
}

/// The lines of `text` that contain `needle`.
pub fn lines_with<'a>(text: &'a str, needle: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.contains(needle)).collect()
}

/// Runs `baseline ARGS` as `account`.
pub fn baseline(account: &TestAccount, args: &[&str]) -> Run {
    let mut command = account.command(BIN);
    command.args(args);
    Run::of(command)
}

/// `baseline apply --auto-approve`, which must succeed.
pub fn auto_apply(account: &TestAccount) -> Run {
    baseline(account, &["apply", "--auto-approve"]).expect_code(0)
}

/// `baseline plan --detailed-exitcode`, which must exit with `code`: 0 when nothing is left
/// to change, 2 when something is.
pub fn plan_exits(account: &TestAccount, code: i32) -> Run {
    baseline(account, &["plan", "--detailed-exitcode"]).expect_code(code)
}

/// `plan_exits` with every region's changes on their own (`--no-fold`), for tests that read
/// addresses.
pub fn plan_unfolded(account: &TestAccount, code: i32) -> Run {
    baseline(account, &["plan", "--detailed-exitcode", "--no-fold"]).expect_code(code)
}

/// Applies, and then nothing is left to change.
pub fn converge(account: &TestAccount) {
    auto_apply(account);
    plan_exits(account, 0);
}

/// What check-jsonschema (in .venv, from tests/workflows/requirements.txt) says of a plan's
/// JSON against docs/plan.schema.json; `name` is the file it is written to.
pub fn plan_schema_check(account: &TestAccount, name: &str, json: &str) -> std::process::Output {
    let root = baseline_test_support::repo_root();
    account.write(name, json);
    std::process::Command::new(root.join(".venv/bin/check-jsonschema"))
        .arg("--schemafile")
        .arg(root.join("docs/plan.schema.json"))
        .arg(account.dir().join(name))
        .output()
        .expect("check-jsonschema runs (scripts/emulator-setup installs it)")
}

/// Asserts a plan's JSON follows docs/plan.schema.json.
pub fn assert_plan_follows_schema(account: &TestAccount, json: &str) {
    let out = plan_schema_check(account, "schema-checked.json", json);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
