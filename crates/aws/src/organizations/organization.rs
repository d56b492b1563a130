//! `organization`: the organization itself, with all features and service control policies
//! enabled on its root. It is managed from the management account only.

use aws_sdk_organizations::types::{OrganizationFeatureSet, PolicyType, PolicyTypeStatus};
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{ProviderError, ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::error::{call, create, found};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare};
use crate::organizations::{NOT_IN_USE, org, root_id};

pub(crate) struct Organization;

pub(crate) const KIND: &str = "organization";

/// The address every organization resource is created after.
pub(crate) fn address() -> ResourceAddr {
    ResourceAddr::singleton(KIND)
}

/// The organization's feature set (`null` when AWS does not say), its management account,
/// and the policy types enabled on its root, sorted.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    feature_set: Option<String>,
    management_account: String,
    policy_types: Vec<String>,
}

impl Kind for Organization {
    type State = State;
    const KIND: &'static str = KIND;
    const KEPT_BY_DESTROY: bool = true;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        if org(spec).is_none() {
            return Vec::new();
        }
        let state = State {
            feature_set: Some(OrganizationFeatureSet::All.as_str().to_owned()),
            management_account: scope.account_id.clone(),
            policy_types: vec![PolicyType::ServiceControlPolicy.as_str().to_owned()],
        };
        vec![declare(address(), &state)]
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let address = read.address;
        let answer = ctx.organizations().describe_organization().send().await;
        let Some(described) = found(
            address,
            "organizations:DescribeOrganization",
            NOT_IN_USE,
            answer,
        )?
        else {
            return Ok(None);
        };
        let organization = described.organization();
        let management = organization
            .and_then(|o| o.master_account_id())
            .unwrap_or_default();
        let me = ctx.account_id().await?;
        if management != me {
            return Err(ProviderError {
                address: address.clone(),
                operation: "organizations:DescribeOrganization".to_owned(),
                code: None,
                message: format!(
                    "account {me} is a member of organization {}, whose management account is {management}",
                    organization.and_then(|o| o.id()).unwrap_or_default()
                ),
                hint: Some(
                    "`organization:` belongs in the management account's baseline; a member \
                     account's file leaves it out"
                        .to_owned(),
                ),
            });
        }
        let roots = call!(
            address,
            "organizations:ListRoots",
            ctx.organizations().list_roots().send()
        )?;
        let mut policy_types: Vec<String> = roots
            .roots()
            .iter()
            .flat_map(|r| r.policy_types())
            .filter(|p| p.status() == Some(&PolicyTypeStatus::Enabled))
            .filter_map(|p| p.r#type().map(|t| t.as_str().to_owned()))
            .collect();
        policy_types.sort_unstable();
        Ok(Some(State {
            feature_set: organization
                .and_then(|o| o.feature_set())
                .map(|f| f.as_str().to_owned()),
            management_account: management.to_owned(),
            policy_types,
        }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, _after: &State) -> Done {
        let address = &change.address;
        create!(
            address,
            "organizations:CreateOrganization",
            &["AlreadyInOrganizationException"],
            ctx.organizations()
                .create_organization()
                .feature_set(OrganizationFeatureSet::All)
                .send()
        )?;
        enable_scp(ctx, address).await
    }

    async fn update(&self, ctx: &AwsContext, change: &Change, old: &State, _new: &State) -> Done {
        let address = &change.address;
        if old.feature_set.as_deref() != Some(OrganizationFeatureSet::All.as_str()) {
            // Members must accept the handshake before all features are on.
            call!(
                address,
                "organizations:EnableAllFeatures",
                ctx.organizations().enable_all_features().send()
            )?;
            return Ok(());
        }
        let scp = PolicyType::ServiceControlPolicy.as_str();
        if old.policy_types.iter().any(|t| t == scp) {
            return Ok(());
        }
        enable_scp(ctx, address).await
    }
}

/// Enables service control policies on the root.
async fn enable_scp(ctx: &AwsContext, address: &ResourceAddr) -> Result<(), ProviderError> {
    let root = root_id(ctx, address).await?;
    call!(
        address,
        "organizations:EnablePolicyType",
        ctx.organizations()
            .enable_policy_type()
            .root_id(root)
            .policy_type(PolicyType::ServiceControlPolicy)
            .send()
    )
    .map(|_| ())
    .or_else(|err| {
        // A new organization may have it on already.
        if err.code.as_deref() == Some("PolicyTypeAlreadyEnabledException") {
            Ok(())
        } else {
            Err(err)
        }
    })
}
