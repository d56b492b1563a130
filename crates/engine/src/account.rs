//! What the engine needs from the world: an account it can reach, read and change, and
//! someone to tell how the run goes.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use baseline_core::exec::Event;
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{AccountPlan, Provider, ResourceAddr, Spec};

/// One account, reached with credentials that are checked to be its own.
pub trait Account: Send + Sync + Sized + 'static {
    /// Reads and changes this account's resources.
    fn provider(self: Arc<Self>) -> Arc<dyn Provider>;

    /// The regions and names `spec` is expanded against in this account.
    fn scope(&self, spec: &Spec) -> impl Future<Output = Result<Scope, String>> + Send;

    /// The resources `spec` declares in `scope`, in address order.
    fn expand(&self, spec: &Spec, scope: &Scope) -> Vec<Desired>;

    /// Whether a destroy removes the resource at `address` (some are kept on purpose).
    fn destroys(&self, address: &ResourceAddr) -> bool;

    /// The member account `account_id`, reached through `role`: the role's ARN, and the
    /// account once its identity is checked, or why it could not be reached.
    fn reach(
        &self,
        account_id: &str,
        role: &str,
    ) -> impl Future<Output = (String, Result<Arc<Self>, String>)> + Send;

    /// The account was planned: what it keeps only for reading (clients, shared answers)
    /// may go, so that an organization of many accounts does not hold them all at once. It
    /// is made again if the account is used later (apply).
    fn rest(&self) {}
}

/// A member account a run covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub account_id: String,
    /// Its name in the file, if it has one.
    pub name: Option<String>,
}

/// The organization as far as a run needs it (found by the caller before planning).
#[derive(Clone, Debug, Default)]
pub struct Organization {
    /// Declared accounts that exist: name to id.
    pub known: BTreeMap<String, String>,
    /// The member accounts `targets` selects.
    pub members: Vec<Member>,
    /// Declared accounts `targets` selects that do not exist yet.
    pub pending: Vec<String>,
}

/// Hears how a run goes. The CLI prints; tests record.
pub trait Observer: Sync {
    /// A line about the run as a whole ("Read 17 regions: ...").
    fn note(&self, message: &str);

    /// A member account's part, planned.
    fn planned(&self, part: &AccountPlan);

    /// Progress in `account` (empty: the pinned account): resources read, changes started,
    /// finished or skipped.
    fn event(&self, account: &str, event: Event<'_>);
}
