//! A new policy document (a bucket, key, topic or trust policy, an inline policy) as people
//! read it: one line per statement, every element of it in words, instead of its JSON over
//! dozens of lines. Only whole documents are written so; a document that changes is shown
//! as a JSON diff, which points at what changes. A statement with an element these lines
//! do not know is not summarised: its document is shown as JSON.
//!
//! `[AWSCloudTrailWrite] Allow s3:PutObject by Service cloudtrail.amazonaws.com
//! on arn:aws:s3:::logs/AWSLogs/111122223333/* if StringEquals aws:SourceArn = "arn:…"`

use serde_json::Value;

/// The keys a document may have.
const DOCUMENT_KEYS: [&str; 3] = ["Version", "Id", "Statement"];

/// The keys a statement may have.
const STATEMENT_KEYS: [&str; 9] = [
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Principal",
    "NotPrincipal",
    "Resource",
    "NotResource",
    "Condition",
];

/// Each statement of `value` as a line, when `value` is a policy document whose every
/// element the lines can say.
pub(crate) fn statements(value: &Value) -> Option<Vec<String>> {
    let document = value.as_object()?;
    if !document.keys().all(|k| DOCUMENT_KEYS.contains(&k.as_str())) {
        return None;
    }
    let statements = match document.get("Statement")? {
        Value::Array(list) => list.iter().collect::<Vec<_>>(),
        one @ Value::Object(_) => vec![one],
        _ => return None,
    };
    statements.into_iter().map(statement).collect()
}

/// `Version 2012-10-17, 3 statements:`: what a summarised document with `count`
/// statements says before its lines.
pub(crate) fn heading(value: &Value, count: usize) -> String {
    let plural = if count == 1 { "" } else { "s" };
    let mut parts = Vec::new();
    for key in ["Version", "Id"] {
        if let Some(v) = value.get(key) {
            parts.push(format!("{key} {}", scalar(v)));
        }
    }
    parts.push(format!("{count} statement{plural}:"));
    parts.join(", ")
}

/// One statement in words, or `None` when it holds something the words cannot say.
fn statement(value: &Value) -> Option<String> {
    let map = value.as_object()?;
    if !map.keys().all(|k| STATEMENT_KEYS.contains(&k.as_str())) {
        return None;
    }
    let mut line = String::new();
    if let Some(sid) = map.get("Sid") {
        line.push_str(&format!("[{}] ", scalar(sid)));
    }
    line.push_str(&scalar(map.get("Effect")?));
    match (map.get("Action"), map.get("NotAction")) {
        (Some(actions), None) => line.push_str(&format!(" {}", list(actions))),
        (None, Some(actions)) => line.push_str(&format!(" every action but {}", list(actions))),
        _ => return None,
    }
    match (map.get("Principal"), map.get("NotPrincipal")) {
        (Some(who), None) => line.push_str(&format!(" by {}", principal(who)?)),
        (None, Some(who)) => line.push_str(&format!(" by anyone but {}", principal(who)?)),
        (None, None) => {}
        _ => return None,
    }
    match (map.get("Resource"), map.get("NotResource")) {
        (Some(what), None) => line.push_str(&format!(" on {}", list(what))),
        (None, Some(what)) => line.push_str(&format!(" on every resource but {}", list(what))),
        (None, None) => {}
        _ => return None,
    }
    if let Some(condition) = map.get("Condition") {
        line.push_str(&format!(" if {}", conditions(condition)?));
    }
    Some(line)
}

/// `*` (anyone), or `AWS arn:…, Service events.amazonaws.com`.
fn principal(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if s == "*" => Some("anyone (*)".to_owned()),
        Value::Object(map) => Some(
            map.iter()
                .map(|(kind, who)| format!("{kind} {}", list(who)))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    }
}

/// `StringEquals aws:SourceAccount = "111122223333" and Bool aws:SecureTransport = "false"`:
/// every operator and key, each key's values as JSON (several values: any of them).
fn conditions(value: &Value) -> Option<String> {
    let mut parts = Vec::new();
    for (operator, keys) in value.as_object()? {
        for (key, values) in keys.as_object()? {
            let values = match values {
                Value::Array(items) if items.len() == 1 => items[0].to_string(),
                other => other.to_string(),
            };
            parts.push(format!("{operator} {key} = {values}"));
        }
    }
    Some(parts.join(" and "))
}

/// A string or a list of strings, joined with commas; anything else as JSON.
fn list(value: &Value) -> String {
    match value {
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(", "),
        other => scalar(other),
    }
}

/// A string as it is; anything else as JSON.
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_element_of_a_statement_is_said() {
        // As the plan passes documents: keys sorted (whatever map serde_json is built with).
        let mut document = json!({
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Deny", "Effect": "Deny", "Principal": "*", "Action": ["s3:*"],
                 "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                 "Condition": {"Bool": {"aws:SecureTransport": ["false"]}}},
                {"Effect": "Allow", "NotAction": "iam:*", "NotResource": ["arn:x"],
                 "Condition": {"StringEquals": {"aws:SourceAccount": ["1", "2"]},
                               "ArnLike": {"aws:SourceArn": "arn:y"}}},
                {"Effect": "Allow", "Action": "sts:AssumeRole",
                 "NotPrincipal": {"AWS": ["arn:aws:iam::1:root"], "Service": "a.amazonaws.com"}}
            ]
        });
        document.sort_all_objects();
        assert_eq!(
            statements(&document).expect("summarised"),
            [
                "[Deny] Deny s3:* by anyone (*) on arn:aws:s3:::b, arn:aws:s3:::b/* if Bool \
                 aws:SecureTransport = \"false\"",
                "Allow every action but iam:* on every resource but arn:x if ArnLike \
                 aws:SourceArn = \"arn:y\" and StringEquals aws:SourceAccount = [\"1\",\"2\"]",
                "Allow sts:AssumeRole by anyone but AWS arn:aws:iam::1:root, Service \
                 a.amazonaws.com",
            ]
        );
        assert_eq!(heading(&document, 3), "Version 2012-10-17, 3 statements:");
    }

    #[test]
    fn what_the_words_cannot_say_stays_json() {
        for document in [
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "a", "Extra": 1}]}),
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "a", "NotAction": "b"}]}),
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}),
            json!({"Statement": [], "Other": true}),
            json!({"alias": "x"}),
            json!({"Statement": [{"Effect": "Allow", "Action": "a", "Principal": 5}]}),
        ] {
            assert_eq!(statements(&document), None, "{document}");
        }
    }
}
