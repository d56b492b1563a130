//! What every resource kind provides: desired state from the spec, live state from AWS,
//! and one change applied.

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::Value;

use crate::context::AwsContext;
use crate::error::unsupported;

pub(crate) trait Kind: Send + Sync {
    /// The address kind, e.g. `iam_password_policy`.
    fn kind(&self) -> &'static str;

    /// The resources of this kind that the spec declares.
    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired>;

    /// The live state in the same canonical JSON as `desired`; `None` only on "not found".
    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>>;

    /// Whether `baseline destroy` leaves this kind as it is: protections that are turned on,
    /// never off (guardrails, region opt-in), and keys and logs that outlive their users.
    fn kept_by_destroy(&self) -> bool {
        false
    }

    /// Makes one create, update or delete. Kinds that are manual items keep this default.
    fn apply<'a>(
        &'a self,
        _ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move { Err(unsupported(&change.address, "a manual step")) })
    }
}

/// The region of a regional address (us-east-1, IAM's, for a global one).
pub(crate) fn region_of(address: &ResourceAddr) -> &str {
    address.region.as_deref().unwrap_or("us-east-1")
}

/// The name part of an address; empty for a singleton.
pub(crate) fn name_of(address: &ResourceAddr) -> &str {
    address.name.as_deref().unwrap_or_default()
}
