//! `cost:` — budgets, and Cost Explorer, which only a person can turn on.

pub(crate) mod budget;

use baseline_core::plan::{Desired, ManualStep};
use baseline_core::scope::Scope;
use baseline_core::{BoxFuture, ProviderError, ResourceAddr, Spec};
use serde_json::Value;

use crate::context::AwsContext;
use crate::error::{has_code, sdk_error};
use crate::kind::LegacyKind;
use crate::manual::{manual_item, status};

/// `cost.cost_explorer`: turned on once, in the console; a Cost Explorer read succeeds
/// from then on.
pub(crate) struct CostExplorer;

const EXPLORER: &str = "cost_explorer";

impl LegacyKind for CostExplorer {
    fn kind(&self) -> &'static str {
        EXPLORER
    }

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        let Some(manual) = spec.cost.as_ref().and_then(|c| c.cost_explorer) else {
            return Vec::new();
        };
        let step = ManualStep {
            reason: "Cost Explorer is turned on by opening it once in the console; there is no \
                     API to turn it on"
                .to_owned(),
            console: "Billing and Cost Management → Cost Explorer → Launch Cost Explorer (data \
                      appears within 24 hours)"
                .to_owned(),
            verified_by: "ce:GetCostAndUsage succeeds once it is on".to_owned(),
        };
        vec![manual_item(
            ResourceAddr::singleton(EXPLORER),
            manual,
            true,
            step,
            &[],
        )]
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let today = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            let day = |secs: i64| {
                aws_smithy_types::DateTime::from_secs(secs)
                    .fmt(aws_smithy_types::date_time::Format::DateTime)
                    .map(|t| t[..10].to_owned())
                    .unwrap_or_default()
            };
            let period = aws_sdk_costexplorer::types::DateInterval::builder()
                .start(day(today - 86_400))
                .end(day(today))
                .build()
                .map_err(|e| crate::error::build_error(address, e))?;
            let answer = ctx
                .cost_explorer()
                .get_cost_and_usage()
                .time_period(period)
                .granularity(aws_sdk_costexplorer::types::Granularity::Daily)
                .metrics("UnblendedCost")
                .send()
                .await;
            match answer {
                Ok(_) => Ok(Some(status(true, ""))),
                // An account that never opened Cost Explorer is told it is not enabled.
                Err(err)
                    if has_code(&err, &["AccessDeniedException", "DataUnavailableException"])
                        && err
                            .as_service_error()
                            .and_then(
                                aws_smithy_types::error::metadata::ProvideErrorMetadata::message,
                            )
                            .is_some_and(|m| m.contains("not enabled")) =>
                {
                    Ok(Some(status(false, "not enabled")))
                }
                Err(err) => Err(sdk_error(address, "ce:GetCostAndUsage", &err)),
            }
        })
    }
}
