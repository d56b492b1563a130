//! `org_policy.NAME`: a service control policy, its document compared semantically, and
//! where it is attached (`root`, OU paths, account ids). The attachment list is
//! authoritative for the policies the file declares; other policies are never touched.

use aws_sdk_organizations::types::{PolicyType, TargetType};
use baseline_core::plan::{Desired, Grant, Grants};
use baseline_core::scope::Scope;
use baseline_core::spec::{Ensure, OrgTarget};
use baseline_core::{ProviderError, ResourceAddr, Spec, policy};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::context::AwsContext;
use crate::error::{build_error, call, list_pages, says_exists, sdk_error};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare, name_of};
use crate::organizations::{
    account, emails, in_use, org, organization, path_of, target_id, target_label, unit,
};

pub(crate) struct ServiceControlPolicy;

/// The policy's description (empty when it has none), its normalised document (`null`
/// when AWS's text does not parse), and its targets as the plan shows them, sorted.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    description: String,
    document: Option<Value>,
    targets: Vec<String>,
}

impl Kind for ServiceControlPolicy {
    type State = State;
    const KIND: &'static str = "org_policy";
    const GRANTS: Grants = &[
        ("document", Grant::ControlPolicy),
        ("targets", Grant::ControlTargets),
    ];

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(org) = org(spec) else {
            return Vec::new();
        };
        org.policies
            .iter()
            .map(|(name, scp)| {
                let address = ResourceAddr::named(Self::KIND, name.as_str());
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
                    OrgTarget::Unit(path) => Some(unit::address(path.as_str())),
                    OrgTarget::Account(name) => Some(account::address(name.as_str())),
                    _ => None,
                });
                let mut desired = if scp.ensure == Ensure::Present {
                    let state = State {
                        description: scp.description.clone().unwrap_or_default(),
                        document: scp.document.as_ref().map(|d| policy::normalize(&d.0)),
                        targets,
                    };
                    let mut desired = declare(address, &state);
                    desired.write_only = emails(spec);
                    desired
                } else {
                    // Wanted gone: no state.
                    Desired::new(address, Value::Object(Map::new()))
                };
                desired = desired
                    .after([organization::address()])
                    .after(needs.collect::<Vec<_>>());
                desired.ensure = scp.ensure;
                desired
            })
            .collect()
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let address = read.address;
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
            .unwrap_or_default()
            .to_owned();
        let attached = list_pages!(
            address,
            "organizations:ListTargetsForPolicy",
            ctx.organizations().list_targets_for_policy().policy_id(&id)
        )?;
        let mut targets = Vec::new();
        for target in attached.iter().flat_map(|p| p.targets()) {
            let target_id = target.target_id().unwrap_or_default();
            targets.push(match target.r#type() {
                Some(TargetType::Root) => "root".to_owned(),
                Some(TargetType::OrganizationalUnit) => path_of(ctx, address, target_id).await?,
                _ => target_id.to_owned(),
            });
        }
        targets.sort();
        Ok(Some(State {
            description,
            document,
            targets,
        }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        let id = write(ctx, &change.address, None, after).await?;
        retarget(ctx, change, &id, &[], &after.targets).await
    }

    async fn update(&self, ctx: &AwsContext, change: &Change, old: &State, new: &State) -> Done {
        let id = write(ctx, &change.address, Some(old), new).await?;
        retarget(ctx, change, &id, &old.targets, &new.targets).await
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, before: &State) -> Done {
        let address = &change.address;
        let Some(id) = policy_id(ctx, address).await? else {
            return Ok(());
        };
        retarget(ctx, change, &id, &before.targets, &[]).await?;
        call!(
            address,
            "organizations:DeletePolicy",
            ctx.organizations().delete_policy().policy_id(&id).send()
        )?;
        Ok(())
    }
}

/// Creates the policy, or updates the existing one unless its document and description
/// are already `after`'s; returns its id.
async fn write(
    ctx: &AwsContext,
    address: &ResourceAddr,
    before: Option<&State>,
    after: &State,
) -> Result<String, ProviderError> {
    let orgs = ctx.organizations();
    let existing = policy_id(ctx, address).await?;
    let content = after
        .document
        .as_ref()
        .map(policy::to_text)
        .ok_or_else(|| build_error(address, "the plan has no policy document"))?;
    let description = after.description.as_str();
    if let Some(id) = existing {
        let same = before
            .is_some_and(|b| b.document == after.document && b.description == after.description);
        if !same {
            update(ctx, address, &id, content, description).await?;
        }
        return Ok(id);
    }
    let answer = orgs
        .create_policy()
        .name(name_of(address))
        .description(description)
        .content(content.clone())
        .r#type(PolicyType::ServiceControlPolicy)
        .send()
        .await;
    match answer {
        Ok(created) => Ok(created
            .policy()
            .and_then(|p| p.policy_summary())
            .and_then(|s| s.id())
            .unwrap_or_default()
            .to_owned()),
        // CreatePolicy has no idempotency token: when its answer was lost and the SDK sent
        // it again, the policy exists with this name. It is used, with the wanted content.
        Err(err) if says_exists(&err, &["DuplicatePolicyException"]) => {
            let id = policy_id(ctx, address)
                .await?
                .ok_or_else(|| sdk_error(address, "organizations:CreatePolicy", &err))?;
            update(ctx, address, &id, content, description).await?;
            Ok(id)
        }
        Err(err) => Err(sdk_error(address, "organizations:CreatePolicy", &err)),
    }
}

/// Gives policy `id` this content and description.
async fn update(
    ctx: &AwsContext,
    address: &ResourceAddr,
    id: &str,
    content: String,
    description: &str,
) -> Done {
    call!(
        address,
        "organizations:UpdatePolicy",
        ctx.organizations()
            .update_policy()
            .policy_id(id)
            .content(content)
            .description(description)
            .send()
    )?;
    Ok(())
}

/// Attaches the policy to the targets in `after` but not `before`, then detaches it from
/// those in `before` but not `after`: a target is never left without the policy it keeps
/// while the list changes.
async fn retarget(
    ctx: &AwsContext,
    change: &Change,
    id: &str,
    before: &[String],
    after: &[String],
) -> Done {
    let address = &change.address;
    let orgs = ctx.organizations();
    for target in after.iter().filter(|t| !before.contains(t)) {
        let target = target_id(ctx, address, target, &change.write_only).await?;
        call!(
            address,
            "organizations:AttachPolicy",
            orgs.attach_policy().policy_id(id).target_id(target).send()
        )?;
    }
    for target in before.iter().filter(|t| !after.contains(t)) {
        let target = target_id(ctx, address, target, &change.write_only).await?;
        call!(
            address,
            "organizations:DetachPolicy",
            orgs.detach_policy().policy_id(id).target_id(target).send()
        )?;
    }
    Ok(())
}

/// The id of the service control policy named by the address.
async fn policy_id(ctx: &AwsContext, address: &ResourceAddr) -> Live<String> {
    let policies = list_pages!(
        address,
        "organizations:ListPolicies",
        ctx.organizations()
            .list_policies()
            .filter(PolicyType::ServiceControlPolicy)
    )?;
    Ok(policies
        .iter()
        .flat_map(|p| p.policies())
        .find(|p| p.name() == Some(name_of(address)) && !p.aws_managed())
        .and_then(|p| p.id())
        .map(str::to_owned))
}
