//! `org_unit./Workloads/Prod`: an organizational unit, by its path from the root. Parents
//! of a declared path are declared too, and created first.

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::{Ensure, OuPath};
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::{call, create};
use crate::kind::{LegacyKind, name_of};
use crate::organizations::{org, organization, unit_id};

pub(crate) struct Unit;

pub(crate) const KIND: &str = "org_unit";

pub(crate) fn address(path: &str) -> ResourceAddr {
    ResourceAddr::named(KIND, path)
}

impl LegacyKind for Unit {
    fn kind(&self) -> &'static str {
        KIND
    }

    /// OUs are left alone by destroy: AWS refuses to delete one that holds accounts, and
    /// baseline never removes accounts.
    fn kept_by_destroy(&self) -> bool {
        true
    }

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
                let mut desired =
                    Desired::new(address(path.as_str()), json!({ "path": path.as_str() }))
                        .after([organization::address()]);
                if let Some(parent) = path.parent() {
                    desired = desired.after([address(parent.as_str())]);
                }
                desired.ensure = ensure;
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
            if !super::in_use(ctx, address).await? {
                return Ok(None);
            }
            let path = name_of(address);
            Ok(unit_id(ctx, address, path)
                .await?
                .map(|_| json!({ "path": path })))
        })
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let address = &change.address;
            let path = name_of(address);
            match change.action {
                Action::Create => {
                    let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
                    let parent_id = unit_id(ctx, address, parent).await?.ok_or_else(|| {
                        crate::error::unsupported(address, "an OU whose parent is missing")
                    })?;
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
                }
                Action::Delete => {
                    if let Some(id) = unit_id(ctx, address, path).await? {
                        call!(
                            address,
                            "organizations:DeleteOrganizationalUnit",
                            ctx.organizations()
                                .delete_organizational_unit()
                                .organizational_unit_id(id)
                                .send()
                        )?;
                    }
                }
                _ => {}
            }
            Ok(())
        })
    }
}
