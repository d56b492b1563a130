//! `root.mfa` and `root.access_keys`: the root user's settings. No API can change them from
//! another identity, so they are manual items, verified with iam:GetAccountSummary and gone
//! from the plan once true (CIS 1.4, 1.5).

use std::marker::PhantomData;

use baseline_core::plan::{Desired, ManualStep};
use baseline_core::scope::Scope;
use baseline_core::spec::{RootAccessKeys as KeysSpec, RootMfa as MfaSpec, RootSpec};
use baseline_core::{ProviderError, ResourceAddr, Spec};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::kind::{Kind, Read, canonical};

/// One root setting, as its state: which summary flag shows it, what is wanted, and how a
/// person does it.
pub(crate) trait RootSetting: Serialize + DeserializeOwned + Send + Sync + 'static {
    const KIND: &'static str;
    /// The iam:GetAccountSummary flag that shows it.
    const SUMMARY_KEY: &'static str;
    /// Whether the flag is wanted set.
    const WANT_PRESENT: bool;
    const CIS: &'static str;
    const REASON: &'static str;
    const CONSOLE: &'static str;
    /// Whether the file asks for it.
    fn declared(root: &RootSpec) -> bool;
    /// The state when the summary flag is `present`.
    fn flag(present: bool) -> Self;
}

/// The kind of a root setting.
pub(crate) struct Root<S>(PhantomData<S>);

impl<S: RootSetting> Kind for Root<S> {
    type State = S;
    const KIND: &'static str = S::KIND;

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        if !spec.root.as_ref().is_some_and(S::declared) {
            return Vec::new();
        }
        let step = ManualStep {
            reason: S::REASON.to_owned(),
            console: S::CONSOLE.to_owned(),
            verified_by: format!("iam:GetAccountSummary ({})", S::SUMMARY_KEY),
        };
        let state = S::flag(S::WANT_PRESENT);
        vec![
            Desired::manual(ResourceAddr::singleton(S::KIND), canonical(&state), step)
                .cis(&[S::CIS]),
        ]
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, S>) -> Result<Option<S>, ProviderError> {
        let summary = ctx.account_summary(read.address).await?;
        let present = summary.get(S::SUMMARY_KEY).copied().unwrap_or(0) > 0;
        Ok(Some(S::flag(present)))
    }
}

/// `root.mfa: required`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Mfa {
    mfa_enabled: bool,
}

impl RootSetting for Mfa {
    const KIND: &'static str = "root_mfa";
    const SUMMARY_KEY: &'static str = "AccountMFAEnabled";
    const WANT_PRESENT: bool = true;
    const CIS: &'static str = "1.5";
    const REASON: &'static str = "AWS has no API to add an MFA device to the root user; only \
                                  the root user can, signed in to the console";
    const CONSOLE: &'static str = "sign in as the root user → account menu (top right) → \
                                   Security credentials → Multi-factor authentication (MFA) → \
                                   Assign MFA device";

    fn declared(root: &RootSpec) -> bool {
        matches!(root.mfa, Some(MfaSpec::Required))
    }

    fn flag(present: bool) -> Self {
        Self {
            mfa_enabled: present,
        }
    }
}

pub(crate) static ROOT_MFA: Root<Mfa> = Root(PhantomData);

/// `root.access_keys: absent`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct AccessKeys {
    access_keys_present: bool,
}

impl RootSetting for AccessKeys {
    const KIND: &'static str = "root_access_keys";
    const SUMMARY_KEY: &'static str = "AccountAccessKeysPresent";
    const WANT_PRESENT: bool = false;
    const CIS: &'static str = "1.4";
    const REASON: &'static str = "root access keys can only be deleted by the root user; no \
                                  IAM API reaches root credentials from another identity";
    const CONSOLE: &'static str = "sign in as the root user → account menu (top right) → \
                                   Security credentials → Access keys → Actions → Delete";

    fn declared(root: &RootSpec) -> bool {
        matches!(root.access_keys, Some(KeysSpec::Absent))
    }

    fn flag(present: bool) -> Self {
        Self {
            access_keys_present: present,
        }
    }
}

pub(crate) static ROOT_ACCESS_KEYS: Root<AccessKeys> = Root(PhantomData);
