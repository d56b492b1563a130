//! `org_service_access.SERVICE`: a service trusted to work across the organization (listed,
//! or needed by an organization trail, aggregator or delegated administrator), and
//! `org_delegated_admin.SERVICE`: the member account that administers it.

use std::collections::BTreeSet;

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::OrgTarget;
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::error::{call, list_all, list_pages};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare, name_of};
use crate::organizations::{account, emails, in_use, org, organization, target_id, target_label};

pub(crate) struct ServiceAccess;
pub(crate) struct DelegatedAdmin;

const ACCESS: &str = "org_service_access";

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

/// A trusted service is on, or not there at all.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Access {
    enabled: bool,
}

impl Kind for ServiceAccess {
    type State = Access;
    const KIND: &'static str = ACCESS;
    /// Other accounts' use of a service may rely on it; destroy leaves it on.
    const KEPT_BY_DESTROY: bool = true;

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        trusted(spec)
            .iter()
            .map(|service| {
                declare(
                    ResourceAddr::named(ACCESS, service),
                    &Access { enabled: true },
                )
                .after([organization::address()])
            })
            .collect()
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Access>) -> Live<Access> {
        let address = read.address;
        if !in_use(ctx, address).await? {
            return Ok(None);
        }
        let enabled = list_pages!(
            address,
            "organizations:ListAWSServiceAccessForOrganization",
            ctx.organizations()
                .list_aws_service_access_for_organization()
        )?;
        let on = enabled
            .iter()
            .flat_map(|p| p.enabled_service_principals())
            .any(|s| s.service_principal() == Some(name_of(address)));
        Ok(on.then_some(Access { enabled: true }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, _after: &Access) -> Done {
        let address = &change.address;
        call!(
            address,
            "organizations:EnableAWSServiceAccess",
            ctx.organizations()
                .enable_aws_service_access()
                .service_principal(name_of(address))
                .send()
        )?;
        Ok(())
    }
}

/// The account that administers a service: its id, or its name while it does not exist.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Admin {
    account: String,
}

impl Kind for DelegatedAdmin {
    type State = Admin;
    const KIND: &'static str = "org_delegated_admin";
    const KEPT_BY_DESTROY: bool = true;

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
                if let OrgTarget::Account(name) = &admin.value {
                    needs.push(account::address(name.as_str()));
                }
                let state = Admin {
                    account: target_label(&admin.value, &scope.org_accounts),
                };
                let mut desired =
                    declare(ResourceAddr::named(Self::KIND, service.as_str()), &state).after(needs);
                desired.write_only = emails(spec);
                desired
            })
            .collect()
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Admin>) -> Live<Admin> {
        let address = read.address;
        if !in_use(ctx, address).await? {
            return Ok(None);
        }
        let admins = list_all!(
            address,
            "organizations:ListDelegatedAdministrators",
            ctx.organizations()
                .list_delegated_administrators()
                .service_principal(name_of(address))
        )?;
        Ok(admins.first().and_then(|a| a.id()).map(|id| Admin {
            account: id.to_owned(),
        }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, after: &Admin) -> Done {
        let address = &change.address;
        let id = target_id(ctx, address, &after.account, &change.write_only).await?;
        call!(
            address,
            "organizations:RegisterDelegatedAdministrator",
            ctx.organizations()
                .register_delegated_administrator()
                .account_id(id)
                .service_principal(name_of(address))
                .send()
        )?;
        Ok(())
    }

    /// Another account takes over: the old one is deregistered first.
    async fn update(&self, ctx: &AwsContext, change: &Change, old: &Admin, new: &Admin) -> Done {
        let address = &change.address;
        call!(
            address,
            "organizations:DeregisterDelegatedAdministrator",
            ctx.organizations()
                .deregister_delegated_administrator()
                .account_id(&old.account)
                .service_principal(name_of(address))
                .send()
        )?;
        self.create(ctx, change, new).await
    }
}
