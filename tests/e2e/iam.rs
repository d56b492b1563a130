//! IAM identities: groups, users, roles, semantic policy diffs, authority over declared
//! attributes, complete user removal, initial passwords and credential findings.

use aws_sdk_iam::Client;
use baseline_test_support::TestAccount;

use crate::{account_with, auto_apply, baseline, default_baseline, pinned, plan_exits};

pub(crate) async fn group_members(iam: &Client, group: &str) -> Vec<String> {
    let out = iam
        .get_group()
        .group_name(group)
        .send()
        .await
        .expect("GetGroup");
    let mut users: Vec<String> = out
        .users()
        .iter()
        .map(|u| u.user_name().to_owned())
        .collect();
    users.sort();
    users
}

pub(crate) async fn attached_to_group(iam: &Client, group: &str) -> Vec<String> {
    let out = iam
        .list_attached_group_policies()
        .group_name(group)
        .send()
        .await
        .expect("ListAttachedGroupPolicies");
    out.attached_policies()
        .iter()
        .filter_map(|p| p.policy_name().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn default_identities_are_created_and_the_second_plan_is_empty() {
    let account = account_with(default_baseline).await;
    let iam = account.iam();

    baseline(
        &account,
        &["apply", "--auto-approve", "--password-file", "pw.txt"],
    )
    .expect_code(0);

    assert_eq!(
        attached_to_group(&iam, "admins").await,
        vec!["AdministratorAccess"]
    );
    assert_eq!(attached_to_group(&iam, "billing").await, vec!["Billing"]);
    let mfa = iam
        .get_group_policy()
        .group_name("admins")
        .policy_name("BaselineRequireMFA")
        .send()
        .await
        .expect("the MFA policy is on the admins group");
    assert!(mfa.policy_document().contains("DenyAllExceptListedIfNoMFA"));
    assert_eq!(group_members(&iam, "admins").await, vec!["admin"]);
    iam.get_login_profile()
        .user_name("admin")
        .send()
        .await
        .expect("the admin user has a console password");
    let keys = iam
        .list_access_keys()
        .user_name("admin")
        .send()
        .await
        .expect("keys");
    assert!(
        keys.access_key_metadata().is_empty(),
        "console users get no access keys"
    );
    let role = iam
        .get_role()
        .role_name("support")
        .send()
        .await
        .expect("role");
    let trust = role
        .role()
        .and_then(|r| r.assume_role_policy_document())
        .unwrap_or_default();
    assert!(
        trust.contains(&account.id) && trust.contains("MultiFactorAuthPresent"),
        "{trust}"
    );
    let role_policies = iam
        .list_attached_role_policies()
        .role_name("support")
        .send()
        .await
        .expect("role policies");
    assert_eq!(
        role_policies.attached_policies()[0].policy_arn(),
        Some("arn:aws:iam::aws:policy/AWSSupportAccess")
    );

    let again = plan_exits(&account, 0);
    again.stdout_has("Nothing for apply to change in account");
    // The new console user has no MFA yet: that is a finding, not a change.
    again.stdout_has(
        "! iam_finding.console_users_without_mfa needs a manual step (CIS 1.10): users = [\"admin\"] → []",
    );

    // A re-apply never resets an existing password: the file is as the first apply left it
    // (the password, written before and after IAM set it).
    let first = std::fs::read_to_string(account.dir().join("pw.txt")).expect("password file");
    assert_eq!(first.lines().count(), 2);
    baseline(
        &account,
        &["apply", "--auto-approve", "--password-file", "pw.txt"],
    )
    .expect_code(0);
    let file = std::fs::read_to_string(account.dir().join("pw.txt")).expect("password file");
    assert_eq!(file, first);
}

#[tokio::test]
async fn password_is_written_once_with_mode_0600_and_nowhere_else() {
    use std::os::unix::fs::PermissionsExt;

    let account = TestAccount::new().await;
    let body = "iam:\n  password_policy:\n    minimum_length: 32\n  users:\n    carol:\n      console: { password_reset_required: true }\n";
    account.write("baseline.yaml", &pinned(&account, body));

    // Without a password file, apply refuses before changing anything, and before it
    // prints a plan it will not apply.
    let refused = baseline(&account, &["apply", "--auto-approve"]).expect_code(1);
    refused.stderr_has("--password-file");
    assert!(refused.stdout.is_empty(), "{}", refused.stdout);
    // Nor does it write through a link, or into a device: refused before any change.
    std::os::unix::fs::symlink(
        account.dir().join("elsewhere.txt"),
        account.dir().join("link.txt"),
    )
    .expect("a link");
    for target in ["link.txt", "/dev/full", "no-such-folder/secret.txt"] {
        let refused = baseline(
            &account,
            &["apply", "--auto-approve", "--password-file", target],
        )
        .expect_code(1);
        assert!(
            refused.stderr.contains("nothing was changed"),
            "{target}: {}",
            refused.stderr
        );
    }
    assert!(!account.dir().join("elsewhere.txt").exists());
    let iam = account.iam();
    assert!(
        iam.get_user().user_name("carol").send().await.is_err(),
        "nothing may be created"
    );

    // Every log the binary and the SDK can write, at trace level.
    let mut command = account.command(crate::BIN);
    command.env("BASELINE_LOG", "trace").args([
        "apply",
        "--auto-approve",
        "--password-file",
        "secret.txt",
    ]);
    let apply = baseline_test_support::Run::of(command).expect_code(0);
    // Trace logs were written.
    apply.stderr_has("CreateLoginProfile");
    let path = account.dir().join("secret.txt");
    let mode = std::fs::metadata(&path).expect("file").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&path).expect("read");
    // Written (durably) before IAM set it, marked; then again once IAM has it.
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{} lines", lines.len());
    let (user, password) = lines[1].split_once('\t').expect("user<TAB>password");
    assert_eq!(lines[0], format!("{user}\t{password}\t(not yet set)"));
    assert_eq!(user, "carol");
    assert!(password.len() >= 32, "meets the declared minimum length");
    let plan = baseline(&account, &["-vv", "plan"]).expect_code(0);
    for output in [&apply.stdout, &apply.stderr, &plan.stdout, &plan.stderr] {
        assert!(!output.contains(password), "the password leaked:\n{output}");
    }
    apply.stdout_has("secret.txt (mode 0600)");
}

#[tokio::test]
async fn absent_user_is_removed_with_everything_iam_requires() {
    let account = TestAccount::new().await;
    let iam = account.iam();
    iam.create_group()
        .group_name("team")
        .send()
        .await
        .expect("group");
    iam.create_user()
        .user_name("leaver")
        .send()
        .await
        .expect("user");
    iam.create_login_profile()
        .user_name("leaver")
        .password("Old-Passw0rd!x")
        .send()
        .await
        .expect("login");
    iam.create_access_key()
        .user_name("leaver")
        .send()
        .await
        .expect("key");
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("leaver")
        .send()
        .await
        .expect("mfa device");
    let serial = device
        .virtual_mfa_device()
        .map(|d| d.serial_number().to_owned())
        .unwrap_or_default();
    iam.enable_mfa_device()
        .user_name("leaver")
        .serial_number(&serial)
        .authentication_code1("123456")
        .authentication_code2("654321")
        .send()
        .await
        .expect("enable mfa");
    iam.add_user_to_group()
        .group_name("team")
        .user_name("leaver")
        .send()
        .await
        .expect("member");
    iam.put_user_policy()
        .user_name("leaver")
        .policy_name("own")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#)
        .send()
        .await
        .expect("inline");
    iam.attach_user_policy()
        .user_name("leaver")
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .expect("attached");

    account.write(
        "baseline.yaml",
        &pinned(&account, "iam:\n  users:\n    leaver: { ensure: absent }\n"),
    );
    let plan = plan_exits(&account, 2);
    plan.stdout_has("- iam_user.leaver will be deleted");
    auto_apply(&account);
    let gone = iam
        .get_user()
        .user_name("leaver")
        .send()
        .await
        .expect_err("deleted");
    assert!(
        gone.as_service_error()
            .is_some_and(|e| e.is_no_such_entity_exception())
    );
    assert!(group_members(&iam, "team").await.is_empty());
    // The group was not declared: it is left alone.
    iam.get_group()
        .group_name("team")
        .send()
        .await
        .expect("undeclared group kept");
    plan_exits(&account, 0);
}

/// Role `deploy`, as IAM describes it.
async fn deploy_role(iam: &Client) -> Option<aws_sdk_iam::types::Role> {
    iam.get_role()
        .role_name("deploy")
        .send()
        .await
        .expect("role")
        .role()
        .cloned()
}

#[tokio::test]
async fn existing_identity_is_adopted_not_recreated() {
    let account = TestAccount::new().await;
    let iam = account.iam();
    iam.create_role()
        .role_name("deploy")
        .assume_role_policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        )
        .send()
        .await
        .expect("role");
    let id = deploy_role(&iam).await.map(|r| r.role_id().to_owned());
    let body = "iam:\n  roles:\n    deploy:\n      trust: { service: ec2.amazonaws.com }\n      managed_policies: [ReadOnlyAccess]\n      max_session_duration: 7200\n";
    account.write("baseline.yaml", &pinned(&account, body));
    let plan = plan_exits(&account, 2);
    plan.stdout_has("~ iam_role.deploy will be updated in place");
    plan.stdout_has("~ max_session_duration = 3600 → 7200");
    // An equal trust policy is no change.
    plan.stdout_lacks("trust");
    auto_apply(&account);
    let after = deploy_role(&iam).await;
    assert_eq!(
        after.as_ref().map(|r| r.role_id().to_owned()),
        id,
        "same role, not recreated"
    );
    assert_eq!(after.and_then(|r| r.max_session_duration()), Some(7200));
    plan_exits(&account, 0);
}

#[tokio::test]
async fn credential_findings_name_the_users() {
    let account = TestAccount::new().await;
    let iam = account.iam();
    iam.create_user()
        .user_name("twokeys")
        .send()
        .await
        .expect("user");
    iam.create_access_key()
        .user_name("twokeys")
        .send()
        .await
        .expect("key 1");
    iam.create_access_key()
        .user_name("twokeys")
        .send()
        .await
        .expect("key 2");
    let body = "iam:\n  credential_checks: { console_mfa: true, single_active_key: true, key_max_age_days: 90 }\n";
    account.write("baseline.yaml", &pinned(&account, body));
    let plan = plan_exits(&account, 0);
    plan.stdout_has(
        "! iam_finding.multiple_active_keys needs a manual step (CIS 1.13): users = [\"twokeys\"] → []",
    );
    // New keys are not old.
    plan.stdout_lacks("iam_finding.old_access_keys_90d");
    // No console users.
    plan.stdout_lacks("console_users_without_mfa");

    let keys = iam
        .list_access_keys()
        .user_name("twokeys")
        .send()
        .await
        .expect("keys");
    let second = keys.access_key_metadata()[1]
        .access_key_id()
        .unwrap_or_default()
        .to_owned();
    iam.delete_access_key()
        .user_name("twokeys")
        .access_key_id(second)
        .send()
        .await
        .expect("delete");
    let plan = baseline(&account, &["plan"]).expect_code(0);
    plan.stdout_lacks("multiple_active_keys");
}
