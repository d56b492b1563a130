//! `logging.cloudtrail.cloudwatch_logs` → the log group `/aws/cloudtrail/TRAIL` with its
//! retention. Log groups hold logs: baseline never deletes one.

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::Ensure;
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::error::{call, create};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare, name_of, region_of};
use crate::logging::{days, logging};

pub(crate) struct LogGroup;

pub(crate) const KIND: &str = "logs_group";

/// How long the group keeps events; 0 when it keeps them forever.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    retention_days: i32,
}

/// The log group of a trail: its name and ARN.
pub(crate) fn trail_log_group(trail: &str, scope: &Scope) -> (String, String) {
    let name = format!("/aws/cloudtrail/{trail}");
    let arn = scope.arn("logs", &scope.home_region, &format!("log-group:{name}:*"));
    (name, arn)
}

impl Kind for LogGroup {
    type State = State;
    const KIND: &'static str = KIND;
    const KEPT_BY_DESTROY: bool = true;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(trail) = logging(spec).and_then(|l| l.cloudtrail.as_ref()) else {
            return Vec::new();
        };
        let Some(logs) = trail
            .cloudwatch_logs
            .as_ref()
            .filter(|_| trail.ensure == Ensure::Present)
        else {
            return Vec::new();
        };
        let (name, _) = trail_log_group(trail.name.as_str(), scope);
        let state = State {
            retention_days: days(logs.retention_days),
        };
        vec![declare(
            ResourceAddr::named(KIND, &name).in_region(&scope.home_region),
            &state,
        )]
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let address = read.address;
        let name = name_of(address);
        let groups = call!(
            address,
            "logs:DescribeLogGroups",
            ctx.logs(region_of(address))
                .describe_log_groups()
                .log_group_name_prefix(name)
                .send()
        )?;
        Ok(groups
            .log_groups()
            .iter()
            .find(|g| g.log_group_name() == Some(name))
            .map(|g| State {
                retention_days: g.retention_in_days().unwrap_or(0),
            }))
    }

    /// Makes the group (or finds it made by an earlier try) and sets its retention.
    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        let address = &change.address;
        create!(
            address,
            "logs:CreateLogGroup",
            &["ResourceAlreadyExistsException"],
            ctx.logs(region_of(address))
                .create_log_group()
                .log_group_name(name_of(address))
                .send()
        )?;
        put_retention(ctx, address, after).await
    }

    async fn update(&self, ctx: &AwsContext, change: &Change, _old: &State, new: &State) -> Done {
        put_retention(ctx, &change.address, new).await
    }
}

async fn put_retention(ctx: &AwsContext, address: &ResourceAddr, state: &State) -> Done {
    call!(
        address,
        "logs:PutRetentionPolicy",
        ctx.logs(region_of(address))
            .put_retention_policy()
            .log_group_name(name_of(address))
            .retention_in_days(state.retention_days)
            .send()
    )
    .map(|_| ())
}
