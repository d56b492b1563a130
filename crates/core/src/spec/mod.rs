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
    CostSpec, Currency, HttpsUrl, KmsKeyRef, RuleName, SubscriptionSpec, TimeUnit, TopicName,
    TopicSpec,
};
pub use iam::{
    AccountRef, CONFIG_AGGREGATOR_ROLE, ConsoleSpec, CredentialChecks, EVENTS_FORWARD_ROLE,
    ExtraPermissions, GroupSpec, IamPath, IamSpec, IdentityPolicy, LARGEST_INLINE_POLICY,
    ManagedPolicy, PasswordPolicySpec, PolicyDocument, RoleSpec, SERVICE_ROLES, TRAIL_LOGS_ROLE,
    TrustSpec, UserSpec, keeps_extra,
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
        let account = &self.account;
        let templated = matches!(&account.alias, Some(AliasSpec::Name(name)) if name.raw().contains("{account_id}"));
        let own = wants(Section::Account);
        Spec {
            version: self.version,
            account: AccountSpec {
                id: AccountId(account_id.to_owned()),
                alias: kept(&account.alias, templated && own),
                contacts: kept(&account.contacts, own),
                contact_information: kept(&account.contact_information, own),
                ..account.clone()
            },
            root: kept(&self.root, wants(Section::Root)),
            iam: kept(&self.iam, wants(Section::Iam)),
            logging: kept(&self.logging, wants(Section::Logging)),
            alerts: kept(&self.alerts, wants(Section::Alerts)),
            cost: kept(&self.cost, wants(Section::Cost)),
            guardrails: kept(&self.guardrails, wants(Section::Guardrails)),
            organization: None,
            targets: None,
        }
    }
}

/// A copy of `value` when it is `wanted`, else nothing.
fn kept<T: Clone>(value: &Option<T>, wanted: bool) -> Option<T> {
    value.clone().filter(|_| wanted)
}
