//! `HOME/alert_equivalents.ALERT`: a finding, not a resource. When the file declares an alert
//! whose rule does not exist yet and the account already raises it some other way (an
//! EventBridge rule made by hand, in the home region or in us-east-1 where global events
//! arrive, or a CloudWatch Logs metric filter of the CIS kind on a trail's log group),
//! baseline's rule would send each alert a second time. The plan names what already covers
//! it; the person decides: `alerts.adopt.ALERT: RULE` to manage that rule as baseline's, or
//! apply to keep both. Once baseline's rule exists the decision is made.

use baseline_core::plan::{Desired, ManualStep};
use baseline_core::scope::Scope;
use baseline_core::spec::AlertKind;
use baseline_core::{ProviderError, ResourceAddr, Spec};
use serde_json::Value;

use crate::alerts::catalog::alert;
use crate::alerts::rule::{baseline_rules, rule_name, rules_in};
use crate::context::AwsContext;
use crate::error::call;
use crate::kind::{Kind, Live, Read, canonical, name_of, region_of};
use crate::manual::Status;

pub(crate) struct AlertEquivalents;

const KIND: &str = "alert_equivalents";

fn kind_of(address: &ResourceAddr) -> Option<AlertKind> {
    AlertKind::ALL
        .into_iter()
        .find(|k| k.key() == name_of(address))
}

/// Every metric filter of `region` (name, log group, pattern), read once per plan.
async fn metric_filters(
    ctx: &AwsContext,
    address: &ResourceAddr,
    region: &str,
) -> Result<std::sync::Arc<Vec<(String, String, String)>>, ProviderError> {
    ctx.shared(
        address,
        format!("logs:DescribeMetricFilters {region}"),
        || async {
            let logs = ctx.logs(region);
            let mut filters = Vec::new();
            let mut token = None;
            loop {
                let page = call!(
                    address,
                    "logs:DescribeMetricFilters",
                    logs.describe_metric_filters()
                        .set_next_token(token.clone())
                        .send()
                )?;
                for filter in page.metric_filters() {
                    filters.push((
                        filter.filter_name().unwrap_or_default().to_owned(),
                        filter.log_group_name().unwrap_or_default().to_owned(),
                        filter.filter_pattern().unwrap_or_default().to_owned(),
                    ));
                }
                match page.next_token() {
                    Some(next) => token = Some(next.to_owned()),
                    None => return Ok(filters),
                }
            }
        },
    )
    .await
}

fn strings<'a>(value: &'a Value, pointer: &str) -> Vec<&'a str> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

const SIGN_IN: &str = "AWS Console Sign In via CloudTrail";

/// Whether an EventBridge pattern raises alert `kind` (or more than it).
pub(crate) fn rule_covers(kind: AlertKind, pattern: &Value) -> bool {
    let sign_in = strings(pattern, "/detail-type").contains(&SIGN_IN);
    match kind {
        AlertKind::ConsoleSignIn => sign_in && pattern.get("detail").is_none(),
        AlertKind::FailedSignIn => {
            sign_in
                && (pattern.get("detail").is_none()
                    || strings(pattern, "/detail/responseElements/ConsoleLogin")
                        .contains(&"Failure"))
        }
        AlertKind::RootActivity => strings(pattern, "/detail/userIdentity/type").contains(&"Root"),
        _ => {
            let ours = (alert(kind).pattern)();
            let sources = strings(pattern, "/detail/eventSource");
            let names = strings(pattern, "/detail/eventName");
            strings(&ours, "/detail/eventSource")
                .iter()
                .all(|s| sources.contains(s))
                && strings(&ours, "/detail/eventName")
                    .iter()
                    .any(|n| names.contains(n))
        }
    }
}

/// Whether a CloudWatch Logs filter pattern (CIS 4.x style) watches for alert `kind`.
fn filter_covers(kind: AlertKind, text: &str) -> bool {
    let login = text.contains("ConsoleLogin");
    let failed = text.contains("Failed authentication");
    match kind {
        AlertKind::ConsoleSignIn => login && !failed,
        AlertKind::FailedSignIn => login && failed,
        AlertKind::RootActivity => text.contains("userIdentity.type") && text.contains("Root"),
        _ => {
            let ours = (alert(kind).pattern)();
            let names = strings(&ours, "/detail/eventName");
            let found = names.iter().filter(|n| text.contains(*n)).count();
            found >= names.len().min(2)
        }
    }
}

impl Kind for AlertEquivalents {
    type State = Status;
    const KIND: &'static str = KIND;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(alerts) = &spec.alerts else {
            return Vec::new();
        };
        alerts
            .events
            .keys()
            .filter(|kind| !alerts.adopt.contains_key(*kind))
            .map(|kind| {
                let key = kind.key();
                let step = ManualStep {
                    reason: format!(
                        "something in the account already raises `{key}`; baseline's rule \
                         would send each alert a second time"
                    ),
                    console: format!(
                        "decide in baseline.yaml: `alerts.adopt.{key}: RULE` manages that \
                         EventBridge rule as baseline's instead of making another; or apply to \
                         keep both (remove a metric filter's alarm by hand if it is no longer \
                         wanted)"
                    ),
                    verified_by: "events:ListRules in the home region and us-east-1, \
                                  logs:DescribeMetricFilters in the home region"
                        .to_owned(),
                };
                let address = ResourceAddr::named(KIND, key).in_region(&scope.home_region);
                Desired::manual(address, canonical(&Status::done()), step)
            })
            .collect()
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Status>) -> Live<Status> {
        let address = read.address;
        let home = region_of(address);
        let Some(kind) = kind_of(address) else {
            return Ok(None);
        };
        let ours = baseline_rules(ctx, address).await?;
        if ours
            .iter()
            .any(|r| r.name() == Some(rule_name(kind).as_str()))
        {
            return Ok(Some(Status::done()));
        }
        let mut found = Vec::new();
        let mut regions = vec![home.to_owned()];
        if home != "us-east-1" && !home.starts_with("cn-") && !home.starts_with("us-gov-") {
            regions.push("us-east-1".to_owned());
        }
        for region in &regions {
            for rule in rules_in(ctx, address, region, None).await?.iter() {
                let name = rule.name().unwrap_or_default();
                let pattern = rule
                    .event_pattern()
                    .and_then(|p| serde_json::from_str(p).ok())
                    .unwrap_or(Value::Null);
                if !name.starts_with("baseline-") && rule_covers(kind, &pattern) {
                    found.push(format!("rule `{name}` ({region})"));
                }
            }
        }
        for (name, group, pattern) in metric_filters(ctx, address, home).await?.iter() {
            if filter_covers(kind, pattern) {
                found.push(format!("metric filter `{name}` on {group}"));
            }
        }
        let also = format!("already raised by {}", found.join(", "));
        Ok(Some(Status::of(found.is_empty(), &also)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patterns_that_raise_an_alert_are_recognised() {
        let sign_in = json!({"source": ["aws.signin"], "detail-type": [SIGN_IN]});
        assert!(rule_covers(AlertKind::ConsoleSignIn, &sign_in));
        assert!(rule_covers(AlertKind::FailedSignIn, &sign_in));
        assert!(!rule_covers(AlertKind::RootActivity, &sign_in));
        let failures = json!({"detail-type": [SIGN_IN],
            "detail": {"responseElements": {"ConsoleLogin": ["Failure"]}}});
        assert!(!rule_covers(AlertKind::ConsoleSignIn, &failures));
        assert!(rule_covers(AlertKind::FailedSignIn, &failures));
        let root = json!({"detail": {"userIdentity": {"type": ["Root"]}}});
        assert!(rule_covers(AlertKind::RootActivity, &root));
        let trail = json!({"detail": {"eventSource": ["cloudtrail.amazonaws.com"],
            "eventName": ["StopLogging"]}});
        assert!(rule_covers(AlertKind::CloudtrailChanges, &trail));
        assert!(!rule_covers(AlertKind::IamChanges, &trail));

        // The CIS benchmark's metric filters.
        let cis_root = r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#;
        assert!(filter_covers(AlertKind::RootActivity, cis_root));
        let cis_failed =
            r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#;
        assert!(filter_covers(AlertKind::FailedSignIn, cis_failed));
        assert!(!filter_covers(AlertKind::ConsoleSignIn, cis_failed));
        let cis_trail = r#"{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"#;
        assert!(filter_covers(AlertKind::CloudtrailChanges, cis_trail));
        assert!(!filter_covers(AlertKind::NetworkChanges, cis_trail));
    }
}
