//! The line model: what one resource change says, as typed lines that the text and
//! Markdown writers each put in their own format.

use std::borrow::Cow;

use baseline_core::plan::FieldChange;
use baseline_core::{Action, ResourceAddr, ResourceChange};
use serde_json::Value;

use crate::policy;

/// One thing a change says. A change's lines come in this order: its header, its
/// permission notes, its fields, then the parts of its manual step.
#[derive(Debug)]
pub(crate) enum Line<'a> {
    /// What happens to the resource, and the CIS controls it serves.
    Header {
        action: Action,
        address: &'a ResourceAddr,
        cis: &'a [String],
        /// Where a fold applies (` in all 17 regions`), or nothing.
        place: &'a str,
    },
    /// A permission note a reviewer must see (alike notes on several statements in one).
    Note { note: Note, text: Cow<'a, str> },
    /// A field with a plain value.
    Field { path: &'a str, edit: Edit<'a> },
    /// A field holding a document (a map, or a list of maps): its pretty JSON, diffed.
    Document {
        path: &'a str,
        edit: Edit<'a>,
        diff: Vec<DiffLine>,
    },
    /// One part of a manual step: why apply cannot do it, where a person does it, and how
    /// it is checked.
    Manual { part: ManualPart, text: &'a str },
}

/// The kinds of permission note.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Note {
    /// Granted by hand, outside the baseline; apply removes it.
    OutsideBaseline,
    /// The change grants more than the account has now.
    Broadened,
}

impl Note {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Note::OutsideBaseline => "added outside baseline",
            Note::Broadened => "permissions broadened",
        }
    }
}

/// The parts of a manual step.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ManualPart {
    Why,
    Console,
    Checked,
}

impl ManualPart {
    pub(crate) fn label(self) -> &'static str {
        match self {
            ManualPart::Why => "why",
            ManualPart::Console => "console",
            ManualPart::Checked => "checked",
        }
    }
}

/// How a field changes, with its values.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Edit<'a> {
    Added(&'a Value),
    Removed(&'a Value),
    Changed {
        before: &'a Value,
        after: &'a Value,
    },
    /// A manual item's field: what it is, and what a person should make it.
    Wanted {
        have: &'a Value,
        want: &'a Value,
    },
    /// Neither side is known: only the path is shown.
    Bare,
}

impl<'a> Edit<'a> {
    fn of(action: Action, field: &'a FieldChange) -> Self {
        match (&field.before, &field.after) {
            (None, Some(after)) => Edit::Added(after),
            (Some(before), None) => Edit::Removed(before),
            (Some(have), Some(want)) if action == Action::Manual => Edit::Wanted { have, want },
            (Some(before), Some(after)) => Edit::Changed { before, after },
            (None, None) => Edit::Bare,
        }
    }

    /// `+`, `-`, `~`, `!`, or a space when there is nothing to mark.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Edit::Added(_) => "+",
            Edit::Removed(_) => "-",
            Edit::Changed { .. } => "~",
            Edit::Wanted { .. } => "!",
            Edit::Bare => " ",
        }
    }
}

/// One line of a document's diff.
#[derive(Debug)]
pub(crate) struct DiffLine {
    pub sign: Sign,
    pub text: String,
}

/// Whether a document line was removed, added or kept.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Sign {
    Removed,
    Added,
    Kept,
}

impl Sign {
    pub(crate) fn symbol(self) -> char {
        match self {
            Sign::Removed => '-',
            Sign::Added => '+',
            Sign::Kept => ' ',
        }
    }
}

/// What `change` says, line by line; `place` says where a fold applies.
pub(crate) fn of<'a>(change: &'a ResourceChange, place: &'a str) -> Vec<Line<'a>> {
    let action = change.action;
    let mut lines = vec![Line::Header {
        action,
        address: &change.address,
        cis: &change.cis,
        place,
    }];
    for (note, texts) in [
        (Note::OutsideBaseline, &change.outside_baseline),
        (Note::Broadened, &change.permissions_broadened),
    ] {
        for text in merged(texts) {
            lines.push(Line::Note { note, text });
        }
    }
    for field in &change.fields {
        let path = field.path.as_str();
        let edit = Edit::of(action, field);
        lines.push(if is_document(field) {
            Line::Document {
                path,
                edit,
                diff: document_diff(field),
            }
        } else {
            Line::Field { path, edit }
        });
    }
    if let Some(manual) = &change.manual {
        lines.extend(
            [
                (ManualPart::Why, &manual.reason),
                (ManualPart::Console, &manual.console),
                (ManualPart::Checked, &manual.verified_by),
            ]
            .map(|(part, text)| Line::Manual { part, text }),
        );
    }
    lines
}

/// Notes that differ only in the name between their backquotes, one after the other, said
/// once: "new Allow statement `A`" and "new Allow statement `B`" make "new Allow statements
/// `A`, `B`".
fn merged(texts: &[String]) -> Vec<Cow<'_, str>> {
    /// Before the first backquote, the name, and after the name's closing backquote.
    fn parts(text: &str) -> Option<(&str, &str, &str)> {
        let (head, rest) = text.split_once('`')?;
        let (name, tail) = rest.split_once('`')?;
        Some((head, name, tail))
    }
    let mut out: Vec<Cow<'_, str>> = Vec::new();
    let mut index = 0;
    while index < texts.len() {
        let Some((head, name, tail)) = parts(&texts[index]) else {
            out.push(Cow::Borrowed(texts[index].as_str()));
            index += 1;
            continue;
        };
        let mut names = vec![name];
        while let Some((next_head, next, next_tail)) =
            texts.get(index + names.len()).and_then(|t| parts(t))
        {
            if next_head != head || next_tail != tail {
                break;
            }
            names.push(next);
        }
        out.push(if names.len() == 1 {
            Cow::Borrowed(texts[index].as_str())
        } else {
            let head = head
                .strip_suffix("statement ")
                .map_or_else(|| head.to_owned(), |h| format!("{h}statements "));
            let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            Cow::Owned(format!("{head}{}{tail}", names.join(", ")))
        });
        index += names.len();
    }
    out
}

/// `+`, `~`, `-`, `!`: what happens to a resource.
pub(crate) fn symbol(action: Action) -> &'static str {
    match action {
        Action::Create => "+",
        Action::Update => "~",
        Action::Delete => "-",
        Action::Manual => "!",
        Action::NoOp => " ",
    }
}

/// What happens to a resource, in words.
pub(crate) fn verb(action: Action) -> &'static str {
    match action {
        Action::Create => "will be created",
        Action::Update => "will be updated in place",
        Action::Delete => "will be deleted",
        Action::Manual => "needs a manual step",
        Action::NoOp => "is up to date",
    }
}

/// ` (CIS 1.8, 1.9)` after a header, or nothing.
pub(crate) fn cis_suffix(cis: &[String]) -> String {
    if cis.is_empty() {
        String::new()
    } else {
        format!(" (CIS {})", cis.join(", "))
    }
}

/// A value as it appears in a plan: JSON, compact.
pub fn value(value: &Value) -> String {
    let mut value = value.clone();
    value.sort_all_objects();
    compact(&value)
}

/// Maps and lists of maps (policy documents, tags) are shown as a diff of their lines, but
/// a new or removed one that fits on a line (`{"algorithm": "AES256"}`) is a plain field,
/// and so is a policy document only when it is not summarised.
fn is_document(field: &FieldChange) -> bool {
    let nested = |v: &Option<Value>| match v {
        Some(Value::Object(map)) => !map.is_empty(),
        Some(Value::Array(items)) => items.iter().any(|i| i.is_object() || i.is_array()),
        _ => false,
    };
    let short = match (&field.before, &field.after) {
        (Some(one), None) | (None, Some(one)) => {
            policy::statements(one).is_none() && compact(one).len() <= WIDTH
        }
        _ => false,
    };
    (nested(&field.before) || nested(&field.after)) && !short
}

/// A document as its lines: a map or list that fits on one line of `width` (its indent
/// counted) is written on one, anything larger one member per line. Keys in sorted order
/// whatever map serde_json was built with.
fn pretty(value: Option<&Value>, width: usize) -> String {
    value.map_or_else(String::new, |v| {
        let mut v = v.clone();
        v.sort_all_objects();
        let mut out = String::new();
        write_pretty(&mut out, (None, &v), 0, "", width);
        out
    })
}

/// The widest line a new or removed document's member is put on whole. A document that
/// changes is shown one member per line, so that its diff points at what changes.
const WIDTH: usize = 100;

/// `value` (under `key` in a map) at `depth`, followed by `comma`, as lines.
fn write_pretty(
    out: &mut String,
    (key, value): (Option<&str>, &Value),
    depth: usize,
    comma: &str,
    width: usize,
) {
    let indent = "  ".repeat(depth);
    let key = key.map_or_else(String::new, |k| format!("{}: ", Value::from(k)));
    let one_line = compact(value);
    let (open, close, members): (char, char, Vec<(Option<&str>, &Value)>) = match value {
        Value::Object(map) if !map.is_empty() => (
            '{',
            '}',
            map.iter().map(|(k, v)| (Some(k.as_str()), v)).collect(),
        ),
        Value::Array(items) if !items.is_empty() => {
            ('[', ']', items.iter().map(|v| (None, v)).collect())
        }
        _ => (' ', ' ', Vec::new()),
    };
    if width > 0
        && let Some(statements) = policy::statements(value)
    {
        // A new policy document: one line per statement (`--json` has the document).
        out.push_str(&format!(
            "{indent}{key}{}\n",
            policy::heading(value, statements.len())
        ));
        for statement in statements {
            out.push_str(&format!("{indent}  {statement}\n"));
        }
        return;
    }
    if members.is_empty() || indent.len() + key.len() + one_line.len() + comma.len() <= width {
        out.push_str(&format!("{indent}{key}{one_line}{comma}\n"));
        return;
    }
    out.push_str(&format!("{indent}{key}{open}\n"));
    let last = members.len() - 1;
    let scalars = members.iter().all(|(_, v)| !v.is_object() && !v.is_array());
    if scalars && width > 0 {
        // A long list of names (event names, actions) or map of short values: as many to
        // a line as fit.
        let inner = format!("{indent}  ");
        let mut line = String::new();
        for (index, (member_key, item)) in members.into_iter().enumerate() {
            let key = member_key.map_or_else(String::new, |k| format!("{}: ", Value::from(k)));
            let item = format!("{key}{item}{}", if index < last { "," } else { "" });
            if !line.is_empty() && inner.len() + line.len() + 1 + item.len() > width {
                out.push_str(&format!("{inner}{line}\n"));
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&item);
        }
        out.push_str(&format!("{inner}{line}\n{indent}{close}{comma}\n"));
        return;
    }
    for (index, member) in members.into_iter().enumerate() {
        let comma = if index < last { "," } else { "" };
        write_pretty(out, member, depth + 1, comma, width);
    }
    out.push_str(&format!("{indent}{close}{comma}\n"));
}

/// `value` on one line, with a space after each `:` and `,`.
fn compact(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let members: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::from(k.as_str()), compact(v)))
                .collect();
            format!("{{{}}}", members.join(", "))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(compact).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// The lines of a document field's pretty JSON, each removed, added or kept.
fn document_diff(field: &FieldChange) -> Vec<DiffLine> {
    let width = if field.before.is_some() && field.after.is_some() {
        0
    } else {
        WIDTH
    };
    let before = pretty(field.before.as_ref(), width);
    let after = pretty(field.after.as_ref(), width);
    similar::TextDiff::from_lines(&before, &after)
        .iter_all_changes()
        .map(|change| DiffLine {
            sign: match change.tag() {
                similar::ChangeTag::Delete => Sign::Removed,
                similar::ChangeTag::Insert => Sign::Added,
                similar::ChangeTag::Equal => Sign::Kept,
            },
            text: change.value().trim_end_matches('\n').to_owned(),
        })
        .collect()
}
