//! Opt-in detectors in every selected region: `guardrails.guardduty` (a GuardDuty detector)
//! and `guardrails.security_hub` (Security Hub with the declared standards). Both cost
//! money, so neither is in the default baseline. Standards are added, never removed: one
//! enabled by hand is not baseline's to turn off.

use aws_sdk_securityhub::types::StandardsSubscriptionRequest;
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Map, Value, json};

use crate::context::AwsContext;
use crate::error::{call, has_code, sdk_error};
use crate::guardrails::{guardrails, per_region};
use crate::kind::{LegacyKind, region_of};

pub(crate) struct GuardDuty;

const GUARDDUTY: &str = "guardduty_detector";

/// The first detector of the region (a region has at most one), with its id.
async fn detector(
    ctx: &AwsContext,
    address: &ResourceAddr,
) -> Result<Option<(String, bool)>, ProviderError> {
    let guardduty = ctx.guardduty(region_of(address));
    let listed = call!(
        address,
        "guardduty:ListDetectors",
        guardduty.list_detectors().send()
    )?;
    let Some(id) = listed.detector_ids().first() else {
        return Ok(None);
    };
    let out = call!(
        address,
        "guardduty:GetDetector",
        guardduty.get_detector().detector_id(id).send()
    )?;
    let enabled = out.status().is_some_and(|s| s.as_str() == "ENABLED");
    Ok(Some((id.clone(), enabled)))
}

impl LegacyKind for GuardDuty {
    fn kept_by_destroy(&self) -> bool {
        true
    }

    fn kind(&self) -> &'static str {
        GUARDDUTY
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        if !guardrails(spec).is_some_and(|g| g.guardduty) {
            return Vec::new();
        }
        per_region(GUARDDUTY, scope, &json!({"enabled": true}), &[])
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            Ok(detector(ctx, address)
                .await?
                .map(|(_, enabled)| json!({"enabled": enabled})))
        })
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let address = &change.address;
            let guardduty = ctx.guardduty(region_of(address));
            match detector(ctx, address).await? {
                Some((id, _)) => {
                    call!(
                        address,
                        "guardduty:UpdateDetector",
                        guardduty
                            .update_detector()
                            .detector_id(id)
                            .enable(true)
                            .send()
                    )?;
                }
                None => {
                    call!(
                        address,
                        "guardduty:CreateDetector",
                        guardduty.create_detector().enable(true).send()
                    )?;
                }
            }
            Ok(())
        })
    }
}

pub(crate) struct SecurityHub;

const SECURITY_HUB: &str = "securityhub";

/// A standard's field in the state: its ARN after the region and account, e.g.
/// `standards/cis-aws-foundations-benchmark/v/3.0.0`.
fn standard_key(arn: &str) -> String {
    arn.rsplit("::").next().unwrap_or(arn).to_owned()
}

impl LegacyKind for SecurityHub {
    fn kept_by_destroy(&self) -> bool {
        true
    }

    fn kind(&self) -> &'static str {
        SECURITY_HUB
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(hub) = guardrails(spec).and_then(|g| g.security_hub.as_ref()) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for region in &scope.regions {
            let mut state = Map::new();
            state.insert("enabled".to_owned(), json!(true));
            for standard in &hub.standards {
                state.insert(
                    standard_key(&standard.arn(&scope.partition, region)),
                    json!("enabled"),
                );
            }
            out.push(Desired::new(
                ResourceAddr::singleton(SECURITY_HUB).in_region(region),
                Value::Object(state),
            ));
        }
        out
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let hub = ctx.securityhub(region_of(address));
            match hub.describe_hub().send().await {
                Ok(_) => {}
                Err(err)
                    if has_code(
                        &err,
                        &["InvalidAccessException", "ResourceNotFoundException"],
                    ) =>
                {
                    return Ok(None);
                }
                Err(err) => return Err(sdk_error(address, "securityhub:DescribeHub", &err)),
            }
            let enabled = call!(
                address,
                "securityhub:GetEnabledStandards",
                hub.get_enabled_standards().max_results(100).send()
            )?;
            let mut state = Map::new();
            state.insert("enabled".to_owned(), json!(true));
            for subscription in enabled.standards_subscriptions() {
                let status = subscription
                    .standards_status()
                    .map_or("ready", |s| s.as_str())
                    .to_lowercase();
                let status = if status == "ready" {
                    "enabled".to_owned()
                } else {
                    status
                };
                state.insert(
                    standard_key(subscription.standards_arn().unwrap_or_default()),
                    json!(status),
                );
            }
            Ok(Some(Value::Object(state)))
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
            let hub = ctx.securityhub(region);
            if change.before.is_none() {
                call!(
                    address,
                    "securityhub:EnableSecurityHub",
                    hub.enable_security_hub()
                        .enable_default_standards(false)
                        .send()
                )?;
            }
            let after = change.after.as_ref().and_then(Value::as_object);
            let before = change.before.as_ref().and_then(Value::as_object);
            let mut requests = Vec::new();
            for key in after.into_iter().flat_map(|a| a.keys()) {
                if key == "enabled" || before.and_then(|b| b.get(key)) == Some(&json!("enabled")) {
                    continue;
                }
                let partition = ctx.partition();
                let arn = if key.starts_with("ruleset/") {
                    format!("arn:{partition}:securityhub:::{key}")
                } else {
                    format!("arn:{partition}:securityhub:{region}::{key}")
                };
                requests.push(
                    StandardsSubscriptionRequest::builder()
                        .standards_arn(arn)
                        .build(),
                );
            }
            if !requests.is_empty() {
                call!(
                    address,
                    "securityhub:BatchEnableStandards",
                    hub.batch_enable_standards()
                        .set_standards_subscription_requests(Some(requests))
                        .send()
                )?;
            }
            Ok(())
        })
    }
}
