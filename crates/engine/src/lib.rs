//! The baseline pipeline, apart from any terminal and any cloud SDK: plan one account, plan
//! the member accounts an organization selects, check a saved plan for drift, and apply a
//! plan account by account. What an account is (how it is reached, read and changed) comes
//! from an [`Account`]; what a run tells the person comes out through an [`Observer`].

mod account;
mod apply;
mod planning;
mod saved;
mod shard;
mod tally;
#[cfg(test)]
mod tests;

pub use account::{Account, Member, Observer, Organization};
pub use apply::{apply_members, apply_own};
pub use planning::{Goal, Planned, Selection, plan, plan_account, plan_members};
pub use saved::{drifted, recheck};
pub use shard::{Shard, ShardError};
pub use tally::Tally;

/// How many live reads run at once in one account: 16 per service and region, 128 in all.
/// A read makes one to eight calls; the SDK's adaptive retry slows a lane AWS throttles.
pub const READ_LIMITS: baseline_core::exec::ReadLimits = baseline_core::exec::ReadLimits {
    per_lane: 16,
    total: 128,
};

/// A reason a run stopped, with what to do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    pub hint: Option<String>,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
        }
    }

    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}
