//! `org_service_access.SERVICE`: a service trusted to work across the organization (listed,
//! or needed by an organization trail, aggregator or delegated administrator), and
//! `org_delegated_admin.SERVICE`: the member account that administers it.

use std::collections::BTreeSet;

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::call;
use crate::kind::{LegacyKind, name_of};
use crate::organizations::{account, emails, in_use, org, organization, target_id, target_label};

pub(crate) struct ServiceAccess;
pub(crate) struct DelegatedAdmin;

const ACCESS: &str = "org_service_access";
const ADMIN: &str = "org_delegated_admin";

/// The services the file trusts, said or implied.
fn trusted(spec: &Spec) -> BTreeSet<String> {
    let Some(org) = org(spec) else {
        return BTreeSet::new();
    };
    let mut services: BTreeSet<String> = org
        .service_access
        .iter()
        .chain(org.delegated_admins.keys())
        .map(ToString::to_string)
        .collect();
    let logging = spec.logging.as_ref();
    if logging
        .and_then(|l| l.cloudtrail.as_ref())
        .is_some_and(|t| t.organization)
    {
        services.insert("cloudtrail.amazonaws.com".to_owned());
    }
    if logging
        .and_then(|l| l.config.as_ref())
        .and_then(|c| c.aggregator.as_ref())
        .is_some_and(|a| a.organization)
    {
        services.insert("config.amazonaws.com".to_owned());
    }
    services
}

impl LegacyKind for ServiceAccess {
    fn kind(&self) -> &'static str {
        ACCESS
    }

    /// Other accounts' use of a service may rely on it; destroy leaves it on.
    fn kept_by_destroy(&self) -> bool {
        true
    }

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        trusted(spec)
            .iter()
            .map(|service| {
                Desired::new(
                    ResourceAddr::named(ACCESS, service),
                    json!({"enabled": true}),
                )
                .after([organization::address()])
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
            let enabled = call!(
                address,
                "organizations:ListAWSServiceAccessForOrganization",
                ctx.organizations()
                    .list_aws_service_access_for_organization()
                    .into_paginator()
                    .send()
                    .try_collect()
            )?;
            let on = enabled
                .iter()
                .flat_map(|p| p.enabled_service_principals())
                .any(|s| s.service_principal() == Some(name_of(address)));
            Ok(on.then(|| json!({"enabled": true})))
        })
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let address = &change.address;
            if change.action == Action::Create {
                call!(
                    address,
                    "organizations:EnableAWSServiceAccess",
                    ctx.organizations()
                        .enable_aws_service_access()
                        .service_principal(name_of(address))
                        .send()
                )?;
            }
            Ok(())
        })
    }
}

impl LegacyKind for DelegatedAdmin {
    fn kind(&self) -> &'static str {
        ADMIN
    }

    fn kept_by_destroy(&self) -> bool {
        true
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(org) = org(spec) else {
            return Vec::new();
        };
        org.delegated_admins
            .iter()
            .map(|(service, admin)| {
                let mut needs = vec![
                    organization::address(),
                    ResourceAddr::named(ACCESS, service.as_str()),
                ];
                if let baseline_core::spec::OrgTarget::Account(name) = &admin.value {
                    needs.push(account::address(name.as_str()));
                }
                let mut desired = Desired::new(
                    ResourceAddr::named(ADMIN, service.as_str()),
                    json!({"account": target_label(&admin.value, &scope.org_accounts)}),
                )
                .after(needs);
                desired.write_only = emails(spec);
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
            let admins = call!(
                address,
                "organizations:ListDelegatedAdministrators",
                ctx.organizations()
                    .list_delegated_administrators()
                    .service_principal(name_of(address))
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
            )?;
            Ok(admins
                .first()
                .and_then(|a| a.id())
                .map(|id| json!({"account": id})))
        })
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let address = &change.address;
            let service = name_of(address);
            let account_of = |state: Option<&Value>| {
                state
                    .and_then(|s| s.get("account"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            if let (Action::Update, Some(old)) = (change.action, account_of(change.before.as_ref()))
            {
                call!(
                    address,
                    "organizations:DeregisterDelegatedAdministrator",
                    ctx.organizations()
                        .deregister_delegated_administrator()
                        .account_id(old)
                        .service_principal(service)
                        .send()
                )?;
            }
            if let (Action::Create | Action::Update, Some(new)) =
                (change.action, account_of(change.after.as_ref()))
            {
                let id = target_id(ctx, address, &new, &change.write_only).await?;
                call!(
                    address,
                    "organizations:RegisterDelegatedAdministrator",
                    ctx.organizations()
                        .register_delegated_administrator()
                        .account_id(id)
                        .service_principal(service)
                        .send()
                )?;
            }
            Ok(())
        })
    }
}
