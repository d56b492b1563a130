//! A flaky network between the binary and AWS: answers lost after AWS acted, 5xx, throttling
//! and resets, through `emulator/faults.py`. Apply converges (at once, or on the next run
//! with the failed addresses named) and nothing is made twice: the KMS key, whose CreateKey
//! has no idempotency token, included. The full drills (20 seeds, kill -9 at chosen
//! requests) are `scripts/drill`.

use baseline_test_support::{FaultProxy, Run, TestAccount};

use crate::{BIN, account_with, auto_apply, plan_exits};

fn logging(account: &TestAccount) -> String {
    format!(
        "version: 1\naccount:\n  id: \"{}\"\n  home_region: ap-northeast-1\niam:\n  groups:\n    ops: {{ managed_policies: [ReadOnlyAccess] }}\n  roles:\n    support: {{ trust: {{ account: self }}, managed_policies: [AWSSupportAccess] }}\nlogging:\n  bucket:\n    name: \"{{account_id}}-flaky-logs\"\n    encryption: kms\n  cloudtrail:\n    name: main\n    kms: true\n    cloudwatch_logs: {{ retention_days: 30 }}\n  config:\n    rules: [ENCRYPTED_VOLUMES]\n",
        account.id
    )
}

#[tokio::test]
async fn lost_answers_and_errors_make_nothing_twice() {
    let account = account_with(logging).await;
    let proxy = FaultProxy::start(7, 0.25, "lost,5xx,throttle,reset");
    let mut command = account.command(BIN);
    command
        .env("AWS_ENDPOINT_URL", &proxy.endpoint)
        .args(["apply", "--auto-approve"]);
    let first = Run::of(command);
    if first.code != 0 {
        // Allowed to fail, but only naming what failed, and the next run finishes it.
        assert!(
            first.stdout.contains("failed:"),
            "{}\n{}",
            first.stdout,
            first.stderr
        );
        auto_apply(&account);
    }
    plan_exits(&account, 0);

    let kms = aws_sdk_kms::Client::new(&account.sdk_config_in("ap-northeast-1"));
    let keys = kms.list_keys().send().await.expect("keys");
    assert_eq!(keys.keys().len(), 1, "one key: {:?}", keys.keys());
    let trails = aws_sdk_cloudtrail::Client::new(&account.sdk_config_in("ap-northeast-1"))
        .describe_trails()
        .send()
        .await
        .expect("trails");
    assert_eq!(trails.trail_list().len(), 1);
    let roles = account.iam().list_roles().send().await.expect("roles");
    let support = roles
        .roles()
        .iter()
        .filter(|r| r.role_name() == "support")
        .count();
    assert_eq!(support, 1);
}

/// CreatePolicy and CreateAccount have no idempotency token: when AWS made the policy or the
/// account but the answer was lost, the SDK sends the call again, and AWS answers
/// DuplicatePolicyException, or fails the new request with EMAIL_ALREADY_EXISTS (as the
/// emulator does too). Apply uses what the first call made: it succeeds, with one policy
/// and one account each.
#[tokio::test]
async fn a_lost_create_policy_or_create_account_answer_makes_nothing_twice() {
    let account = account_with(crate::organizations::org_baseline).await;
    let proxy = FaultProxy::losing("CreatePolicy,CreateAccount");
    let mut command = account.command(BIN);
    command
        .env("AWS_ENDPOINT_URL", &proxy.endpoint)
        .args(["apply", "--auto-approve"]);
    let first = Run::of(command).expect_code(0);
    first.stderr_has(
        "already has this e-mail in the organization (an earlier request made it); using it",
    );

    let orgs = aws_sdk_organizations::Client::new(&account.sdk_config());
    let policies = orgs
        .list_policies()
        .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await
        .expect("policies");
    let named = policies
        .policies()
        .iter()
        .filter(|p| p.name() == Some("deny-leave"))
        .count();
    assert_eq!(named, 1, "one policy: {:?}", policies.policies());
    let accounts = orgs.list_accounts().send().await.expect("accounts");
    for prefix in ["prod-", "sandbox-"] {
        let made = accounts
            .accounts()
            .iter()
            .filter(|a| a.email().is_some_and(|e| e.starts_with(prefix)))
            .count();
        assert_eq!(made, 1, "one {prefix} account: {:?}", accounts.accounts());
    }
    auto_apply(&account);
    plan_exits(&account, 0);
}

/// AWS throttles each API per account and region; a plan makes hundreds of calls at once.
/// With 30 % of calls throttled (Throttling, ThrottlingException, SlowDown, as each service
/// answers), the plan of the default baseline slows down but completes, and plans what a
/// plan without throttling plans.
#[tokio::test]
async fn a_plan_completes_when_a_third_of_calls_are_throttled() {
    let account = account_with(crate::default_baseline).await;
    let calm = plan_exits(&account, 2);
    let proxy = FaultProxy::start(11, 0.3, "throttle");
    let mut command = account.command(BIN);
    command
        .env("AWS_ENDPOINT_URL", &proxy.endpoint)
        .args(["plan", "--detailed-exitcode"]);
    let throttled = Run::of(command).expect_code(2);
    assert_eq!(throttled.stdout, calm.stdout);
}
