//! `account.regions` names a region that is not enabled: a manual item. Opting in is done
//! in the console (the Account API can do it, but not every caller may); resources in such a
//! region are not planned until it is enabled. Verified with ec2:DescribeRegions.

use baseline_core::plan::{Desired, ManualStep};
use baseline_core::scope::Scope;
use baseline_core::spec::Ensure;
use baseline_core::{BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Value, json};

use crate::account::declared_regions;
use crate::context::{AwsContext, is_enabled};
use crate::error::unsupported;
use crate::kind::{Kind, name_of};

pub(crate) struct AccountRegion;

const KIND: &str = "account_region";

impl Kind for AccountRegion {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        declared_regions(spec)
            .into_iter()
            .map(|region| Desired {
                address: ResourceAddr::named(KIND, &region),
                ensure: Ensure::Present,
                state: json!({ "enabled": true }),
                depends_on: Vec::new(),
                manual: Some(ManualStep {
                    reason: format!(
                        "{region} is not enabled for this account, so nothing in it was planned"
                    ),
                    console: "account menu (top right) → Account → AWS Regions → select the region → Enable"
                        .to_owned(),
                    verified_by: "ec2:DescribeRegions (OptInStatus)".to_owned(),
                }),
                cis: Vec::new(),
                write_only: Value::Null,
            })
            .filter(|_| !scope.enabled.is_empty())
            .collect()
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let region = name_of(address);
            let home = ctx.region().unwrap_or("us-east-1").to_owned();
            let statuses = ctx.region_statuses(&home).await?;
            let enabled = statuses
                .iter()
                .any(|(name, status)| name == region && is_enabled(status));
            Ok(Some(json!({ "enabled": enabled })))
        })
    }

    fn apply<'a>(
        &'a self,
        _ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move { Err(unsupported(&change.address, "a manual step")) })
    }
}
