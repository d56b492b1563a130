//! The plan as a pull-request comment, in GitHub Markdown.
//!
//! A comment holds at most 65,536 characters; a large plan (an organization, a fresh
//! account) does not fit. What a reviewer must see is kept first, over every account: the
//! summaries, then each permission change (broadened, or added outside baseline) with its
//! details, then deletions, then manual steps, then the rest. What does not fit is named by
//! address, with a pointer to the full plan.

use std::fmt::Write as _;

use baseline_core::{Action, Plan};

use crate::View;
use crate::fold::{Entry, REGION};
use crate::lines::{self, Edit, Line, cis_suffix, symbol, value, verb};
use crate::summary::{is_multi_account, pending, pinned_planned, summary_line};

/// GitHub's limit for one comment.
pub const MARKDOWN_LIMIT: usize = 65_536;

/// Room kept for each account's note on what was left out.
const NOTE_ROOM: usize = 320;

/// Where the whole plan is, for what a comment leaves out.
const FULL_PLAN: &str = "the full plan is in the job summary and the plan artifact, or run \
                         `baseline show plan.json`";

/// The plan as a pull-request comment: the summary first (counts, then the changes to
/// review first), then one collapsible block per change, the most important first. Never
/// longer than `limit` characters.
pub fn plan_markdown(plan: &Plan, view: View, limit: usize) -> String {
    let mut top = String::new();
    if is_multi_account(plan) {
        let shard = plan
            .shard
            .as_ref()
            .map_or(String::new(), |s| format!(" (shard {s})"));
        let _ = write!(
            top,
            "## baseline plan: {} account(s){shard}\n\n**{}**\n\n",
            plan.accounts.len() + usize::from(pinned_planned(plan)),
            summary_line(plan.counts())
        );
        let failed: Vec<String> = plan
            .accounts
            .iter()
            .filter(|a| a.error.is_some())
            .map(|a| format!("`{}`", a.label()))
            .collect();
        paragraph_of_names(
            &mut top,
            "> [!CAUTION]\n> **Could not be planned:** ",
            &failed,
        );
        for name in &plan.pending_accounts {
            let _ = writeln!(
                top,
                "- `{name}` does not exist yet: apply creates it, and the next plan covers its \
                 baseline."
            );
        }
        if !plan.pending_accounts.is_empty() {
            top.push('\n');
        }
    }
    let mut parts = Vec::new();
    if pinned_planned(plan) {
        let heading = if is_multi_account(plan) {
            format!("### Account `{}` (the pinned account)", plan.account_id)
        } else {
            format!("### baseline plan for account `{}`", plan.account_id)
        };
        parts.push(Part::of(plan, heading, view));
    }
    for account in &plan.accounts {
        let heading = match &account.name {
            Some(name) => format!("### Account {name} (`{}`)", account.account_id),
            None => format!("### Account `{}`", account.account_id),
        };
        parts.push(match &account.error {
            Some(error) => Part::failed(heading, error),
            None => Part::of(&account.as_plan(""), heading, view),
        });
    }
    let chosen = choose(&parts, limit.saturating_sub(top.len()));
    let mut out = top;
    let slack = limit.saturating_sub(out.len() + chosen.iter().map(|c| c.length).sum::<usize>());
    let leaving = chosen.iter().filter(|c| c.left_out() > 0).count();
    let share = slack / leaving.max(1);
    for (part, choice) in parts.iter().zip(&chosen) {
        out.push_str(&part.write(choice, share));
    }
    fit(out, limit)
}

/// Why a change is shown before others: the lower, the earlier.
fn priority(entry: &Entry<'_>) -> usize {
    let change = &entry.change;
    if !change.permissions_broadened.is_empty() || !change.outside_baseline.is_empty() {
        0
    } else if change.action == Action::Delete {
        1
    } else if change.action == Action::Manual {
        2
    } else {
        3
    }
}

/// One account's part of the comment, before it is cut to fit.
struct Part {
    /// Heading, summary and the lists of what to review first.
    head: String,
    /// Each change: its priority, its label and its block, the most important first.
    blocks: Vec<(usize, String, String)>,
}

/// What of a part is shown.
struct Choice {
    /// Which of its blocks are shown.
    shown: Vec<bool>,
    /// The characters of its head and shown blocks, and the room for its note.
    length: usize,
}

impl Choice {
    fn left_out(&self) -> usize {
        self.shown.iter().filter(|s| !**s).count()
    }
}

impl Part {
    fn failed(heading: String, error: &str) -> Self {
        Self {
            head: format!("{heading}\n\nCould not be planned: {error}\n\n"),
            blocks: Vec::new(),
        }
    }

    fn of(plan: &Plan, heading: String, view: View) -> Self {
        let pending = pending(plan);
        let mut head = format!("{heading}\n\n");
        if pending.is_empty() {
            head.push_str("**No changes.** The account matches the baseline.\n\n");
            return Self {
                head,
                blocks: Vec::new(),
            };
        }
        let entries = view.entries(&pending);
        let _ = writeln!(head, "**{}**\n", summary_line(plan.own_counts()));
        let listed = |pick: &dyn Fn(&Entry<'_>) -> bool| -> Vec<String> {
            entries
                .iter()
                .filter(|e| pick(e))
                .map(|e| format!("`{}`", e.label()))
                .collect()
        };
        paragraph_of_names(
            &mut head,
            "> [!WARNING]\n> **Permissions broadened** in ",
            &listed(&|e| !e.change.permissions_broadened.is_empty()),
        );
        paragraph_of_names(
            &mut head,
            "> [!WARNING]\n> **Permissions added outside baseline** (apply removes them) in ",
            &listed(&|e| !e.change.outside_baseline.is_empty()),
        );
        paragraph_of_names(
            &mut head,
            "> [!CAUTION]\n> **Deleted:** ",
            &listed(&|e| e.change.action == Action::Delete),
        );
        paragraph_of_names(
            &mut head,
            "**Manual steps** (apply cannot do them): ",
            &listed(&|e| e.change.action == Action::Manual),
        );
        if entries.iter().any(|e| !e.regions.is_empty()) {
            let _ = writeln!(
                head,
                "_Changes alike in several regions are shown once, `{REGION}` standing for each \
                 region's code. Regions ({}): {}._\n",
                plan.regions.len(),
                plan.regions.join(", ")
            );
        }
        let mut blocks: Vec<(usize, String, String)> = entries
            .iter()
            .map(|e| (priority(e), e.label(), block(e, &plan.regions)))
            .collect();
        // Stable: within a priority, in the plan's order.
        blocks.sort_by_key(|(priority, _, _)| *priority);
        Self { head, blocks }
    }

    /// The part as shown: its head, its chosen blocks, and a note naming what was left
    /// out, within `room` characters past its own length.
    fn write(&self, choice: &Choice, room: usize) -> String {
        let mut out = self.head.clone();
        let mut left = Vec::new();
        for ((_, label, block), shown) in self.blocks.iter().zip(&choice.shown) {
            if *shown {
                out.push_str(block);
            } else {
                left.push(label.as_str());
            }
        }
        if !left.is_empty() {
            out.push_str(&note(&left, NOTE_ROOM + room));
        }
        out
    }
}

/// Chooses the blocks shown in each part within `limit` characters: every head, then the
/// blocks by priority over all parts (all permission changes of every account before any
/// deletion), each while it fits.
fn choose(parts: &[Part], limit: usize) -> Vec<Choice> {
    let mut chosen: Vec<Choice> = parts
        .iter()
        .map(|p| Choice {
            shown: vec![false; p.blocks.len()],
            length: p.head.len() + if p.blocks.is_empty() { 0 } else { NOTE_ROOM },
        })
        .collect();
    let mut used: usize = chosen.iter().map(|c| c.length).sum();
    for level in 0..=3 {
        for (part, choice) in parts.iter().zip(&mut chosen) {
            for (index, (priority, _, block)) in part.blocks.iter().enumerate() {
                if *priority == level && used + block.len() <= limit {
                    choice.shown[index] = true;
                    choice.length += block.len();
                    used += block.len();
                }
            }
        }
    }
    // A part that shows everything needs no note.
    for (part, choice) in parts.iter().zip(&mut chosen) {
        if !part.blocks.is_empty() && choice.shown.iter().all(|s| *s) {
            choice.length -= NOTE_ROOM;
        }
    }
    chosen
}

/// What was left out of a part, by name, within `room` characters.
fn note(left: &[&str], room: usize) -> String {
    let lead = format!(
        "_{} more change(s) not shown, to fit one comment ({FULL_PLAN}):_ ",
        left.len()
    );
    let mut out = lead;
    for (index, label) in left.iter().enumerate() {
        let rest = left.len() - index - 1;
        let name = format!("`{label}`{}", if rest > 0 { ", " } else { "" });
        // Keep room for "and N more".
        if out.len() + name.len() + 24 > room {
            let _ = write!(out, "and {} more", left.len() - index);
            break;
        }
        out.push_str(&name);
    }
    out.push_str("\n\n");
    out
}

/// The comment, cut at a line if even the summaries do not fit, and saying so.
fn fit(mut out: String, limit: usize) -> String {
    if out.len() > limit {
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

/// `lead`, then the names joined with commas, as a paragraph of its own; nothing when there
/// are no names.
fn paragraph_of_names(out: &mut String, lead: &str, names: &[String]) {
    if !names.is_empty() {
        let _ = writeln!(out, "{lead}{}\n", names.join(", "));
    }
}

/// One change as a collapsible block: its header as the summary, its notes and manual
/// step as a list, then its fields as a diff.
fn block(entry: &Entry<'_>, planned: &[String]) -> String {
    let place = entry.place(planned);
    let lines = lines::of(&entry.change, &place);
    let mut block = String::new();
    let mut listed = false;
    for line in &lines {
        match line {
            Line::Header {
                action,
                address,
                cis,
                place,
            } => {
                let _ = write!(
                    block,
                    "<details><summary><code>{} {address}</code> {}{place}{}</summary>\n\n",
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
