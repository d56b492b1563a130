//! `cost:` — budgets, and Cost Explorer, which only a person can turn on.

pub(crate) mod budget;
pub(crate) mod equivalents;

use baseline_core::plan::{Desired, ManualStep};
use baseline_core::scope::Scope;
use baseline_core::{ResourceAddr, Spec};

use crate::context::AwsContext;
use crate::error::{has_code, sdk_error};
use crate::kind::Live;
use crate::kind::{Kind, Read};
use crate::manual::{Status, manual_item};

/// `cost.cost_explorer`: turned on once, in the console; a Cost Explorer read succeeds
/// from then on.
pub(crate) struct CostExplorer;

impl Kind for CostExplorer {
    /// Whether Cost Explorer is on: `done` or `not enabled`.
    type State = Status;
    const KIND: &'static str = "cost_explorer";

    /// A read can see it, so the read decides whether it is done, whatever the file says
    /// (`required` or `confirmed`).
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
        let address = ResourceAddr::singleton(Self::KIND);
        vec![manual_item(address, manual, true, step, &[])]
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Status>) -> Live<Status> {
        let address = read.address;
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
        let on = match answer {
            Ok(_) => true,
            // An account that never opened Cost Explorer is told it is not enabled.
            Err(err)
                if has_code(&err, &["AccessDeniedException", "DataUnavailableException"])
                    && err
                        .as_service_error()
                        .and_then(aws_smithy_types::error::metadata::ProvideErrorMetadata::message)
                        .is_some_and(|m| m.contains("not enabled")) =>
            {
                false
            }
            Err(err) => return Err(sdk_error(address, "ce:GetCostAndUsage", &err)),
        };
        Ok(Some(Status::of(on, "not enabled")))
    }
}
