//! The plan as a pull-request comment, in GitHub Markdown.

use std::fmt::Write as _;

use baseline_core::{Action, Plan, ResourceChange};

use crate::lines::{self, Edit, Line, cis_suffix, symbol, value, verb};
use crate::summary::{is_multi_account, pending, pinned_planned, summary_line};

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
    paragraph_of_names(
        &mut out,
        "> [!CAUTION]\n> **Could not be planned:** ",
        &failed,
    );
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

/// `lead`, then the names joined with commas, as a paragraph of its own; nothing when there
/// are no names.
fn paragraph_of_names(out: &mut String, lead: &str, names: &[String]) {
    if !names.is_empty() {
        let _ = writeln!(out, "{lead}{}\n", names.join(", "));
    }
}

/// One account's part of the comment, within `limit` characters.
fn account_markdown(plan: &Plan, limit: usize) -> String {
    let pending = pending(plan);
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
    paragraph_of_names(
        &mut head,
        "> [!WARNING]\n> **Permissions broadened** in ",
        &listed(&|c| !c.permissions_broadened.is_empty()),
    );
    paragraph_of_names(
        &mut head,
        "> [!WARNING]\n> **Permissions added outside baseline** (apply removes them) in ",
        &listed(&|c| !c.outside_baseline.is_empty()),
    );
    paragraph_of_names(
        &mut head,
        "> [!CAUTION]\n> **Deleted:** ",
        &listed(&|c| c.action == Action::Delete),
    );
    paragraph_of_names(
        &mut head,
        "**Manual steps** (apply cannot do them): ",
        &listed(&|c| c.action == Action::Manual),
    );
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

/// One change as a collapsible block: its header as the summary, its notes and manual
/// step as a list, then its fields as a diff.
fn markdown_block(change: &ResourceChange) -> String {
    let lines = lines::of(change);
    let mut block = String::new();
    let mut listed = false;
    for line in &lines {
        match line {
            Line::Header {
                action,
                address,
                cis,
            } => {
                let _ = write!(
                    block,
                    "<details><summary><code>{} {address}</code> {}{}</summary>\n\n",
                    symbol(*action),
                    verb(*action),
                    cis_suffix(cis)
                );
            }
            Line::Note { note, text } => {
                let _ = writeln!(block, "- :warning: {}: {text}", note.label());
                listed = true;
            }
            Line::Manual { part, text } => {
                let _ = writeln!(block, "- {}: {text}", part.label());
                listed = true;
            }
            Line::Field { .. } | Line::Document { .. } => {}
        }
    }
    if listed {
        block.push('\n');
    }
    block.push_str("```diff\n");
    for line in &lines {
        match line {
            Line::Field { path, edit } => write_field(&mut block, path, *edit),
            Line::Document { path, diff, .. } => {
                let _ = writeln!(block, "  {path}:");
                for line in diff {
                    let _ = writeln!(block, "{} {}", line.sign.symbol(), line.text);
                }
            }
            Line::Header { .. } | Line::Note { .. } | Line::Manual { .. } => {}
        }
    }
    block.push_str("```\n\n</details>\n\n");
    block
}

/// A plain field as diff lines: the old value removed and the new one added, or, for a
/// manual step, what it is and what it should be.
fn write_field(block: &mut String, path: &str, edit: Edit<'_>) {
    match edit {
        Edit::Wanted { have, want } => {
            let _ = writeln!(block, "! {path} = {} (want {})", value(have), value(want));
        }
        Edit::Changed { before, after } => {
            let _ = writeln!(block, "- {path} = {}", value(before));
            let _ = writeln!(block, "+ {path} = {}", value(after));
        }
        Edit::Removed(before) => {
            let _ = writeln!(block, "- {path} = {}", value(before));
        }
        Edit::Added(after) => {
            let _ = writeln!(block, "+ {path} = {}", value(after));
        }
        Edit::Bare => {}
    }
}
