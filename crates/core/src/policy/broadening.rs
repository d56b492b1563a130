//! The "permissions broadened" analysis: what a policy change, or a resource's new state,
//! grants that was not granted before. Reviewers see these first.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{as_list, normalize};
use crate::plan::{self, Grants};
use crate::quoted_list;

/// What one statement grants or denies, in comparable sets.
#[derive(Debug, PartialEq, Eq)]
struct Grant {
    sid: Option<String>,
    allow: bool,
    actions: BTreeSet<String>,
    resources: BTreeSet<String>,
    principals: String,
    negated: bool,
    condition: Option<Value>,
}

fn grants(doc: &Value) -> Vec<Grant> {
    let normal = normalize(doc);
    let strings = |s: &Value, key: &str| -> BTreeSet<String> {
        s.get(key)
            .map(as_list)
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    normal
        .get("Statement")
        .map(as_list)
        .unwrap_or_default()
        .iter()
        .map(|s| Grant {
            sid: s.get("Sid").and_then(Value::as_str).map(str::to_owned),
            allow: s.get("Effect").and_then(Value::as_str) == Some("Allow"),
            actions: strings(s, "Action"),
            resources: strings(s, "Resource"),
            principals: s.get("Principal").map(Value::to_string).unwrap_or_default(),
            negated: s.get("NotAction").is_some()
                || s.get("NotResource").is_some()
                || s.get("NotPrincipal").is_some(),
            condition: s.get("Condition").cloned(),
        })
        .collect()
}

/// Why a policy change grants more than before; empty when it does not. `before` is `None`
/// for a new policy, whose every Allow is new.
pub fn broadened(before: Option<&Value>, after: &Value) -> Vec<String> {
    let old = before.map(grants).unwrap_or_default();
    let new = grants(after);
    let mut reasons = Vec::new();
    for grant in new.iter().filter(|g| g.allow) {
        if old.contains(grant) {
            continue;
        }
        let name = label(grant);
        let Some(previous) = counterpart(grant, &old) else {
            reasons.push(format!(
                "new Allow statement {name}{}",
                wildcard_note(grant)
            ));
            continue;
        };
        let added = ("adds action", "adds resource");
        reasons.extend(beyond(&name, added, grant, previous));
        if previous.condition.is_some() && grant.condition != previous.condition {
            reasons.push(format!("{name} drops or changes its Condition"));
        }
        if grant.principals != previous.principals {
            reasons.push(format!("{name} changes its Principal"));
        }
        if grant.negated != previous.negated {
            reasons.push(format!("{name} changes a Not* element"));
        }
    }
    for deny in old.iter().filter(|g| !g.allow) {
        if new.contains(deny) {
            continue;
        }
        let name = label(deny);
        match counterpart(deny, &new) {
            None => reasons.push(format!("removes Deny statement {name}")),
            Some(now) => {
                let lost = ("no longer denies", "no longer covers");
                reasons.extend(beyond(&name, lost, deny, now));
                if now.condition.is_some() && now.condition != deny.condition {
                    reasons.push(format!("{name} adds or changes a Condition on a Deny"));
                }
            }
        }
    }
    reasons
}

/// The statement in `others` that `grant` most likely replaces: same Sid, or else the
/// same effect and the same actions or resources.
fn counterpart<'a>(grant: &Grant, others: &'a [Grant]) -> Option<&'a Grant> {
    let same_effect = |o: &&Grant| o.allow == grant.allow;
    match &grant.sid {
        Some(sid) => others
            .iter()
            .filter(same_effect)
            .find(|o| o.sid.as_ref() == Some(sid)),
        None => others.iter().filter(same_effect).find(|o| {
            o.sid.is_none() && (o.actions == grant.actions || o.resources == grant.resources)
        }),
    }
}

fn label(grant: &Grant) -> String {
    match &grant.sid {
        Some(sid) => format!("`{sid}`"),
        None => format!("on {}", quoted_list(&grant.actions)),
    }
}

fn wildcard_note(grant: &Grant) -> &'static str {
    if grant.actions.iter().any(|a| a.contains('*')) || grant.resources.contains("*") {
        " (with a wildcard)"
    } else {
        ""
    }
}

/// What `these` holds that `those` does not, as reasons: `{name} {actions} ...` for its
/// actions, then `{name} {resources} ...` for its resources; none where nothing is new.
fn beyond(
    name: &str,
    (actions, resources): (&str, &str),
    these: &Grant,
    those: &Grant,
) -> Vec<String> {
    [
        (
            actions,
            these.actions.difference(&those.actions).collect::<Vec<_>>(),
        ),
        (
            resources,
            these.resources.difference(&those.resources).collect(),
        ),
    ]
    .into_iter()
    .filter(|(_, items)| !items.is_empty())
    .map(|(what, items)| format!("{name} {what} {}", quoted_list(items)))
    .collect()
}

/// Why a resource's new state grants more than its live one, from the fields its kind says
/// carry permissions (`grants`): managed policies attached, inline policies, a trust
/// policy, a resource policy, a service control policy and its targets. Reasons come in
/// that order, whatever order the kind names its fields in.
pub fn broadening(before: Option<&Value>, after: &Value, grants: Grants) -> Vec<String> {
    let old = |key: &str| before.and_then(|b| b.get(key));
    let fields = |wanted: plan::Grant| {
        grants
            .iter()
            .filter(move |(_, grant)| *grant == wanted)
            .map(|(field, _)| *field)
    };
    let mut reasons = Vec::new();
    for field in fields(plan::Grant::ManagedPolicies) {
        let Some(Value::Array(arns)) = after.get(field) else {
            continue;
        };
        let had: Vec<&Value> = old(field)
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        for arn in arns.iter().filter(|a| !had.contains(a)) {
            reasons.push(format!("attaches {}", arn.as_str().unwrap_or_default()));
        }
    }
    for field in fields(plan::Grant::InlinePolicies) {
        let Some(Value::Object(documents)) = after.get(field) else {
            continue;
        };
        for (name, document) in documents {
            let previous = old(field).and_then(|p| p.get(name));
            if previous == Some(document) {
                continue;
            }
            for reason in broadened(previous, document) {
                reasons.push(format!("inline policy `{name}`: {reason}"));
            }
            if grants_full_admin(document) {
                reasons.push(format!(
                    "inline policy `{name}` grants full administrator access (\"*\" on \"*\"); \
                     CIS 1.16 wants that only through AdministratorAccess"
                ));
            }
        }
    }
    // A new Allow in a trust, resource or service control policy lets more in (or raises
    // the ceiling); a dropped Deny lifts a limit.
    for (grant, what) in [
        (plan::Grant::Trust, "trust policy"),
        (plan::Grant::ResourcePolicy, "resource policy"),
        (plan::Grant::ControlPolicy, "service control policy"),
    ] {
        for field in fields(grant) {
            if let Some(document) = after.get(field)
                && old(field) != Some(document)
            {
                for reason in broadened(old(field), document) {
                    reasons.push(format!("{what}: {reason}"));
                }
            }
        }
    }
    // A service control policy that stops applying to a target stops limiting it.
    let denies = fields(plan::Grant::ControlPolicy)
        .filter_map(|field| after.get(field))
        .any(|document| self::grants(document).iter().any(|g| !g.allow));
    for field in fields(plan::Grant::ControlTargets) {
        if let (Some(Value::Array(now)), Some(Value::Array(had))) = (after.get(field), old(field))
            && denies
        {
            for target in had.iter().filter(|t| !now.contains(t)) {
                reasons.push(format!(
                    "no longer applies to {}, so its Deny statements stop limiting it",
                    target.as_str().unwrap_or_default()
                ));
            }
        }
    }
    reasons
}

/// Whether the policy allows every action on every resource without a condition:
/// full administrator access (CIS 1.16 wants it only in AdministratorAccess).
pub fn grants_full_admin(doc: &Value) -> bool {
    grants(doc).iter().any(|g| {
        g.allow
            && !g.negated
            && g.condition.is_none()
            && g.actions.contains("*")
            && g.resources.contains("*")
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SCP: Grants = &[
        ("document", plan::Grant::ControlPolicy),
        ("targets", plan::Grant::ControlTargets),
    ];

    #[test]
    fn dropping_a_deny_or_a_target_of_an_scp_broadens() {
        let deny = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]});
        let allow_all = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]});
        let before = json!({"document": deny, "targets": ["root", "/Sandbox"]});
        let detached = broadening(
            Some(&before),
            &json!({"document": deny, "targets": ["root"]}),
            SCP,
        );
        assert_eq!(
            detached,
            ["no longer applies to /Sandbox, so its Deny statements stop limiting it"]
        );
        let loosened = broadening(
            Some(&before),
            &json!({"document": allow_all, "targets": ["root", "/Sandbox"]}),
            SCP,
        );
        assert!(
            loosened
                .iter()
                .any(|r| r.starts_with("service control policy:")),
            "{loosened:?}"
        );
        let same = broadening(Some(&before), &before, SCP);
        assert!(same.is_empty());
    }
}
