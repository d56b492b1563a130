//! `cost:` — budgets, and Cost Explorer, which only a person can turn on.

pub(crate) mod budget;

use baseline_core::plan::{Desired, ManualStep};
use baseline_core::scope::Scope;
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::error::{has_code, sdk_error};
use crate::kind::Live;
use crate::kind::{Kind, Read, canonical};

/// `cost.cost_explorer`: turned on once, in the console; a Cost Explorer read succeeds
/// from then on.
pub(crate) struct CostExplorer;

/// Whether Cost Explorer is on.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    status: Status,
}

#[derive(Debug, Serialize, Deserialize)]
enum Status {
    #[serde(rename = "done")]
    Done,
    #[serde(rename = "not enabled")]
    NotEnabled,
}

impl Kind for CostExplorer {
    type State = State;
    const KIND: &'static str = "cost_explorer";

    /// A read can see it, so the read decides whether it is done, whatever the file says
    /// (`required` or `confirmed`).
    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        if spec.cost.as_ref().and_then(|c| c.cost_explorer).is_none() {
            return Vec::new();
        }
        let step = ManualStep {
            reason: "Cost Explorer is turned on by opening it once in the console; there is no \
                     API to turn it on"
                .to_owned(),
            console: "Billing and Cost Management → Cost Explorer → Launch Cost Explorer (data \
                      appears within 24 hours)"
                .to_owned(),
            verified_by: "ce:GetCostAndUsage succeeds once it is on".to_owned(),
        };
        let done = State {
            status: Status::Done,
        };
        vec![Desired::manual(
            ResourceAddr::singleton(Self::KIND),
            canonical(&done),
            step,
        )]
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
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
        let status = match answer {
            Ok(_) => Status::Done,
            // An account that never opened Cost Explorer is told it is not enabled.
            Err(err)
                if has_code(&err, &["AccessDeniedException", "DataUnavailableException"])
                    && err
                        .as_service_error()
                        .and_then(aws_smithy_types::error::metadata::ProvideErrorMetadata::message)
                        .is_some_and(|m| m.contains("not enabled")) =>
            {
                Status::NotEnabled
            }
            Err(err) => return Err(sdk_error(address, "ce:GetCostAndUsage", &err)),
        };
        Ok(Some(State { status }))
    }
}
