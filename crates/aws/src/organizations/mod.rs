//! AWS Organizations, from the management account: the organization, its OU tree (by path),
//! service control policies, member accounts, trusted services and delegated
//! administrators; and the survey that finds which member accounts `targets` selects.
//!
//! OUs and accounts are named in the file by path and name, never by id: ids are looked
//! up when a change is applied, so a plan stays readable and a new OU or account can be
//! used in the same run that creates it.

pub(crate) mod access;
pub(crate) mod account;
mod creation;
pub(crate) mod organization;
pub(crate) mod policy;
#[cfg(test)]
mod tests;
pub(crate) mod unit;

use std::collections::BTreeMap;

use aws_sdk_organizations::types::{Account, AccountStatus, OrganizationalUnit, ParentType};
use baseline_core::spec::{OrgTarget, OrganizationSpec, TargetAccounts};
use baseline_core::{ProviderError, ResourceAddr, Spec};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::context::AwsContext;
use crate::error::{call, found, list_pages};
use crate::kind::canonical;

/// The `organization:` section, when the file has one.
pub(crate) fn org(spec: &Spec) -> Option<&OrganizationSpec> {
    spec.organization.as_ref()
}

/// The organization's root id.
pub(crate) async fn root_id(
    ctx: &AwsContext,
    address: &ResourceAddr,
) -> Result<String, ProviderError> {
    let roots = call!(
        address,
        "organizations:ListRoots",
        ctx.organizations().list_roots().send()
    )?;
    roots
        .roots()
        .first()
        .and_then(|r| r.id())
        .map(str::to_owned)
        .ok_or_else(|| {
            not_found(
                address,
                "organizations:ListRoots",
                "the organization has no root",
            )
        })
}

fn not_found(address: &ResourceAddr, operation: &str, message: &str) -> ProviderError {
    ProviderError {
        address: address.clone(),
        operation: operation.to_owned(),
        code: None,
        message: message.to_owned(),
        hint: None,
    }
}

/// The id of the OU at `path` (`/Workloads/Prod`), or of the root for `/`; `None` when a
/// part of the path does not exist.
pub(crate) async fn unit_id(
    ctx: &AwsContext,
    address: &ResourceAddr,
    path: &str,
) -> Result<Option<String>, ProviderError> {
    let mut parent = root_id(ctx, address).await?;
    for part in path.split('/').filter(|p| !p.is_empty()) {
        let children = child_units(ctx, address, &parent).await?;
        match children.iter().find(|ou| ou.name() == Some(part)) {
            Some(ou) => parent = ou.id().unwrap_or_default().to_owned(),
            None => return Ok(None),
        }
    }
    Ok(Some(parent))
}

/// The OUs right under a parent (the root or an OU), every page.
async fn child_units(
    ctx: &AwsContext,
    address: &ResourceAddr,
    parent: &str,
) -> Result<Vec<OrganizationalUnit>, ProviderError> {
    let pages = list_pages!(
        address,
        "organizations:ListOrganizationalUnitsForParent",
        ctx.organizations()
            .list_organizational_units_for_parent()
            .parent_id(parent)
    )?;
    Ok(pages
        .iter()
        .flat_map(|p| p.organizational_units())
        .cloned()
        .collect())
}

/// The path of a parent (an OU id or the root): `/` for the root, else `/A/B`.
pub(crate) async fn path_of(
    ctx: &AwsContext,
    address: &ResourceAddr,
    id: &str,
) -> Result<String, ProviderError> {
    let mut parts = Vec::new();
    let mut current = id.to_owned();
    while current.starts_with("ou-") {
        let ou = call!(
            address,
            "organizations:DescribeOrganizationalUnit",
            ctx.organizations()
                .describe_organizational_unit()
                .organizational_unit_id(&current)
                .send()
        )?;
        parts.push(
            ou.organizational_unit()
                .and_then(|o| o.name())
                .unwrap_or_default()
                .to_owned(),
        );
        current = parent_of(ctx, address, &current).await?.0;
    }
    parts.reverse();
    Ok(format!("/{}", parts.join("/")))
}

/// The direct parent (id and whether it is the root) of an OU or account.
pub(crate) async fn parent_of(
    ctx: &AwsContext,
    address: &ResourceAddr,
    child: &str,
) -> Result<(String, bool), ProviderError> {
    let parents = call!(
        address,
        "organizations:ListParents",
        ctx.organizations().list_parents().child_id(child).send()
    )?;
    let parent = parents
        .parents()
        .first()
        .ok_or_else(|| not_found(address, "organizations:ListParents", "no parent"))?;
    Ok((
        parent.id().unwrap_or_default().to_owned(),
        parent.r#type() == Some(&ParentType::Root),
    ))
}

/// Every account of the organization (one ListAccounts for all the reads of a plan).
pub(crate) async fn accounts(
    ctx: &AwsContext,
    address: &ResourceAddr,
) -> Result<Vec<Account>, ProviderError> {
    let all = ctx
        .shared(address, "organizations:ListAccounts".to_owned(), || async {
            let pages = list_pages!(
                address,
                "organizations:ListAccounts",
                ctx.organizations().list_accounts()
            )?;
            Ok(pages
                .iter()
                .flat_map(|p| p.accounts())
                .cloned()
                .collect::<Vec<Account>>())
        })
        .await?;
    Ok(all.as_ref().clone())
}

/// The account whose root e-mail is `email` (AWS compares e-mails without case).
pub(crate) fn by_email<'a>(accounts: &'a [Account], email: &str) -> Option<&'a Account> {
    accounts
        .iter()
        .find(|a| a.email().is_some_and(|e| e.eq_ignore_ascii_case(email)))
}

/// Turns a target as the plan shows it (`root`, `/Path`, an id, or `name <email>` of an
/// account not created yet) into the id AWS wants.
pub(crate) async fn target_id(
    ctx: &AwsContext,
    address: &ResourceAddr,
    target: &str,
    write_only: &Value,
) -> Result<String, ProviderError> {
    if target == "root" {
        return root_id(ctx, address).await;
    }
    if target.starts_with('/') {
        return existing_unit_id(ctx, address, target).await;
    }
    if target.len() == 12 && target.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(target.to_owned());
    }
    let Some(email) = email_in(write_only, target) else {
        return Err(not_found(
            address,
            "organizations:ListAccounts",
            &format!("account `{target}` has no e-mail in the plan"),
        ));
    };
    let all = accounts(ctx, address).await?;
    by_email(&all, &email)
        .and_then(Account::id)
        .map(str::to_owned)
        .ok_or_else(|| {
            not_found(
                address,
                "organizations:ListAccounts",
                &format!("account `{target}` ({email}) does not exist yet"),
            )
        })
}

/// The id of the OU at `path`, which must exist by now (it is created first).
pub(crate) async fn existing_unit_id(
    ctx: &AwsContext,
    address: &ResourceAddr,
    path: &str,
) -> Result<String, ProviderError> {
    unit_id(ctx, address, path).await?.ok_or_else(|| {
        not_found(
            address,
            "organizations:ListOrganizationalUnitsForParent",
            &format!("OU {path} does not exist"),
        )
    })
}

/// How a target is written in desired state: `root`, an OU path, or an account id (its
/// name while the account does not exist yet).
pub(crate) fn target_label(target: &OrgTarget, known: &BTreeMap<String, String>) -> String {
    match target {
        OrgTarget::Root => "root".to_owned(),
        OrgTarget::Unit(path) => path.to_string(),
        OrgTarget::AccountId(id) => id.clone(),
        OrgTarget::Account(name) => known
            .get(name.as_str())
            .cloned()
            .unwrap_or_else(|| name.to_string()),
    }
}

/// The declared accounts' e-mails by name, as write-only settings: how a resource that names
/// an account (a target, a closure) finds it, even one created in the same run.
#[derive(Serialize, Deserialize)]
struct Emails {
    emails: BTreeMap<String, String>,
}

/// The e-mails of the declared accounts, as write-only settings.
pub(crate) fn emails(spec: &Spec) -> Value {
    let emails = org(spec)
        .iter()
        .flat_map(|o| &o.accounts)
        .map(|(name, a)| (name.to_string(), a.value.email.as_str().to_owned()))
        .collect();
    canonical(&Emails { emails })
}

/// The e-mail of declared account `name` in a resource's write-only settings.
pub(crate) fn email_in(write_only: &Value, name: &str) -> Option<String> {
    let Emails { mut emails } = Emails::deserialize(write_only).ok()?;
    emails.remove(name)
}

/// One member account `targets` selects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub account_id: String,
    /// Its name under `organization.accounts`, if it has one.
    pub name: Option<String>,
}

/// What the management account's organization looks like, as far as the file needs it.
#[derive(Clone, Debug, Default)]
pub struct Survey {
    /// Declared accounts that exist: name to id.
    pub known: BTreeMap<String, String>,
    /// The accounts `targets` selects (never the management account itself).
    pub members: Vec<Member>,
    /// Declared accounts `targets` selects that do not exist yet (created by apply).
    pub pending: Vec<String>,
}

/// Reads the organization for the declared accounts and the targets. No organization yet
/// (or a file without `organization` and `targets`) gives an empty survey.
pub async fn survey(ctx: &AwsContext, spec: &Spec) -> Result<Survey, ProviderError> {
    let address = ResourceAddr::singleton("organization");
    let address = &address;
    if spec.organization.is_none() && spec.targets.is_none() {
        return Ok(Survey::default());
    }
    if !in_use(ctx, address).await? {
        // No organization yet: every declared account is still to be created.
        let pending = org(spec)
            .into_iter()
            .flat_map(|o| &o.accounts)
            .filter(|(_, a)| {
                spec.targets.is_some() && a.value.ensure == baseline_core::spec::Ensure::Present
            })
            .map(|(name, _)| name.to_string())
            .collect();
        return Ok(Survey {
            pending,
            ..Survey::default()
        });
    }
    let all = accounts(ctx, address).await?;
    let declared: Vec<(String, String, bool)> = org(spec)
        .iter()
        .flat_map(|o| &o.accounts)
        .map(|(name, a)| {
            let present = a.value.ensure == baseline_core::spec::Ensure::Present;
            (name.to_string(), a.value.email.as_str().to_owned(), present)
        })
        .collect();
    let known: BTreeMap<String, String> = declared
        .iter()
        .filter_map(|(name, email, _)| {
            by_email(&all, email)
                .and_then(Account::id)
                .map(|id| (name.clone(), id.to_owned()))
        })
        .collect();
    let name_of = |id: &str| known.iter().find(|(_, v)| *v == id).map(|(k, _)| k.clone());
    let me = ctx.account_id().await?.to_owned();
    let active = |a: &&Account| a.status() == Some(&AccountStatus::Active) && a.id() != Some(&me);
    let mut ids: Vec<String> = Vec::new();
    let mut pending = Vec::new();
    match spec.targets.as_ref().map(|t| &t.accounts) {
        None => {}
        Some(TargetAccounts::All) => {
            ids.extend(
                all.iter()
                    .filter(active)
                    .filter_map(|a| a.id().map(str::to_owned)),
            );
            pending.extend(
                declared
                    .iter()
                    .filter(|(name, _, present)| *present && !known.contains_key(name))
                    .map(|(name, _, _)| name.clone()),
            );
        }
        Some(TargetAccounts::List(list)) => {
            for target in list {
                match &target.value {
                    OrgTarget::Root => {}
                    OrgTarget::AccountId(id) => ids.push(id.clone()),
                    OrgTarget::Account(name) => match known.get(name.as_str()) {
                        Some(id) => ids.push(id.clone()),
                        None => pending.push(name.to_string()),
                    },
                    OrgTarget::Unit(path) => {
                        if let Some(ou) = unit_id(ctx, address, path.as_str()).await? {
                            ids.extend(accounts_below(ctx, address, &ou).await?);
                        }
                    }
                }
            }
        }
    }
    let live_active: Vec<&str> = all.iter().filter(active).filter_map(Account::id).collect();
    ids.retain(|id| live_active.contains(&id.as_str()) || !all.iter().any(|a| a.id() == Some(id)));
    ids.retain(|id| *id != me);
    ids.sort();
    ids.dedup();
    pending.sort();
    pending.dedup();
    let members = ids
        .into_iter()
        .map(|id| Member {
            name: name_of(&id),
            account_id: id,
        })
        .collect();
    Ok(Survey {
        known,
        members,
        pending,
    })
}

/// The ids of every account in an OU and the OUs below it.
async fn accounts_below(
    ctx: &AwsContext,
    address: &ResourceAddr,
    ou: &str,
) -> Result<Vec<String>, ProviderError> {
    let mut found = Vec::new();
    let mut queue = vec![ou.to_owned()];
    while let Some(parent) = queue.pop() {
        let accounts = list_pages!(
            address,
            "organizations:ListAccountsForParent",
            ctx.organizations()
                .list_accounts_for_parent()
                .parent_id(&parent)
        )?;
        found.extend(
            accounts
                .iter()
                .flat_map(|p| p.accounts())
                .filter_map(|a| a.id().map(str::to_owned)),
        );
        let children = child_units(ctx, address, &parent).await?;
        queue.extend(children.iter().filter_map(|c| c.id().map(str::to_owned)));
    }
    Ok(found)
}

/// Organizations' answer to an account that is in no organization.
pub(crate) const NOT_IN_USE: &[&str] = &["AWSOrganizationsNotInUseException"];

/// Whether the caller's account is in an organization (none yet: nothing in it exists).
/// (One DescribeOrganization for all the reads of a plan.)
pub(crate) async fn in_use(
    ctx: &AwsContext,
    address: &ResourceAddr,
) -> Result<bool, ProviderError> {
    let key = "organizations:DescribeOrganization".to_owned();
    let in_use = ctx
        .shared(address, key, || async {
            let answer = ctx.organizations().describe_organization().send().await;
            let described = found(
                address,
                "organizations:DescribeOrganization",
                NOT_IN_USE,
                answer,
            )?;
            Ok(described.is_some())
        })
        .await?;
    Ok(*in_use)
}
