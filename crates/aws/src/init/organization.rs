//! `organization:` as the management account sees it: OUs by path, the service control
//! policies the organization wrote (AWS's own FullAWSAccess is left out), member accounts
//! by name, trusted services and delegated administrators. A member account, or an account
//! outside any organization, has no such section.

use std::collections::BTreeMap;

use baseline_core::{ProviderError, ResourceAddr};
use serde_json::Value;

use super::Survey;
use super::yaml::Node;
use crate::error::{call, found, list_pages};

pub(super) async fn organization(survey: &Survey) -> Result<Option<Node>, Vec<ProviderError>> {
    describe(survey).await.map_err(|e| vec![e])
}

async fn describe(survey: &Survey) -> Result<Option<Node>, ProviderError> {
    let address = ResourceAddr::singleton("organization");
    let org = survey.ctx.organizations();
    let answer = org.describe_organization().send().await;
    let Some(out) = found(
        &address,
        "organizations:DescribeOrganization",
        &["AWSOrganizationsNotInUseException"],
        answer,
    )?
    else {
        return Ok(None);
    };
    let management = out
        .organization()
        .and_then(|o| o.master_account_id())
        .unwrap_or_default();
    if management != survey.account_id {
        return Ok(None);
    }

    // Where everything is: the root, and every OU by id with its path.
    let roots: Vec<_> = list_pages!(&address, "organizations:ListRoots", org.list_roots())?
        .into_iter()
        .flat_map(|p| p.roots.unwrap_or_default())
        .collect();
    let Some(root) = roots.first().and_then(|r| r.id()).map(str::to_owned) else {
        return Ok(None);
    };
    let mut paths: BTreeMap<String, String> = BTreeMap::new();
    let mut parents = vec![(root.clone(), String::new())];
    while let Some((parent, prefix)) = parents.pop() {
        let units: Vec<_> = list_pages!(
            &address,
            "organizations:ListOrganizationalUnitsForParent",
            org.list_organizational_units_for_parent()
                .parent_id(&parent)
        )?
        .into_iter()
        .flat_map(|p| p.organizational_units.unwrap_or_default())
        .collect();
        for unit in units {
            let (Some(id), Some(name)) = (unit.id(), unit.name()) else {
                continue;
            };
            let path = format!("{prefix}/{name}");
            paths.insert(id.to_owned(), path.clone());
            parents.push((id.to_owned(), path));
        }
    }

    // Member accounts by their name in the file: the account's name where it is one the
    // file accepts, else its id.
    let accounts: Vec<_> =
        list_pages!(&address, "organizations:ListAccounts", org.list_accounts())?
            .into_iter()
            .flat_map(|p| p.accounts.unwrap_or_default())
            .collect();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut members = Node::map();
    for account in &accounts {
        let (Some(id), Some(email)) = (account.id(), account.email()) else {
            continue;
        };
        if id == survey.account_id || account.state().is_some_and(|s| s.as_str() != "ACTIVE") {
            continue;
        }
        let name = account
            .name()
            .filter(|n| n.parse::<baseline_core::spec::AccountName>().is_ok())
            .unwrap_or(id)
            .to_owned();
        names.insert(id.to_owned(), name.clone());
        let parents: Vec<_> = list_pages!(
            &address,
            "organizations:ListParents",
            org.list_parents().child_id(id)
        )?
        .into_iter()
        .flat_map(|p| p.parents.unwrap_or_default())
        .collect();
        let mut member = Node::map();
        member.set("email", Node::str(email.to_ascii_lowercase()));
        if let Some(path) = parents
            .first()
            .and_then(|p| p.id())
            .and_then(|p| paths.get(p))
        {
            member.set("unit", Node::str(path));
        }
        members.set(&name, member);
    }
    let target = |id: &str| -> String {
        if id == root {
            "root".to_owned()
        } else if let Some(path) = paths.get(id) {
            path.clone()
        } else {
            names.get(id).cloned().unwrap_or_else(|| id.to_owned())
        }
    };

    let mut node = Node::map();
    if !paths.is_empty() {
        let mut units = Node::map();
        for path in paths.values().collect::<std::collections::BTreeSet<_>>() {
            units.set(path, Node::map());
        }
        node.set("units", units);
    }

    let policies: Vec<_> = list_pages!(
        &address,
        "organizations:ListPolicies",
        org.list_policies()
            .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
    )?
    .into_iter()
    .flat_map(|p| p.policies.unwrap_or_default())
    .collect();
    let mut scps = Node::map();
    for policy in policies.iter().filter(|p| !p.aws_managed()) {
        let (Some(id), Some(name)) = (policy.id(), policy.name()) else {
            continue;
        };
        let out = call!(
            &address,
            "organizations:DescribePolicy",
            org.describe_policy().policy_id(id).send()
        )?;
        let content = out
            .policy()
            .and_then(|p| p.content())
            .and_then(|c| serde_json::from_str::<Value>(c).ok())
            .unwrap_or(Value::Null);
        let targets: Vec<_> = list_pages!(
            &address,
            "organizations:ListTargetsForPolicy",
            org.list_targets_for_policy().policy_id(id)
        )?
        .into_iter()
        .flat_map(|p| p.targets.unwrap_or_default())
        .collect();
        let mut scp = Node::map();
        if let Some(description) = policy.description().filter(|d| !d.is_empty()) {
            scp.set("description", Node::str(description));
        }
        scp.set(
            "document",
            Node::from_json(&baseline_core::policy::documented(&content)),
        );
        let mut attach: Vec<String> = targets
            .iter()
            .filter_map(|t| t.target_id())
            .map(&target)
            .collect();
        attach.sort();
        scp.set("attach", Node::strs(attach));
        scps.set(name, scp);
    }
    if !scps.is_empty() {
        node.set("policies", scps);
    }
    if !members.is_empty() {
        node.set("accounts", members);
    }

    let access: Vec<_> = list_pages!(
        &address,
        "organizations:ListAWSServiceAccessForOrganization",
        org.list_aws_service_access_for_organization()
    )?
    .into_iter()
    .flat_map(|p| p.enabled_service_principals.unwrap_or_default())
    .collect();
    let mut services: Vec<String> = access
        .iter()
        .filter_map(|a| a.service_principal().map(str::to_owned))
        .collect();
    services.sort();
    if !services.is_empty() {
        node.set("service_access", Node::strs(services));
    }

    let admins = list_pages!(
        &address,
        "organizations:ListDelegatedAdministrators",
        org.list_delegated_administrators()
    )?;
    let mut delegated = Node::map();
    for page in &admins {
        for admin in page.delegated_administrators() {
            let Some(id) = admin.id() else { continue };
            let services = list_pages!(
                &address,
                "organizations:ListDelegatedServicesForAccount",
                org.list_delegated_services_for_account().account_id(id)
            )?;
            for service in services.iter().flat_map(|p| p.delegated_services()) {
                if let Some(principal) = service.service_principal() {
                    delegated.set(principal, Node::str(target(id)));
                }
            }
        }
    }
    if !delegated.is_empty() {
        node.set("delegated_admins", delegated);
    }
    Ok(Some(node))
}
