//! `account:` and `root:` — which account the file is for, its account-wide names, and the
//! root user's settings.

use serde::Deserialize;

use super::{AccountId, AliasSpec, ContactsSpec, Manual, Region, RegionsSpec};

/// `account:` — which account this file is for, and account-wide names.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountSpec {
    /// The account pin: plan and apply refuse to run against any other account.
    pub id: AccountId,
    #[serde(default)]
    pub alias: Option<AliasSpec>,
    #[serde(default)]
    pub home_region: Option<Region>,
    /// Where regional resources go: `all` enabled regions, or a list. Default: the home
    /// region only.
    #[serde(default)]
    pub regions: Option<RegionsSpec>,
    /// The alternate contacts (billing, operations, security) AWS writes to (CIS 1.2).
    #[serde(default)]
    pub contacts: Option<ContactsSpec>,
    /// The primary contact details are current (manual; CIS 1.1; read with
    /// account:GetContactInformation).
    #[serde(default)]
    pub contact_information: Option<Manual>,
}

/// `root:` — the root user's settings. No API can change them: they are manual items,
/// verified read-only.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RootSpec {
    pub mfa: Option<RootMfa>,
    pub access_keys: Option<RootAccessKeys>,
    /// Security challenge questions are set (manual; no API reads them).
    pub security_questions: Option<Manual>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RootMfa {
    Required,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RootAccessKeys {
    Absent,
}
