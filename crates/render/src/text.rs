//! The plan as people read it in a terminal.

use std::fmt::Write as _;

use baseline_core::Plan;

use crate::fold::{Entry, REGION};
use crate::lines::{self, Edit, Line, Sign, cis_suffix, symbol, value, verb};
use crate::summary::{is_multi_account, pending, pinned_planned, summary_line};
use crate::{Style, View};

/// The plan as people read it: one block per address that needs something (changes alike
/// in several regions folded into one, unless `view.fold` is off), then a summary line;
/// with member accounts, one such part per account (each with its own summary), then a
/// line over all of them.
pub fn plan_text(plan: &Plan, view: View) -> String {
    let style = view.style;
    if !is_multi_account(plan) {
        return account_text(plan, view);
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
        out.push_str(&account_text(plan, view));
    } else if let Some(shard) = &plan.shard {
        let _ = writeln!(
            out,
            "Shard {shard}: account {} (the pinned account) is planned by shard 1.",
            plan.account_id
        );
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
            None => out.push_str(&account_text(&account.as_plan(""), view)),
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

/// One account's part of a plan.
fn account_text(plan: &Plan, view: View) -> String {
    let style = view.style;
    let mut out = String::new();
    let pending = pending(plan);
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
    let entries = view.entries(&pending);
    if !plan.has_changes() && !view.verbose {
        // Converged: what is left is for a person, and they have seen it before.
        let _ = writeln!(
            out,
            "Nothing for apply to change in account {}; {} manual step(s) remain \
             (`-v` shows why, where and how each is checked):",
            plan.account_id,
            pending.len()
        );
        for entry in &entries {
            let _ = writeln!(out, "  {}", manual_line(entry, &plan.regions, style));
        }
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
        "{head}\nSymbols: + create, ~ update, - delete, ! manual step (apply cannot do it)"
    );
    if entries.iter().any(|e| !e.regions.is_empty()) {
        let _ = writeln!(
            out,
            "Alike in several regions: shown once, `{REGION}` standing for each region's code \
             (--no-fold shows every region). Regions ({}): {}",
            plan.regions.len(),
            plan.regions.join(", ")
        );
    }
    out.push('\n');
    write_warning(
        &mut out,
        style,
        "PERMISSIONS BROADENED (review these first):",
        &entries,
        |e| !e.change.permissions_broadened.is_empty(),
    );
    write_warning(
        &mut out,
        style,
        "PERMISSIONS ADDED OUTSIDE BASELINE (apply removes them; find out who added them):",
        &entries,
        |e| !e.change.outside_baseline.is_empty(),
    );
    for entry in &entries {
        write_change(&mut out, entry, &plan.regions, style);
        out.push('\n');
    }
    let _ = writeln!(out, "{}", style.bold(&summary_line(plan.own_counts())));
    out
}

/// A warning over the entries it is about, by address, when there are any.
fn write_warning(
    out: &mut String,
    style: Style,
    title: &str,
    entries: &[Entry<'_>],
    pick: fn(&Entry<'_>) -> bool,
) {
    let picked: Vec<&Entry<'_>> = entries.iter().filter(|e| pick(e)).collect();
    if picked.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", style.paint("1;31", title));
    for entry in picked {
        let _ = writeln!(out, "  {}", entry.label());
    }
    out.push('\n');
}

/// A pending manual step in one line: its header, then what it should be.
fn manual_line(entry: &Entry<'_>, planned: &[String], style: Style) -> String {
    let change = &entry.change;
    let head = format!(
        "{} {}",
        symbol(change.action),
        style.bold(&change.address.to_string())
    );
    let wanted: Vec<String> = lines::of(change, "")
        .iter()
        .filter_map(|line| match line {
            Line::Field { path, edit } => Some(field_text(path, *edit, 0)),
            Line::Document { path, .. } => Some(format!("{path} differs")),
            _ => None,
        })
        .collect();
    let mut line = format!(
        "{} {}{}{}",
        style.action(change.action, &head),
        verb(change.action),
        entry.place(planned),
        cis_suffix(&change.cis)
    );
    if !wanted.is_empty() {
        let _ = write!(line, ": {}", wanted.join("; "));
    }
    line
}

/// One change: its lines, indented under its header, in the colour of its action.
fn write_change(out: &mut String, entry: &Entry<'_>, planned: &[String], style: Style) {
    let change = &entry.change;
    let place = entry.place(planned);
    let lines = lines::of(change, &place);
    // Plain fields line up their `=`; documents stand apart.
    let width = lines
        .iter()
        .filter_map(|line| match line {
            Line::Field { path, .. } => Some(path.len()),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    for line in &lines {
        match line {
            Line::Header {
                action,
                address,
                cis,
                place,
            } => {
                let head = format!("{} {}", symbol(*action), style.bold(&address.to_string()));
                let _ = writeln!(
                    out,
                    "  {} {}{place}{}",
                    style.action(*action, &head),
                    verb(*action),
                    cis_suffix(cis)
                );
            }
            Line::Note { note, text } => {
                let label = format!("{}:", note.label());
                let _ = writeln!(out, "      {} {text}", style.paint("1;31", &label));
            }
            Line::Field { path, edit } => {
                let line = field_line(path, *edit, width);
                let _ = writeln!(out, "      {}", style.action(change.action, &line));
            }
            Line::Document { path, edit, diff } => {
                let head = format!("{} {path}:", edit.symbol());
                let _ = writeln!(out, "      {}", style.action(change.action, &head));
                for line in diff {
                    let code = match line.sign {
                        Sign::Removed => "31",
                        Sign::Added => "32",
                        Sign::Kept => "0",
                    };
                    let text = format!("{} {}", line.sign.symbol(), line.text);
                    let _ = writeln!(out, "          {}", style.paint(code, &text));
                }
            }
            Line::Manual { part, text } => {
                let label = format!("{}:", part.label());
                let _ = writeln!(out, "        {label:8} {text}");
            }
        }
    }
}

/// `~ path = before → after`, the path padded to `width`.
fn field_line(path: &str, edit: Edit<'_>, width: usize) -> String {
    format!("{} {}", edit.symbol(), field_text(path, edit, width))
}

/// `path = before → after` without its mark, the path padded to `width`.
fn field_text(path: &str, edit: Edit<'_>, width: usize) -> String {
    let path = format!("{path:width$}");
    match edit {
        Edit::Added(one) | Edit::Removed(one) => format!("{path} = {}", value(one)),
        Edit::Changed { before, after }
        | Edit::Wanted {
            have: before,
            want: after,
        } => format!("{path} = {} → {}", value(before), value(after)),
        Edit::Bare => path,
    }
}
