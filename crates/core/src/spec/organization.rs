//! `organization:` and `targets:` — AWS Organizations managed from the management account
//! (OUs, service control policies, member accounts, trusted services, delegated
//! administrators), and the account baseline fanned out to member accounts through a role.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, de};
use serde_saphyr::Spanned;

use super::validated::{is_name, validated_string};
use super::{Bounded, Email, Ensure, IamName, PolicyDocument, with_hint};

validated_string! {
    /// An OU by path from the root: `/Workloads/Prod`. Each part is an OU name (1 to 128
    /// characters, no `/`).
    OuPath {
        valid: |text| {
            let parts: Vec<&str> = text.strip_prefix('/').unwrap_or("").split('/').collect();
            text.starts_with('/')
                && text.len() > 1
                && parts
                    .iter()
                    .all(|p| (1..=128).contains(&p.len()) && p.trim() == *p)
        },
        error: "is not an OU path",
        hint: "write OUs by path from the root, e.g. `/Workloads/Prod` (no trailing `/`)",
        description: "An OU by path from the root, e.g. /Workloads/Prod.",
        schema: { "type": "string", "pattern": "^(/[^/]{1,128})+$" },
    }
}

impl OuPath {
    /// The OU's own name: the last part of its path.
    pub fn name(&self) -> &str {
        self.as_str().rsplit('/').next().unwrap_or_default()
    }

    /// The parent's path, or `None` for an OU right under the root.
    pub fn parent(&self) -> Option<OuPath> {
        let (parent, _) = self.as_str().rsplit_once('/')?;
        (!parent.is_empty()).then(|| OuPath(parent.to_owned()))
    }

    /// This path and every ancestor, the root's child first.
    pub fn with_ancestors(&self) -> Vec<OuPath> {
        let mut all = vec![self.clone()];
        while let Some(parent) = all.last().and_then(OuPath::parent) {
            all.push(parent);
        }
        all.reverse();
        all
    }
}

validated_string! {
    /// A name for a member account in this file (`organization.accounts.NAME`), also its
    /// account name when baseline creates it: 1 to 50 printable characters.
    AccountName {
        valid: |text| {
            (1..=50).contains(&text.chars().count())
                && text.chars().all(|c| !c.is_control())
                && !text.starts_with('/')
                && !(text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()))
                && text != "root"
                && text != "all"
        },
        error: "cannot name a member account",
        hint: "account names are 1 to 50 characters, not 12 digits, `root` or `all`, and do not \
               start with `/`",
        description: "A member account's name in this file (1 to 50 characters).",
        schema: { "type": "string", "minLength": 1, "maxLength": 50 },
    }
}

validated_string! {
    /// A service control policy name, kept to characters that read well in an address:
    /// 1 to 128 letters, digits, `-`, `_` and `.`.
    ScpName {
        valid: |text| is_name(text, 128, b"-_."),
        error: "is not a policy name baseline accepts",
        hint: "policy names are 1 to 128 letters, digits, `-`, `_` and `.`",
        description: "A service control policy name.",
        schema: { "type": "string", "pattern": "^[A-Za-z0-9._-]{1,128}$" },
    }
}

validated_string! {
    /// An AWS service principal such as `cloudtrail.amazonaws.com`.
    ServicePrincipal {
        valid: |text| {
            text.ends_with(".amazonaws.com")
                && text.len() > ".amazonaws.com".len()
                && text
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b))
        },
        error: "is not an AWS service principal",
        hint: "service principals look like `config.amazonaws.com`",
        description: "An AWS service principal, e.g. config.amazonaws.com.",
        schema: { "type": "string", "pattern": "^[a-z0-9.-]+\\.amazonaws\\.com$" },
    }
}

/// Where a policy is attached, or which accounts a target selects: `root`, an OU path, an
/// account declared under `organization.accounts` by name, or a 12-digit account id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OrgTarget {
    Root,
    Unit(OuPath),
    Account(AccountName),
    AccountId(String),
}

impl OrgTarget {
    fn parse(text: &str) -> Result<Self, String> {
        if text == "root" {
            return Ok(Self::Root);
        }
        if text.starts_with('/') {
            return text.parse().map(Self::Unit);
        }
        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Self::AccountId(text.to_owned()));
        }
        text.parse().map(Self::Account)
    }
}

impl std::fmt::Display for OrgTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Root => f.write_str("root"),
            Self::Unit(path) => f.write_str(path.as_str()),
            Self::Account(name) => f.write_str(name.as_str()),
            Self::AccountId(id) => f.write_str(id),
        }
    }
}

impl<'de> Deserialize<'de> for OrgTarget {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TargetVisitor;

        impl de::Visitor<'_> for TargetVisitor {
            type Value = OrgTarget;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("`root`, an OU path, an account name or a 12-digit account id")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<OrgTarget, E> {
                OrgTarget::parse(text).map_err(E::custom)
            }

            /// Unquoted account ids arrive as numbers.
            fn visit_u64<E: de::Error>(self, number: u64) -> Result<OrgTarget, E> {
                self.visit_str(&format!("{number:012}"))
            }
        }

        deserializer.deserialize_any(TargetVisitor)
    }
}

/// `organization:` in the management account's baseline.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OrganizationSpec {
    /// `all` (the only choice: service control policies need all features).
    pub feature_set: FeatureSet,
    /// OUs by path (`/Workloads/Prod`); parents of a declared path are made too.
    pub units: BTreeMap<OuPath, UnitSpec>,
    /// Service control policies, with where each is attached.
    #[schemars(with = "BTreeMap<ScpName, ScpSpec>")]
    pub policies: BTreeMap<ScpName, Spanned<ScpSpec>>,
    /// Member accounts: created when no account has the e-mail, adopted when one has.
    #[schemars(with = "BTreeMap<AccountName, MemberSpec>")]
    pub accounts: BTreeMap<AccountName, Spanned<MemberSpec>>,
    /// Services trusted to work across the organization (added for an organization trail
    /// or aggregator without being listed).
    pub service_access: Vec<ServicePrincipal>,
    /// A member account that administers a service for the organization.
    #[schemars(with = "BTreeMap<ServicePrincipal, String>")]
    pub delegated_admins: BTreeMap<ServicePrincipal, Spanned<OrgTarget>>,
}

/// The organization's feature set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeatureSet {
    #[default]
    All,
}

/// `organization.units.PATH`.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct UnitSpec {
    /// `absent` deletes the OU (AWS refuses while it holds accounts or OUs).
    pub ensure: Ensure,
}

/// `organization.policies.NAME`: a service control policy.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ScpSpec {
    pub ensure: Ensure,
    pub description: Option<String>,
    /// The policy (its `Statement`s limit what the accounts below may do).
    #[schemars(with = "Option<serde_json::Value>")]
    pub document: Option<PolicyDocument>,
    /// Where it applies: `root`, OU paths, account names or ids. The list is authoritative.
    #[schemars(with = "Vec<String>")]
    pub attach: Vec<Spanned<OrgTarget>>,
}

/// `organization.accounts.NAME`: a member account.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberSpec {
    /// `absent` never closes an account: it becomes a manual item until someone does.
    #[serde(default)]
    pub ensure: Ensure,
    /// The root user's e-mail: how an existing account is found, and the new one's address.
    pub email: Email,
    /// The OU it belongs in; default: the root.
    #[serde(default)]
    #[schemars(with = "Option<OuPath>")]
    pub unit: Option<Spanned<OuPath>>,
    /// The role AWS creates in a new account for the management account to assume
    /// (create only). Default: `OrganizationAccountAccessRole`.
    #[serde(default)]
    pub role: Option<IamName>,
}

/// `targets:` — which member accounts get this file's account baseline, and how to reach
/// them.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetsSpec {
    /// `all` member accounts, or a list of account names, ids and OU paths (an OU selects
    /// every account below it).
    #[schemars(with = "serde_json::Value")]
    pub accounts: TargetAccounts,
    /// The role to assume in each account. Default: `OrganizationAccountAccessRole`.
    #[serde(default)]
    pub role: Option<IamName>,
    /// How many accounts are planned and applied at once (default 4; `--account-parallelism`
    /// overrides).
    #[serde(default)]
    pub parallelism: Option<Bounded<1, 64>>,
    /// The top-level sections the members get; default: all of them. `account.alias` goes
    /// out only when it holds `{account_id}` (aliases are unique across AWS).
    #[serde(default)]
    pub sections: Option<Vec<Section>>,
}

impl TargetsSpec {
    pub const DEFAULT_ROLE: &'static str = "OrganizationAccountAccessRole";
    pub const DEFAULT_PARALLELISM: usize = 4;

    pub fn role(&self) -> &str {
        self.role
            .as_ref()
            .map_or(Self::DEFAULT_ROLE, IamName::as_str)
    }
}

/// A top-level section of the account baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Account,
    Root,
    Iam,
    Logging,
    Alerts,
    Cost,
    Guardrails,
}

/// `all`, or a list of targets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetAccounts {
    All,
    List(Vec<Spanned<OrgTarget>>),
}

impl<'de> Deserialize<'de> for TargetAccounts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AccountsVisitor;

        impl<'de> de::Visitor<'de> for AccountsVisitor {
            type Value = TargetAccounts;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("`all`, or a list of account names, ids and OU paths")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<TargetAccounts, E> {
                if text == "all" {
                    Ok(TargetAccounts::All)
                } else {
                    Err(E::custom(with_hint(
                        format!("`{text}` is not `all` or a list"),
                        "write `accounts: all`, or a list such as `[prod, /Workloads]`",
                    )))
                }
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<TargetAccounts, A::Error> {
                let list = Vec::<Spanned<OrgTarget>>::deserialize(
                    de::value::SeqAccessDeserializer::new(seq),
                )?;
                if list.iter().any(|t| t.value == OrgTarget::Root) {
                    return Err(de::Error::custom(with_hint(
                        "`root` is not a target account",
                        "write `accounts: all` for every member account",
                    )));
                }
                Ok(TargetAccounts::List(list))
            }
        }

        deserializer.deserialize_any(AccountsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ou_paths_know_their_ancestors() {
        let path: OuPath = serde_json::from_str("\"/Workloads/Prod\"").expect("path");
        assert_eq!(path.name(), "Prod");
        assert_eq!(
            path.parent().map(|p| p.to_string()),
            Some("/Workloads".into())
        );
        let all: Vec<String> = path
            .with_ancestors()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(all, ["/Workloads", "/Workloads/Prod"]);
        for bad in ["Workloads", "/", "/a/", "/a//b"] {
            assert!(
                serde_json::from_str::<OuPath>(&format!("\"{bad}\"")).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn targets_parse_by_shape() {
        assert_eq!(OrgTarget::parse("root"), Ok(OrgTarget::Root));
        assert!(matches!(
            OrgTarget::parse("/Sandbox"),
            Ok(OrgTarget::Unit(_))
        ));
        assert!(matches!(
            OrgTarget::parse("012345678901"),
            Ok(OrgTarget::AccountId(_))
        ));
        assert!(matches!(
            OrgTarget::parse("prod"),
            Ok(OrgTarget::Account(_))
        ));
    }
}
