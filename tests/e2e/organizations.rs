//! Organizations and fan-out: the management account's baseline builds the organization
//! (OUs, an SCP, two member accounts, a delegated administrator), then fans the account
//! baseline out to both members through OrganizationAccountAccessRole.

use aws_sdk_organizations::types::PolicyType;
use baseline_test_support::TestAccount;

use crate::{account_with, auto_apply, baseline, plan_exits};

pub(crate) fn org_baseline(account: &TestAccount) -> String {
    let id = &account.id;
    format!(
        r#"version: 1
account:
  id: "{id}"
  home_region: us-east-1
iam:
  password_policy:
    minimum_length: 14
guardrails:
  access_analyzer: true
organization:
  units:
    /Workloads/Prod: {{}}
    /Sandbox: {{}}
  policies:
    deny-leave:
      description: Members cannot leave the organization
      document:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Action: organizations:LeaveOrganization
            Resource: "*"
      attach: [root, /Sandbox]
  accounts:
    prod:
      email: prod-{id}@example.com
      unit: /Workloads/Prod
    sandbox:
      email: sandbox-{id}@example.com
      unit: /Sandbox
  delegated_admins:
    guardduty.amazonaws.com: prod
targets:
  accounts: all
"#
    )
}

/// The member accounts' ids by name, from the organization.
async fn members(account: &TestAccount) -> (String, String) {
    let orgs = aws_sdk_organizations::Client::new(&account.sdk_config());
    let listed = orgs.list_accounts().send().await.expect("ListAccounts");
    let id_of = |prefix: &str| {
        listed
            .accounts()
            .iter()
            .find(|a| a.email().is_some_and(|e| e.starts_with(prefix)))
            .and_then(|a| a.id())
            .expect("member account")
            .to_owned()
    };
    (id_of("prod-"), id_of("sandbox-"))
}

async fn min_length(account: &TestAccount, member: &str) -> Option<i32> {
    let iam = aws_sdk_iam::Client::new(&account.member_config(member).await);
    iam.get_account_password_policy()
        .send()
        .await
        .ok()
        .and_then(|p| {
            p.password_policy()
                .map(|p| p.minimum_password_length().unwrap_or(0))
        })
}

/// Sets the password policy of `member` out of band, to a minimum length of `length` only.
async fn set_min_length(account: &TestAccount, member: &str, length: i32) {
    let iam = aws_sdk_iam::Client::new(&account.member_config(member).await);
    iam.update_account_password_policy()
        .minimum_password_length(length)
        .send()
        .await
        .expect("out of band");
}

async fn analyzers(account: &TestAccount, member: &str) -> usize {
    let config = account.member_config(member).await;
    aws_sdk_accessanalyzer::Client::new(&config)
        .list_analyzers()
        .send()
        .await
        .expect("ListAnalyzers")
        .analyzers()
        .len()
}

/// The lines of one account's part of a text plan: from its header to the next one.
fn part<'a>(stdout: &'a str, account_id: &str) -> &'a str {
    let start = stdout
        .find(&format!("── Account {account_id}"))
        .unwrap_or_else(|| panic!("no part for {account_id} in:\n{stdout}"));
    let rest = &stdout[start + 3..];
    let end = rest.find("── Account").map_or(rest.len(), |e| e + 3);
    &stdout[start..start + end]
}

/// What apply reported for one member account.
fn report<'a>(stdout: &'a str, account_id: &str) -> &'a str {
    let start = stdout
        .find(&format!("\nAccount {account_id} ("))
        .unwrap_or_else(|| panic!("no report for {account_id} in:\n{stdout}"));
    let rest = &stdout[start + 1..];
    let end = rest.find("\nAccount ").map_or(rest.len(), |e| e + 1);
    &rest[..end]
}

#[tokio::test]
async fn builds_the_organization_and_fans_the_baseline_out() {
    let account = account_with(org_baseline).await;

    // First run: the organization, OUs, the SCP and both accounts; the members' baselines
    // wait for the accounts to exist.
    let first = baseline(&account, &["plan"]).expect_code(0);
    first.stdout_has("Account `prod` does not exist yet");
    let created = auto_apply(&account);
    assert!(
        created.stderr.contains("org_account.prod: account ")
            && created.stderr.contains(" created after"),
        "{}",
        created.stderr
    );
    let (prod, sandbox) = members(&account).await;

    let orgs = aws_sdk_organizations::Client::new(&account.sdk_config());
    let roots = orgs.list_roots().send().await.expect("ListRoots");
    let root = roots.roots()[0].id().expect("root id").to_owned();
    let top = orgs
        .list_organizational_units_for_parent()
        .parent_id(&root)
        .send()
        .await
        .expect("OUs");
    let mut names: Vec<&str> = top
        .organizational_units()
        .iter()
        .filter_map(|o| o.name())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["Sandbox", "Workloads"]);
    let parents = orgs
        .list_parents()
        .child_id(&prod)
        .send()
        .await
        .expect("parents");
    let prod_ou = parents.parents()[0].id().expect("parent").to_owned();
    let ou = orgs
        .describe_organizational_unit()
        .organizational_unit_id(&prod_ou)
        .send()
        .await
        .expect("OU");
    assert_eq!(
        ou.organizational_unit().and_then(|o| o.name()),
        Some("Prod")
    );
    let policies = orgs
        .list_policies()
        .filter(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .expect("policies");
    let scp = policies
        .policies()
        .iter()
        .find(|p| p.name() == Some("deny-leave"))
        .expect("the SCP exists");
    let targets = orgs
        .list_targets_for_policy()
        .policy_id(scp.id().expect("id"))
        .send()
        .await
        .expect("targets");
    assert_eq!(targets.targets().len(), 2, "root and /Sandbox");
    let admins = orgs
        .list_delegated_administrators()
        .service_principal("guardduty.amazonaws.com")
        .send()
        .await
        .expect("delegated administrators");
    assert_eq!(
        admins.delegated_administrators()[0].id(),
        Some(prod.as_str())
    );

    // Second run: both members get the account baseline through the role.
    let fanned = auto_apply(&account);
    for member in [&prod, &sandbox] {
        assert!(part(&fanned.stdout, member).contains("iam_password_policy"));
        assert_eq!(min_length(&account, member).await, Some(14));
        assert_eq!(analyzers(&account, member).await, 1);
    }
    let quiet = plan_exits(&account, 0);
    quiet.stdout_has("3 account(s) planned, 0 with changes, 0 could not be planned");

    // Drift in one member shows under that account only.
    set_min_length(&account, &prod, 8).await;
    let drift = plan_exits(&account, 2);
    assert!(
        part(&drift.stdout, &prod).contains("~ iam_password_policy"),
        "{}",
        drift.stdout
    );
    assert!(
        part(&drift.stdout, &sandbox).contains("No changes."),
        "{}",
        drift.stdout
    );
    assert!(!part(&drift.stdout, &account.id).contains("iam_password_policy"));
    // --target-account limits the run; the JSON plan groups by account.
    let only =
        baseline(&account, &["plan", "--json", "--target-account", "sandbox"]).expect_code(0);
    crate::assert_plan_follows_schema(&account, &only.stdout);
    let json: serde_json::Value = serde_json::from_str(&only.stdout).expect("JSON plan");
    let accounts = json["accounts"].as_array().expect("accounts");
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["account_id"], sandbox.as_str());
    assert_eq!(json["resource_changes"].as_array().map(Vec::len), Some(0));
    baseline(&account, &["plan", "--target-account", "nobody"]).expect_code(1);

    // A failure in one account leaves the other applied: sandbox may not write to Access
    // Analyzer, as an explicit deny would say.
    set_min_length(&account, &sandbox, 8).await;
    for member in [&prod, &sandbox] {
        let config = account.member_config(member).await;
        aws_sdk_accessanalyzer::Client::new(&config)
            .delete_analyzer()
            .analyzer_name("baseline")
            .send()
            .await
            .expect("delete the analyzer");
    }
    account.deny_writes(&sandbox, "access-analyzer");
    let partial = baseline(&account, &["apply", "--auto-approve"]).expect_code(1);
    assert!(
        report(&partial.stdout, &sandbox).contains("failed:"),
        "{}",
        partial.stdout
    );
    assert!(
        !report(&partial.stdout, &prod).contains("failed:"),
        "{}",
        partial.stdout
    );
    partial.stdout_has(&format!("incomplete in {sandbox} (sandbox)"));
    assert_eq!(analyzers(&account, &prod).await, 1, "prod applied");
    assert_eq!(min_length(&account, &prod).await, Some(14));
    assert_eq!(
        min_length(&account, &sandbox).await,
        Some(14),
        "sandbox's other changes applied"
    );
    assert_eq!(analyzers(&account, &sandbox).await, 0);
}

/// The account ids of a plan's member parts.
fn member_ids(plan: &serde_json::Value) -> Vec<String> {
    plan["accounts"]
        .as_array()
        .map(|accounts| {
            accounts
                .iter()
                .filter_map(|a| a["account_id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// `--shard I/N` splits the member accounts between N jobs (shard 1 also plans the pinned
/// account); `show` puts the shards' saved plans back together as the plan of the whole
/// organization, which applies like any saved plan. A shard given twice, or missing, is
/// refused.
#[tokio::test]
async fn shards_plan_parts_of_the_organization_and_show_puts_them_together() {
    let account = account_with(org_baseline).await;
    auto_apply(&account);
    auto_apply(&account);
    let (prod, sandbox) = members(&account).await;
    set_min_length(&account, &prod, 8).await;

    let whole = baseline(&account, &["plan", "--json"]).expect_code(0);
    let whole: serde_json::Value = serde_json::from_str(&whole.stdout).expect("JSON");
    let read = |name: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(account.dir().join(name)).expect("plan");
        serde_json::from_str(&text).expect("JSON")
    };
    baseline(&account, &["plan", "--shard", "1/2", "--out", "s1.json"]).expect_code(0);
    baseline(&account, &["plan", "--shard", "2/2", "--out", "s2.json"]).expect_code(0);
    let (one, two) = (read("s1.json"), read("s2.json"));
    assert_eq!(one["shard"], "1/2");
    assert_eq!(two["shard"], "2/2");
    assert_eq!(
        one["resource_changes"].as_array().map(Vec::len),
        whole["resource_changes"].as_array().map(Vec::len),
        "shard 1 plans the pinned account"
    );
    assert_eq!(two["resource_changes"].as_array().map(Vec::len), Some(0));
    let mut members = [member_ids(&one), member_ids(&two)].concat();
    members.sort();
    let mut expected = vec![prod.clone(), sandbox.clone()];
    expected.sort();
    assert_eq!(members, expected, "each member in exactly one shard");

    let merged = baseline(&account, &["show", "s2.json", "s1.json", "--json"]).expect_code(0);
    account.write("merged.json", &merged.stdout);
    let merged = read("merged.json");
    // What each plan says of each account (its live state is read at another moment).
    let said = |plan: &serde_json::Value| -> Vec<(String, Vec<(String, String)>)> {
        let changes = |part: &serde_json::Value| -> Vec<(String, String)> {
            part["resource_changes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| (c["address"].to_string(), c["change"]["actions"].to_string()))
                .collect()
        };
        let mut parts = vec![(plan["account_id"].to_string(), changes(plan))];
        for member in plan["accounts"].as_array().into_iter().flatten() {
            parts.push((member["account_id"].to_string(), changes(member)));
        }
        parts
    };
    assert_eq!(said(&merged), said(&whole));
    assert!(merged.get("shard").is_none());
    let markdown = baseline(&account, &["show", "s1.json", "s2.json", "--markdown"]).expect_code(0);
    markdown.stdout_has(&format!("### Account prod (`{prod}`)"));
    markdown.stdout_has(&format!("### Account sandbox (`{sandbox}`)"));

    for twice in [["s1.json", "s1.json"], ["s2.json", "s2.json"]] {
        let run = baseline(&account, &["show", twice[0], twice[1]]).expect_code(1);
        run.stderr_has("the plans cannot be shown as one");
    }
    baseline(&account, &["apply", "merged.json", "--auto-approve"]).expect_code(0);
    assert_eq!(min_length(&account, &prod).await, Some(14));
    plan_exits(&account, 0);
}
