//! `logging.cloudtrail.cloudwatch_logs` → the log group `/aws/cloudtrail/TRAIL` with its
//! retention. Log groups hold logs: baseline never deletes one.

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::Ensure;
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::unsupported;
use crate::error::{call, create};
use crate::kind::{LegacyKind, name_of, region_of};
use crate::logging::logging;

pub(crate) struct LogGroup;

pub(crate) const KIND: &str = "logs_group";

/// The log group of a trail: its name and ARN.
pub(crate) fn trail_log_group(trail: &str, scope: &Scope) -> (String, String) {
    let name = format!("/aws/cloudtrail/{trail}");
    let arn = scope.arn("logs", &scope.home_region, &format!("log-group:{name}:*"));
    (name, arn)
}

impl LegacyKind for LogGroup {
    fn kept_by_destroy(&self) -> bool {
        true
    }

    fn kind(&self) -> &'static str {
        KIND
    }

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
        vec![Desired {
            address: ResourceAddr::named(KIND, &name).in_region(&scope.home_region),
            ensure: Ensure::Present,
            state: json!({"retention_days": logs.retention_days.get()}),
            depends_on: Vec::new(),
            manual: None,
            cis: Vec::new(),
            write_only: Value::Null,
        }]
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let region = region_of(address);
            let name = name_of(address);
            let groups = call!(
                address,
                "logs:DescribeLogGroups",
                ctx.logs(region)
                    .describe_log_groups()
                    .log_group_name_prefix(name)
                    .send()
            )?;
            Ok(groups
                .log_groups()
                .iter()
                .find(|g| g.log_group_name() == Some(name))
                .map(|g| json!({"retention_days": g.retention_in_days().unwrap_or(0)})))
        })
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let address = &change.address;
            let region = region_of(address);
            let name = name_of(address);
            let logs = ctx.logs(region);
            let days = change
                .after
                .as_ref()
                .and_then(|a| a.get("retention_days"))
                .and_then(Value::as_i64)
                .and_then(|d| i32::try_from(d).ok());
            match change.action {
                Action::Create | Action::Update => {
                    if change.action == Action::Create {
                        create!(
                            address,
                            "logs:CreateLogGroup",
                            &["ResourceAlreadyExistsException"],
                            logs.create_log_group().log_group_name(name).send()
                        )?;
                    }
                    call!(
                        address,
                        "logs:PutRetentionPolicy",
                        logs.put_retention_policy()
                            .log_group_name(name)
                            .set_retention_in_days(days)
                            .send()
                    )?;
                    Ok(())
                }
                action => Err(unsupported(address, &format!("{action:?}"))),
            }
        })
    }
}
