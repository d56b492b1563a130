//! `account.regions` names a region that is not enabled: apply opts in with
//! account:EnableRegion (guide 002). AWS takes minutes to hours to enable a region, and
//! resources in a region are planned only once it is enabled, so the next plan after
//! opting in shows them. Read with ec2:DescribeRegions.

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Value, json};

use crate::account::declared_regions;
use crate::context::{AwsContext, is_enabled};
use crate::error::{sdk_error, unsupported};
use crate::kind::{LegacyKind, name_of};

pub(crate) struct AccountRegion;

const KIND: &str = "account_region";

impl LegacyKind for AccountRegion {
    fn kept_by_destroy(&self) -> bool {
        true
    }

    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        declared_regions(spec)
            .into_iter()
            .map(|region| {
                Desired::new(
                    ResourceAddr::named(KIND, &region),
                    json!({ "enabled": true }),
                )
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
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let address = &change.address;
            if change.action == Action::Delete || change.after.is_none() {
                // Opting out deletes what the region holds; baseline never does it.
                return Err(unsupported(address, "disabling a region"));
            }
            let answer = ctx
                .account()
                .enable_region()
                .region_name(name_of(address))
                .send()
                .await;
            match answer {
                Ok(_) => {
                    tracing::info!(
                        "{address}: opt-in started; AWS takes minutes to hours, and the next \
                         plan includes the region once it is enabled"
                    );
                    Ok(())
                }
                Err(err) => {
                    let mut error = sdk_error(address, "account:EnableRegion", &err);
                    error.hint = Some(format!(
                        "{} — or enable it in the console: account menu (top right) → Account \
                         → AWS Regions → select the region → Enable",
                        error
                            .hint
                            .unwrap_or_else(|| "the caller needs account:EnableRegion".to_owned())
                    ));
                    Err(error)
                }
            }
        })
    }
}
