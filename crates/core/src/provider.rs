//! The one interface between the engine and the outside world: read a resource's live
//! state, apply one change. Implementations do the IO; everything else here is pure.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::addr::ResourceAddr;
use crate::plan::ResourceChange;

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
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>>;

    fn apply<'a>(&'a self, change: &'a ResourceChange) -> BoxFuture<'a, Result<(), ProviderError>>;
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
