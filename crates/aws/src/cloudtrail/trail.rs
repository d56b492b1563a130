//! `logging.cloudtrail` → a trail in the home region: every region (CIS 3.1), global service
//! events, log file validation (CIS 3.2), management reads and writes, logging started (a
//! stopped trail is drift), optionally KMS-encrypted (CIS 3.5), sent to CloudWatch Logs, and
//! recording S3 data events (CIS 3.8, 3.9). Its bucket, key, log group and role come first.

use aws_sdk_cloudtrail::types::{DataResource, EventSelector, ReadWriteType};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::{Ensure, TrailSpec};
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec, policy};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::call;
use crate::error::{retry_while_propagating, sdk_error, unsupported};
use crate::kind::{LegacyKind, name_of, region_of};
use crate::logging::{bucket_name, logging, trail_key_alias, trail_key_arn};
use crate::logs::group::{self as log_group, trail_log_group};
use crate::{kms, s3};

pub(crate) struct Trail;

const KIND: &str = "cloudtrail_trail";

/// CloudTrail checks at CreateTrail and UpdateTrail that it may write to the bucket, use the
/// key and assume the logs role; right after baseline wrote those, AWS may not see them yet.
const REFUSED_UNTIL_PROPAGATED: &[&str] = &[
    "InsufficientS3BucketPolicyException",
    "InsufficientEncryptionPolicyException",
    "InvalidCloudWatchLogsRoleArnException",
    "InvalidCloudWatchLogsLogGroupArnException",
];

/// The settings CreateTrail and UpdateTrail share, set on either request's builder.
macro_rules! settings {
    ($builder:expr, $text:ident, $flag:ident) => {
        $builder
            .set_s3_bucket_name($text("bucket"))
            .set_is_multi_region_trail($flag("multi_region"))
            .set_is_organization_trail($flag("organization"))
            .set_include_global_service_events($flag("global_service_events"))
            .set_enable_log_file_validation($flag("log_file_validation"))
    };
}

/// The role CloudTrail assumes to write to CloudWatch Logs.
const LOGS_ROLE: &str = "baseline-cloudtrail-logs";

/// The role CloudTrail writes to CloudWatch Logs with: only this trail may use it.
fn logs_role(scope: &Scope, trail_arn: &str, log_group_arn: &str) -> Desired {
    let trust = crate::iam::role::service_trust("cloudtrail.amazonaws.com", scope, Some(trail_arn));
    let write = policy::normalize(&json!({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "WriteTrailEvents", "Effect": "Allow",
                       "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                       "Resource": log_group_arn}]
    }));
    Desired {
        address: ResourceAddr::named("iam_role", LOGS_ROLE),
        ensure: Ensure::Present,
        state: json!({"trust": trust, "managed_policies": [],
                      "inline_policies": {"write-trail-events": write}}),
        depends_on: Vec::new(),
        manual: None,
        cis: Vec::new(),
        write_only: Value::Null,
    }
}

fn desired_trail(trail: &TrailSpec, spec: &Spec, scope: &Scope) -> Vec<Desired> {
    let address = ResourceAddr::named(KIND, trail.name.as_str()).in_region(&scope.home_region);
    if trail.ensure == Ensure::Absent {
        return vec![Desired {
            address,
            ensure: Ensure::Absent,
            state: json!({}),
            depends_on: Vec::new(),
            manual: None,
            cis: Vec::new(),
            write_only: Value::Null,
        }];
    }
    let mut out = Vec::new();
    let mut depends_on = Vec::new();
    if trail.organization && spec.organization.is_some() {
        depends_on.push(ResourceAddr::named(
            "org_service_access",
            "cloudtrail.amazonaws.com",
        ));
    }
    let bucket = bucket_name(spec, scope);
    if let Some(bucket) = &bucket {
        depends_on
            .push(ResourceAddr::named(s3::bucket::KIND, bucket).in_region(&scope.home_region));
    }
    if let Some(alias) = trail_key_alias(spec) {
        depends_on.push(kms::key::address(&alias, scope));
    }
    let cloudwatch_logs = match &trail.cloudwatch_logs {
        Some(_) => {
            let (name, arn) = trail_log_group(trail.name.as_str(), scope);
            let role = scope.arn("iam", "", &format!("role/{LOGS_ROLE}"));
            let trail_arn = scope.arn(
                "cloudtrail",
                &scope.home_region,
                &format!("trail/{}", trail.name),
            );
            out.push(logs_role(scope, &trail_arn, &arn));
            depends_on
                .push(ResourceAddr::named(log_group::KIND, &name).in_region(&scope.home_region));
            depends_on.push(ResourceAddr::named("iam_role", LOGS_ROLE));
            json!({"log_group": arn, "role": role})
        }
        None => Value::Null,
    };
    out.push(Desired {
        address,
        ensure: Ensure::Present,
        state: json!({
            "bucket": bucket,
            "multi_region": trail.multi_region.unwrap_or(true),
            "organization": trail.organization,
            "global_service_events": trail.global_service_events.unwrap_or(true),
            "log_file_validation": trail.log_file_validation.unwrap_or(true),
            "logging": true,
            "management_events": "All",
            "s3_data_events": trail.s3_data_events,
            "kms_key": trail_key_arn(spec, scope),
            "cloudwatch_logs": cloudwatch_logs,
        }),
        depends_on,
        manual: None,
        cis: vec!["3.1".to_owned(), "3.2".to_owned()],
        write_only: Value::Null,
    });
    out
}

impl LegacyKind for Trail {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        logging(spec)
            .and_then(|l| l.cloudtrail.as_ref())
            .map(|trail| desired_trail(trail, spec, scope))
            .unwrap_or_default()
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(read_trail(ctx, address))
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
            let trail = ctx.cloudtrail(region);
            let before = change.before.as_ref();
            match (change.action, &change.after) {
                (Action::Create | Action::Update, Some(after)) => {
                    let text =
                        |key: &str| after.get(key).and_then(Value::as_str).map(str::to_owned);
                    let flag = |key: &str| after.get(key).and_then(Value::as_bool);
                    let logs = &after["cloudwatch_logs"];
                    let log_group = logs
                        .get("log_group")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    let role = logs.get("role").and_then(Value::as_str).map(str::to_owned);
                    let settings_changed = [
                        "bucket",
                        "multi_region",
                        "organization",
                        "global_service_events",
                        "log_file_validation",
                        "kms_key",
                        "cloudwatch_logs",
                    ]
                    .iter()
                    .any(|k| after.get(*k) != before.and_then(|b| b.get(*k)));
                    // Empty strings turn a key or a log group off again.
                    let update = settings!(trail.update_trail().name(name), text, flag)
                        .set_kms_key_id(text("kms_key").or_else(|| Some(String::new())))
                        .set_cloud_watch_logs_log_group_arn(
                            log_group.clone().or_else(|| Some(String::new())),
                        )
                        .set_cloud_watch_logs_role_arn(
                            role.clone().or_else(|| Some(String::new())),
                        );
                    let mut needs_update = settings_changed && change.action == Action::Update;
                    if change.action == Action::Create {
                        let create = settings!(trail.create_trail().name(name), text, flag)
                            .set_kms_key_id(text("kms_key"))
                            .set_cloud_watch_logs_log_group_arn(log_group)
                            .set_cloud_watch_logs_role_arn(role);
                        match retry_while_propagating(
                            address,
                            "cloudtrail:CreateTrail",
                            REFUSED_UNTIL_PROPAGATED,
                            || create.clone().send(),
                        )
                        .await
                        {
                            Ok(_) => {}
                            // An earlier try made it (its answer was lost): give it the
                            // planned settings.
                            Err(err)
                                if err.code.as_deref() == Some("TrailAlreadyExistsException") =>
                            {
                                needs_update = true;
                            }
                            Err(err) => return Err(err),
                        }
                    }
                    if needs_update {
                        retry_while_propagating(
                            address,
                            "cloudtrail:UpdateTrail",
                            REFUSED_UNTIL_PROPAGATED,
                            || update.clone().send(),
                        )
                        .await?;
                    }
                    let selectors_changed = ["management_events", "s3_data_events"]
                        .iter()
                        .any(|k| after.get(*k) != before.and_then(|b| b.get(*k)));
                    if selectors_changed {
                        let mut selector = EventSelector::builder()
                            .read_write_type(ReadWriteType::All)
                            .include_management_events(true);
                        if flag("s3_data_events") == Some(true) {
                            selector = selector.data_resources(
                                DataResource::builder()
                                    .r#type("AWS::S3::Object")
                                    .values(format!("arn:{}:s3", ctx.partition()))
                                    .build(),
                            );
                        }
                        call!(
                            address,
                            "cloudtrail:PutEventSelectors",
                            trail
                                .put_event_selectors()
                                .trail_name(name)
                                .event_selectors(selector.build())
                                .send()
                        )?;
                    }
                    let logging_now = before.and_then(|b| b.get("logging")) == Some(&json!(true));
                    match flag("logging") {
                        Some(true) if !logging_now => {
                            call!(
                                address,
                                "cloudtrail:StartLogging",
                                trail.start_logging().name(name).send()
                            )?;
                        }
                        Some(false) if logging_now => {
                            call!(
                                address,
                                "cloudtrail:StopLogging",
                                trail.stop_logging().name(name).send()
                            )?;
                        }
                        _ => {}
                    }
                    Ok(())
                }
                (Action::Delete, _) => {
                    call!(
                        address,
                        "cloudtrail:DeleteTrail",
                        trail.delete_trail().name(name).send()
                    )?;
                    Ok(())
                }
                (action, _) => Err(unsupported(address, &format!("{action:?}"))),
            }
        })
    }
}

/// The trail as the spec describes it, read from its home region.
async fn read_trail(
    ctx: &AwsContext,
    address: &ResourceAddr,
) -> Result<Option<Value>, ProviderError> {
    let region = region_of(address);
    let name = name_of(address);
    let cloudtrail = ctx.cloudtrail(region);
    let trail = match cloudtrail.get_trail().name(name).send().await {
        Ok(out) => match out.trail {
            Some(trail) => trail,
            None => return Ok(None),
        },
        Err(err) if err.code() == Some("TrailNotFoundException") => return Ok(None),
        Err(err) => return Err(sdk_error(address, "cloudtrail:GetTrail", &err)),
    };
    let status = call!(
        address,
        "cloudtrail:GetTrailStatus",
        cloudtrail.get_trail_status().name(name).send()
    )?;
    let selectors = call!(
        address,
        "cloudtrail:GetEventSelectors",
        cloudtrail.get_event_selectors().trail_name(name).send()
    )?;
    let management_events = selectors.event_selectors().iter().any(|s| {
        s.include_management_events() == Some(true)
            && s.read_write_type() == Some(&ReadWriteType::All)
    });
    let s3_data_events = selectors.event_selectors().iter().any(|s| {
        s.data_resources().iter().any(|d| {
            d.r#type() == Some("AWS::S3::Object")
                && d.values()
                    .iter()
                    .any(|v| v.starts_with("arn:") && (v.ends_with(":s3") || v.ends_with(":s3:::")))
        })
    });
    let kms_key = match trail.kms_key_id() {
        Some(key) => json!(key_alias_arn(ctx, address, region, key).await?),
        None => Value::Null,
    };
    let cloudwatch_logs = match (
        trail.cloud_watch_logs_log_group_arn(),
        trail.cloud_watch_logs_role_arn(),
    ) {
        (Some(group), Some(role)) => json!({"log_group": group, "role": role}),
        _ => Value::Null,
    };
    Ok(Some(json!({
        "bucket": trail.s3_bucket_name(),
        "multi_region": trail.is_multi_region_trail().unwrap_or(false),
        "organization": trail.is_organization_trail().unwrap_or(false),
        "global_service_events": trail.include_global_service_events().unwrap_or(false),
        "log_file_validation": trail.log_file_validation_enabled().unwrap_or(false),
        "logging": status.is_logging().unwrap_or(false),
        "management_events": if management_events { "All" } else { "None" },
        "s3_data_events": s3_data_events,
        "kms_key": kms_key,
        "cloudwatch_logs": cloudwatch_logs,
    })))
}

/// CloudTrail reports the key's ARN; the spec names it by alias. The alias ARN is reported
/// when a `cloudtrail-` alias points at the key.
async fn key_alias_arn(
    ctx: &AwsContext,
    address: &ResourceAddr,
    region: &str,
    key: &str,
) -> Result<String, ProviderError> {
    if key.contains(":alias/") {
        return Ok(key.to_owned());
    }
    let aliases = call!(
        address,
        "kms:ListAliases",
        ctx.kms(region).list_aliases().key_id(key).send()
    )?;
    Ok(aliases
        .aliases()
        .iter()
        .find(|a| {
            a.alias_name()
                .is_some_and(|n| n.starts_with("alias/cloudtrail-"))
        })
        .and_then(|a| a.alias_arn())
        .map_or_else(|| key.to_owned(), str::to_owned))
}
