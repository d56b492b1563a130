//! `organization`: the organization itself, with all features and service control policies
//! enabled on its root. It is managed from the management account only.

use aws_sdk_organizations::types::{OrganizationFeatureSet, PolicyType, PolicyTypeStatus};
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::{call, create, has_code, sdk_error};
use crate::kind::LegacyKind;
use crate::organizations::{org, root_id};

pub(crate) struct Organization;

pub(crate) const KIND: &str = "organization";

/// The address every organization resource is created after.
pub(crate) fn address() -> ResourceAddr {
    ResourceAddr::singleton(KIND)
}

impl LegacyKind for Organization {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn kept_by_destroy(&self) -> bool {
        true
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        if org(spec).is_none() {
            return Vec::new();
        }
        vec![Desired::new(
            address(),
            json!({
                "feature_set": "ALL",
                "management_account": scope.account_id,
                "policy_types": ["SERVICE_CONTROL_POLICY"],
            }),
        )]
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let described = match ctx.organizations().describe_organization().send().await {
                Ok(out) => out,
                Err(err) if has_code(&err, &["AWSOrganizationsNotInUseException"]) => {
                    return Ok(None);
                }
                Err(err) => {
                    return Err(sdk_error(
                        address,
                        "organizations:DescribeOrganization",
                        &err,
                    ));
                }
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
            let mut policy_types: Vec<&str> = roots
                .roots()
                .iter()
                .flat_map(|r| r.policy_types())
                .filter(|p| p.status() == Some(&PolicyTypeStatus::Enabled))
                .filter_map(|p| p.r#type().map(PolicyType::as_str))
                .collect();
            policy_types.sort_unstable();
            Ok(Some(json!({
                "feature_set": organization.and_then(|o| o.feature_set()).map(OrganizationFeatureSet::as_str),
                "management_account": management,
                "policy_types": policy_types,
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
            let before = change.before.as_ref();
            match before {
                None => {
                    create!(
                        address,
                        "organizations:CreateOrganization",
                        &["AlreadyInOrganizationException"],
                        ctx.organizations()
                            .create_organization()
                            .feature_set(OrganizationFeatureSet::All)
                            .send()
                    )?;
                }
                Some(live) if live.get("feature_set") != Some(&json!("ALL")) => {
                    // Members must accept the handshake before all features are on.
                    call!(
                        address,
                        "organizations:EnableAllFeatures",
                        ctx.organizations().enable_all_features().send()
                    )?;
                    return Ok(());
                }
                Some(_) => {}
            }
            let enabled = before
                .and_then(|b| b.get("policy_types"))
                .and_then(Value::as_array)
                .is_some_and(|types| types.contains(&json!("SERVICE_CONTROL_POLICY")));
            if !enabled {
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
                })?;
            }
            Ok(())
        })
    }
}
