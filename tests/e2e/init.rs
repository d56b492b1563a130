//! `baseline init` adopts an account as it is: on an account an example set up, the file it
//! writes plans no change and describes every resource the example applied
//! ([`adopts_back`], called by the examples' tests); on an account set up by hand, it plans
//! no change either, and applying it leaves the hand-made resources exactly as they were.

use std::collections::BTreeSet;

use baseline_test_support::TestAccount;

use crate::baseline;

/// The addresses of the pinned account's changes in a JSON plan, those with a manual step
/// or without.
fn addresses(json: &str, account: &str, manual: bool) -> BTreeSet<String> {
    let plan: serde_json::Value = serde_json::from_str(json).expect("a JSON plan");
    plan["resource_changes"]
        .as_array()
        .expect("resource changes")
        .iter()
        .filter(|r| r["account"] == account)
        .filter(|r| (r["change"]["actions"] == serde_json::json!(["manual"])) == manual)
        .map(|r| r["address"].as_str().expect("address").to_owned())
        .collect()
}

/// After the account converged on its baseline.yaml: `init` writes another file from the
/// live account; it validates, plans no change, and names every resource the baseline
/// applied. (Manual steps a person has not done yet are written as comments.)
pub fn adopts_back(account: &TestAccount) {
    let example = baseline(account, &["plan", "--json"]).expect_code(0);
    let applied = addresses(&example.stdout, &account.id, false);

    baseline(account, &["init", "-f", "init.yaml"]).expect_code(0);
    baseline(account, &["validate", "-f", "init.yaml"]).expect_code(0);
    let plan =
        baseline(account, &["plan", "-f", "init.yaml", "--detailed-exitcode"]).expect_code(0);
    plan.stdout_has(&account.id);
    let json = baseline(account, &["plan", "-f", "init.yaml", "--json"]).expect_code(0);
    let described: BTreeSet<String> = addresses(&json.stdout, &account.id, false)
        .into_iter()
        .chain(addresses(&json.stdout, &account.id, true))
        .collect();
    let missing: Vec<&String> = applied.difference(&described).collect();
    assert!(
        missing.is_empty(),
        "init left out {missing:?}:\n{}",
        std::fs::read_to_string(account.dir().join("init.yaml")).unwrap_or_default()
    );
}

fn fixture(account: &TestAccount, mode: &str) -> String {
    let root = baseline_test_support::repo_root();
    let python = root.join(".venv/bin/python");
    let script = root.join("tests/e2e/fixtures/handmade_account.py");
    let out = account
        .command(python.to_str().expect("path"))
        .arg(script)
        .arg(mode)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "handmade_account.py {mode}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// An account set up by hand with boto3 (a trail in us-west-2, a recorder with its own role,
/// a budget, a sign-in rule and topic, a group and a user with inline policies): init takes
/// its home region from the trail, describes what baseline can keep as it is, writes what
/// adopting would change as comments that say so, and plans no change. Applying the file
/// leaves every hand-made resource as it was.
#[tokio::test]
async fn init_adopts_a_hand_made_account_without_changing_it() {
    let account = TestAccount::new().await;
    fixture(&account, "make");
    let before = fixture(&account, "describe");

    let run = baseline(&account, &["init"]).expect_code(0);
    run.stderr_has("home region us-west-2");
    let written = std::fs::read_to_string(account.dir().join("baseline.yaml")).expect("written");
    for line in [
        "  home_region: us-west-2",
        "the home region of the trail org-audit",
        "    team-budget:\n      amount: 50\n      notifications:\n        - { when: actual, percent: 90, emails: [ops@example.org] }",
        "    operators:\n      inline_policies:\n        read-logs:",
        "    config-recorder:\n      trust: { services: [config.amazonaws.com] }\n      managed_policies: [service-role/AWS_ConfigRole]",
        "      groups: [operators]",
    ] {
        assert!(written.contains(line), "{line:?} in:\n{written}");
    }
    // The trail's bucket lacks baseline's hygiene: adopting it is the user's decision.
    let bucket = written
        .lines()
        .find(|l| l.contains("# bucket:"))
        .unwrap_or_else(|| panic!("the bucket as a comment:\n{written}"));
    assert!(
        bucket.contains("adopting it would change")
            && bucket.contains("policy")
            && bucket.contains("versioning"),
        "{bucket}"
    );

    // The hand-made sign-in rule is offered for adoption, as a comment: adopting it would
    // change it (baseline's e-mail text and target).
    let adopt = written
        .lines()
        .find(|l| l.contains("# console_sign_in: my-signin-alert"))
        .unwrap_or_else(|| panic!("the sign-in rule offered for adoption:\n{written}"));
    assert!(
        adopt.contains("us-west-2/events_rule.my-signin-alert (update: description, target)"),
        "{adopt}"
    );

    baseline(&account, &["validate"]).expect_code(0);
    crate::plan_exits(&account, 0).stdout_has("No changes.");
    baseline(
        &account,
        &["apply", "--auto-approve", "--password-file", "pw.txt"],
    )
    .expect_code(0);
    assert_eq!(
        fixture(&account, "describe"),
        before,
        "applying init's file changed a hand-made resource"
    );
}

/// `--section` adds one section to a file that has the others, and refuses to replace one
/// it already has unless told to.
#[tokio::test]
async fn init_adds_one_section_at_a_time() {
    let account = TestAccount::new().await;
    fixture(&account, "make");
    let head = format!(
        "version: 1\n# Our account.\naccount:\n  id: \"{}\"\n  home_region: us-west-2\n\n# Kept as written.\ncost:\n  cost_explorer: required\n",
        account.id
    );
    account.write("baseline.yaml", &head);
    baseline(&account, &["init", "--section", "iam"]).expect_code(0);
    let written = std::fs::read_to_string(account.dir().join("baseline.yaml")).expect("written");
    assert!(written.starts_with(&head), "the file is kept:\n{written}");
    assert!(written.contains("\niam:\n"), "{written}");
    assert!(!written.contains("\nlogging:"), "only iam:\n{written}");
    baseline(&account, &["validate"]).expect_code(0);

    baseline(&account, &["init", "--section", "cost"])
        .expect_code(1)
        .stderr_has("already has a `cost:` section");
    baseline(&account, &["init", "--section", "cost", "--force"]).expect_code(0);
    let written = std::fs::read_to_string(account.dir().join("baseline.yaml")).expect("written");
    assert!(written.contains("team-budget:"), "{written}");
    assert!(written.contains("# Our account."), "{written}");
    assert_eq!(written.matches("\ncost:").count(), 1, "{written}");
    crate::plan_exits(&account, 0);
}

/// Declared alerts and budgets that the hand-made account already has under other names are
/// named in the plan as findings, not silently duplicated; `adopt` then manages the existing
/// rule and budget instead of making new ones.
#[tokio::test]
async fn existing_equivalents_are_named_and_can_be_adopted() {
    let account = TestAccount::new().await;
    fixture(&account, "make");
    let head = format!(
        "version: 1\naccount:\n  id: \"{}\"\n  home_region: us-west-2\n",
        account.id
    );
    let alerts = "alerts:\n  topics:\n    ops-alerts:\n      subscriptions: [{ email: ops@example.org }]\n  events:\n    console_sign_in: ops-alerts\n";
    let budget = "cost:\n  budgets:\n    monthly:\n      amount: 50\n      notifications: [{ when: actual, percent: 90, emails: [ops@example.org] }]\n";
    account.write("baseline.yaml", &format!("{head}{alerts}{budget}"));
    let plan = crate::plan_exits(&account, 2);
    plan.stdout_has("! us-west-2/alert_equivalents.console_sign_in needs a manual step");
    plan.stdout_has("already raised by rule `my-signin-alert` (us-west-2)");
    plan.stdout_has("! budget_equivalents.monthly needs a manual step");
    plan.stdout_has("already limited the same by budget `team-budget`");

    let alerts = alerts.replace(
        "  events:",
        "  adopt:\n    console_sign_in: my-signin-alert\n  events:",
    );
    let budget = budget.replace(
        "      amount: 50",
        "      amount: 50\n      adopt: team-budget",
    );
    account.write("baseline.yaml", &format!("{head}{alerts}{budget}"));
    let plan = crate::plan_exits(&account, 2);
    plan.stdout_has("~ us-west-2/events_rule.my-signin-alert will be updated in place");
    assert!(
        !plan
            .stdout
            .contains("us-west-2/events_rule.baseline-console-sign-in")
            && !plan.stdout.contains("equivalents")
            && !plan.stdout.contains("budget.monthly"),
        "{}",
        plan.stdout
    );
    baseline(
        &account,
        &["apply", "--auto-approve", "--password-file", "pw.txt"],
    )
    .expect_code(0);
    crate::plan_exits(&account, 0);

    let events = aws_sdk_eventbridge::Client::new(&account.sdk_config_in("us-west-2"));
    let targets = events
        .list_targets_by_rule()
        .rule("my-signin-alert")
        .send()
        .await
        .expect("targets");
    let ids: Vec<&str> = targets.targets().iter().map(|t| t.id()).collect();
    assert_eq!(
        ids,
        ["baseline"],
        "the adopted rule carries baseline's target"
    );
    let own = events
        .list_rules()
        .name_prefix("baseline-console")
        .send()
        .await
        .expect("rules");
    assert!(own.rules().is_empty(), "no second rule in the home region");
    let budgets = aws_sdk_budgets::Client::new(&account.sdk_config_in("us-east-1"));
    let listed = budgets
        .describe_budgets()
        .account_id(&account.id)
        .send()
        .await
        .expect("budgets");
    let names: Vec<&str> = listed.budgets().iter().map(|b| b.budget_name()).collect();
    assert_eq!(names, ["team-budget"], "the adopted budget, and no other");
}

/// A caller whose policy lacks some reads still gets the rest: a section AWS refuses to show
/// is a comment that says which call was refused, and the file plans no change.
#[tokio::test]
async fn init_writes_what_it_may_read_and_says_what_it_may_not() {
    let account = TestAccount::new().await;
    fixture(&account, "make");
    let proxy = baseline_test_support::FaultProxy::denying("DescribeBudgets,DescribeTrails");
    let through = |args: &[&str]| {
        let mut command = account.command(crate::BIN);
        command.env("AWS_ENDPOINT_URL", &proxy.endpoint).args(args);
        baseline_test_support::Run::of(command)
    };
    let run = through(&["init"]).expect_code(0);
    run.stderr_has("AWS refused to show `logging`");
    let written = std::fs::read_to_string(account.dir().join("baseline.yaml")).expect("written");
    for line in [
        "# logging: not read: cloudtrail:DescribeTrails answered AccessDeniedException",
        "# cost: not read: budgets:DescribeBudgets answered AccessDeniedException",
        "  home_region: us-west-2",
        "trails not read",
        "    operators:",
    ] {
        assert!(written.contains(line), "{line:?} in:\n{written}");
    }
    through(&["plan", "--detailed-exitcode"]).expect_code(0);
}

/// Settings no example uses (a path, tags, a role's session length, lifecycles of both log
/// buckets, data events, rules with parameters, a non-default aggregator, https
/// subscriptions, a quarterly budget in yen notifying a topic, GuardDuty and Security Hub
/// with standards) round-trip too.
#[tokio::test]
async fn init_reads_back_every_setting() {
    let account = TestAccount::new().await;
    let path = baseline_test_support::repo_root().join("tests/e2e/fixtures/every_setting.yaml");
    let text = std::fs::read_to_string(path).expect("fixture");
    account.write(
        "baseline.yaml",
        &text.replace("\"123456789012\"", &format!("\"{}\"", account.id)),
    );
    baseline(
        &account,
        &["apply", "--auto-approve", "--password-file", "pw.txt"],
    )
    .expect_code(0);
    crate::plan_exits(&account, 0);
    adopts_back(&account);
    let written = std::fs::read_to_string(account.dir().join("init.yaml")).expect("written");
    for line in [
        "    lifecycle: { expire_days: 400, noncurrent_expire_days: 10 }",
        "      prefix: logs/",
        "        parameters: { maxAccessKeyAge: \"90\" }",
        "        - { https: \"https://hooks.example.org/aws\" }",
        "      time_unit: quarterly",
        "  security_hub: { standards: [cis_1.4, aws_foundational] }",
    ] {
        assert!(written.contains(line), "{line:?} in:\n{written}");
    }
}
