//! The one interface between the engine and the outside world: read a resource's live
//! state, apply one change. Implementations do the IO; everything else here is pure.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::addr::ResourceAddr;
use crate::plan::{Desired, ResourceChange};

/// A boxed future, so that providers can be used as trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Reads and changes real resources.
///
/// `read` answers `Ok(None)` only when the service says the resource does not exist; any
/// other failure (access denied, throttling, a network error) is an error, never "absent".
/// `apply` must be idempotent and change one resource.
pub trait Provider: Send + Sync {
    fn read<'a>(
        &'a self,
        request: &'a ReadRequest,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>>;

    fn apply<'a>(&'a self, change: &'a ResourceChange) -> BoxFuture<'a, Result<(), ProviderError>>;
}

/// What a read is given: the address, and what the baseline wants there (the declared
/// state when planning, the saved plan's `after` when checking a saved plan for drift),
/// so that a read needs no side route to learn what it looks for.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadRequest {
    pub address: ResourceAddr,
    /// The wanted state in the kind's canonical JSON; `None` when nothing is wanted (a
    /// delete) or only the address is known.
    pub want: Option<Value>,
    /// The wanted resource's write-only settings (see [`Desired::write_only`]).
    pub write_only: Value,
}

impl ReadRequest {
    /// A read for planning `desired`.
    pub fn of(desired: &Desired) -> Self {
        Self {
            address: desired.address.clone(),
            want: Some(desired.state.clone()),
            write_only: desired.write_only.clone(),
        }
    }

    /// A read of whatever is at `address` (describing an account, wanting nothing).
    pub fn at(address: ResourceAddr) -> Self {
        Self {
            address,
            want: None,
            write_only: Value::Null,
        }
    }

    /// A read that checks `change`, planned earlier, against the account now.
    pub fn recheck(change: &ResourceChange) -> Self {
        Self {
            address: change.address.clone(),
            want: change.after.clone(),
            write_only: change.write_only.clone(),
        }
    }
}

/// A failed read or apply, with the address and operation it concerns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct ProviderError {
    pub address: ResourceAddr,
    /// The API operation, e.g. `iam:UpdateAccountPasswordPolicy`.
    pub operation: String,
    /// The service's error code, e.g. `AccessDenied`.
    pub code: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} failed", self.address, self.operation)?;
        if let Some(code) = &self.code {
            write!(f, " with {code}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {hint}")?;
        }
        Ok(())
    }
}
