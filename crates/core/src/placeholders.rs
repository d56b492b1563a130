//! Values a copied baseline still holds from its example: the documentation account id,
//! e-mail addresses at the domains reserved for examples (RFC 2606), and the example phone
//! numbers. `validate` and `plan` name each one with its line, so nobody applies
//! `billing@example.com` as the account's real billing contact.

use serde_json::Value;

/// One placeholder: what it is, the key it is under (`account.contacts.billing.email`; the
/// first, when the value stands under several) and the 1-based line it is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placeholder {
    pub value: String,
    pub path: String,
    pub line: usize,
}

/// Why `value` looks like an example's, if it does.
fn placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let domain = lower.rsplit_once('@').map(|(_, d)| d);
    lower == "123456789012"
        || domain.is_some_and(|d| {
            ["example.com", "example.net", "example.org"].contains(&d)
                || d.ends_with(".example")
                || d.ends_with(".example.com")
        })
        || (lower.starts_with('+') && lower.contains("0000-000"))
}

fn walk(value: &Value, path: &str, found: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(child, &path, found);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                walk(child, &format!("{path}[{index}]"), found);
            }
        }
        Value::String(text) if placeholder(text) => found.push((path.to_owned(), text.clone())),
        _ => {}
    }
}

/// The placeholders in a baseline file's text, one per line they stand on, in line order.
/// Text that is not YAML has none (the loader reports it).
pub fn find(text: &str) -> Vec<Placeholder> {
    let Ok(document) = serde_saphyr::from_str::<Value>(text) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    walk(&document, "", &mut found);
    let mut placeholders = Vec::new();
    for (index, line) in text.lines().enumerate() {
        // The value part of the line: comments do not count.
        let code = line.split(" #").next().unwrap_or_default();
        let mut seen: Vec<&str> = Vec::new();
        for (path, value) in &found {
            if code.contains(value.as_str()) && !seen.contains(&value.as_str()) {
                seen.push(value);
                placeholders.push(Placeholder {
                    value: value.clone(),
                    path: path.clone(),
                    line: index + 1,
                });
            }
        }
    }
    placeholders
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_baseline_holds_its_placeholders_and_says_where() {
        let text = include_str!("../../../baseline.yaml");
        let found = find(text);
        let at = |path: &str| found.iter().find(|p| p.path == path);
        let id = at("account.id").expect("the example account id");
        assert_eq!((id.value.as_str(), id.line), ("123456789012", 7));
        assert!(at("account.contacts.billing.phone").is_some());
        // A value that stands on several lines is named on each.
        let billing: Vec<usize> = found
            .iter()
            .filter(|p| p.value == "billing@example.com")
            .map(|p| p.line)
            .collect();
        assert!(billing.len() >= 3, "{billing:?}");
        let line = |n: usize| text.lines().nth(n - 1).unwrap_or_default();
        assert!(
            billing
                .iter()
                .all(|n| line(*n).contains("billing@example.com"))
        );
    }

    #[test]
    fn real_values_are_not_placeholders() {
        let text = "version: 1\naccount:\n  id: \"210987654321\"\n  contacts:\n    billing: { email: billing@corp.co.jp, phone: \"+81-3-1234-5678\" }\n";
        assert!(find(text).is_empty());
    }
}
