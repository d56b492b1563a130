//! The typed model of baseline.yaml. Every value is checked while it is read, so an error can
//! point at the exact line and column; see `load` for how errors are reported.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, de};
use serde_saphyr::Spanned;

use crate::template::{NameContext, NameTemplate};

mod alerts;
mod organization;
mod settings;

pub use alerts::{
    AlertKind, AlertsSpec, Amount, BudgetName, BudgetNotificationSpec, BudgetSpec, BudgetWhen,
    CostSpec, Currency, Email, HttpsUrl, KmsKeyRef, SubscriptionSpec, TimeUnit, TopicName,
    TopicSpec,
};
pub use organization::{
    AccountName, FeatureSet, MemberSpec, OrgTarget, OrganizationSpec, OuPath, ScpName, ScpSpec,
    Section, ServicePrincipal, TargetAccounts, TargetsSpec, UnitSpec,
};
pub use settings::{
    ContactSpec, ContactText, ContactsSpec, GuardrailsSpec, Manual, Phone, SecurityHubSpec,
    Standard,
};

/// Separates a message from its hint inside a deserialisation error, so that value checks
/// written as `TryFrom` can carry a hint through serde. `load` splits them again.
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

/// The format version; only `1` exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version;

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = i64::deserialize(deserializer)?;
        if number == 1 {
            Ok(Version)
        } else {
            Err(de::Error::custom(with_hint(
                format!("unsupported format version {number}"),
                "this baseline understands `version: 1`",
            )))
        }
    }
}

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

/// `all`, or a list of region codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegionsSpec {
    All,
    List(Vec<Region>),
}

impl<'de> Deserialize<'de> for RegionsSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RegionsVisitor;

        impl<'de> de::Visitor<'de> for RegionsVisitor {
            type Value = RegionsSpec;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`all` or a list of region codes")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<RegionsSpec, E> {
                if text == "all" {
                    Ok(RegionsSpec::All)
                } else {
                    let region = Region::deserialize(de::value::StrDeserializer::<E>::new(text))?;
                    Ok(RegionsSpec::List(vec![region]))
                }
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<RegionsSpec, A::Error> {
                let regions =
                    Vec::<Region>::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                if regions.is_empty() {
                    return Err(de::Error::custom(with_hint(
                        "the region list is empty",
                        "list at least one region, or write `all`",
                    )));
                }
                Ok(RegionsSpec::List(regions))
            }
        }

        deserializer.deserialize_any(RegionsVisitor)
    }
}

/// A 12-digit AWS account id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct AccountId(String);

impl AccountId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for AccountId {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(text.to_owned()))
        } else {
            Err(with_hint(
                format!("`{text}` is not an AWS account id"),
                "an account id is exactly 12 digits; quote it (\"012345678901\") so YAML keeps leading zeros",
            ))
        }
    }
}

impl<'de> Deserialize<'de> for AccountId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(de::Error::custom)
    }
}

/// An AWS region code such as `ap-northeast-1`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Region(String);

impl Region {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let parts: Vec<&str> = text.split('-').collect();
        let well_formed = parts.len() >= 3
            && parts[0].len() == 2
            && parts.iter().all(|p| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            })
            && parts
                .last()
                .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
        if well_formed {
            Ok(Self(text))
        } else {
            Err(de::Error::custom(with_hint(
                format!("`{text}` is not an AWS region code"),
                "region codes look like `ap-northeast-1` or `us-east-1`",
            )))
        }
    }
}

/// `account.alias`: a name for the sign-in URL, or `{ ensure: absent }` to remove it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AliasSpec {
    Name(NameTemplate),
    Absent,
}

/// Checks an alias as IAM does: 3 to 63 characters of a-z, 0-9 and single hyphens inside.
fn check_alias(rendered: &str) -> Result<(), String> {
    let bytes = rendered.as_bytes();
    let charset = bytes
        .iter()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
    let ends = bytes.first() != Some(&b'-') && bytes.last() != Some(&b'-');
    if (3..=63).contains(&bytes.len()) && charset && ends && !rendered.contains("--") {
        Ok(())
    } else {
        Err(with_hint(
            format!("`{rendered}` is not a valid account alias"),
            "an alias is 3 to 63 characters: lowercase letters, digits and single hyphens, \
             starting and ending with a letter or digit",
        ))
    }
}

impl<'de> Deserialize<'de> for AliasSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AliasVisitor;

        impl<'de> de::Visitor<'de> for AliasVisitor {
            type Value = AliasSpec;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an alias name, or `{ ensure: absent }`")
            }

            fn visit_str<E: de::Error>(self, raw: &str) -> Result<AliasSpec, E> {
                let name = NameTemplate::parse(raw).map_err(|err| {
                    E::custom(with_hint(
                        err,
                        "names may use `{account_id}` and `{region}` only",
                    ))
                })?;
                if name.uses_region() {
                    return Err(E::custom(with_hint(
                        "`{region}` cannot appear in the account alias",
                        "the alias is global; use `{account_id}` or a plain name",
                    )));
                }
                let sample = name.render(NameContext {
                    account_id: "123456789012",
                    region: None,
                });
                check_alias(&sample).map_err(E::custom)?;
                Ok(AliasSpec::Name(name))
            }

            /// An all-digit alias is written without quotes; it is still a name.
            fn visit_u64<E: de::Error>(self, number: u64) -> Result<AliasSpec, E> {
                self.visit_str(&number.to_string())
            }

            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<AliasSpec, A::Error> {
                let absent = EnsureAbsent::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let EnsureAbsent {
                    ensure: Ensure::Absent,
                } = absent
                else {
                    return Err(de::Error::custom(with_hint(
                        "`ensure: present` needs an alias name",
                        "write the name itself (`alias: my-company`) to keep an alias",
                    )));
                };
                Ok(AliasSpec::Absent)
            }
        }

        deserializer.deserialize_any(AliasVisitor)
    }
}

/// `{ ensure: absent }` on its own.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnsureAbsent {
    ensure: Ensure,
}

/// Whether a declared thing must exist. Absent things are removed by apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Ensure {
    #[default]
    Present,
    Absent,
}

/// `root:` — the root user's settings. No API can change them: they are manual items,
/// verified read-only.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RootSpec {
    #[serde(default)]
    pub mfa: Option<RootMfa>,
    #[serde(default)]
    pub access_keys: Option<RootAccessKeys>,
    /// Security challenge questions are set (manual; no API reads them).
    #[serde(default)]
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

/// `iam:` — identities and account-wide IAM settings.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamSpec {
    #[serde(default)]
    pub password_policy: Option<PasswordPolicySpec>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<IamName, GroupSpec>")]
    pub groups: BTreeMap<IamName, Spanned<GroupSpec>>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<IamName, UserSpec>")]
    pub users: BTreeMap<IamName, Spanned<UserSpec>>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<IamName, RoleSpec>")]
    pub roles: BTreeMap<IamName, Spanned<RoleSpec>>,
    #[serde(default)]
    pub credential_checks: Option<CredentialChecks>,
}

/// A user, group or role name as IAM accepts it: 1 to 64 of `A-Za-z0-9+=,.@_-`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IamName(String);

impl IamName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for IamName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let valid = (1..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
        if valid {
            Ok(Self(text))
        } else {
            Err(de::Error::custom(with_hint(
                format!("`{text}` is not a valid IAM name"),
                "IAM names are 1 to 64 characters: letters, digits and + = , . @ _ -",
            )))
        }
    }
}

/// An IAM path such as `/` or `/people/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IamPath(String);

impl IamPath {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for IamPath {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let valid = text.starts_with('/')
            && text.ends_with('/')
            && text.len() <= 512
            && text.bytes().all(|b| (0x21..=0x7e).contains(&b));
        if valid {
            Ok(Self(text))
        } else {
            Err(de::Error::custom(with_hint(
                format!("`{text}` is not a valid IAM path"),
                "a path starts and ends with `/`, such as `/` or `/people/`",
            )))
        }
    }
}

/// A managed policy: an AWS managed policy by name (`AdministratorAccess`,
/// `job-function/Billing`) or any policy by ARN (`{account_id}` allowed).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ManagedPolicy(String);

impl ManagedPolicy {
    /// The partition a policy given by ARN names (`None` for a policy given by name).
    pub fn partition(&self) -> Option<&str> {
        crate::scope::partition_of_arn(&self.0)
    }

    /// The policy's ARN in the scope's account and partition.
    pub fn arn(&self, scope: &crate::scope::Scope) -> String {
        if self.0.starts_with("arn:") {
            self.0.replace("{account_id}", &scope.account_id)
        } else {
            scope.arn_in("iam", "", "aws", &format!("policy/{}", self.0))
        }
    }
}

impl<'de> Deserialize<'de> for ManagedPolicy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let valid = if let Some(rest) = text.strip_prefix("arn:") {
            rest.contains(":policy/")
        } else {
            !text.is_empty()
                && !text.starts_with('/')
                && text
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b))
        };
        if valid {
            Ok(Self(text))
        } else {
            Err(de::Error::custom(with_hint(
                format!("`{text}` is not a managed policy name or ARN"),
                "write an AWS managed policy's name (`AdministratorAccess`, `job-function/Billing`) \
                 or a full ARN (`arn:aws:iam::{account_id}:policy/MyPolicy`)",
            )))
        }
    }
}

/// A policy document, written as YAML or as a JSON string. It must have a `Statement`.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDocument(pub serde_json::Value);

impl PolicyDocument {
    /// Reads a document and checks it against IAM's grammar for `kind`.
    fn read<'de, D: Deserializer<'de>>(
        deserializer: D,
        kind: crate::policy::PolicyKind,
    ) -> Result<serde_json::Value, D::Error> {
        let document = Self::deserialize(deserializer)?.0;
        crate::policy::grammar(&document, kind)
            .map_err(|(problem, hint)| de::Error::custom(with_hint(problem, hint)))?;
        Ok(document)
    }
}

/// The largest policy IAM accepts at all (a role's inline policies together; users' and
/// groups' are smaller), in characters without white space.
pub const LARGEST_INLINE_POLICY: usize = 10_240;

/// An identity policy (inline on a group, user or role): a policy document with no
/// `Principal` and a `Resource` in every statement, no larger than IAM takes.
#[derive(Clone, Debug, PartialEq)]
pub struct IdentityPolicy(pub serde_json::Value);

impl<'de> Deserialize<'de> for IdentityPolicy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let document = PolicyDocument::read(deserializer, crate::policy::PolicyKind::Identity)?;
        let size = crate::policy::iam_size(&document);
        if size > LARGEST_INLINE_POLICY {
            return Err(de::Error::custom(with_hint(
                format!(
                    "the policy is {size} characters; IAM takes at most {LARGEST_INLINE_POLICY} \
                     (white space not counted)"
                ),
                "split it, or make it a managed policy",
            )));
        }
        Ok(Self(document))
    }
}

impl<'de> Deserialize<'de> for PolicyDocument {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let document = match value {
            serde_json::Value::String(text) => {
                if let Some(key) = crate::policy::duplicate_key(&text) {
                    return Err(de::Error::custom(with_hint(
                        format!("the policy's JSON has the key `{key}` twice"),
                        "IAM would keep only one of them: write each key once",
                    )));
                }
                crate::policy::parse(&text).map_err(|err| {
                    de::Error::custom(with_hint(
                        err,
                        "write the policy as YAML, or as valid JSON text",
                    ))
                })?
            }
            other if other.get("Statement").is_some() => other,
            _ => {
                return Err(de::Error::custom(with_hint(
                    "a policy document needs a `Statement`",
                    "write `Version: \"2012-10-17\"` and a `Statement:` list",
                )));
            }
        };
        crate::policy::grammar(&document, crate::policy::PolicyKind::Other)
            .map_err(|(problem, hint)| de::Error::custom(with_hint(problem, hint)))?;
        Ok(Self(document))
    }
}

/// `iam.groups.NAME`.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    #[serde(default)]
    pub ensure: Ensure,
    #[serde(default)]
    pub path: Option<IamPath>,
    #[serde(default)]
    pub managed_policies: Option<Vec<ManagedPolicy>>,
    #[serde(default)]
    pub inline_policies: Option<BTreeMap<IamName, IdentityPolicy>>,
    /// Attach the policy that denies everything but MFA self-management without MFA.
    #[serde(default)]
    pub require_mfa: Option<bool>,
    /// Permissions the file does not give this identity (policies attached or put by hand,
    /// and, for a user, group memberships) are drift, and apply removes them. `keep` leaves
    /// them alone: only what the file declares is compared.
    #[serde(default)]
    pub extra_permissions: Option<ExtraPermissions>,
}

/// `extra_permissions:` on a group, user or role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExtraPermissions {
    /// Leave permissions the file does not declare as they are.
    Keep,
}

/// Whether an identity keeps the permissions the file does not declare.
pub fn keeps_extra(extra: Option<ExtraPermissions>) -> bool {
    extra == Some(ExtraPermissions::Keep)
}

/// `iam.users.NAME`.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    #[serde(default)]
    pub ensure: Ensure,
    #[serde(default)]
    pub path: Option<IamPath>,
    #[serde(default)]
    pub groups: Option<Vec<IamName>>,
    #[serde(default)]
    pub tags: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub console: Option<ConsoleSpec>,
    /// Policies on the user itself. CIS 1.15 prefers groups; the guides attach directly.
    #[serde(default)]
    pub managed_policies: Option<Vec<ManagedPolicy>>,
    #[serde(default)]
    pub inline_policies: Option<BTreeMap<IamName, IdentityPolicy>>,
    /// Permissions the file does not give this identity (policies attached or put by hand,
    /// and, for a user, group memberships) are drift, and apply removes them. `keep` leaves
    /// them alone: only what the file declares is compared.
    #[serde(default)]
    pub extra_permissions: Option<ExtraPermissions>,
}

/// `console:` — a console password (`{ password_reset_required: true }`) or none
/// (`disabled`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsoleSpec {
    Enabled { password_reset_required: bool },
    Disabled,
}

impl<'de> Deserialize<'de> for ConsoleSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Enabled {
            #[serde(default = "yes")]
            password_reset_required: bool,
        }
        fn yes() -> bool {
            true
        }

        struct ConsoleVisitor;

        impl<'de> de::Visitor<'de> for ConsoleVisitor {
            type Value = ConsoleSpec;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`{ password_reset_required: true }` or `disabled`")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<ConsoleSpec, E> {
                if text == "disabled" {
                    Ok(ConsoleSpec::Disabled)
                } else {
                    Err(E::custom(with_hint(
                        format!("unknown value `{text}`"),
                        "write `disabled`, or `{ password_reset_required: true }`",
                    )))
                }
            }

            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<ConsoleSpec, A::Error> {
                let enabled = Enabled::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(ConsoleSpec::Enabled {
                    password_reset_required: enabled.password_reset_required,
                })
            }
        }

        deserializer.deserialize_any(ConsoleVisitor)
    }
}

/// `iam.roles.NAME`.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleSpec {
    #[serde(default)]
    pub ensure: Ensure,
    #[serde(default)]
    pub path: Option<IamPath>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub trust: Option<TrustSpec>,
    #[serde(default)]
    pub managed_policies: Option<Vec<ManagedPolicy>>,
    #[serde(default)]
    pub inline_policies: Option<BTreeMap<IamName, IdentityPolicy>>,
    /// Seconds, 3600 to 43200.
    #[serde(default)]
    pub max_session_duration: Option<Bounded<3600, 43200>>,
    /// Permissions the file does not give this role (policies attached or put by hand) are
    /// drift, and apply removes them. `keep` leaves them alone.
    #[serde(default)]
    pub extra_permissions: Option<ExtraPermissions>,
}

/// Who may assume a role.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustSpec {
    /// `self` or 12-digit account ids (one, or a list).
    #[serde(default, alias = "account")]
    pub accounts: OneOrMany<AccountRef>,
    /// AWS service principals, such as `ec2.amazonaws.com`.
    #[serde(default, alias = "service")]
    pub services: OneOrMany<String>,
    /// Accounts may assume the role only when signed in with MFA (switch-role).
    #[serde(default)]
    pub require_mfa: bool,
    /// A whole trust policy, for what the keys above cannot say (federation, conditions).
    #[serde(default)]
    pub document: Option<PolicyDocument>,
}

/// `self`, or another account by id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountRef {
    SelfAccount,
    Id(AccountId),
}

impl<'de> Deserialize<'de> for AccountRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text == "self" {
            Ok(Self::SelfAccount)
        } else {
            text.parse().map(Self::Id).map_err(de::Error::custom)
        }
    }
}

/// One value or a list of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OneOrMany<T>(pub Vec<T>);

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OneOrManyVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> de::Visitor<'de> for OneOrManyVisitor<T> {
            type Value = OneOrMany<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or a list of values")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<OneOrMany<T>, E> {
                let one = T::deserialize(de::value::StrDeserializer::<E>::new(text))?;
                Ok(OneOrMany(vec![one]))
            }

            /// Unquoted account ids arrive as numbers.
            fn visit_u64<E: de::Error>(self, number: u64) -> Result<OneOrMany<T>, E> {
                self.visit_str(&number.to_string())
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<OneOrMany<T>, A::Error> {
                Vec::<T>::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(OneOrMany)
            }
        }

        deserializer.deserialize_any(OneOrManyVisitor(std::marker::PhantomData))
    }
}

/// `iam.credential_checks`: findings read from the credential report, shown as manual items.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialChecks {
    /// Console users must have an MFA device (CIS 1.10).
    #[serde(default)]
    pub console_mfa: bool,
    /// Passwords and access keys unused for this many days are findings (CIS 1.12: 45).
    #[serde(default)]
    pub unused_days: Option<Bounded<1, 3650>>,
    /// At most one active access key per user (CIS 1.13).
    #[serde(default)]
    pub single_active_key: bool,
    /// Access keys older than this many days are findings (CIS 1.14: 90).
    #[serde(default)]
    pub key_max_age_days: Option<Bounded<1, 3650>>,
}

/// `iam.password_policy`: only the declared fields are managed; the others keep their
/// live values.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicySpec {
    #[serde(default)]
    #[schemars(with = "Option<Ensure>")]
    pub ensure: Option<Spanned<Ensure>>,
    #[serde(default)]
    pub minimum_length: Option<Bounded<6, 128>>,
    #[serde(default)]
    pub require_symbols: Option<bool>,
    #[serde(default)]
    pub require_numbers: Option<bool>,
    #[serde(default)]
    pub require_uppercase: Option<bool>,
    #[serde(default)]
    pub require_lowercase: Option<bool>,
    #[serde(default)]
    pub allow_users_to_change: Option<bool>,
    /// Days before a password expires; 0 means passwords never expire.
    #[serde(default)]
    pub max_age_days: Option<Bounded<0, 1095>>,
    /// How many previous passwords cannot be reused; 0 means no restriction.
    #[serde(default)]
    pub reuse_prevention: Option<Bounded<0, 24>>,
    #[serde(default)]
    pub hard_expiry: Option<bool>,
}

impl PasswordPolicySpec {
    pub fn ensure(&self) -> Ensure {
        self.ensure.as_ref().map_or(Ensure::Present, |e| e.value)
    }

    /// Whether any policy field is declared (as opposed to only `ensure`).
    pub fn declares_fields(&self) -> bool {
        self.minimum_length.is_some()
            || self.require_symbols.is_some()
            || self.require_numbers.is_some()
            || self.require_uppercase.is_some()
            || self.require_lowercase.is_some()
            || self.allow_users_to_change.is_some()
            || self.max_age_days.is_some()
            || self.reuse_prevention.is_some()
            || self.hard_expiry.is_some()
    }
}

/// An integer that IAM accepts only between `MIN` and `MAX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Bounded<const MIN: i64, const MAX: i64>(i64);

impl<const MIN: i64, const MAX: i64> Bounded<MIN, MAX> {
    pub fn get(self) -> i64 {
        self.0
    }
}

impl<'de, const MIN: i64, const MAX: i64> Deserialize<'de> for Bounded<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = i64::deserialize(deserializer)?;
        if (MIN..=MAX).contains(&number) {
            Ok(Self(number))
        } else {
            Err(de::Error::custom(with_hint(
                format!("{number} is out of range"),
                format!("AWS accepts {MIN} to {MAX} here"),
            )))
        }
    }
}

/// `logging:` — audit logs in every region: the log bucket, CloudTrail, AWS Config, and
/// Athena over CloudTrail.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoggingSpec {
    #[serde(default)]
    pub bucket: Option<LogBucketSpec>,
    #[serde(default)]
    pub cloudtrail: Option<TrailSpec>,
    #[serde(default)]
    pub config: Option<ConfigSpec>,
    #[serde(default)]
    pub athena: Option<AthenaSpec>,
}

/// An S3 bucket name, checked as S3 does (after `{account_id}`/`{region}` are filled in).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketName(pub NameTemplate);

/// S3's rules for bucket names (general purpose buckets).
pub fn check_bucket_name(name: &str) -> Result<(), String> {
    let bytes = name.as_bytes();
    let charset = bytes
        .iter()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-' || *b == b'.');
    let ends = bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric);
    let ip_like = name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok());
    let reserved = name.starts_with("xn--")
        || name.starts_with("sthree-")
        || name.ends_with("-s3alias")
        || name.ends_with("--ol-s3");
    if (3..=63).contains(&bytes.len())
        && charset
        && ends
        && !name.contains("..")
        && !ip_like
        && !reserved
    {
        Ok(())
    } else {
        Err(with_hint(
            format!("`{name}` is not a valid S3 bucket name"),
            "3 to 63 characters of a-z, 0-9, `-` and `.`, starting and ending with a letter or digit",
        ))
    }
}

impl<'de> Deserialize<'de> for BucketName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = NameTemplate::deserialize(deserializer)?;
        let sample = name.render(NameContext {
            account_id: "123456789012",
            region: Some("ap-northeast-1"),
        });
        check_bucket_name(&sample).map_err(de::Error::custom)?;
        Ok(Self(name))
    }
}

/// `logging.bucket`: where CloudTrail and Config deliver, in the home region.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogBucketSpec {
    pub name: BucketName,
    #[serde(default)]
    pub ensure: Ensure,
    /// `sse_s3` (default) or `kms` (the trail's key; needs `cloudtrail.kms: true`).
    #[serde(default)]
    pub encryption: BucketEncryption,
    #[serde(default)]
    pub lifecycle: Option<LifecycleSpec>,
    /// Server access logging to a second bucket (CIS 3.4 for the CloudTrail bucket).
    #[serde(default)]
    pub access_logging: Option<AccessLoggingSpec>,
    /// Delete the bucket even when it holds logs (with `ensure: absent` or `destroy`).
    #[serde(default)]
    pub force_destroy: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BucketEncryption {
    #[default]
    SseS3,
    Kms,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecycleSpec {
    #[serde(default)]
    pub transition_to_glacier_days: Option<Bounded<1, 36500>>,
    #[serde(default)]
    pub expire_days: Option<Bounded<1, 36500>>,
    /// Days an object is kept as a noncurrent version (once it expired, or was deleted or
    /// overwritten) before S3 removes it. Default 30 when `expire_days` is set, so expired
    /// logs do not stay billed forever in the versioned bucket; otherwise kept.
    #[serde(default)]
    pub noncurrent_expire_days: Option<Bounded<1, 36500>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessLoggingSpec {
    pub bucket: BucketName,
    #[serde(default)]
    pub prefix: Option<String>,
    /// The access-log bucket's lifecycle. Default: the log bucket's.
    #[serde(default)]
    pub lifecycle: Option<LifecycleSpec>,
}

/// `logging.cloudtrail`: one multi-region trail, read from and kept in the home region.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrailSpec {
    pub name: IamName,
    #[serde(default)]
    pub ensure: Ensure,
    /// Every region (CIS 3.1). Default true.
    #[serde(default)]
    pub multi_region: Option<bool>,
    /// IAM, STS and other global services' events. Default true.
    #[serde(default)]
    pub global_service_events: Option<bool>,
    /// Digest files to prove logs were not changed (CIS 3.2). Default true.
    #[serde(default)]
    pub log_file_validation: Option<bool>,
    /// Encrypt with a KMS key that baseline creates, rotated yearly (CIS 3.5, 3.6).
    #[serde(default)]
    pub kms: bool,
    /// Also send events to a CloudWatch Logs group (for metric filters and alarms).
    #[serde(default)]
    pub cloudwatch_logs: Option<TrailLogsSpec>,
    /// Record S3 object-level reads and writes in every bucket (CIS 3.8, 3.9).
    #[serde(default)]
    pub s3_data_events: bool,
    /// An organization trail: it logs every account of the organization (management
    /// account only; CloudTrail's trusted access is enabled for it).
    #[serde(default)]
    pub organization: bool,
    /// Other multi-region trails that log this account (an organization trail, say) are
    /// reported in the plan, because each extra copy of management events is billed.
    /// `accepted` keeps both without the report.
    #[serde(default)]
    pub other_trails: Option<OtherTrailsSpec>,
}

/// `logging.cloudtrail.other_trails`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OtherTrailsSpec {
    /// Another trail is known and both are kept on purpose.
    Accepted,
}

impl TrailSpec {
    /// Whether the file keeps other multi-region trails on purpose.
    pub fn other_trails_accepted(&self) -> bool {
        self.other_trails == Some(OtherTrailsSpec::Accepted)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrailLogsSpec {
    /// Days to keep events; one of CloudWatch Logs' retention values.
    pub retention_days: Bounded<1, 3653>,
}

/// `logging.config`: AWS Config in every selected region (CIS 3.3).
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigSpec {
    #[serde(default)]
    pub ensure: Ensure,
    /// Default: `account.regions`.
    #[serde(default)]
    pub regions: Option<RegionsSpec>,
    /// AWS managed rules by identifier, with parameters where they take them.
    #[serde(default)]
    pub rules: Vec<ConfigRuleSpec>,
    /// Send configuration change notifications to this SNS topic ARN (`{account_id}`
    /// allowed). AWS Config publishes only to a topic in the channel's own region, so Config
    /// must then run in that one region; one of `alerts.topics` gets the policy statement
    /// that lets Config publish. For changes in every region, use
    /// `alerts.events.config_changes` instead.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub sns_topic_arn: Option<Spanned<String>>,
    /// A configuration aggregator: every region of this account, or (with
    /// `organization: true`, in the management account) every account of the organization.
    #[serde(default)]
    pub aggregator: Option<AggregatorSpec>,
}

/// `logging.config.aggregator`.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AggregatorSpec {
    pub name: IamName,
    #[serde(default)]
    pub ensure: Ensure,
    /// Aggregate the whole organization (trusted access for Config is enabled for it).
    #[serde(default)]
    pub organization: bool,
}

/// A managed rule: `ENCRYPTED_VOLUMES`, or `{ identifier: ..., parameters: {...} }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigRuleSpec {
    pub identifier: String,
    pub parameters: BTreeMap<String, String>,
}

impl<'de> Deserialize<'de> for ConfigRuleSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            identifier: String,
            #[serde(default)]
            parameters: BTreeMap<String, String>,
        }

        fn check<E: de::Error>(identifier: &str) -> Result<(), E> {
            let valid = !identifier.is_empty()
                && identifier
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
            if valid {
                Ok(())
            } else {
                Err(E::custom(with_hint(
                    format!("`{identifier}` is not an AWS managed rule identifier"),
                    "managed rule identifiers are UPPER_CASE, such as ENCRYPTED_VOLUMES",
                )))
            }
        }

        struct RuleVisitor;

        impl<'de> de::Visitor<'de> for RuleVisitor {
            type Value = ConfigRuleSpec;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a managed rule identifier, or `{ identifier, parameters }`")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<ConfigRuleSpec, E> {
                check::<E>(text)?;
                Ok(ConfigRuleSpec {
                    identifier: text.to_owned(),
                    parameters: BTreeMap::new(),
                })
            }

            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<ConfigRuleSpec, A::Error> {
                let full = Full::deserialize(de::value::MapAccessDeserializer::new(map))?;
                check::<A::Error>(&full.identifier)?;
                Ok(ConfigRuleSpec {
                    identifier: full.identifier,
                    parameters: full.parameters,
                })
            }
        }

        deserializer.deserialize_any(RuleVisitor)
    }
}

/// `logging.athena`: query CloudTrail logs with Athena (the 2022 guide).
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AthenaSpec {
    #[serde(default)]
    pub ensure: Ensure,
    pub workgroup: IamName,
    pub database: IamName,
    pub table: IamName,
    /// Where query results go; created with the log bucket's hygiene.
    pub results_bucket: BucketName,
}
