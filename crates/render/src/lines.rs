//! The line model: what one resource change says, as typed lines that the text and
//! Markdown writers each put in their own format.

use baseline_core::plan::FieldChange;
use baseline_core::{Action, ResourceAddr, ResourceChange};
use serde_json::Value;

/// One thing a change says. A change's lines come in this order: its header, its
/// permission notes, its fields, then the parts of its manual step.
#[derive(Debug)]
pub(crate) enum Line<'a> {
    /// What happens to the resource, and the CIS controls it serves.
    Header {
        action: Action,
        address: &'a ResourceAddr,
        cis: &'a [String],
    },
    /// A permission note a reviewer must see.
    Note { note: Note, text: &'a str },
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

/// What `change` says, line by line.
pub(crate) fn of(change: &ResourceChange) -> Vec<Line<'_>> {
    let action = change.action;
    let mut lines = vec![Line::Header {
        action,
        address: &change.address,
        cis: &change.cis,
    }];
    for text in &change.outside_baseline {
        let note = Note::OutsideBaseline;
        lines.push(Line::Note { note, text });
    }
    for text in &change.permissions_broadened {
        let note = Note::Broadened;
        lines.push(Line::Note { note, text });
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
    serde_json::to_string(&value).unwrap_or_else(|_| value.to_string())
}

/// Maps and lists of maps (policy documents, tags) are shown as a diff of their lines.
fn is_document(field: &FieldChange) -> bool {
    let nested = |v: &Option<Value>| match v {
        Some(Value::Object(map)) => !map.is_empty(),
        Some(Value::Array(items)) => items.iter().any(|i| i.is_object() || i.is_array()),
        _ => false,
    };
    nested(&field.before) || nested(&field.after)
}

fn pretty(value: Option<&Value>) -> String {
    value.map_or_else(String::new, |v| {
        // Keys in sorted order whatever map serde_json was built with.
        let mut v = v.clone();
        v.sort_all_objects();
        let mut text = serde_json::to_string_pretty(&v).unwrap_or_else(|_| v.to_string());
        text.push('\n');
        text
    })
}

/// The lines of a document field's pretty JSON, each removed, added or kept.
fn document_diff(field: &FieldChange) -> Vec<DiffLine> {
    let before = pretty(field.before.as_ref());
    let after = pretty(field.after.as_ref());
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
