//! IAM permissions: policies compared by meaning, changes that broaden permissions named
//! for reviewers, and permissions added by hand shown as drift and removed.

use baseline_test_support::TestAccount;

use crate::iam::{attached_to_group, group_members};
use crate::{account_with, auto_apply, baseline, converge, pinned, plan_exits};

#[tokio::test]
async fn reordered_or_url_encoded_policies_give_no_diff_and_added_allow_is_broadened() {
    let account = TestAccount::new().await;
    let body = r#"iam:
  groups:
    readers:
      inline_policies:
        read-logs:
          Version: "2012-10-17"
          Statement:
            - Sid: Read
              Effect: Allow
              Action: [s3:GetObject, s3:ListBucket]
              Resource: "*"
            - Sid: NoDelete
              Effect: Deny
              Action: s3:DeleteObject
              Resource: "*"
"#;
    account.write("baseline.yaml", &pinned(&account, body));
    converge(&account);

    // The same policy written another way: statements and keys reordered, lists vs strings,
    // whitespace. IAM hands it back URL-encoded.
    let same = r#"{"Statement":[{"Resource":["*"],"Effect":"Deny","Action":["s3:DeleteObject"],"Sid":"NoDelete"},
        {"Sid":"Read","Action":["s3:ListBucket","s3:GetObject"],"Effect":"Allow","Resource":"*"}],
        "Version":"2012-10-17"}"#;
    let iam = account.iam();
    iam.put_group_policy()
        .group_name("readers")
        .policy_name("read-logs")
        .policy_document(same)
        .send()
        .await
        .expect("rewrite the policy");
    let plan = plan_exits(&account, 0);
    plan.stdout_lacks("iam_group.readers");

    // Adding an s3:* Allow is a real change, and it broadens permissions.
    let wider = body.replace(
        "            - Sid: NoDelete",
        "            - Sid: Everything\n              Effect: Allow\n              Action: \"s3:*\"\n              Resource: \"*\"\n            - Sid: NoDelete",
    );
    account.write("baseline.yaml", &pinned(&account, &wider));
    let plan = plan_exits(&account, 2);
    plan.stdout_has("PERMISSIONS BROADENED (review these first):\n  iam_group.readers");
    plan.stdout_has(
        "permissions broadened: inline policy `read-logs`: new Allow statement `Everything` (with a wildcard)",
    );
    // A line diff of the document.
    plan.stdout_has("+           \"s3:*\"");
    converge(&account);
}

#[tokio::test]
async fn hand_added_membership_and_policy_are_drift_and_apply_removes_them() {
    let account = TestAccount::new().await;
    let body = "iam:\n  groups:\n    ops: { managed_policies: [ReadOnlyAccess] }\n    other: {}\n  users:\n    dave: { groups: [ops] }\n";
    account.write("baseline.yaml", &pinned(&account, body));
    auto_apply(&account);
    let iam = account.iam();

    iam.add_user_to_group()
        .group_name("other")
        .user_name("dave")
        .send()
        .await
        .expect("by hand");
    iam.attach_group_policy()
        .group_name("ops")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .expect("by hand");
    let plan = plan_exits(&account, 2);
    plan.stdout_has("~ groups = [\"ops\", \"other\"] → [\"ops\"]");
    plan.stdout_has("~ iam_group.ops will be updated in place");
    auto_apply(&account);
    assert!(group_members(&iam, "other").await.is_empty());
    assert_eq!(attached_to_group(&iam, "ops").await, vec!["ReadOnlyAccess"]);
    plan_exits(&account, 0);
}

/// A declared identity's permissions are what the file says, even where it says nothing:
/// a policy put or attached by hand is drift, named for reviewers, and apply removes it,
/// unless the identity keeps extra permissions.
#[tokio::test]
async fn permissions_added_outside_baseline_are_named_and_removed_unless_kept() {
    let account = TestAccount::new().await;
    let body = "iam:\n  groups:\n    billing: { managed_policies: [ReadOnlyAccess] }\n  users:\n    admin: {}\n  roles:\n    support: { trust: { account: self } }\n    kept: { trust: { account: self }, extra_permissions: keep }\n";
    account.write("baseline.yaml", &pinned(&account, body));
    auto_apply(&account);
    let iam = account.iam();
    let everything =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    iam.put_group_policy()
        .group_name("billing")
        .policy_name("backdoor")
        .policy_document(everything)
        .send()
        .await
        .expect("by hand");
    iam.put_user_policy()
        .user_name("admin")
        .policy_name("backdoor")
        .policy_document(everything)
        .send()
        .await
        .expect("by hand");
    iam.attach_user_policy()
        .user_name("admin")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .expect("by hand");
    for role in ["support", "kept"] {
        iam.put_role_policy()
            .role_name(role)
            .policy_name("backdoor")
            .policy_document(everything)
            .send()
            .await
            .expect("by hand");
    }

    let plan = plan_exits(&account, 2);
    plan.stdout_has("PERMISSIONS ADDED OUTSIDE BASELINE");
    for address in ["iam_group.billing", "iam_user.admin", "iam_role.support"] {
        let block = plan
            .stdout
            .split("\n\n")
            .find(|b| b.contains(&format!("{address} will be updated")))
            .unwrap_or_else(|| panic!("{address} is planned: {}", plan.stdout));
        assert!(
            block.contains("added outside baseline: inline policy `backdoor`"),
            "{block}"
        );
    }
    plan.stdout_has(
        "added outside baseline: managed policy `arn:aws:iam::aws:policy/AdministratorAccess`",
    );
    plan.stdout_lacks("iam_role.kept");

    auto_apply(&account);
    let inline = |names: &[String]| names.to_vec();
    let group = iam.list_group_policies().group_name("billing").send().await;
    assert!(inline(group.expect("list").policy_names()).is_empty());
    let user = iam.list_user_policies().user_name("admin").send().await;
    assert!(inline(user.expect("list").policy_names()).is_empty());
    let attached = iam
        .list_attached_user_policies()
        .user_name("admin")
        .send()
        .await;
    assert!(attached.expect("list").attached_policies().is_empty());
    let support = iam.list_role_policies().role_name("support").send().await;
    assert!(inline(support.expect("list").policy_names()).is_empty());
    let kept = iam.list_role_policies().role_name("kept").send().await;
    assert_eq!(inline(kept.expect("list").policy_names()), vec!["backdoor"]);
    plan_exits(&account, 0);
}

/// `validate --strict` puts every policy the baseline writes to AWS's validator (IAM Access
/// Analyzer's ValidatePolicy; in the emulator, the oracle's grammar and action checks): an
/// action that does not exist, which baseline's own grammar checks cannot know, fails it with
/// the address, the policy and where in it. The default baseline passes.
#[tokio::test]
async fn strict_validation_asks_aws_policy_validator() {
    let account = account_with(crate::default_baseline).await;
    let run = baseline(&account, &["validate", "--strict"]).expect_code(0);
    let checked: usize = run
        .stdout
        .split("AWS's policy validator checked ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a count of documents");
    assert!(checked >= 10, "{}", run.stdout);
    run.stdout_has("0 error(s) or security warning(s)");

    let body = "iam:\n  groups:\n    readers:\n      inline_policies:\n        read:\n          Version: \"2012-10-17\"\n          Statement:\n            - { Effect: Allow, Action: [\"s3:GetObjects\"], Resource: \"*\" }\n";
    account.write("baseline.yaml", &pinned(&account, body));
    baseline(&account, &["validate"]).expect_code(0);
    let strict = baseline(&account, &["validate", "--strict"]).expect_code(1);
    strict.stderr_has(
        "iam_group.readers inline policy `read`: The action s3:GetObjects does not exist. \
         (ERROR INVALID_ACTION at Statement[0].Action[0])",
    );
    strict.stdout_has("checked 1 policy document(s): 1 error(s)");
}
