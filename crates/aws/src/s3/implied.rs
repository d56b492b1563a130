//! Which buckets the spec implies: the log bucket of `logging.bucket`, the bucket that
//! receives its server access logs, and the Athena query results bucket. Each gets the
//! same hygiene; what differs is its policy (who may write to it), its encryption and its
//! lifecycle.

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::{BucketEncryption, Ensure, LogBucketSpec};
use baseline_core::{ResourceAddr, Spec, policy};
use serde_json::{Value, json};

use super::bucket::{AccessLogging, Encryption, KIND, State};
use super::lifecycle::Rule;
use crate::kind::declare;
use crate::logging::{config_present, logging, trail_arn, trail_key_arn};

/// Every bucket the spec implies, in the home region.
pub(super) fn buckets(spec: &Spec, scope: &Scope) -> Vec<Desired> {
    let mut out: Vec<Desired> = logging(spec)
        .and_then(|l| l.bucket.as_ref())
        .map(|bucket| log_bucket(bucket, spec, scope))
        .unwrap_or_default();
    if let Some(athena) = crate::athena::athena(spec) {
        let name = crate::athena::results_bucket(athena, scope);
        let policy = policy::normalize(&json!({
            "Version": "2012-10-17", "Statement": [deny_plain_http(scope, &name)]
        }));
        let state = State::hygienic(policy, Encryption::sse_s3());
        out.push(desired_bucket(
            &name,
            scope,
            athena.ensure,
            state,
            Vec::new(),
            false,
        ));
    }
    out
}

/// A bucket's ARN (`arn:PARTITION:s3:::NAME`): S3 ARNs name no region and no account.
fn arn(scope: &Scope, bucket: &str) -> String {
    scope.arn_in("s3", "", "", bucket)
}

fn deny_plain_http(scope: &Scope, bucket: &str) -> Value {
    json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn(scope, bucket), format!("{}/*", arn(scope, bucket))],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    })
}

/// The log bucket's policy: TLS only; CloudTrail (for this trail) and Config (for this
/// account) may check the bucket and write under AWSLogs/ACCOUNT/. An organization trail
/// writes every account's logs (AWSLogs/ORG_ID/...): it may write under AWSLogs/, still
/// only as this one trail.
fn log_bucket_policy(
    scope: &Scope,
    bucket: &str,
    trail: Option<&str>,
    organization_trail: bool,
    config: bool,
) -> Value {
    let account = &scope.account_id;
    let bucket_arn = arn(scope, bucket);
    let trail_prefix = if organization_trail {
        format!("{bucket_arn}/AWSLogs/*")
    } else {
        format!("{bucket_arn}/AWSLogs/{account}/*")
    };
    let mut statements = vec![deny_plain_http(scope, bucket)];
    if let Some(trail) = trail {
        statements.push(json!({
            "Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl", "Resource": bucket_arn,
            "Condition": {"StringEquals": {"aws:SourceArn": trail}}
        }));
        statements.push(json!({
            "Sid": "AWSCloudTrailWrite", "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject", "Resource": trail_prefix,
            "Condition": {"StringEquals": {
                "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail}}
        }));
    }
    if config {
        let source = json!({"StringEquals": {"aws:SourceAccount": account}});
        statements.push(json!({
            "Sid": "AWSConfigBucketPermissionsCheck", "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": "s3:GetBucketAcl", "Resource": bucket_arn, "Condition": source
        }));
        statements.push(json!({
            "Sid": "AWSConfigBucketExistenceCheck", "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": "s3:ListBucket", "Resource": bucket_arn, "Condition": source
        }));
        statements.push(json!({
            "Sid": "AWSConfigBucketDelivery", "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": format!("{bucket_arn}/AWSLogs/{account}/Config/*"),
            "Condition": {"StringEquals": {
                "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": account}}
        }));
    }
    policy::normalize(&json!({"Version": "2012-10-17", "Statement": statements}))
}

/// A bucket that receives another bucket's server access logs.
fn access_log_target_policy(scope: &Scope, target: &str, source: &str) -> Value {
    policy::normalize(&json!({
        "Version": "2012-10-17",
        "Statement": [
            deny_plain_http(scope, target),
            {"Sid": "S3ServerAccessLogsPolicy", "Effect": "Allow",
             "Principal": {"Service": "logging.s3.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": format!("{}/*", arn(scope, target)),
             "Condition": {"StringEquals": {"aws:SourceAccount": scope.account_id},
                           "ArnLike": {"aws:SourceArn": arn(scope, source)}}}
        ]
    }))
}

/// A bucket's Desired, in the home region. A bucket that must go has nothing to compare;
/// `force_destroy` travels as a write-only setting for the delete.
fn desired_bucket(
    name: &str,
    scope: &Scope,
    ensure: Ensure,
    state: State,
    depends_on: Vec<ResourceAddr>,
    force_destroy: bool,
) -> Desired {
    let address = ResourceAddr::named(KIND, name).in_region(&scope.home_region);
    let mut desired = match ensure {
        Ensure::Present => declare(address, &state),
        Ensure::Absent => Desired::absent(address),
    };
    desired.write_only = json!({ "force_destroy": force_destroy });
    desired.after(depends_on).cis(&["2.1.1", "2.1.4"])
}

/// The log bucket and, with access logging, the bucket that receives its access logs
/// (made first).
fn log_bucket(bucket: &LogBucketSpec, spec: &Spec, scope: &Scope) -> Vec<Desired> {
    let name = bucket.name.0.render(scope.names(Some(&scope.home_region)));
    let trail = trail_arn(spec, scope);
    let encryption = match (bucket.encryption, trail_key_arn(spec, scope)) {
        (BucketEncryption::Kms, Some(key)) => Encryption::kms(key),
        _ => Encryption::sse_s3(),
    };
    let mut state = State::hygienic(
        log_bucket_policy(
            scope,
            &name,
            trail.as_deref(),
            spec.logging
                .as_ref()
                .and_then(|l| l.cloudtrail.as_ref())
                .is_some_and(|t| t.organization),
            config_present(spec),
        ),
        encryption,
    );
    state.lifecycle = bucket.lifecycle.as_ref().map(|l| vec![Rule::declared(l)]);
    let mut out = Vec::new();
    let mut depends_on = Vec::new();
    if let Some(access) = &bucket.access_logging {
        let target = access
            .bucket
            .0
            .render(scope.names(Some(&scope.home_region)));
        let prefix = access.prefix.clone().unwrap_or_else(|| format!("{name}/"));
        state.access_logging = Some(Some(AccessLogging {
            bucket: target.clone(),
            prefix,
        }));
        let mut target_state = State::hygienic(
            access_log_target_policy(scope, &target, &name),
            Encryption::sse_s3(),
        );
        target_state.lifecycle = access
            .lifecycle
            .as_ref()
            .or(bucket.lifecycle.as_ref())
            .map(|l| vec![Rule::declared(l)]);
        out.push(desired_bucket(
            &target,
            scope,
            bucket.ensure,
            target_state,
            Vec::new(),
            bucket.force_destroy,
        ));
        depends_on.push(ResourceAddr::named(KIND, &target).in_region(&scope.home_region));
    }
    let mut log = desired_bucket(
        &name,
        scope,
        bucket.ensure,
        state,
        depends_on,
        bucket.force_destroy,
    );
    log.cis.push("3.4".to_owned());
    out.push(log);
    out
}
