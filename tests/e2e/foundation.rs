//! The foundation: password policy, account alias, root manual items, the account pin,
//! exit codes and confirmation.

use aws_sdk_iam::Client;
use baseline_test_support::{Run, TestAccount};

use crate::{BIN, account_with, auto_apply, baseline, lines_with, plan_exits};

/// The foundation's part of the default baseline: alias, root items, password policy.
fn default_baseline(account: &TestAccount) -> String {
    format!(
        r#"version: 1
account:
  id: "{}"
  alias: "{{account_id}}-main"
  home_region: ap-northeast-1
root:
  mfa: required
  access_keys: absent
iam:
  password_policy:
    minimum_length: 14
    require_symbols: true
    require_numbers: true
    require_uppercase: true
    require_lowercase: true
    allow_users_to_change: true
    max_age_days: 90
    reuse_prevention: 24
    hard_expiry: false
"#,
        account.id
    )
}

async fn password_policy(iam: &Client) -> Option<aws_sdk_iam::types::PasswordPolicy> {
    match iam.get_account_password_policy().send().await {
        Ok(out) => out.password_policy().cloned(),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_no_such_entity_exception()) =>
        {
            None
        }
        Err(err) => panic!("GetAccountPasswordPolicy: {err:?}"),
    }
}

async fn aliases(iam: &Client) -> Vec<String> {
    iam.list_account_aliases()
        .send()
        .await
        .expect("ListAccountAliases")
        .account_aliases()
        .to_vec()
}

/// The block that the plan prints for `address`: its header line and its field lines.
fn block<'a>(stdout: &'a str, address: &str) -> Vec<&'a str> {
    let mut lines = stdout
        .lines()
        .skip_while(|l| l.split_whitespace().nth(1) != Some(address));
    let mut out = Vec::new();
    if let Some(head) = lines.next() {
        out.push(head);
        out.extend(lines.take_while(|l| !l.trim().is_empty()));
    }
    out
}

#[tokio::test]
async fn fresh_account_converges_and_drift_shows_exactly_the_changed_field() {
    let account = account_with(default_baseline).await;
    let iam = account.iam();

    // A fresh account: creates, exit 2.
    let plan = plan_exits(&account, 2);
    plan.stdout_has("+ iam_password_policy will be created");
    plan.stdout_has("+ account_alias will be created");
    plan.stdout_has("! root_mfa needs a manual step (CIS 1.5)");
    plan.stdout_has("Plan: 2 to create, 0 to update, 0 to delete, 1 manual.");
    assert_eq!(password_policy(&iam).await, None, "plan must not write");

    auto_apply(&account);
    let policy = password_policy(&iam).await.expect("policy created");
    assert_eq!(policy.minimum_password_length(), Some(14));
    assert!(policy.require_symbols() && policy.require_numbers());
    assert!(policy.require_uppercase_characters() && policy.require_lowercase_characters());
    assert!(policy.allow_users_to_change_password());
    assert_eq!(policy.max_password_age(), Some(90));
    assert_eq!(policy.password_reuse_prevention(), Some(24));
    assert_eq!(aliases(&iam).await, vec![format!("{}-main", account.id)]);

    // Converged: nothing to apply; the manual item is still listed, in one line, exit 0.
    let again = plan_exits(&account, 0);
    again.stdout_has("; 1 manual step(s) remain (`-v` shows why, where and how each is checked):");
    again.stdout_has("\n  ! root_mfa needs a manual step (CIS 1.5): mfa_enabled = false → true\n");
    assert_eq!(again.stdout.lines().count(), 2, "{}", again.stdout);
    // -v: in full.
    let full = baseline(&account, &["plan", "-v"]).expect_code(0);
    full.stdout_has("        console: ");
    full.stdout_has("Plan: 0 to create, 0 to update, 0 to delete, 1 manual.");

    // Out of band: only the minimum length changes (UpdateAccountPasswordPolicy sets every
    // field, so the others are sent as they are).
    iam.update_account_password_policy()
        .minimum_password_length(8)
        .require_symbols(true)
        .require_numbers(true)
        .require_uppercase_characters(true)
        .require_lowercase_characters(true)
        .allow_users_to_change_password(true)
        .max_password_age(90)
        .password_reuse_prevention(24)
        .hard_expiry(false)
        .send()
        .await
        .expect("out-of-band change");
    let drift = plan_exits(&account, 2);
    assert_eq!(
        block(&drift.stdout, "iam_password_policy"),
        vec![
            "  ~ iam_password_policy will be updated in place (CIS 1.8, 1.9)",
            "      ~ minimum_length = 8 → 14",
        ],
        "{}",
        drift.stdout
    );
    drift.stdout_has("Plan: 0 to create, 1 to update, 0 to delete, 1 manual.");

    auto_apply(&account);
    assert_eq!(
        password_policy(&iam)
            .await
            .expect("policy")
            .minimum_password_length(),
        Some(14)
    );
    plan_exits(&account, 0);
}

#[tokio::test]
async fn fresh_account_plan_snapshot() {
    let account = account_with(default_baseline).await;
    let plan = plan_exits(&account, 2);
    insta::with_settings!({filters => vec![(account.id.as_str(), "[ACCOUNT]")]}, {
        insta::assert_snapshot!(plan.stdout);
    });
}

#[tokio::test]
async fn wrong_account_pin_stops_before_any_other_call() {
    let account = TestAccount::new().await;
    let other = "111122223333";
    let text = default_baseline(&account).replace(&account.id, other);
    account.write("baseline.yaml", &text);

    for args in [&["plan"][..], &["apply", "--auto-approve"][..]] {
        let run = baseline(&account, args).expect_code(1);
        assert!(
            run.stderr.contains(other) && run.stderr.contains(&account.id),
            "{}",
            run.stderr
        );
        run.stderr_has("pinned");
        assert!(
            run.stdout.is_empty(),
            "no plan may be shown: {}",
            run.stdout
        );
    }
    // With -vv every call is logged: the pin check is the only one.
    let run = baseline(&account, &["-vv", "plan"]).expect_code(1);
    let calls = lines_with(&run.stderr, "aws call");
    assert_eq!(calls.len(), 1, "{}", run.stderr);
    assert!(calls[0].contains("GetCallerIdentity"));
    // The account is unchanged.
    let iam = account.iam();
    assert_eq!(password_policy(&iam).await, None);
    assert!(aliases(&iam).await.is_empty());
}

#[tokio::test]
async fn root_manual_items_are_verified_and_vanish_once_done() {
    let account = account_with(default_baseline).await;

    account.set_root_state(false, true);
    let run = baseline(&account, &["plan"]).expect_code(0);
    run.stdout_has("! root_mfa needs a manual step (CIS 1.5)");
    run.stdout_has("! root_access_keys needs a manual step (CIS 1.4)");
    run.stdout_has("! access_keys_present = true → false");
    run.stdout_has("console: sign in as the root user");

    account.set_root_state(true, false);
    let run = baseline(&account, &["plan"]).expect_code(0);
    run.stdout_lacks("root_mfa");
    run.stdout_lacks("root_access_keys");
    run.stdout_has("0 manual.");
}

#[tokio::test]
async fn existing_policy_is_adopted_and_undeclared_fields_are_kept() {
    let account = TestAccount::new().await;
    let iam = account.iam();
    iam.update_account_password_policy()
        .minimum_password_length(10)
        .require_symbols(true)
        .max_password_age(30)
        .send()
        .await
        .expect("existing policy");
    let text = format!(
        "version: 1\naccount:\n  id: \"{}\"\niam:\n  password_policy:\n    minimum_length: 16\n    require_symbols: true\n",
        account.id
    );
    account.write("baseline.yaml", &text);

    let plan = plan_exits(&account, 2);
    assert_eq!(
        block(&plan.stdout, "iam_password_policy"),
        vec![
            "  ~ iam_password_policy will be updated in place (CIS 1.8, 1.9)",
            "      ~ minimum_length = 10 → 16",
        ]
    );
    auto_apply(&account);
    let policy = password_policy(&iam).await.expect("policy");
    assert_eq!(policy.minimum_password_length(), Some(16));
    assert!(policy.require_symbols());
    assert_eq!(
        policy.max_password_age(),
        Some(30),
        "an undeclared field was modified"
    );
}

#[tokio::test]
async fn password_policy_absent_is_deleted() {
    let account = TestAccount::new().await;
    let iam = account.iam();
    iam.update_account_password_policy()
        .minimum_password_length(10)
        .send()
        .await
        .expect("existing policy");
    let text = format!(
        "version: 1\naccount:\n  id: \"{}\"\niam:\n  password_policy: {{ ensure: absent }}\n",
        account.id
    );
    account.write("baseline.yaml", &text);
    let plan = plan_exits(&account, 2);
    plan.stdout_has("- iam_password_policy will be deleted");
    plan.stdout_has("- minimum_length");
    auto_apply(&account);
    assert_eq!(password_policy(&iam).await, None);
    plan_exits(&account, 0);
}

#[tokio::test]
async fn alias_is_created_replaced_and_removed() {
    let account = TestAccount::new().await;
    let iam = account.iam();
    let with_alias = |alias: &str| {
        format!(
            "version: 1\naccount:\n  id: \"{}\"\n  alias: {alias}\n",
            account.id
        )
    };
    let first = format!("first-{}", account.id);
    account.write("baseline.yaml", &with_alias(&first));
    auto_apply(&account);
    assert_eq!(aliases(&iam).await, vec![first.clone()]);

    let second = format!("second-{}", account.id);
    account.write("baseline.yaml", &with_alias(&second));
    let plan = baseline(&account, &["plan"]).expect_code(0);
    plan.stdout_has(&format!("~ alias = \"{first}\" → \"{second}\""));
    auto_apply(&account);
    assert_eq!(aliases(&iam).await, vec![second.clone()]);

    account.write("baseline.yaml", &with_alias("{ ensure: absent }"));
    let plan = plan_exits(&account, 2);
    plan.stdout_has("- account_alias will be deleted");
    auto_apply(&account);
    assert!(aliases(&iam).await.is_empty());
}

#[tokio::test]
async fn apply_without_a_terminal_or_auto_approve_refuses_and_changes_nothing() {
    let account = account_with(default_baseline).await;
    let run = baseline(&account, &["apply"]).expect_code(1);
    run.stderr_has("--auto-approve");
    // The plan is shown first.
    run.stdout_has("+ iam_password_policy will be created");
    assert_eq!(password_policy(&account.iam()).await, None);
}

/// An AWS config file in `folder` whose profile `target` assumes a role in `account`
/// (through the profile `base`, with the emulator's keys).
fn role_profile(account: &TestAccount, folder: &TestAccount) -> std::path::PathBuf {
    let config = format!(
        "[profile base]\naws_access_key_id = testing\naws_secret_access_key = testing\nregion = us-east-1\n\n\
         [profile target]\nrole_arn = arn:aws:iam::{}:role/baseline-admin\nsource_profile = base\n",
        account.id
    );
    folder.write("aws-config", &config)
}

#[tokio::test]
async fn assume_role_profile_reaches_the_account() {
    let account = account_with(default_baseline).await;
    let config_path = role_profile(&account, &account);
    let mut command = account.bare_command(BIN);
    command.env("AWS_CONFIG_FILE", &config_path).args([
        "--profile",
        "target",
        "apply",
        "--auto-approve",
    ]);
    Run::of(command).expect_code(0);
    assert!(password_policy(&account.iam()).await.is_some());
}

/// `--profile` wins over credentials in the environment, as in the AWS CLI: with another
/// account's keys exported, `--profile target` still acts as the profile's account.
#[tokio::test]
async fn the_profile_flag_wins_over_environment_credentials() {
    let account = TestAccount::new().await;
    let other = TestAccount::new().await;
    other.write("baseline.yaml", &default_baseline(&account));
    let config_path = role_profile(&account, &other);
    // The environment holds the other account's keys: without the flag, the pin stops it.
    let mut command = other.command(BIN);
    command.env("AWS_CONFIG_FILE", &config_path).arg("plan");
    let refused = Run::of(command).expect_code(1);
    assert!(refused.stderr.contains(&other.id), "{}", refused.stderr);
    let mut command = other.command(BIN);
    command
        .env("AWS_CONFIG_FILE", &config_path)
        .args(["--profile", "target", "plan"]);
    let planned = Run::of(command).expect_code(0);
    assert!(planned.stdout.contains(&account.id), "{}", planned.stdout);
}

#[tokio::test]
async fn verbose_plan_reports_its_aws_call_count() {
    let account = account_with(default_baseline).await;
    let run = baseline(&account, &["-v", "plan"]).expect_code(0);
    let calls: usize = run
        .stderr
        .split("aws_calls=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no aws_calls in {}", run.stderr));
    // GetCallerIdentity, ListAccountAliases, GetAccountPasswordPolicy, GetAccountSummary
    // (read once for both root items).
    assert_eq!(calls, 4, "{}", run.stderr);
}

#[tokio::test]
async fn validate_needs_no_credentials_or_network() {
    let account = account_with(default_baseline).await;
    let mut command = account.bare_command(BIN);
    command
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .arg("validate");
    let run = Run::of(command).expect_code(0);
    run.stdout_has("is valid: 4 resources");
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    // The shipped baseline with this account's id, but the example's contacts: validate
    // names each value left from the example, with its line.
    let shipped = crate::default_baseline(&account);
    account.write("shipped.yaml", &shipped);
    let mut command = account.bare_command(BIN);
    command.args(["validate", "-f", "shipped.yaml"]);
    let run = Run::of(command).expect_code(0);
    assert!(!run.stderr.contains("123456789012"), "{}", run.stderr);
    let line = shipped
        .lines()
        .position(|l| l.contains("billing@example.com"))
        .map(|i| i + 1)
        .expect("the example's billing contact");
    assert!(
        run.stderr.contains(&format!(
            "shipped.yaml:{line}: `billing@example.com` is an example's value"
        )),
        "{}",
        run.stderr
    );
}

/// `--color always|never|auto`: a saved plan shown into a pipe is plain by default and
/// coloured when asked; `never` wins over a terminal, `always` over NO_COLOR.
#[tokio::test]
async fn color_is_chosen_with_the_flag() {
    let account = account_with(default_baseline).await;
    baseline(&account, &["plan", "--out", "plan.json"]).expect_code(0);
    const ESCAPE: char = '\u{1b}';
    // The test environment sets NO_COLOR, and stdout is a pipe.
    let auto = baseline(&account, &["show", "plan.json"]).expect_code(0);
    assert!(!auto.stdout.contains(ESCAPE), "{}", auto.stdout);
    let always = baseline(&account, &["--color", "always", "show", "plan.json"]).expect_code(0);
    assert!(always.stdout.contains(ESCAPE), "{}", always.stdout);
    let never = baseline(&account, &["show", "plan.json", "--color", "never"]).expect_code(0);
    assert_eq!(never.stdout, auto.stdout);
    let wrong = baseline(&account, &["--color", "sometimes", "show", "plan.json"]).expect_code(2);
    assert!(wrong.stderr.contains("always"), "{}", wrong.stderr);
}
