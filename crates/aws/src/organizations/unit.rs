//! `org_unit./Workloads/Prod`: an organizational unit, by its path from the root. Parents
//! of a declared path are declared too, and created first.

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::{Ensure, OuPath};
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::error::{call, create};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare, name_of};
use crate::organizations::{existing_unit_id, in_use, org, organization, unit_id};

pub(crate) struct Unit;

pub(crate) const KIND: &str = "org_unit";

pub(crate) fn address(path: &str) -> ResourceAddr {
    ResourceAddr::named(KIND, path)
}

/// An OU is only its path: it exists or not.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    path: String,
}

impl Kind for Unit {
    type State = State;
    const KIND: &'static str = KIND;
    /// OUs are left alone by destroy: AWS refuses to delete one that holds accounts, and
    /// baseline never removes accounts.
    const KEPT_BY_DESTROY: bool = true;

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        let Some(org) = org(spec) else {
            return Vec::new();
        };
        let mut paths: Vec<(OuPath, Ensure)> = Vec::new();
        for (path, unit) in &org.units {
            for ancestor in path.with_ancestors() {
                let ensure = if ancestor == *path {
                    unit.ensure
                } else {
                    Ensure::Present
                };
                match paths.iter_mut().find(|(p, _)| *p == ancestor) {
                    // A parent another path needs stays.
                    Some(entry) if ensure == Ensure::Present => entry.1 = Ensure::Present,
                    Some(_) => {}
                    None => paths.push((ancestor, ensure)),
                }
            }
        }
        paths
            .into_iter()
            .map(|(path, ensure)| {
                let state = State {
                    path: path.as_str().to_owned(),
                };
                let mut desired =
                    declare(address(path.as_str()), &state).after([organization::address()]);
                if let Some(parent) = path.parent() {
                    desired = desired.after([address(parent.as_str())]);
                }
                desired.ensure = ensure;
                desired
            })
            .collect()
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let address = read.address;
        if !in_use(ctx, address).await? {
            return Ok(None);
        }
        let path = name_of(address);
        Ok(unit_id(ctx, address, path).await?.map(|_| State {
            path: path.to_owned(),
        }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, _after: &State) -> Done {
        let address = &change.address;
        let path = name_of(address);
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
        let parent_id = existing_unit_id(ctx, address, parent).await?;
        create!(
            address,
            "organizations:CreateOrganizationalUnit",
            &["DuplicateOrganizationalUnitException"],
            ctx.organizations()
                .create_organizational_unit()
                .parent_id(parent_id)
                .name(name)
                .send()
        )?;
        Ok(())
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, _before: &State) -> Done {
        let address = &change.address;
        if let Some(id) = unit_id(ctx, address, name_of(address)).await? {
            call!(
                address,
                "organizations:DeleteOrganizationalUnit",
                ctx.organizations()
                    .delete_organizational_unit()
                    .organizational_unit_id(id)
                    .send()
            )?;
        }
        Ok(())
    }
}
