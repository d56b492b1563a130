//! Tests of diffing and of the plan's counts.

use serde_json::json;

use super::*;

fn desired(state: Value) -> Desired {
    Desired::new(ResourceAddr::singleton("iam_password_policy"), state)
}

/// Only the fields a kind names carry permissions: the same state broadens through a kind
/// that says its `attached` field holds managed policies, and not through one that does not.
#[test]
fn the_kind_says_which_fields_grant() {
    const GRANTS: Grants = &[("attached", Grant::ManagedPolicies)];
    let state = json!({"attached": ["arn:aws:iam::aws:policy/AdministratorAccess"]});
    let silent = diff(
        &Desired::new(ResourceAddr::named("thing", "a"), state.clone()),
        None,
    );
    assert!(silent.permissions_broadened.is_empty());
    let granting = Desired {
        grants: GRANTS,
        ..Desired::new(ResourceAddr::named("thing", "a"), state)
    };
    let change = diff(&granting, Some(&json!({"attached": []})));
    assert_eq!(
        change.permissions_broadened,
        ["attaches arn:aws:iam::aws:policy/AdministratorAccess"]
    );
    assert!(change.is_consistent(GRANTS));
    assert!(
        !change.is_consistent(&[]),
        "a saved plan is checked with the kind's grants"
    );
}

#[test]
fn create_when_absent() {
    let change = diff(&desired(json!({"minimum_length": 14})), None);
    assert_eq!(change.action, Action::Create);
    assert_eq!(change.fields.len(), 1);
    assert_eq!(change.fields[0].path, "minimum_length");
}

/// A resource whose state has no fields (a service-linked role is there or not) is created
/// and deleted without a field changing, and a saved plan of it is still consistent.
#[test]
fn a_resource_without_fields_is_created_and_deleted_consistently() {
    let address = ResourceAddr::named("iam_service_linked_role", "config.amazonaws.com");
    let create = diff(&Desired::new(address.clone(), json!({})), None);
    assert_eq!((create.action, create.fields.len()), (Action::Create, 0));
    assert!(create.is_consistent(&[]));
    let delete = diff(&Desired::absent(address), Some(&json!({})));
    assert_eq!((delete.action, delete.fields.len()), (Action::Delete, 0));
    assert!(delete.is_consistent(&[]));
    let mut forged = create;
    forged.action = Action::Update;
    assert!(!forged.is_consistent(&[]), "an update changes a field");
}

/// A field wanted `null` (none) and a side that does not exist are told apart in JSON, so a
/// saved plan that wants one is still consistent when read back.
#[test]
fn a_field_wanted_null_reads_back_as_null() {
    let address = ResourceAddr::singleton("config_delivery_channel").in_region("xx-test-1");
    let change = diff(
        &Desired::new(address, json!({"bucket": "b", "sns_topic_arn": null})),
        None,
    );
    let plan = Plan::new("123456789012", vec![], vec![change]);
    let text = serde_json::to_string(&plan).expect("JSON");
    let back: Plan = serde_json::from_str(&text).expect("reads back");
    assert_eq!(back.changes, plan.changes);
    assert!(back.changes[0].is_consistent(&[]));
    let wanted_null = &back.changes[0].fields[1];
    assert_eq!(
        (wanted_null.before.clone(), wanted_null.after.clone()),
        (None, Some(Value::Null))
    );
}

#[test]
fn update_shows_only_differing_declared_fields_and_keeps_the_rest() {
    let live = json!({"minimum_length": 8, "require_symbols": true, "hard_expiry": false});
    let change = diff(
        &desired(json!({"minimum_length": 14, "require_symbols": true})),
        Some(&live),
    );
    assert_eq!(change.action, Action::Update);
    assert_eq!(
        change.fields,
        vec![FieldChange {
            path: "minimum_length".into(),
            before: Some(json!(8)),
            after: Some(json!(14)),
        }]
    );
    assert_eq!(
        change.after,
        Some(json!({"minimum_length": 14, "require_symbols": true, "hard_expiry": false}))
    );
}

#[test]
fn no_op_when_declared_fields_match() {
    let live = json!({"minimum_length": 14, "hard_expiry": true});
    let change = diff(&desired(json!({"minimum_length": 14})), Some(&live));
    assert_eq!(change.action, Action::NoOp);
    assert!(change.fields.is_empty());
}

#[test]
fn absent_deletes_only_what_exists() {
    let mut wanted = desired(json!({}));
    wanted.ensure = Ensure::Absent;
    assert_eq!(diff(&wanted, None).action, Action::NoOp);
    let change = diff(&wanted, Some(&json!({"minimum_length": 8})));
    assert_eq!(change.action, Action::Delete);
    assert_eq!(change.after, None);
}

#[test]
fn manual_items_vanish_once_true() {
    let mut wanted = desired(json!({"mfa_enabled": true}));
    wanted.manual = Some(ManualStep {
        reason: "r".into(),
        console: "c".into(),
        verified_by: "v".into(),
    });
    let pending = diff(&wanted, Some(&json!({"mfa_enabled": false})));
    assert_eq!(pending.action, Action::Manual);
    let done = diff(&wanted, Some(&json!({"mfa_enabled": true})));
    assert_eq!(done.action, Action::NoOp);
}

#[test]
fn declared_maps_are_compared_whole() {
    let live = json!({"tags": {"team": "a", "added": "by hand"}});
    let change = diff(&desired(json!({"tags": {"team": "a"}})), Some(&live));
    assert_eq!(change.action, Action::Update);
    assert_eq!(change.fields[0].path, "tags");
    assert_eq!(change.after, Some(json!({"tags": {"team": "a"}})));
}

#[test]
fn plan_counts_and_has_changes() {
    let manual_only = Plan::new(
        "123456789012",
        vec![],
        vec![ResourceChange {
            address: ResourceAddr::singleton("root_mfa"),
            account: String::new(),
            action: Action::Manual,
            before: None,
            after: None,
            fields: vec![],
            depends_on: vec![],
            manual: None,
            cis: vec![],
            permissions_broadened: vec![],
            outside_baseline: vec![],
            write_only: Value::Null,
        }],
    );
    assert!(!manual_only.has_changes());
    assert_eq!(manual_only.counts().manual, 1);
}
