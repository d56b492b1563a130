//! What every resource kind provides: desired state from the spec, live state from AWS, and
//! a create, an update or a delete. A kind works with its own typed state; the one adapter
//! here ([`AnyKind`]) turns it into the canonical JSON that the engine diffs, plans and
//! renders, and dispatches each change, so no kind writes a trampoline or a dispatch.

use std::future::Future;

use baseline_core::plan::{Desired, Grants};
use baseline_core::scope::Scope;
use baseline_core::{
    Action, BoxFuture, ProviderError, ReadRequest, ResourceAddr, ResourceChange, Spec,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::context::AwsContext;
use crate::error::unsupported;

/// A resource kind with typed state.
///
/// `State` serialises to the kind's canonical JSON: the desired state holds only the fields
/// the file declares (optional fields are `Option`s left out when `None`), a read fills in
/// every field it can see. Apply receives the plan's `before`/`after` deserialised back into
/// `State`, so it reads typed fields; a plan whose state does not fit is refused, not
/// defaulted.
pub(crate) trait Kind: Send + Sync + 'static {
    type State: Serialize + DeserializeOwned + Send + Sync;

    /// The address kind, e.g. `iam_password_policy`.
    const KIND: &'static str;

    /// Whether `baseline destroy` leaves this kind as it is: protections that are turned on,
    /// never off (guardrails, region opt-in), and keys and logs that outlive their users.
    const KEPT_BY_DESTROY: bool = false;

    /// The fields of `State` that carry permissions: the plan's notes for reviewers
    /// (permissions broadened, added outside baseline) read these.
    const GRANTS: Grants = &[];

    /// The resources of this kind that the spec declares.
    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired>;

    /// The live state; `None` only when AWS says "not found".
    fn read(
        &self,
        ctx: &AwsContext,
        read: Read<'_, Self::State>,
    ) -> impl Future<Output = Result<Option<Self::State>, ProviderError>> + Send;

    /// Makes the resource. The default refuses: manual items and read-only findings.
    fn create(
        &self,
        _ctx: &AwsContext,
        change: &Change,
        _after: &Self::State,
    ) -> impl Future<Output = Result<(), ProviderError>> + Send {
        async move { Err(unsupported(&change.address, "creating it")) }
    }

    /// Changes the resource from `old` (the live state) to `new` (the live state with the
    /// declared fields laid over it). The default writes `new` as a create does: most AWS
    /// settings are put whole.
    fn update(
        &self,
        ctx: &AwsContext,
        change: &Change,
        _old: &Self::State,
        new: &Self::State,
    ) -> impl Future<Output = Result<(), ProviderError>> + Send {
        self.create(ctx, change, new)
    }

    /// Removes the resource. The default refuses.
    fn delete(
        &self,
        _ctx: &AwsContext,
        change: &Change,
        _before: &Self::State,
    ) -> impl Future<Output = Result<(), ProviderError>> + Send {
        async move { Err(unsupported(&change.address, "deleting it")) }
    }
}

/// The planned change a create, an update or a delete is given (a short name, so that their
/// signatures fit one line).
pub(crate) type Change = ResourceChange;

/// What a create, an update or a delete returns.
pub(crate) type Done = Result<(), ProviderError>;

/// The state of a resource with nothing to set or compare: it exists or it does not (a
/// Glue database, a service-linked role).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Exists {}

/// What a read returns: the live state, `None` only when AWS says "not found".
pub(crate) type Live<S> = Result<Option<S>, ProviderError>;

/// What a kind's read is given.
#[derive(Debug)]
pub(crate) struct Read<'a, S> {
    pub address: &'a ResourceAddr,
    /// What the baseline wants there, when it wants something of this shape (the
    /// declared state when planning, the saved plan's `after` when re-checking one).
    pub want: Option<S>,
    /// The wanted resource's write-only settings.
    pub write_only: &'a Value,
}

/// The desired state `state` of the resource at `address`, in canonical JSON.
pub(crate) fn declare<S: Serialize>(address: ResourceAddr, state: &S) -> Desired {
    Desired::new(address, canonical(state))
}

/// `state` in canonical JSON. The kinds' states are plain structs of strings, numbers,
/// lists and string-keyed maps, which always serialise.
pub(crate) fn canonical<S: Serialize>(state: &S) -> Value {
    serde_json::to_value(state).unwrap_or(Value::Null)
}

/// The object-safe face of a kind, which the registry holds. Written once for every
/// [`Kind`].
pub(crate) trait AnyKind: Send + Sync {
    fn kind(&self) -> &'static str;
    fn kept_by_destroy(&self) -> bool;
    fn grants(&self) -> Grants;
    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired>;
    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        request: &'a ReadRequest,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>>;
    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>>;
}

/// A plan's state that does not fit the kind's state: a plan made by another version, or
/// edited by hand.
fn misfit(address: &ResourceAddr, which: &str, err: &serde_json::Error) -> ProviderError {
    ProviderError {
        address: address.clone(),
        operation: "baseline:Apply".to_owned(),
        code: None,
        message: format!("the plan's `{which}` state does not fit this kind: {err}"),
        hint: Some("make the plan again with this version of baseline".to_owned()),
    }
}

fn typed<S: DeserializeOwned>(
    address: &ResourceAddr,
    which: &str,
    value: Option<&Value>,
) -> Result<S, ProviderError> {
    let value = value.cloned().unwrap_or(Value::Null);
    serde_json::from_value(value).map_err(|err| misfit(address, which, &err))
}

impl<K: Kind> AnyKind for K {
    fn kind(&self) -> &'static str {
        K::KIND
    }

    fn kept_by_destroy(&self) -> bool {
        K::KEPT_BY_DESTROY
    }

    fn grants(&self) -> Grants {
        K::GRANTS
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        Kind::desired(self, spec, scope)
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        request: &'a ReadRequest,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            // A want of another shape (the empty state a destroy plans) is no want.
            let want = request
                .want
                .clone()
                .and_then(|v| serde_json::from_value(v).ok());
            let read = Read {
                address: &request.address,
                want,
                write_only: &request.write_only,
            };
            let live = Kind::read(self, ctx, read).await?;
            Ok(live.as_ref().map(canonical))
        })
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let address = &change.address;
            match change.action {
                Action::Create => {
                    let after = typed(address, "after", change.after.as_ref())?;
                    self.create(ctx, change, &after).await
                }
                Action::Update => {
                    let before = typed(address, "before", change.before.as_ref())?;
                    let after = typed(address, "after", change.after.as_ref())?;
                    self.update(ctx, change, &before, &after).await
                }
                Action::Delete => {
                    let before = typed(address, "before", change.before.as_ref())?;
                    self.delete(ctx, change, &before).await
                }
                Action::NoOp | Action::Manual => Err(unsupported(address, "a manual step")),
            }
        })
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
