//! The JSON plan as tools read it: it follows its documented schema (docs/plan.schema.json),
//! and the example OPA/conftest policy (examples/policy) judges real plans as it says.

use baseline_test_support::TestAccount;
use serde_json::Value;

use crate::{account_with, assert_plan_follows_schema, auto_apply, baseline, pinned};

/// A change made to a plan's JSON.
type Edit = fn(&mut Value);

/// The default baseline's first plan (every kind, manual items, findings, dependencies,
/// write-only settings) follows the schema; a plan that breaks it does not.
#[tokio::test]
async fn the_json_plan_follows_its_schema() {
    let account = account_with(crate::default_baseline).await;
    let plan = baseline(&account, &["plan", "--json"]).expect_code(0);
    assert_plan_follows_schema(&account, &plan.stdout);

    let plan: Value = serde_json::from_str(&plan.stdout).expect("JSON");
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut copy = plan.clone();
        edit(&mut copy);
        crate::plan_schema_check(&account, "broken.json", &copy.to_string())
    };
    let edits: [(&str, Edit); 4] = [
        ("no change", |p| {
            if let Some(change) = p["resource_changes"][0].as_object_mut() {
                change.remove("change");
            }
        }),
        ("an action of Terraform's that baseline never plans", |p| {
            p["resource_changes"][0]["change"]["actions"] = serde_json::json!(["delete", "create"]);
        }),
        ("format 2", |p| p["format_version"] = "2.1".into()),
        ("an account id that is not one", |p| {
            p["resource_changes"][0]["account"] = "12345".into();
        }),
    ];
    for (what, edit) in edits {
        let out = broken(&edit);
        assert!(
            !out.status.success(),
            "a plan with {what} is refused by the schema"
        );
    }
}

/// The example policy fails a plan that broadens permissions, naming the change and the
/// account, and passes the plan once the account matches; permissions added by hand (which
/// apply removes) are a warning, not a failure.
#[tokio::test]
async fn the_example_policy_denies_a_plan_that_broadens_permissions() {
    let account = account_with(|a: &TestAccount| {
        pinned(
            a,
            "iam:\n  groups:\n    admins: { managed_policies: [AdministratorAccess] }\n",
        )
    })
    .await;
    let check = |account: &TestAccount| {
        let plan = baseline(account, &["plan", "--json"]).expect_code(0);
        account.write("plan.json", &plan.stdout);
        let root = baseline_test_support::repo_root();
        let out = std::process::Command::new(root.join(".venv/bin/python"))
            .arg(root.join("scripts/policy_check.py"))
            .arg(root.join("examples/policy"))
            .arg(account.dir().join("plan.json"))
            .output()
            .expect("the policy check runs (scripts/emulator-setup installs regopy)");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), text)
    };
    let (code, text) = check(&account);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "FAIL - {} - main - iam_group.admins in account {} broadens permissions: attaches \
             arn:aws:iam::aws:policy/AdministratorAccess",
            account.dir().join("plan.json").display(),
            account.id
        )),
        "{text}"
    );
    auto_apply(&account);
    let (code, text) = check(&account);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("0 failure(s), 0 warning(s)"), "{text}");

    account
        .iam()
        .attach_group_policy()
        .group_name("admins")
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .expect("a policy attached by hand");
    let (code, text) = check(&account);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains(&format!(
            "WARN - {} - main - iam_group.admins in account {}: managed policy \
             `arn:aws:iam::aws:policy/ReadOnlyAccess` was added outside baseline and will be removed",
            account.dir().join("plan.json").display(),
            account.id
        )),
        "{text}"
    );
}
