//! `iam:` — groups, users and roles with their policies, the password policy and the
//! credential report checks.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, de};
use serde_saphyr::Spanned;

use super::validated::validated_string;
use super::{AccountId, Bounded, Ensure, IamName, OneOrMany, with_hint};

/// `iam:` — identities and account-wide IAM settings.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct IamSpec {
    pub password_policy: Option<PasswordPolicySpec>,
    #[schemars(with = "BTreeMap<IamName, GroupSpec>")]
    pub groups: BTreeMap<IamName, Spanned<GroupSpec>>,
    #[schemars(with = "BTreeMap<IamName, UserSpec>")]
    pub users: BTreeMap<IamName, Spanned<UserSpec>>,
    #[schemars(with = "BTreeMap<IamName, RoleSpec>")]
    pub roles: BTreeMap<IamName, Spanned<RoleSpec>>,
    pub credential_checks: Option<CredentialChecks>,
}

validated_string! {
    /// An IAM path such as `/` or `/people/`.
    IamPath {
        valid: |text| {
            text.starts_with('/')
                && text.ends_with('/')
                && text.len() <= 512
                && text.bytes().all(|b| (0x21..=0x7e).contains(&b))
        },
        error: "is not a valid IAM path",
        hint: "a path starts and ends with `/`, such as `/` or `/people/`",
        description: "An IAM path, starting and ending with /.",
        schema: { "type": "string", "pattern": "^/([\\x21-\\x7e]*/)?$" },
    }
}

validated_string! {
    /// A managed policy: an AWS managed policy by name (`AdministratorAccess`,
    /// `job-function/Billing`) or any policy by ARN (`{account_id}` allowed).
    ManagedPolicy {
        valid: |text| {
            if let Some(rest) = text.strip_prefix("arn:") {
                rest.contains(":policy/")
            } else {
                !text.is_empty()
                    && !text.starts_with('/')
                    && text
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b))
            }
        },
        error: "is not a managed policy name or ARN",
        hint: "write an AWS managed policy's name (`AdministratorAccess`, `job-function/Billing`) \
               or a full ARN (`arn:aws:iam::{account_id}:policy/MyPolicy`)",
        description: "An AWS managed policy by name (AdministratorAccess, job-function/Billing) or \
                      any policy by ARN.",
        schema: { "type": "string" },
    }
}

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
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct GroupSpec {
    pub ensure: Ensure,
    pub path: Option<IamPath>,
    pub managed_policies: Option<Vec<ManagedPolicy>>,
    pub inline_policies: Option<BTreeMap<IamName, IdentityPolicy>>,
    /// Attach the policy that denies everything but MFA self-management without MFA.
    pub require_mfa: Option<bool>,
    /// Permissions the file does not give this identity (policies attached or put by hand,
    /// and, for a user, group memberships) are drift, and apply removes them. `keep` leaves
    /// them alone: only what the file declares is compared.
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
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct UserSpec {
    pub ensure: Ensure,
    pub path: Option<IamPath>,
    pub groups: Option<Vec<IamName>>,
    pub tags: Option<BTreeMap<String, String>>,
    pub console: Option<ConsoleSpec>,
    /// Policies on the user itself. CIS 1.15 prefers groups; the guides attach directly.
    pub managed_policies: Option<Vec<ManagedPolicy>>,
    pub inline_policies: Option<BTreeMap<IamName, IdentityPolicy>>,
    /// Permissions the file does not give this identity (policies attached or put by hand,
    /// and, for a user, group memberships) are drift, and apply removes them. `keep` leaves
    /// them alone: only what the file declares is compared.
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

/// The role CloudTrail assumes to deliver to CloudWatch Logs; baseline makes it.
pub const TRAIL_LOGS_ROLE: &str = "baseline-cloudtrail-logs";
/// The role EventBridge assumes to forward alerts to the home region; baseline makes it.
pub const EVENTS_FORWARD_ROLE: &str = "baseline-events-forward";
/// The role AWS Config's aggregator assumes; baseline makes it.
pub const CONFIG_AGGREGATOR_ROLE: &str = "baseline-config-aggregator";

/// The roles baseline makes and owns itself, and what for: a file may not declare them.
pub const SERVICE_ROLES: [(&str, &str); 3] = [
    (TRAIL_LOGS_ROLE, "CloudTrail's delivery to CloudWatch Logs"),
    (EVENTS_FORWARD_ROLE, "forwarding alerts to the home region"),
    (CONFIG_AGGREGATOR_ROLE, "the AWS Config aggregator"),
];

/// `iam.roles.NAME`.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RoleSpec {
    pub ensure: Ensure,
    pub path: Option<IamPath>,
    pub description: Option<String>,
    pub trust: Option<TrustSpec>,
    pub managed_policies: Option<Vec<ManagedPolicy>>,
    pub inline_policies: Option<BTreeMap<IamName, IdentityPolicy>>,
    /// Seconds, 3600 to 43200.
    pub max_session_duration: Option<Bounded<3600, 43200>>,
    /// Permissions the file does not give this role (policies attached or put by hand) are
    /// drift, and apply removes them. `keep` leaves them alone.
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

/// `iam.credential_checks`: findings read from the credential report, shown as manual items.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CredentialChecks {
    /// Console users must have an MFA device (CIS 1.10).
    pub console_mfa: bool,
    /// Passwords and access keys unused for this many days are findings (CIS 1.12: 45).
    pub unused_days: Option<Bounded<1, 3650>>,
    /// At most one active access key per user (CIS 1.13).
    pub single_active_key: bool,
    /// Access keys older than this many days are findings (CIS 1.14: 90).
    pub key_max_age_days: Option<Bounded<1, 3650>>,
}

/// `iam.password_policy`: only the declared fields are managed; the others keep their
/// live values.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordPolicySpec {
    #[schemars(with = "Option<Ensure>")]
    pub ensure: Option<Spanned<Ensure>>,
    pub minimum_length: Option<Bounded<6, 128>>,
    pub require_symbols: Option<bool>,
    pub require_numbers: Option<bool>,
    pub require_uppercase: Option<bool>,
    pub require_lowercase: Option<bool>,
    pub allow_users_to_change: Option<bool>,
    /// Days before a password expires; 0 means passwords never expire.
    pub max_age_days: Option<Bounded<0, 1095>>,
    /// How many previous passwords cannot be reused; 0 means no restriction.
    pub reuse_prevention: Option<Bounded<0, 24>>,
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
