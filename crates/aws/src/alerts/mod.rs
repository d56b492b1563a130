//! `alerts:` — SNS topics, their subscriptions, and the EventBridge rules that feed them.

mod catalog;
pub(crate) mod equivalents;
pub(crate) mod rule;
pub(crate) mod subscription;
pub(crate) mod topic;
