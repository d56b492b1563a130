//! One apply at a time per account: the lock is an SSM parameter in the account's home
//! region. A held lock stops apply before anything is read or changed, names its holder, and
//! `baseline force-unlock` removes it; plan takes no lock; two applies at once never race.

use baseline_test_support::{Run, TestAccount};

use crate::{BIN, account_with, auto_apply, baseline, plan_exits};

const LOCK: &str = "/baseline/apply-lock";

fn file(account: &TestAccount) -> String {
    format!(
        "version: 1\naccount:\n  id: \"{}\"\n  home_region: ap-northeast-1\niam:\n  password_policy:\n    minimum_length: 16\n  groups:\n    ops: {{ managed_policies: [ReadOnlyAccess] }}\n    audit: {{ managed_policies: [SecurityAudit] }}\n  roles:\n    support: {{ trust: {{ account: self }}, managed_policies: [AWSSupportAccess] }}\n",
        account.id
    )
}

fn ssm(account: &TestAccount) -> aws_sdk_ssm::Client {
    aws_sdk_ssm::Client::new(&account.sdk_config_in("ap-northeast-1"))
}

async fn lock_value(account: &TestAccount) -> Option<String> {
    ssm(account)
        .get_parameter()
        .name(LOCK)
        .send()
        .await
        .ok()
        .and_then(|p| p.parameter().and_then(|p| p.value()).map(str::to_owned))
}

#[tokio::test]
async fn a_held_lock_stops_apply_and_force_unlock_removes_it() {
    let account = account_with(file).await;
    ssm(&account)
        .put_parameter()
        .name(LOCK)
        .value(
            r#"{"by":"arn:aws:iam::111122223333:user/ci","host":"runner-7","pid":4242,"since":0}"#,
        )
        .r#type(aws_sdk_ssm::types::ParameterType::String)
        .send()
        .await
        .expect("another run's lock");

    // Plan takes no lock.
    plan_exits(&account, 2);
    let run = baseline(&account, &["apply", "--auto-approve"]).expect_code(1);
    run.stderr_has("locked by arn:aws:iam::111122223333:user/ci (process 4242 on runner-7)");
    run.stderr_has("baseline force-unlock");
    assert!(
        run.stdout.is_empty(),
        "nothing planned or applied: {}",
        run.stdout
    );
    let policy = account.iam().get_account_password_policy().send().await;
    assert!(policy.is_err(), "nothing was changed");

    let unlock = baseline(&account, &["force-unlock"]).expect_code(0);
    unlock.stdout_has("Removed the apply lock");
    auto_apply(&account);
    assert_eq!(
        lock_value(&account).await,
        None,
        "apply gives its lock back"
    );
    plan_exits(&account, 0);
}

/// A lock left by a run of this machine that is gone (killed) is taken over; one of a
/// running process, or of another machine, is not.
#[tokio::test]
async fn a_lock_left_by_a_dead_process_of_this_machine_is_taken_over() {
    let account = account_with(file).await;
    let Ok(host) = std::fs::read_to_string("/etc/hostname") else {
        return; // A machine that does not name itself there: the binary cannot either.
    };
    let mut gone = std::process::Command::new("true")
        .spawn()
        .expect("a process");
    let pid = gone.id();
    gone.wait().expect("it ended");
    let put = |pid: u32| {
        ssm(&account)
            .put_parameter()
            .name(LOCK)
            .value(format!(
                r#"{{"by":"a killed run","host":"{}","pid":{pid},"since":0}}"#,
                host.trim()
            ))
            .r#type(aws_sdk_ssm::types::ParameterType::String)
            .overwrite(true)
            .send()
    };
    // A process of this machine that still runs (this test): refused.
    put(std::process::id()).await.expect("a live run's lock");
    baseline(&account, &["apply", "--auto-approve"]).expect_code(1);
    // One that is gone: taken over.
    put(pid).await.expect("a dead run's lock");
    auto_apply(&account);
    assert_eq!(lock_value(&account).await, None);
}

#[tokio::test]
async fn two_applies_at_once_never_race() {
    let account = account_with(file).await;
    let start = || {
        let mut command = account.command(BIN);
        command.args(["apply", "--auto-approve"]);
        std::thread::spawn(move || Run::of(command))
    };
    let (first, second) = (start(), start());
    let runs = [
        first.join().expect("first apply"),
        second.join().expect("second apply"),
    ];
    for run in &runs {
        let refused = run.code == 1 && run.stderr.contains("is being changed by another run");
        assert!(run.code == 0 || refused, "{}\n{}", run.stdout, run.stderr);
        run.stdout_lacks("failed:");
    }
    assert!(runs.iter().any(|r| r.code == 0), "one of them applied");
    plan_exits(&account, 0);
    let roles = account.iam().list_roles().send().await.expect("roles");
    assert_eq!(
        roles
            .roles()
            .iter()
            .filter(|r| r.role_name() == "support")
            .count(),
        1
    );
}
