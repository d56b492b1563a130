//! Writers for plans and apply reports. They consume what the engine computed and never
//! compute anything themselves. Meaning is carried by symbols (`+ ~ - !`); colour, when
//! asked for, only repeats it.

use std::fmt::Write as _;

use baseline_core::exec::{ApplyReport, Outcome};
use baseline_core::plan::{Counts, FieldChange};
use baseline_core::{Action, Plan, ResourceChange};
use serde_json::Value;

/// How text output looks.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    fn action(self, action: Action, text: &str) -> String {
        let code = match action {
            Action::Create => "32",
            Action::Update => "33",
            Action::Delete => "31",
            Action::Manual => "35",
            Action::NoOp => "0",
        };
        self.paint(code, text)
    }
}

fn symbol(action: Action) -> &'static str {
    match action {
        Action::Create => "+",
        Action::Update => "~",
        Action::Delete => "-",
        Action::Manual => "!",
        Action::NoOp => " ",
    }
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Create => "will be created",
        Action::Update => "will be updated in place",
        Action::Delete => "will be deleted",
        Action::Manual => "needs a manual step",
        Action::NoOp => "is up to date",
    }
}

/// The plan as people read it: one block per address that needs something, then a
/// summary line.
pub fn plan_text(plan: &Plan, style: Style) -> String {
    let mut out = String::new();
    let pending: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    if pending.is_empty() {
        let _ = writeln!(
            out,
            "{} Account {} matches the baseline ({} resources checked).",
            style.bold("No changes."),
            plan.account_id,
            plan.changes.len()
        );
        return out;
    }
    let _ = writeln!(
        out,
        "Account {} differs from the baseline:\n\
         Symbols: + create, ~ update, - delete, ! manual step (apply cannot do it)\n",
        plan.account_id
    );
    let broadened: Vec<&ResourceChange> = pending
        .iter()
        .copied()
        .filter(|c| !c.permissions_broadened.is_empty())
        .collect();
    if !broadened.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            style.paint("1;31", "PERMISSIONS BROADENED (review these first):")
        );
        for change in &broadened {
            let _ = writeln!(out, "  {}", change.address);
        }
        out.push('\n');
    }
    for change in pending {
        write_change(&mut out, change, style);
        out.push('\n');
    }
    let _ = writeln!(out, "{}", style.bold(&summary_line(plan.counts())));
    out
}

fn write_change(out: &mut String, change: &ResourceChange, style: Style) {
    let action = change.action;
    let cis = if change.cis.is_empty() {
        String::new()
    } else {
        format!(" (CIS {})", change.cis.join(", "))
    };
    let head = format!(
        "{} {}",
        symbol(action),
        style.bold(&change.address.to_string())
    );
    let _ = writeln!(
        out,
        "  {} {}{cis}",
        style.action(action, &head),
        verb(action)
    );
    for reason in &change.permissions_broadened {
        let _ = writeln!(
            out,
            "      {} {reason}",
            style.paint("1;31", "permissions broadened:")
        );
    }
    let width = change
        .fields
        .iter()
        .filter(|f| !is_document(f))
        .map(|f| f.path.len())
        .max()
        .unwrap_or(0);
    for field in &change.fields {
        if is_document(field) {
            write_document_diff(out, action, field, style);
        } else {
            let line = field_line(action, field, width);
            let _ = writeln!(out, "      {}", style.action(action, &line));
        }
    }
    if let Some(manual) = &change.manual {
        let _ = writeln!(out, "        why:     {}", manual.reason);
        let _ = writeln!(out, "        console: {}", manual.console);
        let _ = writeln!(out, "        checked: {}", manual.verified_by);
    }
}

fn field_line(action: Action, field: &FieldChange, width: usize) -> String {
    let path = format!("{:width$}", field.path);
    match (&field.before, &field.after) {
        (None, Some(after)) => format!("+ {path} = {}", value(after)),
        (Some(before), None) => format!("- {path} = {}", value(before)),
        (Some(before), Some(after)) => {
            let mark = if action == Action::Manual { "!" } else { "~" };
            format!("{mark} {path} = {} → {}", value(before), value(after))
        }
        (None, None) => format!("  {path}"),
    }
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
        let mut text = serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string());
        text.push('\n');
        text
    })
}

/// A field holding a document: its path, then a diff of its pretty JSON, line by line.
fn write_document_diff(out: &mut String, action: Action, field: &FieldChange, style: Style) {
    let mark = match (&field.before, &field.after) {
        (None, Some(_)) => "+",
        (Some(_), None) => "-",
        _ if action == Action::Manual => "!",
        _ => "~",
    };
    let head = format!("{mark} {}:", field.path);
    let _ = writeln!(out, "      {}", style.action(action, &head));
    let before = pretty(field.before.as_ref());
    let after = pretty(field.after.as_ref());
    let diff = similar::TextDiff::from_lines(&before, &after);
    for change in diff.iter_all_changes() {
        let (sign, code) = match change.tag() {
            similar::ChangeTag::Delete => ("-", "31"),
            similar::ChangeTag::Insert => ("+", "32"),
            similar::ChangeTag::Equal => (" ", "0"),
        };
        let line = format!("{sign} {}", change.value().trim_end_matches('\n'));
        let _ = writeln!(out, "          {}", style.paint(code, &line));
    }
}

/// A value as it appears in a plan: JSON, compact.
pub fn value(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| value.to_string())
}

/// `Plan: 1 to create, 1 to update, 0 to delete, 2 manual.`
pub fn summary_line(counts: Counts) -> String {
    format!(
        "Plan: {} to create, {} to update, {} to delete, {} manual.",
        counts.create, counts.update, counts.delete, counts.manual
    )
}

/// What apply did, with every failure and skip explained.
pub fn report_text(report: &ApplyReport, plan: &Plan, style: Style) -> String {
    let mut out = String::new();
    for (address, outcome) in &report.outcomes {
        match outcome {
            Outcome::Applied => {}
            Outcome::Failed { error } => {
                let _ = writeln!(out, "{} {error}", style.paint("31", "failed:"));
            }
            Outcome::Skipped { because } => {
                let _ = writeln!(
                    out,
                    "{} {address}: not attempted because {because} failed",
                    style.paint("33", "skipped:")
                );
            }
        }
    }
    let applied = report.count(|o| matches!(o, Outcome::Applied));
    let failed = report.count(|o| matches!(o, Outcome::Failed { .. }));
    let skipped = report.count(|o| matches!(o, Outcome::Skipped { .. }));
    let title = if report.succeeded() {
        "Apply complete!"
    } else {
        "Apply incomplete."
    };
    let _ = writeln!(
        out,
        "{} {applied} applied, {failed} failed, {skipped} skipped.",
        style.bold(title)
    );
    let manual: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Manual)
        .map(|c| c.address.to_string())
        .collect();
    if !manual.is_empty() {
        let _ = writeln!(
            out,
            "{} manual step(s) remain for a person to do: {} (see the plan for how).",
            manual.len(),
            manual.join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use baseline_core::ResourceAddr;
    use baseline_core::plan::ManualStep;
    use baseline_core::provider::ProviderError;
    use serde_json::json;

    use super::*;

    fn change(
        address: ResourceAddr,
        action: Action,
        fields: Vec<FieldChange>,
        cis: &[&str],
    ) -> ResourceChange {
        ResourceChange {
            address,
            action,
            before: None,
            after: None,
            fields,
            depends_on: vec![],
            manual: None,
            cis: cis.iter().map(|c| (*c).to_owned()).collect(),
            permissions_broadened: vec![],
            write_only: Value::Null,
        }
    }

    fn field(path: &str, before: Option<Value>, after: Option<Value>) -> FieldChange {
        FieldChange {
            path: path.into(),
            before,
            after,
        }
    }

    fn sample_plan() -> Plan {
        let mut manual = change(
            ResourceAddr::singleton("root_mfa"),
            Action::Manual,
            vec![field("mfa_enabled", Some(json!(false)), Some(json!(true)))],
            &["1.5"],
        );
        manual.manual = Some(ManualStep {
            reason: "no API".into(),
            console: "Security credentials → MFA".into(),
            verified_by: "iam:GetAccountSummary (AccountMFAEnabled)".into(),
        });
        Plan::new(
            "123456789012",
            vec!["ap-northeast-1".into()],
            vec![
                change(
                    ResourceAddr::singleton("iam_password_policy"),
                    Action::Create,
                    vec![
                        field("minimum_length", None, Some(json!(14))),
                        field("require_symbols", None, Some(json!(true))),
                    ],
                    &["1.8", "1.9"],
                ),
                change(
                    ResourceAddr::singleton("account_alias"),
                    Action::Update,
                    vec![field("alias", Some(json!("old")), Some(json!("new")))],
                    &[],
                ),
                {
                    let read = |action: &str| {
                        json!({"Read": {"Statement": [
                            {"Effect": "Allow", "Action": [action], "Resource": ["*"]}
                        ]}})
                    };
                    let mut group = change(
                        ResourceAddr::named("iam_group", "admins"),
                        Action::Update,
                        vec![field(
                            "inline_policies",
                            Some(read("s3:GetObject")),
                            Some(read("s3:*")),
                        )],
                        &[],
                    );
                    group.permissions_broadened =
                        vec!["inline policy `Read`: on `s3:GetObject` adds action `s3:*`".into()];
                    group
                },
                change(
                    ResourceAddr::named("iam_user", "old-user"),
                    Action::Delete,
                    vec![field("path", Some(json!("/")), None)],
                    &[],
                ),
                change(
                    ResourceAddr::singleton("root_access_keys"),
                    Action::NoOp,
                    vec![],
                    &["1.4"],
                ),
                manual,
            ],
        )
    }

    #[test]
    fn plan_text_snapshot() {
        insta::assert_snapshot!(plan_text(&sample_plan(), Style::default()));
    }

    #[test]
    fn empty_plan_says_no_changes() {
        let plan = Plan::new("123456789012", vec![], vec![]);
        insta::assert_snapshot!(plan_text(&plan, Style::default()));
    }

    #[test]
    fn color_only_repeats_symbols() {
        let plain = plan_text(&sample_plan(), Style { color: false });
        let colored = plan_text(&sample_plan(), Style { color: true });
        assert!(colored.contains("\x1b["));
        let stripped = strip_ansi(&colored);
        assert_eq!(stripped, plain);
    }

    fn strip_ansi(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for d in chars.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn report_snapshot() {
        let plan = sample_plan();
        let mut report = ApplyReport::default();
        report.outcomes.insert(
            ResourceAddr::singleton("iam_password_policy"),
            Outcome::Failed {
                error: ProviderError {
                    address: ResourceAddr::singleton("iam_password_policy"),
                    operation: "iam:UpdateAccountPasswordPolicy".into(),
                    code: Some("AccessDenied".into()),
                    message: "not allowed".into(),
                    hint: Some(
                        "the caller needs the `iam:UpdateAccountPasswordPolicy` permission".into(),
                    ),
                },
            },
        );
        report.outcomes.insert(
            ResourceAddr::named("iam_user", "old-user"),
            Outcome::Skipped {
                because: ResourceAddr::singleton("iam_password_policy"),
            },
        );
        report
            .outcomes
            .insert(ResourceAddr::singleton("account_alias"), Outcome::Applied);
        insta::assert_snapshot!(report_text(&report, &plan, Style::default()));
    }
}
