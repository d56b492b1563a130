//! AWS providers for baseline: the SDK context, and one module per service with one file per
//! resource kind. Each kind turns the spec into desired state, reads the live state, and
//! applies one change; the engine in `baseline-core` does the rest.

mod context;
mod error;
mod iam;
mod init;
mod kind;

use std::sync::Arc;

use baseline_core::plan::Desired;
use baseline_core::{BoxFuture, Provider, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::Value;

pub use context::{AwsContext, ContextOptions, PinError};
pub use iam::user::needing_passwords;
pub use init::describe_account;

use kind::Kind;

/// Every resource kind baseline manages. Adding a kind: one file and one line here.
static KINDS: &[&dyn Kind] = &[
    &iam::password_policy::PasswordPolicy,
    &iam::account_alias::AccountAlias,
    &iam::root::RootMfa,
    &iam::root::RootAccessKeys,
    &iam::group::Group,
    &iam::user::User,
    &iam::role::Role,
    &iam::findings::CredentialFindings,
];

/// The desired resources the spec declares, in address order.
pub fn expand(spec: &Spec) -> Vec<Desired> {
    let mut desired: Vec<Desired> = KINDS.iter().flat_map(|k| k.desired(spec)).collect();
    desired.sort_by(|a, b| a.address.cmp(&b.address));
    desired
}

/// The engine's view of AWS: reads and applies through the kind that owns an address.
#[derive(Debug, Clone)]
pub struct AwsProvider {
    ctx: Arc<AwsContext>,
}

impl AwsProvider {
    pub fn new(ctx: Arc<AwsContext>) -> Self {
        Self { ctx }
    }
}

fn kind_of(address: &ResourceAddr) -> Result<&'static dyn Kind, ProviderError> {
    KINDS
        .iter()
        .copied()
        .find(|k| k.kind() == address.kind)
        .ok_or_else(|| ProviderError {
            address: address.clone(),
            operation: "baseline:Dispatch".to_owned(),
            code: None,
            message: format!("no resource kind `{}` in this version", address.kind),
            hint: Some("the plan may come from another version of baseline".to_owned()),
        })
}

impl Provider for AwsProvider {
    fn read<'a>(
        &'a self,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move { kind_of(address)?.read(&self.ctx, address).await })
    }

    fn apply<'a>(&'a self, change: &'a ResourceChange) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move { kind_of(&change.address)?.apply(&self.ctx, change).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_unique_name() {
        let mut names: Vec<&str> = KINDS.iter().map(|k| k.kind()).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }
}
