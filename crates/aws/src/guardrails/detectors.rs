//! Opt-in detectors in every selected region: `guardrails.guardduty` (a GuardDuty detector)
//! and `guardrails.security_hub` (Security Hub with the declared standards). Both cost
//! money, so neither is in the default baseline. Standards are added, never removed: one
//! enabled by hand is not baseline's to turn off.

use std::collections::BTreeMap;

use aws_sdk_securityhub::types::StandardsSubscriptionRequest;
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{ProviderError, ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::error::{call, has_code, sdk_error};
use crate::guardrails::{Switch, guardrails, per_region};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, region_of};

pub(crate) struct GuardDuty;

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

impl Kind for GuardDuty {
    type State = Switch;
    const KIND: &'static str = "guardduty_detector";
    const KEPT_BY_DESTROY: bool = true;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        if !guardrails(spec).is_some_and(|g| g.guardduty) {
            return Vec::new();
        }
        per_region(Self::KIND, scope, &[], |_| Switch::ON)
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Switch>) -> Live<Switch> {
        let found = detector(ctx, read.address).await?;
        Ok(found.map(|(_, enabled)| Switch { enabled }))
    }

    /// Turns the region's detector on, or makes one where there is none.
    async fn create(&self, ctx: &AwsContext, change: &Change, _after: &Switch) -> Done {
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
    }
}

pub(crate) struct SecurityHub;

/// Security Hub in one region: on, and each standard's status by its key (see
/// [`standard_key`]): `enabled` once ready, else AWS's status in lower case.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Hub {
    enabled: bool,
    #[serde(flatten)]
    standards: BTreeMap<String, String>,
}

/// The status of a standard that is ready.
const ENABLED: &str = "enabled";

/// A standard's field in the state: its ARN after the region and account, e.g.
/// `standards/cis-aws-foundations-benchmark/v/3.0.0`.
fn standard_key(arn: &str) -> String {
    arn.rsplit("::").next().unwrap_or(arn).to_owned()
}

impl Kind for SecurityHub {
    type State = Hub;
    const KIND: &'static str = "securityhub";
    const KEPT_BY_DESTROY: bool = true;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(hub) = guardrails(spec).and_then(|g| g.security_hub.as_ref()) else {
            return Vec::new();
        };
        per_region(Self::KIND, scope, &[], |region| Hub {
            enabled: true,
            standards: hub
                .standards
                .iter()
                .map(|s| {
                    (
                        standard_key(&s.arn(&scope.partition, region)),
                        ENABLED.to_owned(),
                    )
                })
                .collect(),
        })
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Hub>) -> Live<Hub> {
        let hub = ctx.securityhub(region_of(read.address));
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
            Err(err) => return Err(sdk_error(read.address, "securityhub:DescribeHub", &err)),
        }
        let enabled = call!(
            read.address,
            "securityhub:GetEnabledStandards",
            hub.get_enabled_standards().max_results(100).send()
        )?;
        let standards = enabled
            .standards_subscriptions()
            .iter()
            .map(|subscription| {
                let status = subscription
                    .standards_status()
                    .map_or("ready", |s| s.as_str())
                    .to_lowercase();
                let status = if status == "ready" {
                    ENABLED.to_owned()
                } else {
                    status
                };
                let key = subscription
                    .standards_arn()
                    .map_or_else(String::new, standard_key);
                (key, status)
            })
            .collect();
        Ok(Some(Hub {
            enabled: true,
            standards,
        }))
    }

    /// Turns Security Hub on (without AWS's default standards), then enables the declared
    /// standards.
    async fn create(&self, ctx: &AwsContext, change: &Change, after: &Hub) -> Done {
        let address = &change.address;
        call!(
            address,
            "securityhub:EnableSecurityHub",
            ctx.securityhub(region_of(address))
                .enable_security_hub()
                .enable_default_standards(false)
                .send()
        )?;
        enable_standards(ctx, address, None, after).await
    }

    async fn update(&self, ctx: &AwsContext, change: &Change, old: &Hub, new: &Hub) -> Done {
        enable_standards(ctx, &change.address, Some(old), new).await
    }
}

/// Enables the standards of `after` that are not enabled in `before`.
async fn enable_standards(
    ctx: &AwsContext,
    address: &ResourceAddr,
    before: Option<&Hub>,
    after: &Hub,
) -> Done {
    let region = region_of(address);
    let partition = ctx.partition();
    let requests: Vec<StandardsSubscriptionRequest> = after
        .standards
        .keys()
        .filter(|key| {
            before
                .and_then(|b| b.standards.get(*key))
                .map(String::as_str)
                != Some(ENABLED)
        })
        .map(|key| {
            let arn = if key.starts_with("ruleset/") {
                format!("arn:{partition}:securityhub:::{key}")
            } else {
                format!("arn:{partition}:securityhub:{region}::{key}")
            };
            StandardsSubscriptionRequest::builder()
                .standards_arn(arn)
                .build()
        })
        .collect();
    if !requests.is_empty() {
        call!(
            address,
            "securityhub:BatchEnableStandards",
            ctx.securityhub(region)
                .batch_enable_standards()
                .set_standards_subscription_requests(Some(requests))
                .send()
        )?;
    }
    Ok(())
}
