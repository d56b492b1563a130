//! `logging.cloudtrail` → a trail in the home region: every region (CIS 3.1), global service
//! events, log file validation (CIS 3.2), management reads and writes, logging started (a
//! stopped trail is drift), optionally KMS-encrypted (CIS 3.5), sent to CloudWatch Logs, and
//! recording S3 data events (CIS 3.8, 3.9). Its bucket, key, log group and role come first.

use aws_sdk_cloudtrail::types::{DataResource, EventSelector, ReadWriteType};
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::{Ensure, TrailSpec};
use baseline_core::{ProviderError, ResourceAddr, Spec, policy};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::context::AwsContext;
use crate::error::{call, found, retry_while_propagating};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare, name_of, region_of};
use crate::logging::{bucket_name, logging, trail_key_alias, trail_key_arn};
use crate::logs::group::{self as log_group, trail_log_group};
use crate::{kms, s3};

pub(crate) struct Trail;

const KIND: &str = "cloudtrail_trail";

/// The trail as baseline manages it. Every field is always there: a bucket, key or log
/// group the trail does not have is `null`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    bucket: Option<String>,
    multi_region: bool,
    organization: bool,
    global_service_events: bool,
    log_file_validation: bool,
    /// The trail is logging (started).
    logging: bool,
    /// `All` when one event selector records every management read and write, else `None`.
    management_events: String,
    /// S3 object-level events are recorded for every bucket.
    s3_data_events: bool,
    /// The key's alias ARN (the key ARN when no `cloudtrail-` alias points at it).
    kms_key: Option<String>,
    cloudwatch_logs: Option<CloudWatchLogs>,
}

/// The log group the trail also delivers to, and the role it writes with.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct CloudWatchLogs {
    log_group: String,
    role: String,
}

impl State {
    /// Whether CreateTrail's and UpdateTrail's settings are the same in both.
    fn same_settings(&self, other: &Self) -> bool {
        self.bucket == other.bucket
            && self.multi_region == other.multi_region
            && self.organization == other.organization
            && self.global_service_events == other.global_service_events
            && self.log_file_validation == other.log_file_validation
            && self.kms_key == other.kms_key
            && self.cloudwatch_logs == other.cloudwatch_logs
    }
}

/// CloudTrail checks at CreateTrail and UpdateTrail that it may write to the bucket, use the
/// key and assume the logs role; right after baseline wrote those, AWS may not see them yet.
const REFUSED_UNTIL_PROPAGATED: &[&str] = &[
    "InsufficientS3BucketPolicyException",
    "InsufficientEncryptionPolicyException",
    "InvalidCloudWatchLogsRoleArnException",
    "InvalidCloudWatchLogsLogGroupArnException",
];

/// UpdateTrail turns a key or a log group off when it is given an empty string.
const TURNED_OFF: &str = "";

/// The settings CreateTrail and UpdateTrail share, set on either request's builder.
macro_rules! settings {
    ($builder:expr, $state:expr) => {
        $builder
            .set_s3_bucket_name($state.bucket.clone())
            .is_multi_region_trail($state.multi_region)
            .is_organization_trail($state.organization)
            .include_global_service_events($state.global_service_events)
            .enable_log_file_validation($state.log_file_validation)
    };
}

/// The role CloudTrail assumes to write to CloudWatch Logs.
const LOGS_ROLE: &str = baseline_core::spec::TRAIL_LOGS_ROLE;

/// The role CloudTrail writes to CloudWatch Logs with: only this trail may use it. Its state
/// is the `iam_role` kind's.
fn logs_role(scope: &Scope, trail_arn: &str, log_group_arn: &str) -> Desired {
    let trust = crate::iam::role::service_trust("cloudtrail.amazonaws.com", scope, Some(trail_arn));
    let write = policy::normalize(&json!({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "WriteTrailEvents", "Effect": "Allow",
                       "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                       "Resource": log_group_arn}]
    }));
    crate::iam::role::service_role(
        LOGS_ROLE,
        trust,
        Vec::new(),
        &[("write-trail-events", write)],
    )
}

fn desired_trail(trail: &TrailSpec, spec: &Spec, scope: &Scope) -> Vec<Desired> {
    let address = ResourceAddr::named(KIND, trail.name.as_str()).in_region(&scope.home_region);
    if trail.ensure == Ensure::Absent {
        return vec![Desired::absent(address)];
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
    let cloudwatch_logs = trail.cloudwatch_logs.as_ref().map(|_| {
        let (name, arn) = trail_log_group(trail.name.as_str(), scope);
        let trail_arn = scope.arn(
            "cloudtrail",
            &scope.home_region,
            &format!("trail/{}", trail.name),
        );
        out.push(logs_role(scope, &trail_arn, &arn));
        depends_on.push(ResourceAddr::named(log_group::KIND, &name).in_region(&scope.home_region));
        depends_on.push(ResourceAddr::named("iam_role", LOGS_ROLE));
        CloudWatchLogs {
            log_group: arn,
            role: scope.arn("iam", "", &format!("role/{LOGS_ROLE}")),
        }
    });
    let state = State {
        bucket,
        multi_region: trail.multi_region.unwrap_or(true),
        organization: trail.organization,
        global_service_events: trail.global_service_events.unwrap_or(true),
        log_file_validation: trail.log_file_validation.unwrap_or(true),
        logging: true,
        management_events: "All".to_owned(),
        s3_data_events: trail.s3_data_events,
        kms_key: trail_key_arn(spec, scope),
        cloudwatch_logs,
    };
    out.push(
        declare(address, &state)
            .after(depends_on)
            .cis(&["3.1", "3.2"]),
    );
    out
}

impl Kind for Trail {
    type State = State;
    const KIND: &'static str = KIND;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        logging(spec)
            .and_then(|l| l.cloudtrail.as_ref())
            .map(|trail| desired_trail(trail, spec, scope))
            .unwrap_or_default()
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        read_trail(ctx, read.address).await
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        let address = &change.address;
        let logs = after.cloudwatch_logs.as_ref();
        let create = settings!(
            ctx.cloudtrail(region_of(address))
                .create_trail()
                .name(name_of(address)),
            after
        )
        .set_kms_key_id(after.kms_key.clone())
        .set_cloud_watch_logs_log_group_arn(logs.map(|l| l.log_group.clone()))
        .set_cloud_watch_logs_role_arn(logs.map(|l| l.role.clone()));
        match retry_while_propagating(
            address,
            "cloudtrail:CreateTrail",
            REFUSED_UNTIL_PROPAGATED,
            || create.clone().send(),
        )
        .await
        {
            Ok(_) => {}
            // An earlier try made it (its answer was lost): give it the planned settings.
            Err(err) if err.code.as_deref() == Some("TrailAlreadyExistsException") => {
                update_settings(ctx, address, after).await?;
            }
            Err(err) => return Err(err),
        }
        events_and_logging(ctx, address, None, after).await
    }

    async fn update(&self, ctx: &AwsContext, change: &Change, old: &State, new: &State) -> Done {
        if !new.same_settings(old) {
            update_settings(ctx, &change.address, new).await?;
        }
        events_and_logging(ctx, &change.address, Some(old), new).await
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, _before: &State) -> Done {
        let address = &change.address;
        call!(
            address,
            "cloudtrail:DeleteTrail",
            ctx.cloudtrail(region_of(address))
                .delete_trail()
                .name(name_of(address))
                .send()
        )
        .map(|_| ())
    }
}

/// Gives the trail every setting of `state`; a key or log group it does not name is turned
/// off.
async fn update_settings(ctx: &AwsContext, address: &ResourceAddr, state: &State) -> Done {
    let logs = state.cloudwatch_logs.as_ref();
    let update = settings!(
        ctx.cloudtrail(region_of(address))
            .update_trail()
            .name(name_of(address)),
        state
    )
    .kms_key_id(state.kms_key.as_deref().unwrap_or(TURNED_OFF))
    .cloud_watch_logs_log_group_arn(logs.map_or(TURNED_OFF, |l| l.log_group.as_str()))
    .cloud_watch_logs_role_arn(logs.map_or(TURNED_OFF, |l| l.role.as_str()));
    retry_while_propagating(
        address,
        "cloudtrail:UpdateTrail",
        REFUSED_UNTIL_PROPAGATED,
        || update.clone().send(),
    )
    .await
    .map(|_| ())
}

/// Puts the event selectors when they changed (always for a new trail), then starts or
/// stops logging as `after` says.
async fn events_and_logging(
    ctx: &AwsContext,
    address: &ResourceAddr,
    before: Option<&State>,
    after: &State,
) -> Done {
    let name = name_of(address);
    let trail = ctx.cloudtrail(region_of(address));
    let selectors_changed = before.is_none_or(|b| {
        b.management_events != after.management_events || b.s3_data_events != after.s3_data_events
    });
    if selectors_changed {
        let mut selector = EventSelector::builder()
            .read_write_type(ReadWriteType::All)
            .include_management_events(true);
        if after.s3_data_events {
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
    let logging_now = before.is_some_and(|b| b.logging);
    if after.logging && !logging_now {
        call!(
            address,
            "cloudtrail:StartLogging",
            trail.start_logging().name(name).send()
        )?;
    } else if !after.logging && logging_now {
        call!(
            address,
            "cloudtrail:StopLogging",
            trail.stop_logging().name(name).send()
        )?;
    }
    Ok(())
}

/// The trail as the spec describes it, read from its home region.
async fn read_trail(ctx: &AwsContext, address: &ResourceAddr) -> Live<State> {
    let region = region_of(address);
    let name = name_of(address);
    let cloudtrail = ctx.cloudtrail(region);
    let answer = cloudtrail.get_trail().name(name).send().await;
    let missing = &["TrailNotFoundException"];
    let out = found(address, "cloudtrail:GetTrail", missing, answer)?;
    let Some(trail) = out.and_then(|out| out.trail) else {
        return Ok(None);
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
        Some(key) => Some(key_alias_arn(ctx, address, region, key).await?),
        None => None,
    };
    let cloudwatch_logs = match (
        trail.cloud_watch_logs_log_group_arn(),
        trail.cloud_watch_logs_role_arn(),
    ) {
        (Some(group), Some(role)) => Some(CloudWatchLogs {
            log_group: group.to_owned(),
            role: role.to_owned(),
        }),
        _ => None,
    };
    Ok(Some(State {
        bucket: trail.s3_bucket_name().map(str::to_owned),
        multi_region: trail.is_multi_region_trail().unwrap_or(false),
        organization: trail.is_organization_trail().unwrap_or(false),
        global_service_events: trail.include_global_service_events().unwrap_or(false),
        log_file_validation: trail.log_file_validation_enabled().unwrap_or(false),
        logging: status.is_logging().unwrap_or(false),
        management_events: if management_events { "All" } else { "None" }.to_owned(),
        s3_data_events,
        kms_key,
        cloudwatch_logs,
    }))
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
