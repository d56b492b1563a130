//! What is wanted against what is there: the change to one resource, its fields, and what
//! it does to permissions (`permission_notes`, the one rule the plan and a saved plan's
//! check share).

use serde_json::{Map, Value};

use super::{Action, Desired, FieldChange, Grant, Grants, ResourceChange};
use crate::spec::Ensure;

/// What `destroy` wants: every declared resource gone. Manual items are dropped (no one
/// un-does root MFA), and nothing undeclared is touched.
pub fn destroy(desired: Vec<Desired>) -> Vec<Desired> {
    desired
        .into_iter()
        .filter(|d| d.manual.is_none())
        // `write_only` stays: it carries what a deletion needs to know (`force_destroy`).
        .map(|d| Desired {
            ensure: Ensure::Absent,
            state: Value::Object(Map::new()),
            ..d
        })
        .collect()
}

/// Compares what is wanted with what is there.
pub fn diff(desired: &Desired, live: Option<&Value>) -> ResourceChange {
    let (action, after, fields) = match (&desired.manual, desired.ensure, live) {
        (Some(_), _, live) => {
            let fields = field_changes(&desired.state, live);
            let action = if fields.is_empty() {
                Action::NoOp
            } else {
                Action::Manual
            };
            (action, Some(desired.state.clone()), fields)
        }
        (None, Ensure::Absent, None) => (Action::NoOp, None, Vec::new()),
        (None, Ensure::Absent, Some(live)) => (Action::Delete, None, removed_fields(live)),
        (None, Ensure::Present, None) => (
            Action::Create,
            Some(desired.state.clone()),
            field_changes(&desired.state, None),
        ),
        (None, Ensure::Present, Some(live)) => {
            let fields = field_changes(&desired.state, Some(live));
            let action = if fields.is_empty() {
                Action::NoOp
            } else {
                Action::Update
            };
            (action, Some(overlay(live, &desired.state)), fields)
        }
    };
    let (permissions_broadened, outside_baseline) =
        permission_notes(action, live, after.as_ref(), desired.grants);
    // Object keys in sorted order, whatever map serde_json is built with (a dependency may
    // turn on `preserve_order`): plans read and compare the same on every build.
    let canonical = |value: Option<Value>| {
        value.map(|mut v| {
            v.sort_all_objects();
            v
        })
    };
    let mut fields: Vec<FieldChange> = fields
        .into_iter()
        .map(|f| FieldChange {
            before: canonical(f.before),
            after: canonical(f.after),
            ..f
        })
        .collect();
    fields.sort_by(|a, b| a.path.cmp(&b.path));
    ResourceChange {
        address: desired.address.clone(),
        account: String::new(),
        action,
        before: canonical(live.cloned()),
        after: canonical(after),
        fields,
        depends_on: desired.depends_on.clone(),
        manual: desired.manual.clone(),
        cis: desired.cis.clone(),
        permissions_broadened,
        outside_baseline,
        write_only: desired.write_only.clone(),
    }
}

/// What reviewers are told about permissions, from what a change does (`before` → `after`):
/// what it grants that was not granted, and what it removes that was added outside
/// baseline. The plan computes them and a saved plan is checked against them: one rule.
pub(super) fn permission_notes(
    action: Action,
    before: Option<&Value>,
    after: Option<&Value>,
    grants: Grants,
) -> (Vec<String>, Vec<String>) {
    let broadened = match (after, action) {
        (Some(after), Action::Create | Action::Update) => {
            crate::policy::broadening(before, after, grants)
        }
        _ => Vec::new(),
    };
    let outside = match (before, after, action) {
        (Some(before), Some(after), Action::Update) => outside_baseline(after, before, grants),
        _ => Vec::new(),
    };
    (broadened, outside)
}

/// Permissions the live identity has that the state after apply does not give it: policies
/// attached or put, and group memberships, added outside baseline. (For an update, `after`
/// is the live state with the declared fields laid over it, so an undeclared field is the
/// live one and adds nothing here.)
fn outside_baseline(desired: &Value, live: &Value, grants: Grants) -> Vec<String> {
    let names = |value: Option<&Value>| -> Vec<String> {
        match value {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            Some(Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        }
    };
    let mut out = Vec::new();
    for (field, grant) in grants {
        let what = match grant {
            Grant::ManagedPolicies => "managed policy",
            Grant::InlinePolicies => "inline policy",
            Grant::Memberships => "membership of group",
            _ => continue,
        };
        let Some(want) = desired.get(field) else {
            continue;
        };
        let want = names(Some(want));
        for name in names(live.get(field)) {
            if !want.contains(&name) {
                out.push(format!("{what} `{name}`"));
            }
        }
    }
    out
}

/// The declared top-level fields whose live value differs (all of them when nothing is
/// live). A field is compared whole: a declared list or map is authoritative, so an entry
/// added by hand is drift.
pub(super) fn field_changes(desired: &Value, live: Option<&Value>) -> Vec<FieldChange> {
    let Value::Object(want) = desired else {
        return if live == Some(desired) {
            Vec::new()
        } else {
            vec![FieldChange {
                path: String::new(),
                before: live.cloned(),
                after: Some(desired.clone()),
            }]
        };
    };
    want.iter()
        .filter_map(|(key, value)| {
            let have = live.and_then(|l| l.get(key));
            (have != Some(value)).then(|| FieldChange {
                path: key.clone(),
                before: have.cloned(),
                after: Some(value.clone()),
            })
        })
        .collect()
}

pub(super) fn removed_fields(live: &Value) -> Vec<FieldChange> {
    match live {
        Value::Object(fields) => fields
            .iter()
            .map(|(key, value)| FieldChange {
                path: key.clone(),
                before: Some(value.clone()),
                after: None,
            })
            .collect(),
        other => vec![FieldChange {
            path: String::new(),
            before: Some(other.clone()),
            after: None,
        }],
    }
}

/// `live` with every declared top-level field of `desired` in place of its own.
pub fn overlay(live: &Value, desired: &Value) -> Value {
    match (live, desired) {
        (Value::Object(have), Value::Object(want)) => {
            let mut merged: Map<String, Value> = have.clone();
            for (key, value) in want {
                merged.insert(key.clone(), value.clone());
            }
            Value::Object(merged)
        }
        (_, want) => want.clone(),
    }
}
