//! `root.mfa` and `root.access_keys`: the root user's settings. No API can change them from
//! another identity, so they are manual items, verified with iam:GetAccountSummary and gone
//! from the plan once true (CIS 1.4, 1.5).

use baseline_core::plan::{Desired, ManualStep};
use baseline_core::spec::{Ensure, RootAccessKeys as KeysSpec, RootMfa as MfaSpec};
use baseline_core::{BoxFuture, ProviderError, ResourceAddr, Spec};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::kind::LegacyKind;
use baseline_core::scope::Scope;

/// One root setting: which summary flag shows it, what is wanted, and how a person does it.
struct RootItem {
    kind: &'static str,
    field: &'static str,
    summary_key: &'static str,
    want_present: bool,
    cis: &'static str,
    reason: &'static str,
    console: &'static str,
}

const MFA: RootItem = RootItem {
    kind: "root_mfa",
    field: "mfa_enabled",
    summary_key: "AccountMFAEnabled",
    want_present: true,
    cis: "1.5",
    reason: "AWS has no API to add an MFA device to the root user; only the root user can, \
             signed in to the console",
    console: "sign in as the root user → account menu (top right) → Security credentials → \
              Multi-factor authentication (MFA) → Assign MFA device",
};

const ACCESS_KEYS: RootItem = RootItem {
    kind: "root_access_keys",
    field: "access_keys_present",
    summary_key: "AccountAccessKeysPresent",
    want_present: false,
    cis: "1.4",
    reason: "root access keys can only be deleted by the root user; no IAM API reaches \
             root credentials from another identity",
    console: "sign in as the root user → account menu (top right) → Security credentials → \
              Access keys → Actions → Delete",
};

impl RootItem {
    fn desired(&self) -> Desired {
        Desired {
            address: ResourceAddr::singleton(self.kind),
            ensure: Ensure::Present,
            state: json!({ self.field: self.want_present }),
            depends_on: Vec::new(),
            manual: Some(ManualStep {
                reason: self.reason.to_owned(),
                console: self.console.to_owned(),
                verified_by: format!("iam:GetAccountSummary ({})", self.summary_key),
            }),
            cis: vec![self.cis.to_owned()],
            write_only: Value::Null,
        }
    }

    async fn read(
        &self,
        ctx: &AwsContext,
        address: &ResourceAddr,
    ) -> Result<Option<Value>, ProviderError> {
        let summary = ctx.account_summary(address).await?;
        let present = summary.get(self.summary_key).copied().unwrap_or(0) > 0;
        Ok(Some(json!({ self.field: present })))
    }
}

pub(crate) struct RootMfa;
pub(crate) struct RootAccessKeys;

impl LegacyKind for RootMfa {
    fn kind(&self) -> &'static str {
        MFA.kind
    }

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        match spec.root.as_ref().and_then(|r| r.mfa) {
            Some(MfaSpec::Required) => vec![MFA.desired()],
            None => Vec::new(),
        }
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(MFA.read(ctx, address))
    }
}

impl LegacyKind for RootAccessKeys {
    fn kind(&self) -> &'static str {
        ACCESS_KEYS.kind
    }

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        match spec.root.as_ref().and_then(|r| r.access_keys) {
            Some(KeysSpec::Absent) => vec![ACCESS_KEYS.desired()],
            None => Vec::new(),
        }
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(ACCESS_KEYS.read(ctx, address))
    }
}
