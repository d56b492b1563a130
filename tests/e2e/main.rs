//! End-to-end tests: the real `baseline` binary and the real AWS SDK against the moto
//! emulator. Each test has its own account, so they run in parallel.

mod access;
mod alerts;
mod examples;
mod faults;
mod foundation;
mod guardrails;
mod iam;
mod iam_permissions;
mod install;
mod lock;
mod logging;
mod organizations;
mod review;

use baseline_test_support::{Run, TestAccount};

pub const BIN: &str = env!("CARGO_BIN_EXE_baseline");

/// The shipped default baseline, pinned to `account`.
pub fn default_baseline(account: &TestAccount) -> String {
    let text = std::fs::read_to_string(baseline_test_support::repo_root().join("baseline.yaml"))
        .expect("read baseline.yaml");
    text.replace("\"123456789012\"", &format!("\"{}\"", account.id))
}

/// The addresses a plan says something about (its block headers).
pub fn planned(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| l.contains(" will be ") || l.contains(" needs a manual step"))
        .filter_map(|l| l.split_whitespace().nth(1).map(str::to_owned))
        .collect()
}

/// Runs `baseline ARGS` as `account`.
pub fn baseline(account: &TestAccount, args: &[&str]) -> Run {
    let mut command = account.command(BIN);
    command.args(args);
    Run::of(command)
}
