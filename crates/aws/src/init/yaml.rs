//! The YAML `init` writes, as a person would: keys in the order of the documentation,
//! short lists on one line, comments where a value was guessed or a step is left to a
//! person. serde-saphyr writes YAML well but has no comments, so this small writer does.

use serde_json::Value;

/// A value of the document.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A string, number or boolean.
    Scalar(Value),
    /// A mapping whose keys keep the order they were given in.
    Map(Vec<Entry>),
    /// A sequence, written on one line when it is short and flat.
    List(Vec<Node>),
}

/// One key of a mapping, with an optional comment at its end, or written as a comment
/// (a suggestion the account does not meet yet).
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub value: Node,
    pub comment: Option<String>,
    pub suggested: bool,
}

/// Keys written first, in this order, wherever they appear after a policy's: the password
/// policy as baseline.yaml documents it, then groups, users and roles.
const KEY_ORDER: &[&str] = &[
    "minimum_length",
    "require_symbols",
    "require_numbers",
    "require_uppercase",
    "require_lowercase",
    "allow_users_to_change",
    "max_age_days",
    "reuse_prevention",
    "hard_expiry",
    "path",
    "description",
    "groups",
    "trust",
    "managed_policies",
    "inline_policies",
    "max_session_duration",
    "accounts",
    "services",
    "require_mfa",
    "tags",
    "console",
];

/// Lines longer than this are written in block style.
const WIDTH: usize = 100;

/// End-of-line comments are aligned up to this column; longer lines keep theirs close.
const COMMENT_COLUMN: usize = 48;

impl Node {
    pub fn map() -> Self {
        Node::Map(Vec::new())
    }

    pub fn str(text: impl Into<String>) -> Self {
        Node::Scalar(Value::String(text.into()))
    }

    pub fn strs<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Self {
        Node::List(items.into_iter().map(Node::str).collect())
    }

    /// A JSON value as YAML, keys in the order a person writes them (a policy's `Version`
    /// before its statements, a user's groups before its console: [`KEY_ORDER`]), the
    /// others after them by name.
    pub fn from_json(value: &Value) -> Self {
        match value {
            Value::Object(map) => {
                // A policy's keys as AWS documents them, then baseline.yaml's.
                let rank = |key: &str| match baseline_core::policy::key_rank(key) {
                    (policy, _) if policy < baseline_core::policy::POLICY_KEYS => (0, policy),
                    _ => (
                        1,
                        KEY_ORDER
                            .iter()
                            .position(|k| *k == key)
                            .unwrap_or(KEY_ORDER.len()),
                    ),
                };
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort_by_key(|k| (rank(k), k.as_str()));
                Node::Map(
                    keys.into_iter()
                        .map(|k| Entry::new(k, Node::from_json(&map[k])))
                        .collect(),
                )
            }
            Value::Array(items) => Node::List(items.iter().map(Node::from_json).collect()),
            other => Node::Scalar(other.clone()),
        }
    }

    /// Adds `key: value` to a mapping (other nodes are left as they are).
    pub fn set(&mut self, key: &str, value: Node) -> &mut Entry {
        let Node::Map(entries) = self else {
            panic!("Node::set on a value that is not a mapping");
        };
        entries.push(Entry::new(key, value));
        entries.last_mut().expect("just pushed")
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Node::Map(entries) => entries.is_empty(),
            Node::List(items) => items.is_empty(),
            Node::Scalar(_) => false,
        }
    }

    /// A string scalar's text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar(Value::String(text)) => Some(text),
            _ => None,
        }
    }

    /// The entry at `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }

    /// The mapping's number of entries that are not suggestions.
    pub fn len(&self) -> usize {
        match self {
            Node::Map(entries) => entries.iter().filter(|e| !e.suggested).count(),
            Node::List(items) => items.len(),
            Node::Scalar(_) => 1,
        }
    }
}

impl Entry {
    pub fn new(key: &str, value: Node) -> Self {
        Self {
            key: key.to_owned(),
            value,
            comment: None,
            suggested: false,
        }
    }

    /// Ends the entry's line with `# text`.
    pub fn note(&mut self, text: impl Into<String>) -> &mut Self {
        self.comment = Some(text.into());
        self
    }

    /// Writes the entry as a comment: a value to consider that the account does not have.
    pub fn suggest(&mut self) -> &mut Self {
        self.suggested = true;
        self
    }
}

/// A top-level mapping as YAML text.
pub fn write(root: &[Entry]) -> String {
    let mut out = String::new();
    entries(root, 0, &mut out);
    out
}

/// The node with no entry marked as a suggestion: the body of a suggested entry is all
/// comment already.
fn plain_node(node: &Node) -> Node {
    match node {
        Node::Map(list) => Node::Map(
            list.iter()
                .map(|e| Entry {
                    value: plain_node(&e.value),
                    suggested: false,
                    ..e.clone()
                })
                .collect(),
        ),
        Node::List(items) => Node::List(items.iter().map(plain_node).collect()),
        scalar => scalar.clone(),
    }
}

fn entries(list: &[Entry], indent: usize, out: &mut String) {
    // Comments at the end of one-line entries start in one column, as a person aligns them.
    let line = |entry: &Entry| -> Option<String> {
        let mark = if entry.suggested { "# " } else { "" };
        let key = scalar(&Value::String(entry.key.clone()));
        let text = if entry.suggested {
            inline(&plain_node(&entry.value))?
        } else {
            inline(&entry.value)?
        };
        let line = format!("{}{mark}{key}: {text}", " ".repeat(indent));
        (line.len() <= WIDTH).then_some(line)
    };
    let column = list
        .iter()
        .filter(|e| e.comment.is_some())
        .filter_map(line)
        .map(|l| l.len())
        .filter(|len| *len <= COMMENT_COLUMN)
        .max()
        .unwrap_or(0);
    for entry in list {
        let pad = " ".repeat(indent);
        let mark = if entry.suggested { "# " } else { "" };
        let key = scalar(&Value::String(entry.key.clone()));
        let comment = entry
            .comment
            .as_ref()
            .map(|c| format!("  # {c}"))
            .unwrap_or_default();
        match line(entry) {
            Some(text) => {
                let width = if comment.is_empty() { 0 } else { column };
                out.push_str(&format!("{text:width$}{comment}\n"));
            }
            _ => {
                out.push_str(&format!("{pad}{mark}{key}:{comment}\n"));
                let mut body = String::new();
                if entry.suggested {
                    block(&plain_node(&entry.value), indent + 2, &mut body);
                    body = commented(&body, indent + 2);
                } else {
                    block(&entry.value, indent + 2, &mut body);
                }
                out.push_str(&body);
            }
        }
    }
}

/// Puts `# ` after the indentation of every line of `body`.
fn commented(body: &str, indent: usize) -> String {
    body.lines()
        .map(|line| {
            let (pad, rest) = line.split_at(indent.min(line.len()));
            format!("{pad}# {rest}\n")
        })
        .collect()
}

fn block(node: &Node, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match node {
        Node::Map(list) => entries(list, indent, out),
        Node::List(items) => {
            for item in items {
                match (item, inline(item)) {
                    (_, Some(text)) if pad.len() + text.len() + 2 <= WIDTH => {
                        out.push_str(&format!("{pad}- {text}\n"));
                    }
                    (Node::Map(list), _) => {
                        let mut body = String::new();
                        entries(list, indent + 2, &mut body);
                        // The first line's indentation becomes the item's dash.
                        out.push_str(&format!("{pad}- {}", &body[indent + 2..]));
                    }
                    _ => {
                        out.push_str(&format!("{pad}-\n"));
                        block(item, indent + 2, out);
                    }
                }
            }
        }
        Node::Scalar(value) => out.push_str(&format!("{pad}{}\n", scalar(value))),
    }
}

/// The node on one line (flow style), if it can be: scalars, and lists and mappings of
/// scalars or of such lists. Mappings with comments cannot.
fn inline(node: &Node) -> Option<String> {
    match node {
        Node::Scalar(value) => Some(scalar(value)),
        Node::List(items) => {
            let parts: Option<Vec<String>> = items.iter().map(inline_part).collect();
            Some(format!("[{}]", parts?.join(", ")))
        }
        Node::Map(list) if list.is_empty() => Some("{}".to_owned()),
        Node::Map(list) => {
            if list.iter().any(|e| e.comment.is_some() || e.suggested) {
                return None;
            }
            let parts: Option<Vec<String>> = list
                .iter()
                .map(|e| {
                    inline_part(&e.value)
                        .map(|v| format!("{}: {v}", scalar(&Value::String(e.key.clone()))))
                })
                .collect();
            Some(format!("{{ {} }}", parts?.join(", ")))
        }
    }
}

/// A flow collection's element: a scalar, or a list of scalars.
fn inline_part(node: &Node) -> Option<String> {
    match node {
        Node::Scalar(value) => Some(scalar(value)),
        Node::List(items) if items.iter().all(|i| matches!(i, Node::Scalar(_))) => inline(node),
        _ => None,
    }
}

/// A scalar: plain when YAML reads it back as the same string, double-quoted (JSON's
/// escapes are YAML's) otherwise. Whole numbers are written without a fraction.
pub fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) if plain(text) => text.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Value::Null => "null".to_owned(),
        other => other.to_string(),
    }
}

fn plain(text: &str) -> bool {
    let reserved = [
        "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~",
    ];
    let Some(first) = text.chars().next() else {
        return false;
    };
    // Words, paths, addresses, actions and sentences; nothing YAML 1.1 could read as a
    // number, a date, a boolean or null, nor a `: ` or ` #` that would end the scalar.
    (first.is_ascii_alphabetic() || first == '/' || first == '_')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./@+ ,()':".contains(c))
        && !text.ends_with([' ', ':'])
        && !text.contains(": ")
        && !text.contains("://")
        && !text.contains(" #")
        && !reserved.contains(&text.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_are_quoted_only_when_yaml_would_read_them_otherwise() {
        assert_eq!(scalar(&json!("ap-northeast-1")), "ap-northeast-1");
        assert_eq!(scalar(&json!("123456789012")), "\"123456789012\"");
        assert_eq!(scalar(&json!("{account_id}-main")), "\"{account_id}-main\"");
        assert_eq!(scalar(&json!("yes")), "\"yes\"");
        assert_eq!(scalar(&json!("Billing team")), "Billing team");
        assert_eq!(scalar(&json!("2012-10-17")), "\"2012-10-17\"");
        assert_eq!(scalar(&json!("a: b")), "\"a: b\"");
        assert_eq!(scalar(&json!("logs:Get*")), "\"logs:Get*\"");
        assert_eq!(
            scalar(&json!("cloudtrail:StopLogging")),
            "cloudtrail:StopLogging"
        );
        assert_eq!(scalar(&json!("a:")), "\"a:\"");
        assert_eq!(scalar(&json!("https://a.example")), "\"https://a.example\"");
        assert_eq!(scalar(&json!("a #b")), "\"a #b\"");
        assert_eq!(scalar(&json!(100.0)), "100");
        assert_eq!(scalar(&json!(19.99)), "19.99");
        assert_eq!(scalar(&json!(true)), "true");
    }

    #[test]
    fn a_document_reads_back_as_the_same_values() {
        let mut root = Node::map();
        root.set("version", Node::Scalar(json!(1)));
        let mut account = Node::map();
        account.set("id", Node::str("123456789012"));
        account
            .set("home_region", Node::str("ap-northeast-1"))
            .note("the trail's region");
        account
            .set("regions", Node::strs(["ap-northeast-1", "us-east-1"]))
            .suggest();
        root.set("account", account);
        let mut cost = Node::map();
        let mut notification = Node::map();
        notification.set("when", Node::str("actual"));
        notification.set("emails", Node::strs(["a@example.com"]));
        let long = "x".repeat(120);
        let mut budget = Node::map();
        budget.set("amount", Node::Scalar(json!(20.0)));
        budget.set(
            "notifications",
            Node::List(vec![notification, Node::from_json(&json!({"note": long}))]),
        );
        let mut budgets = Node::map();
        budgets.set("monthly", budget);
        cost.set("budgets", budgets);
        root.set("cost", cost);
        let Node::Map(list) = &root else {
            unreachable!()
        };
        let text = write(list);
        insta::assert_snapshot!(text);
        let back: Value = serde_saphyr::from_str(&text).expect("valid YAML");
        assert_eq!(
            back,
            json!({
                "version": 1,
                "account": {"id": "123456789012", "home_region": "ap-northeast-1"},
                "cost": {"budgets": {"monthly": {"amount": 20, "notifications": [
                    {"when": "actual", "emails": ["a@example.com"]},
                    {"note": long},
                ]}}},
            })
        );
    }
}
