//! IAM-style policy documents (IAM, bucket, key and service control policies): parsing the
//! forms AWS returns, a canonical form so that equal policies compare equal, and the
//! "permissions broadened" check that reviewers must see first.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// The document is not a JSON policy.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a policy document: {0}")]
pub struct PolicyError(String);

/// Parses a policy as AWS returns it: JSON, possibly URL-encoded (IAM's Get*Policy calls).
pub fn parse(text: &str) -> Result<Value, PolicyError> {
    let trimmed = text.trim_start();
    let decoded;
    let json = if trimmed.starts_with('{') {
        text
    } else {
        decoded = percent_encoding::percent_decode_str(text)
            .decode_utf8()
            .map_err(|err| PolicyError(err.to_string()))?;
        &decoded
    };
    let value: Value = serde_json::from_str(json).map_err(|err| PolicyError(err.to_string()))?;
    if value.get("Statement").is_none() {
        return Err(PolicyError("it has no `Statement`".to_owned()));
    }
    Ok(value)
}

/// The canonical form: every statement a list of objects, every action, resource, principal
/// and condition value a sorted list without duplicates, statements sorted. Key order and
/// whitespace do not survive JSON parsing anyway.
pub fn normalize(doc: &Value) -> Value {
    let Value::Object(fields) = doc else {
        return doc.clone();
    };
    let mut out = Map::new();
    for (key, value) in fields {
        let value = if key == "Statement" {
            let mut statements: Vec<Value> = as_list(value)
                .iter()
                .map(|s| {
                    let mut s = statement(s);
                    // Keys sorted before statements are ordered by their text.
                    s.sort_all_objects();
                    s
                })
                .collect();
            statements.sort_by_key(Value::to_string);
            statements.dedup();
            Value::Array(statements)
        } else {
            value.clone()
        };
        out.insert(key.clone(), value);
    }
    let mut out = Value::Object(out);
    out.sort_all_objects();
    out
}

/// Where a policy document is used: IAM checks each kind's grammar differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    /// An identity policy (a group's, user's or role's): no `Principal`, and a `Resource`.
    Identity,
    /// A trust policy, a service control policy: the rules every policy follows.
    Other,
}

/// The first rule of IAM's policy grammar the document breaks, as `(problem, hint)`: what
/// AWS would refuse with MalformedPolicyDocument, found before any call, so that an apply
/// never stops half way (a group created, its policy refused).
pub fn grammar(doc: &Value, kind: PolicyKind) -> Result<(), (String, String)> {
    let fail = |problem: String, hint: &str| Err((problem, hint.to_owned()));
    if let Some(version) = doc.get("Version")
        && version != "2012-10-17"
        && version != "2008-10-17"
    {
        return fail(
            format!("`Version` is {version}; IAM knows 2012-10-17 and 2008-10-17"),
            "write `Version: \"2012-10-17\"`",
        );
    }
    let statements = match doc.get("Statement") {
        Some(Value::Array(list)) if !list.is_empty() => list.clone(),
        Some(Value::Object(_)) => vec![doc["Statement"].clone()],
        _ => {
            return fail(
                "`Statement` must be a statement or a non-empty list of them".to_owned(),
                "write `Statement:` followed by one `- Effect: ...` entry per statement",
            );
        }
    };
    for (i, statement) in statements.iter().enumerate() {
        let Value::Object(fields) = statement else {
            return fail(
                format!("statement {} is not a map", i + 1),
                "each statement has `Effect`, `Action` and `Resource`",
            );
        };
        let sid = fields.get("Sid").and_then(Value::as_str).map_or_else(
            || format!("statement {}", i + 1),
            |s| format!("statement `{s}`"),
        );
        let has = |key: &str| fields.contains_key(key);
        match fields.get("Effect").and_then(Value::as_str) {
            Some("Allow" | "Deny") => {}
            Some(other) => {
                return fail(
                    format!("{sid} has `Effect: {other}`; IAM knows only Allow and Deny"),
                    "write `Effect: Allow` or `Effect: Deny` (with that capital letter)",
                );
            }
            None => {
                return fail(
                    format!("{sid} has no `Effect`"),
                    "write `Effect: Allow` or `Effect: Deny`",
                );
            }
        }
        for (one, other, what) in [
            ("Action", "NotAction", "an `Action` or a `NotAction`"),
            ("Resource", "NotResource", "a `Resource` or a `NotResource`"),
            (
                "Principal",
                "NotPrincipal",
                "a `Principal` or a `NotPrincipal`",
            ),
        ] {
            if has(one) && has(other) {
                return fail(
                    format!("{sid} has both `{one}` and `{other}`"),
                    &format!("a statement has {what}, not both"),
                );
            }
        }
        if !has("Action") && !has("NotAction") {
            return fail(
                format!("{sid} has no `Action`"),
                "say what it allows or denies, e.g. `Action: s3:GetObject`",
            );
        }
        if let Some(condition) = fields.get("Condition")
            && !condition
                .as_object()
                .is_some_and(|ops| ops.values().all(Value::is_object))
        {
            return fail(
                format!("{sid} has a `Condition` that is not `OPERATOR: {{KEY: VALUE}}`"),
                "write e.g. `Condition: { Bool: { aws:MultiFactorAuthPresent: \"true\" } }`",
            );
        }
        if kind == PolicyKind::Identity {
            if has("Principal") || has("NotPrincipal") {
                return fail(
                    format!("{sid} names a `Principal`, which an identity policy cannot"),
                    "an identity policy applies to the group, user or role it is on: drop \
                     `Principal` (trust goes under the role's `trust`)",
                );
            }
            if !has("Resource") && !has("NotResource") {
                return fail(
                    format!("{sid} has no `Resource`"),
                    "say what it applies to, e.g. `Resource: \"*\"`",
                );
            }
        }
    }
    Ok(())
}

/// The size IAM counts for a policy: its JSON text without white space.
pub fn iam_size(doc: &Value) -> usize {
    doc.to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .count()
}

/// Whether JSON text has an object with a key twice. JSON parsers, and IAM, keep one of
/// them silently; a policy written so does not say what its author meant.
pub fn duplicate_key(text: &str) -> Option<String> {
    use serde::de::{Deserializer as _, MapAccess, SeqAccess, Visitor};
    struct Check;
    impl<'de> Visitor<'de> for Check {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut seen = BTreeSet::new();
            let mut found = None;
            while let Some(key) = map.next_key::<String>()? {
                let inner = map.next_value_seed(CheckSeed)?;
                if found.is_none() {
                    found = if seen.contains(&key) {
                        Some(key.clone())
                    } else {
                        inner
                    };
                }
                seen.insert(key);
            }
            Ok(found)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(inner) = seq.next_element_seed(CheckSeed)? {
                found = found.or(inner);
            }
            Ok(found)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    struct CheckSeed;
    impl<'de> serde::de::DeserializeSeed<'de> for CheckSeed {
        type Value = Option<String>;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(Check)
        }
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    deserializer.deserialize_any(Check).ok().flatten()
}

/// The text sent to AWS: the documented form, not the canonical one. Keys in the order
/// AWS's examples use (`Version`, `Statement`; `Sid`, `Effect`, `Principal`, `Action`,
/// `Resource`, `Condition`), and a list of one value written as that value
/// (`"Action": "s3:PutObject"`), as people and policy tools expect to read it. The meaning
/// is the same as the canonical form's, which stays the currency of comparison.
pub fn to_text(doc: &Value) -> String {
    let mut out = String::new();
    write_documented(&mut out, doc, 0);
    out
}

/// Keys of a policy, a statement and a principal or condition block, in documented order;
/// any other key follows, sorted.
const KEY_ORDER: [&str; 10] = [
    "Version",
    "Id",
    "Statement",
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
];
const KEY_ORDER_TAIL: [&str; 2] = ["NotResource", "Condition"];

fn key_rank(key: &str) -> (usize, &str) {
    let rank = KEY_ORDER
        .iter()
        .chain(KEY_ORDER_TAIL.iter())
        .position(|k| *k == key)
        .unwrap_or(KEY_ORDER.len() + KEY_ORDER_TAIL.len());
    (rank, key)
}

/// `depth` 0 is the document, 1 a statement list, 2 a statement; below a statement every
/// one-element list of scalars is written as its value.
fn write_documented(out: &mut String, value: &Value, depth: usize) {
    match value {
        Value::Object(fields) => {
            let mut keys: Vec<&String> = fields.keys().collect();
            keys.sort_by_key(|k| key_rank(k));
            out.push('{');
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*key).clone()).to_string());
                out.push(':');
                let child = &fields[key.as_str()];
                let child_depth = if depth == 0 && key.as_str() == "Statement" {
                    1
                } else {
                    depth + 1
                };
                write_documented(out, child, child_depth);
            }
            out.push('}');
        }
        Value::Array(items) if depth >= 3 && items.len() == 1 && !items[0].is_object() => {
            write_documented(out, &items[0], depth);
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_documented(out, item, depth + 1);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

fn statement(value: &Value) -> Value {
    let Value::Object(fields) = value else {
        return value.clone();
    };
    let mut out = Map::new();
    for (key, value) in fields {
        let value = match key.as_str() {
            "Action" | "NotAction" | "Resource" | "NotResource" => string_set(value),
            "Principal" | "NotPrincipal" => principal(value),
            "Condition" => condition(value),
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

/// `"*"` stays as written: it is not the same as `{"AWS": "*"}`.
fn principal(value: &Value) -> Value {
    match value {
        Value::Object(kinds) => Value::Object(
            kinds
                .iter()
                .map(|(kind, ids)| (kind.clone(), string_set(ids)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn condition(value: &Value) -> Value {
    match value {
        Value::Object(operators) => Value::Object(
            operators
                .iter()
                .map(|(operator, keys)| {
                    let keys = match keys {
                        Value::Object(keys) => Value::Object(
                            keys.iter()
                                .map(|(key, v)| (key.clone(), string_set(v)))
                                .collect(),
                        ),
                        other => other.clone(),
                    };
                    (operator.clone(), keys)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn as_list(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

/// A single value or a list, as a sorted list of unique values.
fn string_set(value: &Value) -> Value {
    let mut items = as_list(value);
    items.sort_by_key(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
    items.dedup();
    Value::Array(items)
}

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
        let added_actions: Vec<&String> = grant.actions.difference(&previous.actions).collect();
        let added_resources: Vec<&String> =
            grant.resources.difference(&previous.resources).collect();
        if !added_actions.is_empty() {
            reasons.push(format!("{name} adds action {}", join(&added_actions)));
        }
        if !added_resources.is_empty() {
            reasons.push(format!("{name} adds resource {}", join(&added_resources)));
        }
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
                let lost: Vec<&String> = deny.actions.difference(&now.actions).collect();
                let lost_resources: Vec<&String> =
                    deny.resources.difference(&now.resources).collect();
                if !lost.is_empty() {
                    reasons.push(format!("{name} no longer denies {}", join(&lost)));
                }
                if !lost_resources.is_empty() {
                    reasons.push(format!("{name} no longer covers {}", join(&lost_resources)));
                }
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
        None => format!("on {}", join(&grant.actions.iter().collect::<Vec<_>>())),
    }
}

fn wildcard_note(grant: &Grant) -> &'static str {
    if grant.actions.iter().any(|a| a.contains('*')) || grant.resources.contains("*") {
        " (with a wildcard)"
    } else {
        ""
    }
}

fn join(items: &[&String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a resource's new state grants more than its live one, from the fields that carry
/// permissions: `managed_policies` (ARNs), `inline_policies` (name → document), `trust`
/// (who may assume a role), `policy` (a resource policy) and `require_mfa`.
pub fn broadening(before: Option<&Value>, after: &Value) -> Vec<String> {
    let old = |key: &str| before.and_then(|b| b.get(key));
    let mut reasons = Vec::new();
    if let Some(Value::Array(arns)) = after.get("managed_policies") {
        let had: Vec<&Value> = old("managed_policies")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        for arn in arns.iter().filter(|a| !had.contains(a)) {
            reasons.push(format!("attaches {}", arn.as_str().unwrap_or_default()));
        }
    }
    if let Some(Value::Object(documents)) = after.get("inline_policies") {
        for (name, document) in documents {
            let previous = old("inline_policies").and_then(|p| p.get(name));
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
    for key in ["trust", "policy"] {
        if let Some(document) = after.get(key)
            && old(key) != Some(document)
        {
            let what = if key == "trust" {
                "trust policy"
            } else {
                "resource policy"
            };
            for reason in broadened(old(key), document) {
                reasons.push(format!("{what}: {reason}"));
            }
        }
    }
    // A service control policy: a new Allow raises the ceiling, a dropped Deny or target
    // lifts a limit.
    if let Some(document) = after.get("document")
        && old("document") != Some(document)
    {
        for reason in broadened(old("document"), document) {
            reasons.push(format!("service control policy: {reason}"));
        }
    }
    if let (Some(Value::Array(now)), Some(Value::Array(had)), Some(document)) =
        (after.get("targets"), old("targets"), after.get("document"))
        && grants(document).iter().any(|g| !g.allow)
    {
        for target in had.iter().filter(|t| !now.contains(t)) {
            reasons.push(format!(
                "no longer applies to {}, so its Deny statements stop limiting it",
                target.as_str().unwrap_or_default()
            ));
        }
    }
    if after.get("require_mfa") == Some(&Value::Bool(false))
        && old("require_mfa") == Some(&Value::Bool(true))
    {
        reasons.push("no longer requires MFA".to_owned());
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
mod scp_tests {
    use serde_json::json;

    use super::*;

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
        );
        assert_eq!(
            detached,
            ["no longer applies to /Sandbox, so its Deny statements stop limiting it"]
        );
        let loosened = broadening(
            Some(&before),
            &json!({"document": allow_all, "targets": ["root", "/Sandbox"]}),
        );
        assert!(
            loosened
                .iter()
                .any(|r| r.starts_with("service control policy:")),
            "{loosened:?}"
        );
        let same = broadening(Some(&before), &before);
        assert!(same.is_empty());
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn sent_in_the_documented_form_and_reads_back_equal() {
        let canonical = normalize(&json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "Write", "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": ["arn:aws:s3:::b/AWSLogs/1/*", "arn:aws:s3:::b/x/*"],
                "Condition": {"StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:r:1:trail/t"}}
            }]
        }));
        let text = to_text(&canonical);
        assert_eq!(
            text,
            concat!(
                r#"{"Version":"2012-10-17","Statement":[{"Sid":"Write","Effect":"Allow","#,
                r#""Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","#,
                r#""Resource":["arn:aws:s3:::b/AWSLogs/1/*","arn:aws:s3:::b/x/*"],"#,
                r#""Condition":{"StringEquals":{"aws:SourceArn":"arn:aws:cloudtrail:r:1:trail/t"}}}]}"#
            )
        );
        let back: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(normalize(&back), canonical);
    }

    #[test]
    fn url_encoded_and_reordered_documents_are_equal() {
        let ours = json!({
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"},
                {"Effect": "Deny", "Action": "iam:*", "Resource": ["*"]}
            ]
        });
        let from_aws = "%7B%22Statement%22%3A%20%5B%7B%22Resource%22%3A%20%5B%22%2A%22%5D%2C%20%22Action%22%3A%20%22iam%3A%2A%22%2C%20%22Effect%22%3A%20%22Deny%22%7D%2C%20%7B%22Effect%22%3A%20%22Allow%22%2C%20%22Resource%22%3A%20%22%2A%22%2C%20%22Action%22%3A%20%5B%22s3%3AListBucket%22%2C%20%22s3%3AGetObject%22%5D%7D%5D%2C%20%22Version%22%3A%20%222012-10-17%22%7D";
        let parsed = parse(from_aws).expect("decodes");
        assert_eq!(normalize(&parsed), normalize(&ours));
        assert!(broadened(Some(&parsed), &ours).is_empty());
    }

    #[test]
    fn a_single_statement_object_equals_a_one_element_list() {
        let object = json!({"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}});
        let list =
            json!({"Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": ["*"]}]});
        assert_eq!(normalize(&object), normalize(&list));
    }

    #[test]
    fn added_action_is_broadened() {
        let before = json!({"Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
        let after = json!({"Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:*"], "Resource": "*"}]});
        assert_eq!(
            broadened(Some(&before), &after),
            vec!["`Read` adds action `s3:*`"]
        );
        assert!(
            broadened(Some(&after), &before).is_empty(),
            "narrowing is not broadening"
        );
    }

    #[test]
    fn new_allow_and_removed_deny_are_broadened() {
        let before = json!({"Statement": [{"Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*"}]});
        let after = json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]});
        assert_eq!(
            broadened(Some(&before), &after),
            vec![
                "new Allow statement on `s3:*` (with a wildcard)",
                "removes Deny statement `NoIam`",
            ]
        );
    }

    #[test]
    fn dropped_condition_is_broadened() {
        let with = json!({"Statement": [{"Sid": "Mfa", "Effect": "Allow", "Action": "ec2:*", "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]});
        let without = json!({"Statement": [{"Sid": "Mfa", "Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]});
        assert_eq!(
            broadened(Some(&with), &without),
            vec!["`Mfa` drops or changes its Condition"]
        );
    }

    #[test]
    fn full_admin_is_detected_only_without_conditions() {
        let admin = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
        let guarded = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]});
        assert!(grants_full_admin(&admin));
        assert!(!grants_full_admin(&guarded));
    }

    #[test]
    fn garbage_is_refused() {
        assert!(parse("not json").is_err());
        assert!(parse("{\"Version\": \"2012-10-17\"}").is_err());
    }
}
