//! IAM permissions: policies compared by meaning, changes that broaden permissions named
//! for reviewers, and permissions added by hand shown as drift and removed.

use baseline_test_support::TestAccount;

use crate::baseline;
use crate::iam::{attached_to_group, group_members, pinned};

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
    baseline(&account, &["apply", "--auto-approve"]).expect_code(0);
    baseline(&account, &["plan", "--detailed-exitcode"]).expect_code(0);

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
    let plan = baseline(&account, &["plan", "--detailed-exitcode"]).expect_code(0);
    assert!(
        !plan.stdout.contains("iam_group.readers"),
        "{}",
        plan.stdout
    );

    // Adding an s3:* Allow is a real change, and it broadens permissions.
    let wider = body.replace(
        "            - Sid: NoDelete",
        "            - Sid: Everything\n              Effect: Allow\n              Action: \"s3:*\"\n              Resource: \"*\"\n            - Sid: NoDelete",
    );
    account.write("baseline.yaml", &pinned(&account, &wider));
    let plan = baseline(&account, &["plan", "--detailed-exitcode"]).expect_code(2);
    assert!(
        plan.stdout
            .contains("PERMISSIONS BROADENED (review these first):\n  iam_group.readers"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains(
            "permissions broadened: inline policy `read-logs`: new Allow statement `Everything` (with a wildcard)"
        ),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("+           \"s3:*\""),
        "a line diff of the document:\n{}",
        plan.stdout
    );
    baseline(&account, &["apply", "--auto-approve"]).expect_code(0);
    baseline(&account, &["plan", "--detailed-exitcode"]).expect_code(0);
}

#[tokio::test]
async fn hand_added_membership_and_policy_are_drift_and_apply_removes_them() {
    let account = TestAccount::new().await;
    let body = "iam:\n  groups:\n    ops: { managed_policies: [ReadOnlyAccess] }\n    other: {}\n  users:\n    dave: { groups: [ops] }\n";
    account.write("baseline.yaml", &pinned(&account, body));
    baseline(&account, &["apply", "--auto-approve"]).expect_code(0);
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
    let plan = baseline(&account, &["plan", "--detailed-exitcode"]).expect_code(2);
    assert!(
        plan.stdout
            .contains("~ groups = [\"ops\",\"other\"] → [\"ops\"]"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("~ iam_group.ops will be updated in place"),
        "{}",
        plan.stdout
    );
    baseline(&account, &["apply", "--auto-approve"]).expect_code(0);
    assert!(group_members(&iam, "other").await.is_empty());
    assert_eq!(attached_to_group(&iam, "ops").await, vec!["ReadOnlyAccess"]);
    baseline(&account, &["plan", "--detailed-exitcode"]).expect_code(0);
}

/// A declared identity's permissions are what the file says, even where it says nothing:
/// a policy put or attached by hand is drift, named for reviewers, and apply removes it,
/// unless the identity keeps extra permissions.
#[tokio::test]
async fn permissions_added_outside_baseline_are_named_and_removed_unless_kept() {
    let account = TestAccount::new().await;
    let body = "iam:\n  groups:\n    billing: { managed_policies: [ReadOnlyAccess] }\n  users:\n    admin: {}\n  roles:\n    support: { trust: { account: self } }\n    kept: { trust: { account: self }, extra_permissions: keep }\n";
    account.write("baseline.yaml", &pinned(&account, body));
    baseline(&account, &["apply", "--auto-approve"]).expect_code(0);
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

    let plan = baseline(&account, &["plan", "--detailed-exitcode"]).expect_code(2);
    assert!(
        plan.stdout.contains("PERMISSIONS ADDED OUTSIDE BASELINE"),
        "{}",
        plan.stdout
    );
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
    assert!(plan.stdout.contains(
        "added outside baseline: managed policy `arn:aws:iam::aws:policy/AdministratorAccess`"
    ));
    assert!(!plan.stdout.contains("iam_role.kept"), "{}", plan.stdout);

    baseline(&account, &["apply", "--auto-approve"]).expect_code(0);
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
    baseline(&account, &["plan", "--detailed-exitcode"]).expect_code(0);
}
