//! What the text and Markdown plans work out alike before they write a change: the
//! summary line, the accounts a plan covers, and the changes it lists.

use baseline_core::plan::Counts;
use baseline_core::{Action, Plan, ResourceChange};

/// `Plan: 1 to create, 1 to update, 0 to delete, 2 manual.`
pub fn summary_line(counts: Counts) -> String {
    format!(
        "Plan: {} to create, {} to update, {} to delete, {} manual.",
        counts.create, counts.update, counts.delete, counts.manual
    )
}

/// Whether the plan covers member accounts (or was limited to some accounts).
pub(crate) fn is_multi_account(plan: &Plan) -> bool {
    !plan.accounts.is_empty()
        || !plan.limited_to.is_empty()
        || !plan.pending_accounts.is_empty()
        || plan.shard.is_some()
}

/// Whether the pinned account itself was planned (`--target-account` may leave it out).
pub(crate) fn pinned_planned(plan: &Plan) -> bool {
    plan.limited_to.is_empty() || plan.limited_to.contains(&plan.account_id)
}

/// The changes a plan lists: every one that needs something.
pub(crate) fn pending(plan: &Plan) -> Vec<&ResourceChange> {
    plan.changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect()
}
