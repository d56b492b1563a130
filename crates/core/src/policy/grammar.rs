//! IAM's grammar for policy documents, its size limit, and keys written twice: what AWS
//! would refuse, found before any call.

use std::collections::BTreeSet;

use serde_json::Value;

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
