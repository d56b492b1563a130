//! Plans the snapshot tests render: each covers what the writers must show alike.

use baseline_core::plan::{AccountPlan, FieldChange, ManualStep};
use baseline_core::{Action, Plan, ResourceAddr, ResourceChange};
use serde_json::{Value, json};

pub(super) fn change(
    address: ResourceAddr,
    action: Action,
    fields: Vec<FieldChange>,
    cis: &[&str],
) -> ResourceChange {
    ResourceChange {
        address,
        account: String::new(),
        action,
        before: None,
        after: None,
        fields,
        depends_on: vec![],
        manual: None,
        cis: cis.iter().map(|c| (*c).to_owned()).collect(),
        permissions_broadened: vec![],
        outside_baseline: vec![],
        write_only: Value::Null,
    }
}

pub(super) fn field(path: &str, before: Option<Value>, after: Option<Value>) -> FieldChange {
    FieldChange {
        path: path.into(),
        before,
        after,
    }
}

/// The root user's MFA: a manual step no API can take.
fn root_mfa() -> ResourceChange {
    let mut mfa = change(
        ResourceAddr::singleton("root_mfa"),
        Action::Manual,
        vec![field("mfa_enabled", Some(json!(false)), Some(json!(true)))],
        &["1.5"],
    );
    mfa.manual = Some(ManualStep {
        reason: "no API".into(),
        console: "Security credentials → MFA".into(),
        verified_by: "iam:GetAccountSummary (AccountMFAEnabled)".into(),
    });
    mfa
}

pub(super) fn sample_plan() -> Plan {
    Plan::new(
        "123456789012",
        vec!["ap-northeast-1".into()],
        vec![
            change(
                ResourceAddr::singleton("iam_password_policy"),
                Action::Create,
                vec![
                    field("minimum_length", None, Some(json!(14))),
                    field("require_symbols", None, Some(json!(true))),
                ],
                &["1.8", "1.9"],
            ),
            change(
                ResourceAddr::singleton("account_alias"),
                Action::Update,
                vec![field("alias", Some(json!("old")), Some(json!("new")))],
                &[],
            ),
            {
                let read = |action: &str| {
                    json!({"Read": {"Statement": [
                        {"Effect": "Allow", "Action": [action], "Resource": ["*"]}
                    ]}})
                };
                let mut group = change(
                    ResourceAddr::named("iam_group", "admins"),
                    Action::Update,
                    vec![field(
                        "inline_policies",
                        Some(read("s3:GetObject")),
                        Some(read("s3:*")),
                    )],
                    &[],
                );
                group.permissions_broadened =
                    vec!["inline policy `Read`: on `s3:GetObject` adds action `s3:*`".into()];
                group
            },
            change(
                ResourceAddr::named("iam_user", "old-user"),
                Action::Delete,
                vec![field("path", Some(json!("/")), None)],
                &[],
            ),
            change(
                ResourceAddr::singleton("root_access_keys"),
                Action::NoOp,
                vec![],
                &["1.4"],
            ),
            root_mfa(),
        ],
    )
}

/// Every kind of line a change can have: both kinds of permission notes, documents
/// created, deleted and changed, a list of maps, an empty map, a field with neither
/// side, and a manual item with a document and a field it only adds.
pub(super) fn rich_plan() -> Plan {
    let policy = |action: &str| {
        json!({"Statement": [
            {"Effect": "Allow", "Action": [action], "Resource": ["*"]}
        ]})
    };
    let mut ops = change(
        ResourceAddr::named("iam_group", "ops"),
        Action::Update,
        vec![
            field(
                "attached_policies",
                Some(json!(["arn:aws:iam::aws:policy/ReadOnlyAccess"])),
                Some(json!([])),
            ),
            field(
                "inline_policies",
                Some(json!({"Ops": policy("ec2:Describe*")})),
                Some(json!({"Ops": policy("ec2:*")})),
            ),
            field("tags", None, Some(json!([{"Key": "team", "Value": "ops"}]))),
        ],
        &["1.15", "1.16"],
    );
    ops.outside_baseline = vec![
        "managed policy `arn:aws:iam::aws:policy/AdministratorAccess`".into(),
        "member `mallory`".into(),
    ];
    ops.permissions_broadened =
        vec!["inline policy `Ops`: on `ec2:Describe*` adds action `ec2:*`".into()];
    let mut watcher = change(
        ResourceAddr::named("iam_user", "watcher"),
        Action::Update,
        vec![field(
            "groups",
            Some(json!(["auditors"])),
            Some(json!(["auditors", "viewers"])),
        )],
        &[],
    );
    watcher.outside_baseline = vec!["inline policy `Extra`".into()];
    let mut block = change(
        ResourceAddr::singleton("s3_account_public_access_block").in_region("us-east-1"),
        Action::Manual,
        vec![
            field(
                "settings",
                Some(json!({"BlockPublicAcls": false, "IgnorePublicAcls": true})),
                Some(json!({"BlockPublicAcls": true, "IgnorePublicAcls": true})),
            ),
            field("enabled", Some(json!(false)), Some(json!(true))),
            field("note", None, Some(json!("by hand"))),
        ],
        &["2.1.4"],
    );
    block.manual = Some(ManualStep {
        reason: "the account is managed by another tool".into(),
        console: "S3 → Block Public Access settings for this account".into(),
        verified_by: "s3control:GetPublicAccessBlock".into(),
    });
    Plan::new(
        "123456789012",
        vec!["us-east-1".into()],
        vec![
            ops,
            watcher,
            change(
                ResourceAddr::named("iam_role", "audit"),
                Action::Create,
                vec![
                    field("assume_role_policy", None, Some(policy("sts:AssumeRole"))),
                    field("description", None, None),
                    field("labels", None, Some(json!({}))),
                    field("path", None, Some(json!("/"))),
                ],
                &[],
            ),
            change(
                ResourceAddr::named("iam_role", "legacy"),
                Action::Delete,
                vec![
                    field("assume_role_policy", Some(policy("sts:AssumeRole")), None),
                    field("max_session_duration", Some(json!(3600)), None),
                ],
                &[],
            ),
            change(
                ResourceAddr::singleton("ebs_encryption_by_default").in_region("us-east-1"),
                Action::NoOp,
                vec![],
                &["2.2.1"],
            ),
            block,
        ],
    )
}

/// A plan with only manual steps left.
pub(super) fn manual_only_plan() -> Plan {
    Plan::new(
        "123456789012",
        vec![],
        vec![
            root_mfa(),
            change(
                ResourceAddr::singleton("iam_password_policy"),
                Action::NoOp,
                vec![],
                &[],
            ),
        ],
    )
}

/// The pinned account and members: one with changes, one with only manual steps, one
/// up to date, one that could not be planned, and one that does not exist yet.
pub(super) fn multi_account_plan() -> Plan {
    let role = |id: &str| format!("arn:aws:iam::{id}:role/baseline");
    let mut delete = change(
        ResourceAddr::named("iam_user", "intern"),
        Action::Delete,
        vec![field("path", Some(json!("/")), None)],
        &[],
    );
    delete.outside_baseline = vec!["access key `AKIA0000`".into()];
    let members = vec![
        AccountPlan::new(
            "210987654321",
            Some("prod".into()),
            role("210987654321"),
            vec!["eu-west-1".into()],
            vec![
                change(
                    ResourceAddr::singleton("account_alias"),
                    Action::Create,
                    vec![field("alias", None, Some(json!("prod")))],
                    &[],
                ),
                delete,
            ],
        ),
        AccountPlan::new(
            "333333333333",
            None,
            role("333333333333"),
            vec!["eu-west-1".into()],
            vec![change(
                ResourceAddr::singleton("account_alias"),
                Action::NoOp,
                vec![],
                &[],
            )],
        ),
        AccountPlan::new(
            "222222222222",
            Some("shared".into()),
            role("222222222222"),
            vec![],
            manual_only_plan().changes,
        ),
        AccountPlan::failed(
            "444444444444",
            Some("sandbox".into()),
            role("444444444444"),
            "sts:AssumeRole failed with AccessDenied: not authorized".into(),
        ),
    ];
    let mut plan = sample_plan().with_accounts(members);
    plan.pending_accounts = vec!["staging".into()];
    plan
}

/// `multi_account_plan` run with `--target-account` naming one member only.
pub(super) fn limited_plan() -> Plan {
    let mut plan = multi_account_plan();
    plan.changes.clear();
    plan.accounts.retain(|a| a.account_id == "210987654321");
    plan.pending_accounts.clear();
    plan.limited_to = vec!["210987654321".into()];
    plan.recount();
    plan
}
