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
/// summary line; with member accounts, one such part per account (each with its own
/// summary), then a line over all of them.
pub fn plan_text(plan: &Plan, style: Style) -> String {
    if !is_multi_account(plan) {
        return account_text(plan, style);
    }
    let mut out = String::new();
    if pinned_planned(plan) {
        let _ = writeln!(
            out,
            "{}",
            style.bold(&format!(
                "── Account {} (the pinned account, with its own credentials) ──",
                plan.account_id
            ))
        );
        out.push_str(&account_text(plan, style));
    } else {
        let _ = writeln!(
            out,
            "Account {}: not planned (not among --target-account {}).",
            plan.account_id,
            plan.limited_to.join(", ")
        );
    }
    for account in &plan.accounts {
        let _ = writeln!(
            out,
            "\n{}",
            style.bold(&format!(
                "── Account {} through {} ──",
                account.label(),
                account.role_arn
            ))
        );
        match &account.error {
            Some(error) => {
                let _ = writeln!(
                    out,
                    "{} {error}\nThis account is not in the plan; apply leaves it alone.",
                    style.paint("31", "could not be planned:")
                );
            }
            None => out.push_str(&account_text(&account.as_plan(""), style)),
        }
    }
    for name in &plan.pending_accounts {
        let _ = writeln!(
            out,
            "\nAccount `{name}` does not exist yet: apply creates it, and the next plan covers its baseline."
        );
    }
    let failed = plan.accounts.iter().filter(|a| a.error.is_some()).count();
    let changing = plan.accounts.iter().filter(|a| a.has_changes()).count()
        + usize::from(plan.changes.iter().any(|c| c.action.is_change()));
    let _ = writeln!(
        out,
        "\n{} {} account(s) planned, {changing} with changes, {failed} could not be planned.",
        style.bold(&summary_line(plan.counts())),
        plan.accounts.len() - failed + usize::from(pinned_planned(plan)),
    );
    out
}

/// Whether the plan covers member accounts (or was limited to some accounts).
fn is_multi_account(plan: &Plan) -> bool {
    !plan.accounts.is_empty() || !plan.limited_to.is_empty() || !plan.pending_accounts.is_empty()
}

/// Whether the pinned account itself was planned (`--target-account` may leave it out).
fn pinned_planned(plan: &Plan) -> bool {
    plan.limited_to.is_empty() || plan.limited_to.contains(&plan.account_id)
}

/// One account's part of a plan.
fn account_text(plan: &Plan, style: Style) -> String {
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
    let head = if plan.has_changes() {
        format!("Account {} differs from the baseline:", plan.account_id)
    } else {
        format!(
            "Nothing for apply to change in account {}; manual steps remain:",
            plan.account_id
        )
    };
    let _ = writeln!(
        out,
        "{head}\nSymbols: + create, ~ update, - delete, ! manual step (apply cannot do it)\n"
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
    let outside: Vec<&ResourceChange> = pending
        .iter()
        .copied()
        .filter(|c| !c.outside_baseline.is_empty())
        .collect();
    if !outside.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            style.paint(
                "1;31",
                "PERMISSIONS ADDED OUTSIDE BASELINE (apply removes them; find out who added them):"
            )
        );
        for change in &outside {
            let _ = writeln!(out, "  {}", change.address);
        }
        out.push('\n');
    }
    for change in pending {
        write_change(&mut out, change, style);
        out.push('\n');
    }
    let _ = writeln!(out, "{}", style.bold(&summary_line(plan.own_counts())));
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
    for what in &change.outside_baseline {
        let _ = writeln!(
            out,
            "      {} {what}",
            style.paint("1;31", "added outside baseline:")
        );
    }
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
        // Keys in sorted order whatever map serde_json was built with.
        let mut v = v.clone();
        v.sort_all_objects();
        let mut text = serde_json::to_string_pretty(&v).unwrap_or_else(|_| v.to_string());
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
    for (sign, line) in document_lines(field) {
        let code = match sign {
            '-' => "31",
            '+' => "32",
            _ => "0",
        };
        let _ = writeln!(
            out,
            "          {}",
            style.paint(code, &format!("{sign} {line}"))
        );
    }
}

/// The lines of a document field's pretty JSON, each marked `-` (removed), `+` (added) or
/// ` ` (kept).
fn document_lines(field: &FieldChange) -> Vec<(char, String)> {
    let before = pretty(field.before.as_ref());
    let after = pretty(field.after.as_ref());
    similar::TextDiff::from_lines(&before, &after)
        .iter_all_changes()
        .map(|change| {
            let sign = match change.tag() {
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
                similar::ChangeTag::Equal => ' ',
            };
            (sign, change.value().trim_end_matches('\n').to_owned())
        })
        .collect()
}

/// A value as it appears in a plan: JSON, compact.
pub fn value(value: &Value) -> String {
    let mut value = value.clone();
    value.sort_all_objects();
    serde_json::to_string(&value).unwrap_or_else(|_| value.to_string())
}

/// `Plan: 1 to create, 1 to update, 0 to delete, 2 manual.`
pub fn summary_line(counts: Counts) -> String {
    format!(
        "Plan: {} to create, {} to update, {} to delete, {} manual.",
        counts.create, counts.update, counts.delete, counts.manual
    )
}

/// The plan in its documented JSON form (docs/plan-format.md); also the saved-plan format.
pub fn plan_json(plan: &Plan) -> String {
    // Sealed: the document carries the checksum of its content, which apply verifies.
    let mut sealed = plan.clone();
    sealed.seal();
    let mut text = serde_json::to_string_pretty(&sealed).unwrap_or_default();
    text.push('\n');
    text
}

/// GitHub's limit for one comment.
pub const MARKDOWN_LIMIT: usize = 65_536;

/// The plan as a pull-request comment: the summary first (counts, then broadened
/// permissions and deletions), then one collapsible block per resource. Never longer than
/// `limit` characters: blocks that do not fit are left out with a note, the summary stays.
pub fn plan_markdown(plan: &Plan, limit: usize) -> String {
    if !is_multi_account(plan) {
        return account_markdown(plan, limit);
    }
    let mut out = format!(
        "## baseline plan: {} account(s)\n\n**{}**\n\n",
        plan.accounts.len() + 1,
        summary_line(plan.counts())
    );
    let failed: Vec<String> = plan
        .accounts
        .iter()
        .filter(|a| a.error.is_some())
        .map(|a| format!("`{}`", a.label()))
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(
            out,
            "> [!CAUTION]\n> **Could not be planned:** {}\n",
            failed.join(", ")
        );
    }
    for name in &plan.pending_accounts {
        let _ = writeln!(
            out,
            "- `{name}` does not exist yet: apply creates it, and the next plan covers its baseline."
        );
    }
    // Each account gets an equal share of what is left, so one long account cannot push
    // the others out of the comment.
    let count = plan.accounts.len() + usize::from(pinned_planned(plan));
    let share = limit.saturating_sub(out.len()) / count.max(1);
    if pinned_planned(plan) {
        out.push_str(&account_markdown(plan, share));
    }
    for account in &plan.accounts {
        match &account.error {
            Some(error) => {
                let _ = writeln!(
                    out,
                    "### account `{}`\n\nCould not be planned: {error}\n",
                    account.label()
                );
            }
            None => out.push_str(&account_markdown(&account.as_plan(""), share)),
        }
    }
    out
}

fn account_markdown(plan: &Plan, limit: usize) -> String {
    let pending: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    let mut head = format!("### baseline plan for account `{}`\n\n", plan.account_id);
    if pending.is_empty() {
        head.push_str("**No changes.** The account matches the baseline.\n");
        return head;
    }
    let _ = writeln!(head, "**{}**\n", summary_line(plan.own_counts()));
    let listed = |pick: &dyn Fn(&ResourceChange) -> bool| -> Vec<String> {
        pending
            .iter()
            .filter(|c| pick(c))
            .map(|c| format!("`{}`", c.address))
            .collect()
    };
    let broadened = listed(&|c| !c.permissions_broadened.is_empty());
    if !broadened.is_empty() {
        let _ = writeln!(
            head,
            "> [!WARNING]\n> **Permissions broadened** in {}\n",
            broadened.join(", ")
        );
    }
    let outside = listed(&|c| !c.outside_baseline.is_empty());
    if !outside.is_empty() {
        let _ = writeln!(
            head,
            "> [!WARNING]\n> **Permissions added outside baseline** (apply removes them) in {}\n",
            outside.join(", ")
        );
    }
    let deleted = listed(&|c| c.action == Action::Delete);
    if !deleted.is_empty() {
        let _ = writeln!(
            head,
            "> [!CAUTION]\n> **Deleted:** {}\n",
            deleted.join(", ")
        );
    }
    let manual = listed(&|c| c.action == Action::Manual);
    if !manual.is_empty() {
        let _ = writeln!(
            head,
            "**Manual steps** (apply cannot do them): {}\n",
            manual.join(", ")
        );
    }
    let blocks: Vec<String> = pending.iter().map(|c| markdown_block(c)).collect();
    let note = |left: usize| {
        format!(
            "\n_{left} more resource(s) not shown: the plan is longer than one comment allows. \
             Run `baseline show plan.json` to see all of it._\n"
        )
    };
    let mut out = head;
    for (index, block) in blocks.iter().enumerate() {
        let left_after = blocks.len() - index - 1;
        let reserve = if left_after > 0 {
            note(left_after).len()
        } else {
            0
        };
        if out.len() + block.len() + reserve > limit {
            out.push_str(&note(blocks.len() - index));
            break;
        }
        out.push_str(block);
    }
    if out.len() > limit {
        // Even the summary is too long: cut it at a line, and say so.
        let mut end = limit.saturating_sub(80);
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        let cut = out[..end].rfind('\n').unwrap_or(0);
        out.truncate(cut);
        out.push_str("\n\n_The plan summary was cut to fit one comment._\n");
    }
    out
}

fn markdown_block(change: &ResourceChange) -> String {
    let action = change.action;
    let cis = if change.cis.is_empty() {
        String::new()
    } else {
        format!(" (CIS {})", change.cis.join(", "))
    };
    let mut block = format!(
        "<details><summary><code>{} {}</code> {}{cis}</summary>\n\n",
        symbol(action),
        change.address,
        verb(action)
    );
    for what in &change.outside_baseline {
        let _ = writeln!(block, "- :warning: added outside baseline: {what}");
    }
    for reason in &change.permissions_broadened {
        let _ = writeln!(block, "- :warning: permissions broadened: {reason}");
    }
    if let Some(manual) = &change.manual {
        let _ = writeln!(block, "- why: {}", manual.reason);
        let _ = writeln!(block, "- console: {}", manual.console);
        let _ = writeln!(block, "- checked: {}", manual.verified_by);
    }
    if !change.permissions_broadened.is_empty()
        || !change.outside_baseline.is_empty()
        || change.manual.is_some()
    {
        block.push('\n');
    }
    block.push_str("```diff\n");
    for field in &change.fields {
        if is_document(field) {
            let _ = writeln!(block, "  {}:", field.path);
            for (sign, line) in document_lines(field) {
                let _ = writeln!(block, "{sign} {line}");
            }
            continue;
        }
        match (&field.before, &field.after) {
            (Some(before), Some(after)) if action == Action::Manual => {
                let _ = writeln!(
                    block,
                    "! {} = {} (want {})",
                    field.path,
                    value(before),
                    value(after)
                );
            }
            (before, after) => {
                if let Some(before) = before {
                    let _ = writeln!(block, "- {} = {}", field.path, value(before));
                }
                if let Some(after) = after {
                    let _ = writeln!(block, "+ {} = {}", field.path, value(after));
                }
            }
        }
    }
    block.push_str("```\n\n</details>\n\n");
    block
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
    use baseline_core::plan::{AccountPlan, ManualStep};
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
            outside_baseline: vec![],
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
    fn markdown_snapshot() {
        insta::assert_snapshot!(plan_markdown(&sample_plan(), MARKDOWN_LIMIT));
    }

    #[test]
    fn markdown_of_a_large_plan_stays_within_the_limit_and_keeps_the_summary() {
        let big = json!({"Statement": (0..40).map(|i| json!({"Sid": format!("S{i}"), "Effect": "Allow", "Action": [format!("svc{i}:Get")], "Resource": ["*"]})).collect::<Vec<_>>()});
        let changes = (0..300)
            .map(|i| {
                let mut c = change(
                    ResourceAddr::named("iam_group", &format!("g{i:03}")),
                    Action::Create,
                    vec![field(
                        "inline_policies",
                        None,
                        Some(json!({"p": big.clone()})),
                    )],
                    &[],
                );
                c.permissions_broadened = vec!["attaches something".into()];
                c
            })
            .collect();
        let plan = Plan::new("123456789012", vec![], changes);
        let text = plan_markdown(&plan, MARKDOWN_LIMIT);
        assert!(text.len() <= MARKDOWN_LIMIT, "{} characters", text.len());
        assert!(text.contains("Plan: 300 to create, 0 to update, 0 to delete, 0 manual."));
        assert!(
            text.contains("`iam_group.g299`"),
            "the summary names every broadened resource"
        );
        assert!(text.contains("more resource(s) not shown"));
        assert_eq!(
            text.matches("<details>").count(),
            text.matches("</details>").count()
        );
    }

    #[test]
    fn json_round_trips() {
        let plan = sample_plan();
        let back: Plan = serde_json::from_str(&plan_json(&plan)).expect("parses");
        assert_eq!(back.changes, plan.changes);
        let value: Value = serde_json::from_str(&plan_json(&plan)).expect("json");
        assert_eq!(value["format_version"], "2.1");
        assert_eq!(value["resource_changes"][0]["actions"], json!(["update"]));
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

    /// Every kind of line a change can have: both kinds of permission notes, documents
    /// created, deleted and changed, a list of maps, an empty map, a field with neither
    /// side, and a manual item with a document and a field it only adds.
    fn rich_plan() -> Plan {
        let policy = |action: &str| {
            json!({"Statement": [
                {"Effect": "Allow", "Action": [action], "Resource": ["*"]}
            ]})
        };
        let mut ops = change(
            ResourceAddr::named("iam_group", "ops"),
            Action::Update,
            vec![
                field(
                    "attached_policies",
                    Some(json!(["arn:aws:iam::aws:policy/ReadOnlyAccess"])),
                    Some(json!([])),
                ),
                field(
                    "inline_policies",
                    Some(json!({"Ops": policy("ec2:Describe*")})),
                    Some(json!({"Ops": policy("ec2:*")})),
                ),
                field("tags", None, Some(json!([{"Key": "team", "Value": "ops"}]))),
            ],
            &["1.15", "1.16"],
        );
        ops.outside_baseline = vec![
            "managed policy `arn:aws:iam::aws:policy/AdministratorAccess`".into(),
            "member `mallory`".into(),
        ];
        ops.permissions_broadened =
            vec!["inline policy `Ops`: on `ec2:Describe*` adds action `ec2:*`".into()];
        let mut watcher = change(
            ResourceAddr::named("iam_user", "watcher"),
            Action::Update,
            vec![field(
                "groups",
                Some(json!(["auditors"])),
                Some(json!(["auditors", "viewers"])),
            )],
            &[],
        );
        watcher.outside_baseline = vec!["inline policy `Extra`".into()];
        let mut block = change(
            ResourceAddr::singleton("s3_account_public_access_block").in_region("us-east-1"),
            Action::Manual,
            vec![
                field(
                    "settings",
                    Some(json!({"BlockPublicAcls": false, "IgnorePublicAcls": true})),
                    Some(json!({"BlockPublicAcls": true, "IgnorePublicAcls": true})),
                ),
                field("enabled", Some(json!(false)), Some(json!(true))),
                field("note", None, Some(json!("by hand"))),
            ],
            &["2.1.4"],
        );
        block.manual = Some(ManualStep {
            reason: "the account is managed by another tool".into(),
            console: "S3 → Block Public Access settings for this account".into(),
            verified_by: "s3control:GetPublicAccessBlock".into(),
        });
        Plan::new(
            "123456789012",
            vec!["us-east-1".into()],
            vec![
                ops,
                watcher,
                change(
                    ResourceAddr::named("iam_role", "audit"),
                    Action::Create,
                    vec![
                        field("assume_role_policy", None, Some(policy("sts:AssumeRole"))),
                        field("description", None, None),
                        field("labels", None, Some(json!({}))),
                        field("path", None, Some(json!("/"))),
                    ],
                    &[],
                ),
                change(
                    ResourceAddr::named("iam_role", "legacy"),
                    Action::Delete,
                    vec![
                        field("assume_role_policy", Some(policy("sts:AssumeRole")), None),
                        field("max_session_duration", Some(json!(3600)), None),
                    ],
                    &[],
                ),
                change(
                    ResourceAddr::singleton("ebs_encryption_by_default").in_region("us-east-1"),
                    Action::NoOp,
                    vec![],
                    &["2.2.1"],
                ),
                block,
            ],
        )
    }

    /// A plan with only manual steps left.
    fn manual_only_plan() -> Plan {
        let mut mfa = change(
            ResourceAddr::singleton("root_mfa"),
            Action::Manual,
            vec![field("mfa_enabled", Some(json!(false)), Some(json!(true)))],
            &["1.5"],
        );
        mfa.manual = Some(ManualStep {
            reason: "no API".into(),
            console: "Security credentials → MFA".into(),
            verified_by: "iam:GetAccountSummary (AccountMFAEnabled)".into(),
        });
        Plan::new(
            "123456789012",
            vec![],
            vec![
                mfa,
                change(
                    ResourceAddr::singleton("iam_password_policy"),
                    Action::NoOp,
                    vec![],
                    &[],
                ),
            ],
        )
    }

    /// The pinned account and members: one with changes, one with only manual steps, one
    /// up to date, one that could not be planned, and one that does not exist yet.
    fn multi_account_plan() -> Plan {
        let role = |id: &str| format!("arn:aws:iam::{id}:role/baseline");
        let mut delete = change(
            ResourceAddr::named("iam_user", "intern"),
            Action::Delete,
            vec![field("path", Some(json!("/")), None)],
            &[],
        );
        delete.outside_baseline = vec!["access key `AKIA0000`".into()];
        let members = vec![
            AccountPlan::new(
                "210987654321",
                Some("prod".into()),
                role("210987654321"),
                vec!["eu-west-1".into()],
                vec![
                    change(
                        ResourceAddr::singleton("account_alias"),
                        Action::Create,
                        vec![field("alias", None, Some(json!("prod")))],
                        &[],
                    ),
                    delete,
                ],
            ),
            AccountPlan::new(
                "333333333333",
                None,
                role("333333333333"),
                vec!["eu-west-1".into()],
                vec![change(
                    ResourceAddr::singleton("account_alias"),
                    Action::NoOp,
                    vec![],
                    &[],
                )],
            ),
            AccountPlan::new(
                "222222222222",
                Some("shared".into()),
                role("222222222222"),
                vec![],
                manual_only_plan().changes,
            ),
            AccountPlan::failed(
                "444444444444",
                Some("sandbox".into()),
                role("444444444444"),
                "sts:AssumeRole failed with AccessDenied: not authorized".into(),
            ),
        ];
        let mut plan = sample_plan().with_accounts(members);
        plan.pending_accounts = vec!["staging".into()];
        plan
    }

    /// `multi_account_plan` run with `--target-account` naming one member only.
    fn limited_plan() -> Plan {
        let mut plan = multi_account_plan();
        plan.changes.clear();
        plan.accounts.retain(|a| a.account_id == "210987654321");
        plan.pending_accounts.clear();
        plan.limited_to = vec!["210987654321".into()];
        plan.recount();
        plan
    }

    /// Colour codes made visible, so a snapshot shows which text gets which colour.
    fn visible_ansi(text: &str) -> String {
        text.replace('\x1b', "<ESC>")
    }

    #[test]
    fn rich_plan_text_snapshot() {
        insta::assert_snapshot!(plan_text(&rich_plan(), Style::default()));
    }

    #[test]
    fn rich_plan_colored_snapshot() {
        insta::assert_snapshot!(visible_ansi(&plan_text(
            &rich_plan(),
            Style { color: true }
        )));
    }

    #[test]
    fn rich_plan_markdown_snapshot() {
        insta::assert_snapshot!(plan_markdown(&rich_plan(), MARKDOWN_LIMIT));
    }

    #[test]
    fn sample_plan_colored_snapshot() {
        insta::assert_snapshot!(visible_ansi(&plan_text(
            &sample_plan(),
            Style { color: true }
        )));
    }

    #[test]
    fn manual_only_plan_text_snapshot() {
        insta::assert_snapshot!(plan_text(&manual_only_plan(), Style::default()));
    }

    #[test]
    fn manual_only_plan_markdown_snapshot() {
        insta::assert_snapshot!(plan_markdown(&manual_only_plan(), MARKDOWN_LIMIT));
    }

    #[test]
    fn empty_plan_markdown_snapshot() {
        let plan = Plan::new("123456789012", vec![], vec![]);
        insta::assert_snapshot!(plan_markdown(&plan, MARKDOWN_LIMIT));
    }

    #[test]
    fn multi_account_text_snapshot() {
        insta::assert_snapshot!(plan_text(&multi_account_plan(), Style::default()));
    }

    #[test]
    fn multi_account_colored_snapshot() {
        insta::assert_snapshot!(visible_ansi(&plan_text(
            &multi_account_plan(),
            Style { color: true }
        )));
    }

    #[test]
    fn multi_account_markdown_snapshot() {
        insta::assert_snapshot!(plan_markdown(&multi_account_plan(), MARKDOWN_LIMIT));
    }

    #[test]
    fn multi_account_markdown_shares_a_small_limit_snapshot() {
        insta::assert_snapshot!(plan_markdown(&multi_account_plan(), 2_500));
    }

    #[test]
    fn limited_plan_text_snapshot() {
        insta::assert_snapshot!(plan_text(&limited_plan(), Style::default()));
    }

    #[test]
    fn limited_plan_markdown_snapshot() {
        insta::assert_snapshot!(plan_markdown(&limited_plan(), MARKDOWN_LIMIT));
    }

    #[test]
    fn markdown_leaves_out_blocks_that_do_not_fit_snapshot() {
        insta::assert_snapshot!(plan_markdown(&sample_plan(), 1_000));
    }

    #[test]
    fn markdown_cuts_a_summary_that_does_not_fit_snapshot() {
        insta::assert_snapshot!(plan_markdown(&rich_plan(), 300));
    }

    #[test]
    fn report_of_a_complete_apply_snapshot() {
        let plan = Plan::new("123456789012", vec![], sample_plan().changes[..2].to_vec());
        let mut report = ApplyReport::default();
        for change in &plan.changes {
            report
                .outcomes
                .insert(change.address.clone(), Outcome::Applied);
        }
        insta::assert_snapshot!(visible_ansi(&report_text(
            &report,
            &plan,
            Style { color: true }
        )));
    }

    #[test]
    fn report_colored_snapshot() {
        let plan = sample_plan();
        let mut report = ApplyReport::default();
        report.outcomes.insert(
            ResourceAddr::singleton("iam_password_policy"),
            Outcome::Failed {
                error: ProviderError {
                    address: ResourceAddr::singleton("iam_password_policy"),
                    operation: "iam:UpdateAccountPasswordPolicy".into(),
                    code: None,
                    message: "throttled".into(),
                    hint: None,
                },
            },
        );
        report.outcomes.insert(
            ResourceAddr::named("iam_user", "old-user"),
            Outcome::Skipped {
                because: ResourceAddr::singleton("iam_password_policy"),
            },
        );
        insta::assert_snapshot!(visible_ansi(&report_text(
            &report,
            &plan,
            Style { color: true }
        )));
    }
}
