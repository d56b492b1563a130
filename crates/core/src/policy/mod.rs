//! IAM-style policy documents (IAM, bucket, key and service control policies): parsing the
//! forms AWS returns, a canonical form so that equal policies compare equal, and the
//! "permissions broadened" check that reviewers must see first.
//!
//! This module reads, normalises and writes documents; `grammar` holds what IAM would
//! refuse, and `broadening` what a change grants that was not granted before.

use serde_json::{Map, Value};

mod broadening;
mod grammar;

pub use broadening::{broadened, broadening, grants_full_admin};
pub use grammar::{PolicyKind, duplicate_key, grammar, iam_size};

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

/// The text sent to AWS: the documented form, not the canonical one. Keys in the order
/// AWS's examples use (`Version`, `Statement`; `Sid`, `Effect`, `Principal`, `Action`,
/// `Resource`, `Condition`), and a list of one value written as that value
/// (`"Action": "s3:PutObject"`), as people and policy tools expect to read it. The meaning
/// is the same as the canonical form's, which stays the currency of comparison.
pub fn to_text(doc: &Value) -> String {
    let mut out = String::new();
    write_ordered(&mut out, &documented(doc));
    out
}

/// The documented form's values: below a statement every one-element list of scalars is
/// that value. (JSON objects here sort their keys; writers order them with [`key_rank`].)
pub fn documented(doc: &Value) -> Value {
    collapse(doc, 0)
}

/// Keys of a policy, a statement and a principal or condition block, in documented order;
/// any other key follows, sorted.
const KEY_ORDER: [&str; 12] = [
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
    "NotResource",
    "Condition",
];

/// Where `key` goes among a policy's keys: the documented ones in their order (ranks below
/// [`POLICY_KEYS`]), the others after them by name.
pub fn key_rank(key: &str) -> (usize, &str) {
    let rank = KEY_ORDER
        .iter()
        .position(|k| *k == key)
        .unwrap_or(KEY_ORDER.len());
    (rank, key)
}

/// How many keys [`key_rank`] orders.
pub const POLICY_KEYS: usize = KEY_ORDER.len();

/// `depth` 0 is the document, 1 a statement list, 2 a statement.
fn collapse(value: &Value, depth: usize) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(key, child)| {
                    let child_depth = if depth == 0 && key.as_str() == "Statement" {
                        1
                    } else {
                        depth + 1
                    };
                    (key.clone(), collapse(child, child_depth))
                })
                .collect(),
        ),
        Value::Array(items) if depth >= 3 && items.len() == 1 && !items[0].is_object() => {
            collapse(&items[0], depth)
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| collapse(i, depth + 1)).collect()),
        scalar => scalar.clone(),
    }
}

fn write_ordered(out: &mut String, value: &Value) {
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
                write_ordered(out, &fields[key.as_str()]);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_ordered(out, item);
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

#[cfg(test)]
mod tests;
