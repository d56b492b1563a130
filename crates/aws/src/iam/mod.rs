//! IAM: account-wide settings, the root user's manual items, and (later) identities.

pub(crate) mod account_alias;
pub(crate) mod findings;
pub(crate) mod group;
pub(crate) mod password;
pub(crate) mod password_policy;
pub(crate) mod principal;
pub(crate) mod role;
pub(crate) mod root;
pub(crate) mod service_linked_role;
pub(crate) mod user;
pub(crate) mod user_teardown;
