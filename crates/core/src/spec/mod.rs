//! The typed model of baseline.yaml. Every value is checked while it is read, so an error can
//! point at the exact line and column; see `load` for how errors are reported.
//!
//! One module per section of the file; `values` holds what several sections use, and
//! `validated` the one rule by which a checked string is defined.

use std::fmt;

use serde::Deserialize;

mod account;
mod alerts;
mod iam;
mod logging;
mod organization;
mod settings;
mod validated;
mod values;

pub use account::{AccountSpec, RootAccessKeys, RootMfa, RootSpec};
pub use alerts::{
    AlertKind, AlertsSpec, Amount, BudgetName, BudgetNotificationSpec, BudgetSpec, BudgetWhen,
    CostSpec, Currency, HttpsUrl, KmsKeyRef, SubscriptionSpec, TimeUnit, TopicName, TopicSpec,
};
pub use iam::{
    AccountRef, ConsoleSpec, CredentialChecks, ExtraPermissions, GroupSpec, IamPath, IamSpec,
    IdentityPolicy, LARGEST_INLINE_POLICY, ManagedPolicy, PasswordPolicySpec, PolicyDocument,
    RoleSpec, TrustSpec, UserSpec, keeps_extra,
};
pub use logging::{
    AccessLoggingSpec, AggregatorSpec, AthenaSpec, BucketEncryption, ConfigRuleSpec, ConfigSpec,
    LifecycleSpec, LogBucketSpec, LoggingSpec, OtherTrailsSpec, TrailLogsSpec, TrailSpec,
};
pub use organization::{
    AccountName, FeatureSet, MemberSpec, OrgTarget, OrganizationSpec, OuPath, ScpName, ScpSpec,
    Section, ServicePrincipal, TargetAccounts, TargetsSpec, UnitSpec,
};
pub use settings::{
    ContactSpec, ContactText, ContactsSpec, GuardrailsSpec, Manual, Phone, SecurityHubSpec,
    Standard,
};
pub use values::{
    AccountId, AliasSpec, Bounded, BucketName, Email, Ensure, IamName, OneOrMany, Region,
    RegionsSpec, Version, check_bucket_name,
};

/// Separates a message from its hint inside a deserialisation error, so that a value's
/// check can carry a hint through serde. `load` splits them again.
pub(crate) const HINT_SEPARATOR: &str = "\u{1f}hint:";

pub(crate) fn with_hint(message: impl fmt::Display, hint: impl fmt::Display) -> String {
    format!("{message}{HINT_SEPARATOR}{hint}")
}

/// The whole baseline.yaml.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub version: Version,
    pub account: AccountSpec,
    #[serde(default)]
    pub root: Option<RootSpec>,
    #[serde(default)]
    pub iam: Option<IamSpec>,
    #[serde(default)]
    pub logging: Option<LoggingSpec>,
    #[serde(default)]
    pub alerts: Option<AlertsSpec>,
    #[serde(default)]
    pub cost: Option<CostSpec>,
    #[serde(default)]
    pub guardrails: Option<GuardrailsSpec>,
    /// AWS Organizations, declared in the management account's baseline.
    #[serde(default)]
    pub organization: Option<OrganizationSpec>,
    /// Member accounts that get this file's account baseline, through a role.
    #[serde(default)]
    pub targets: Option<TargetsSpec>,
}

impl Spec {
    /// The account baseline as a member account gets it through `targets`: the same
    /// sections (or those `targets.sections` names) for `account_id`, without
    /// `organization` and `targets`, and with the alias only when it is templated.
    pub fn for_member(&self, account_id: &str) -> Spec {
        let sections = self.targets.as_ref().and_then(|t| t.sections.clone());
        let wants = |section: Section| sections.as_ref().is_none_or(|s| s.contains(&section));
        let mut member = self.clone();
        member.account.id = AccountId(account_id.to_owned());
        member.organization = None;
        member.targets = None;
        let templated = matches!(&member.account.alias, Some(AliasSpec::Name(name)) if name.raw().contains("{account_id}"));
        if !templated || !wants(Section::Account) {
            member.account.alias = None;
        }
        if !wants(Section::Account) {
            member.account.contacts = None;
            member.account.contact_information = None;
        }
        if !wants(Section::Root) {
            member.root = None;
        }
        if !wants(Section::Iam) {
            member.iam = None;
        }
        if !wants(Section::Logging) {
            member.logging = None;
        }
        if !wants(Section::Alerts) {
            member.alerts = None;
        }
        if !wants(Section::Cost) {
            member.cost = None;
        }
        if !wants(Section::Guardrails) {
            member.guardrails = None;
        }
        member
    }
}
