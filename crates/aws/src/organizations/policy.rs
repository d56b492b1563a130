//! `org_policy.NAME`: a service control policy, its document compared semantically, and
//! where it is attached (`root`, OU paths, account ids). The attachment list is
//! authoritative for the policies the file declares; other policies are never touched.

use aws_sdk_organizations::types::{PolicyType, TargetType};
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::Ensure;
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec, policy};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::{build_error, call};
use crate::kind::{LegacyKind, name_of};
use crate::organizations::{
    account, emails, in_use, org, organization, path_of, target_id, target_label, unit,
};

pub(crate) struct ServiceControlPolicy;

const KIND: &str = "org_policy";

impl LegacyKind for ServiceControlPolicy {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(org) = org(spec) else {
            return Vec::new();
        };
        org.policies
            .iter()
            .map(|(name, scp)| {
                let address = ResourceAddr::named(KIND, name.as_str());
                let scp = &scp.value;
                let mut targets: Vec<String> = scp
                    .attach
                    .iter()
                    .map(|t| target_label(&t.value, &scope.org_accounts))
                    .collect();
                targets.sort();
                targets.dedup();
                // Created after the OUs and accounts it is attached to.
                let needs = scp.attach.iter().filter_map(|t| match &t.value {
                    baseline_core::spec::OrgTarget::Unit(path) => {
                        Some(unit::address(path.as_str()))
                    }
                    baseline_core::spec::OrgTarget::Account(name) => {
                        Some(account::address(name.as_str()))
                    }
                    _ => None,
                });
                let mut desired = Desired::new(
                    address,
                    json!({
                        "description": scp.description.clone().unwrap_or_default(),
                        "document": scp.document.as_ref().map(|d| policy::normalize(&d.0)),
                        "targets": targets,
                    }),
                )
                .after([organization::address()])
                .after(needs.collect::<Vec<_>>());
                desired.ensure = scp.ensure;
                if scp.ensure == Ensure::Present {
                    desired.write_only = emails(spec);
                } else {
                    desired.state = json!({});
                }
                desired
            })
            .collect()
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            if !in_use(ctx, address).await? {
                return Ok(None);
            }
            let Some(id) = policy_id(ctx, address).await? else {
                return Ok(None);
            };
            let described = call!(
                address,
                "organizations:DescribePolicy",
                ctx.organizations().describe_policy().policy_id(&id).send()
            )?;
            let policy = described.policy();
            let document = policy
                .and_then(|p| p.content())
                .and_then(|text| policy::parse(text).ok())
                .map(|doc| policy::normalize(&doc));
            let description = policy
                .and_then(|p| p.policy_summary())
                .and_then(|s| s.description())
                .unwrap_or_default();
            let attached = call!(
                address,
                "organizations:ListTargetsForPolicy",
                ctx.organizations()
                    .list_targets_for_policy()
                    .policy_id(&id)
                    .into_paginator()
                    .send()
                    .try_collect()
            )?;
            let mut targets = Vec::new();
            for target in attached.iter().flat_map(|p| p.targets()) {
                let target_id = target.target_id().unwrap_or_default();
                targets.push(match target.r#type() {
                    Some(TargetType::Root) => "root".to_owned(),
                    Some(TargetType::OrganizationalUnit) => {
                        path_of(ctx, address, target_id).await?
                    }
                    _ => target_id.to_owned(),
                });
            }
            targets.sort();
            Ok(Some(json!({
                "description": description,
                "document": document,
                "targets": targets,
            })))
        })
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let address = &change.address;
            let orgs = ctx.organizations();
            let strings = |state: Option<&Value>| -> Vec<String> {
                state
                    .and_then(|s| s.get("targets"))
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|t| t.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let before = strings(change.before.as_ref());
            let after = strings(change.after.as_ref());
            let id = match (change.action, policy_id(ctx, address).await?) {
                (Action::Delete, None) => return Ok(()),
                (Action::Delete, Some(id)) => id,
                (_, existing) => {
                    let after_state = change.after.as_ref();
                    let content = after_state
                        .and_then(|a| a.get("document"))
                        .map(policy::to_text)
                        .ok_or_else(|| build_error(address, "the plan has no policy document"))?;
                    let description = after_state
                        .and_then(|a| a.get("description"))
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    match existing {
                        Some(id) => {
                            if change.before.as_ref().and_then(|b| b.get("document"))
                                != after_state.and_then(|a| a.get("document"))
                                || change.before.as_ref().and_then(|b| b.get("description"))
                                    != after_state.and_then(|a| a.get("description"))
                            {
                                call!(
                                    address,
                                    "organizations:UpdatePolicy",
                                    orgs.update_policy()
                                        .policy_id(&id)
                                        .content(content)
                                        .description(description)
                                        .send()
                                )?;
                            }
                            id
                        }
                        None => {
                            let created = call!(
                                address,
                                "organizations:CreatePolicy",
                                orgs.create_policy()
                                    .name(name_of(address))
                                    .description(description)
                                    .content(content)
                                    .r#type(PolicyType::ServiceControlPolicy)
                                    .send()
                            )?;
                            created
                                .policy()
                                .and_then(|p| p.policy_summary())
                                .and_then(|s| s.id())
                                .unwrap_or_default()
                                .to_owned()
                        }
                    }
                }
            };
            // Attach before detaching: a target is never left without the policy it
            // keeps while the list changes.
            for target in after.iter().filter(|t| !before.contains(t)) {
                let target = target_id(ctx, address, target, &change.write_only).await?;
                call!(
                    address,
                    "organizations:AttachPolicy",
                    orgs.attach_policy().policy_id(&id).target_id(target).send()
                )?;
            }
            for target in before.iter().filter(|t| !after.contains(t)) {
                let target = target_id(ctx, address, target, &change.write_only).await?;
                call!(
                    address,
                    "organizations:DetachPolicy",
                    orgs.detach_policy().policy_id(&id).target_id(target).send()
                )?;
            }
            if change.action == Action::Delete {
                call!(
                    address,
                    "organizations:DeletePolicy",
                    orgs.delete_policy().policy_id(&id).send()
                )?;
            }
            Ok(())
        })
    }
}

/// The id of the service control policy named by the address.
async fn policy_id(
    ctx: &AwsContext,
    address: &ResourceAddr,
) -> Result<Option<String>, ProviderError> {
    let policies = call!(
        address,
        "organizations:ListPolicies",
        ctx.organizations()
            .list_policies()
            .filter(PolicyType::ServiceControlPolicy)
            .into_paginator()
            .send()
            .try_collect()
    )?;
    Ok(policies
        .iter()
        .flat_map(|p| p.policies())
        .find(|p| p.name() == Some(name_of(address)) && !p.aws_managed())
        .and_then(|p| p.id())
        .map(str::to_owned))
}
