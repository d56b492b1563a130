//! IAM: account-wide settings, the root user's manual items, and (later) identities.

pub(crate) mod account_alias;
pub(crate) mod password_policy;
pub(crate) mod root;
