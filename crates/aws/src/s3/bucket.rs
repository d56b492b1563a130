//! `logging.bucket` (and the buckets it implies) → an S3 bucket with audit-log hygiene: all
//! four public access blocks, BucketOwnerEnforced, default encryption, versioning, a policy
//! that denies plain HTTP and lets exactly CloudTrail and Config write, lifecycle, and
//! server access logging (CIS 2.1.1, 2.1.4, 3.4). A bucket that holds objects is deleted
//! only with `force_destroy: true`.

use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, BucketLoggingStatus, BucketVersioningStatus,
    CreateBucketConfiguration, Delete, ExpirationStatus, LifecycleExpiration, LifecycleRule,
    LifecycleRuleFilter, LoggingEnabled, NoncurrentVersionExpiration, ObjectIdentifier,
    ObjectOwnership, OwnershipControls, OwnershipControlsRule, PublicAccessBlockConfiguration,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule, Transition, TransitionStorageClass, VersioningConfiguration,
};
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::{BucketEncryption, Ensure, LifecycleSpec, LogBucketSpec};
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec, policy};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::call;
use crate::error::{build_error, has_code, sdk_error, unsupported};
use crate::kind::{LegacyKind, name_of, region_of};
use crate::logging::{config_present, logging, trail_arn, trail_key_arn};

pub(crate) struct Bucket;

pub(crate) const KIND: &str = "s3_bucket";

/// The lifecycle rule baseline owns on a log bucket.
const LIFECYCLE_ID: &str = "baseline-logs";

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

/// Days a noncurrent version is kept when logs expire and nothing else is declared.
const NONCURRENT_DAYS: i64 = 30;

/// The rule baseline owns on a log bucket, as the plan shows it. Logs that expire become
/// noncurrent versions in a versioned bucket: they are removed `noncurrent_expire_days`
/// later (S3 then also removes the delete markers left with no version behind them, which
/// it does by itself for a rule with `Days`). A rule with no expiry keeps every version and
/// removes only delete markers with nothing behind them (`expired_delete_markers`).
fn lifecycle_state(lifecycle: &LifecycleSpec) -> Value {
    let mut rule = serde_json::Map::new();
    rule.insert("id".to_owned(), json!(LIFECYCLE_ID));
    if let Some(days) = lifecycle.transition_to_glacier_days {
        rule.insert("transition_to_glacier_days".to_owned(), json!(days.get()));
    }
    match lifecycle.expire_days {
        Some(days) => {
            rule.insert("expire_days".to_owned(), json!(days.get()));
        }
        None => {
            rule.insert("expired_delete_markers".to_owned(), json!(true));
        }
    }
    let noncurrent = lifecycle
        .noncurrent_expire_days
        .map(|d| d.get())
        .or_else(|| lifecycle.expire_days.map(|_| NONCURRENT_DAYS));
    if let Some(days) = noncurrent {
        rule.insert("noncurrent_expire_days".to_owned(), json!(days));
    }
    json!([rule])
}

/// The state every bucket baseline makes shares; the rest is per purpose.
pub(crate) fn hygienic_state(policy: Value, encryption: Value) -> serde_json::Map<String, Value> {
    let mut state = serde_json::Map::new();
    state.insert("public_access_block".to_owned(), json!(true));
    state.insert("object_ownership".to_owned(), json!("BucketOwnerEnforced"));
    state.insert("encryption".to_owned(), encryption);
    state.insert("versioning".to_owned(), json!("Enabled"));
    state.insert("policy".to_owned(), policy);
    state
}

/// A bucket's Desired, in the home region.
pub(crate) fn desired_bucket(
    name: &str,
    scope: &Scope,
    ensure: Ensure,
    state: serde_json::Map<String, Value>,
    depends_on: Vec<ResourceAddr>,
    force_destroy: bool,
) -> Desired {
    Desired {
        address: ResourceAddr::named(KIND, name).in_region(&scope.home_region),
        ensure,
        state: if ensure == Ensure::Present {
            Value::Object(state)
        } else {
            json!({})
        },
        depends_on,
        manual: None,
        cis: vec!["2.1.1".to_owned(), "2.1.4".to_owned()],
        write_only: json!({ "force_destroy": force_destroy }),
    }
}

fn log_bucket(bucket: &LogBucketSpec, spec: &Spec, scope: &Scope) -> Vec<Desired> {
    let name = bucket.name.0.render(scope.names(Some(&scope.home_region)));
    let trail = trail_arn(spec, scope);
    let encryption = match (bucket.encryption, trail_key_arn(spec, scope)) {
        (BucketEncryption::Kms, Some(key)) => json!({"algorithm": "aws:kms", "key": key}),
        _ => json!({"algorithm": "AES256"}),
    };
    let mut state = hygienic_state(
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
    if let Some(lifecycle) = &bucket.lifecycle {
        state.insert("lifecycle".to_owned(), lifecycle_state(lifecycle));
    }
    let mut out = Vec::new();
    let mut depends_on = Vec::new();
    if let Some(access) = &bucket.access_logging {
        let target = access
            .bucket
            .0
            .render(scope.names(Some(&scope.home_region)));
        let prefix = access.prefix.clone().unwrap_or_else(|| format!("{name}/"));
        state.insert(
            "access_logging".to_owned(),
            json!({"bucket": target, "prefix": prefix}),
        );
        let mut target_state = hygienic_state(
            access_log_target_policy(scope, &target, &name),
            json!({"algorithm": "AES256"}),
        );
        if let Some(lifecycle) = access.lifecycle.as_ref().or(bucket.lifecycle.as_ref()) {
            target_state.insert("lifecycle".to_owned(), lifecycle_state(lifecycle));
        }
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

impl LegacyKind for Bucket {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let mut out: Vec<Desired> = logging(spec)
            .and_then(|l| l.bucket.as_ref())
            .map(|bucket| log_bucket(bucket, spec, scope))
            .unwrap_or_default();
        if let Some(athena) = crate::athena::athena(spec) {
            let name = crate::athena::results_bucket(athena, scope);
            let policy = policy::normalize(&json!({
                "Version": "2012-10-17", "Statement": [deny_plain_http(scope, &name)]
            }));
            let state = hygienic_state(policy, json!({"algorithm": "AES256"}));
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

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(read_bucket(ctx, address))
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            match (change.action, &change.after) {
                (Action::Create, Some(after)) => {
                    create_bucket(ctx, &change.address).await?;
                    sync_bucket(ctx, &change.address, None, after).await
                }
                (Action::Update, Some(after)) => {
                    sync_bucket(ctx, &change.address, change.before.as_ref(), after).await
                }
                (Action::Delete, _) => {
                    let force = change.write_only.get("force_destroy") == Some(&Value::Bool(true));
                    delete_bucket(ctx, &change.address, force).await
                }
                (action, _) => Err(unsupported(&change.address, &format!("{action:?}"))),
            }
        })
    }
}

fn region_and_name(address: &ResourceAddr) -> (&str, &str) {
    (region_of(address), name_of(address))
}

/// Every setting baseline manages, in canonical form; `None` when the bucket does not exist.
pub(crate) async fn read_bucket(
    ctx: &AwsContext,
    address: &ResourceAddr,
) -> Result<Option<Value>, ProviderError> {
    let (region, name) = region_and_name(address);
    let s3 = ctx.s3(region);
    match s3.head_bucket().bucket(name).send().await {
        Ok(_) => {}
        Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => return Ok(None),
        Err(err) => {
            let mut error = sdk_error(address, "s3:HeadBucket", &err);
            if err
                .raw_response()
                .is_some_and(|r| r.status().as_u16() == 403)
            {
                error.hint = Some(format!(
                    "`{name}` belongs to another AWS account (bucket names are global): choose another name"
                ));
            }
            return Err(error);
        }
    }
    let public_access_block = match s3.get_public_access_block().bucket(name).send().await {
        Ok(out) => out.public_access_block_configuration().is_some_and(|c| {
            c.block_public_acls() == Some(true)
                && c.ignore_public_acls() == Some(true)
                && c.block_public_policy() == Some(true)
                && c.restrict_public_buckets() == Some(true)
        }),
        Err(err) if has_code(&err, &["NoSuchPublicAccessBlockConfiguration"]) => false,
        Err(err) => return Err(sdk_error(address, "s3:GetPublicAccessBlock", &err)),
    };
    let ownership = match s3.get_bucket_ownership_controls().bucket(name).send().await {
        Ok(out) => out
            .ownership_controls()
            .and_then(|c| c.rules().first())
            .map_or("ObjectWriter".to_owned(), |r| {
                r.object_ownership().as_str().to_owned()
            }),
        Err(err) if has_code(&err, &["OwnershipControlsNotFoundError"]) => {
            "ObjectWriter".to_owned()
        }
        Err(err) => return Err(sdk_error(address, "s3:GetBucketOwnershipControls", &err)),
    };
    let encryption = match s3.get_bucket_encryption().bucket(name).send().await {
        Ok(out) => {
            let default = out
                .server_side_encryption_configuration()
                .and_then(|c| c.rules().first())
                .and_then(|r| r.apply_server_side_encryption_by_default());
            match default {
                Some(d) => match d.kms_master_key_id() {
                    Some(key) => json!({"algorithm": d.sse_algorithm().as_str(), "key": key}),
                    None => json!({"algorithm": d.sse_algorithm().as_str()}),
                },
                None => json!({"algorithm": "none"}),
            }
        }
        Err(err) if has_code(&err, &["ServerSideEncryptionConfigurationNotFoundError"]) => {
            json!({"algorithm": "none"})
        }
        Err(err) => return Err(sdk_error(address, "s3:GetBucketEncryption", &err)),
    };
    let versioning = s3
        .get_bucket_versioning()
        .bucket(name)
        .send()
        .await
        .map_err(|err| sdk_error(address, "s3:GetBucketVersioning", &err))?
        .status()
        .map_or("Disabled".to_owned(), |s| s.as_str().to_owned());
    let bucket_policy = match s3.get_bucket_policy().bucket(name).send().await {
        Ok(out) => match out.policy() {
            Some(text) => crate::iam::principal::document(address, text)?,
            None => Value::Null,
        },
        Err(err) if has_code(&err, &["NoSuchBucketPolicy"]) => Value::Null,
        Err(err) => return Err(sdk_error(address, "s3:GetBucketPolicy", &err)),
    };
    let lifecycle = match s3
        .get_bucket_lifecycle_configuration()
        .bucket(name)
        .send()
        .await
    {
        Ok(out) => Value::Array(out.rules().iter().map(canonical_rule).collect()),
        Err(err) if has_code(&err, &["NoSuchLifecycleConfiguration"]) => json!([]),
        Err(err) => {
            return Err(sdk_error(
                address,
                "s3:GetBucketLifecycleConfiguration",
                &err,
            ));
        }
    };
    let logging = s3
        .get_bucket_logging()
        .bucket(name)
        .send()
        .await
        .map_err(|err| sdk_error(address, "s3:GetBucketLogging", &err))?;
    let access_logging = logging.logging_enabled().map_or(
        Value::Null,
        |l| json!({"bucket": l.target_bucket(), "prefix": l.target_prefix()}),
    );
    Ok(Some(json!({
        "public_access_block": public_access_block,
        "object_ownership": ownership,
        "encryption": encryption,
        "versioning": versioning,
        "policy": bucket_policy,
        "lifecycle": lifecycle,
        "access_logging": access_logging,
    })))
}

fn canonical_rule(rule: &LifecycleRule) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("id".to_owned(), json!(rule.id().unwrap_or_default()));
    if let Some(days) = rule
        .transitions()
        .iter()
        .find(|t| t.storage_class().map(|c| c.as_str()) == Some("GLACIER"))
        .and_then(Transition::days)
    {
        out.insert("transition_to_glacier_days".to_owned(), json!(days));
    }
    if let Some(days) = rule.expiration().and_then(LifecycleExpiration::days) {
        out.insert("expire_days".to_owned(), json!(days));
    }
    if rule
        .expiration()
        .and_then(LifecycleExpiration::expired_object_delete_marker)
        == Some(true)
    {
        out.insert("expired_delete_markers".to_owned(), json!(true));
    }
    if let Some(days) = rule
        .noncurrent_version_expiration()
        .and_then(NoncurrentVersionExpiration::noncurrent_days)
    {
        out.insert("noncurrent_expire_days".to_owned(), json!(days));
    }
    Value::Object(out)
}

async fn create_bucket(ctx: &AwsContext, address: &ResourceAddr) -> Result<(), ProviderError> {
    let (region, name) = region_and_name(address);
    let mut request = ctx.s3(region).create_bucket().bucket(name);
    // us-east-1 takes no location constraint; every other region needs its own.
    if region != "us-east-1" {
        request = request.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(region.into())
                .build(),
        );
    }
    match request.send().await {
        Ok(_) => return Ok(()),
        // Ours already: an earlier try was answered but the answer was lost.
        Err(err) if has_code(&err, &["BucketAlreadyOwnedByYou"]) => return Ok(()),
        Err(err) => Err(err),
    }
    .map_err(|err| {
        let mut error = sdk_error(address, "s3:CreateBucket", &err);
        if error.code.as_deref() == Some("BucketAlreadyExists") {
            error.hint =
                Some("bucket names are global and this one is taken: choose another".to_owned());
        }
        error
    })
}

/// Puts every setting of `after` that differs from `before` (all of them for a new bucket).
async fn sync_bucket(
    ctx: &AwsContext,
    address: &ResourceAddr,
    before: Option<&Value>,
    after: &Value,
) -> Result<(), ProviderError> {
    let (region, name) = region_and_name(address);
    let s3 = ctx.s3(region);
    let changed =
        |key: &str| after.get(key).is_some() && after.get(key) != before.and_then(|b| b.get(key));
    if changed("public_access_block") && after["public_access_block"] == json!(true) {
        let block = PublicAccessBlockConfiguration::builder()
            .block_public_acls(true)
            .ignore_public_acls(true)
            .block_public_policy(true)
            .restrict_public_buckets(true)
            .build();
        call!(
            address,
            "s3:PutPublicAccessBlock",
            s3.put_public_access_block()
                .bucket(name)
                .public_access_block_configuration(block)
                .send()
        )?;
    }
    if changed("object_ownership") {
        let rule = OwnershipControlsRule::builder()
            .object_ownership(ObjectOwnership::from(
                after["object_ownership"]
                    .as_str()
                    .unwrap_or("BucketOwnerEnforced"),
            ))
            .build()
            .map_err(|err| build_error(address, err))?;
        let controls = OwnershipControls::builder()
            .rules(rule)
            .build()
            .map_err(|err| build_error(address, err))?;
        call!(
            address,
            "s3:PutBucketOwnershipControls",
            s3.put_bucket_ownership_controls()
                .bucket(name)
                .ownership_controls(controls)
                .send()
        )?;
    }
    if changed("encryption") {
        let algorithm = after["encryption"]["algorithm"]
            .as_str()
            .unwrap_or("AES256");
        let key = after["encryption"]
            .get("key")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let default = ServerSideEncryptionByDefault::builder()
            .sse_algorithm(ServerSideEncryption::from(algorithm))
            .set_kms_master_key_id(key)
            .build()
            .map_err(|err| build_error(address, err))?;
        let rule = ServerSideEncryptionRule::builder()
            .apply_server_side_encryption_by_default(default)
            .bucket_key_enabled(algorithm == "aws:kms")
            .build();
        let config = ServerSideEncryptionConfiguration::builder()
            .rules(rule)
            .build()
            .map_err(|err| build_error(address, err))?;
        call!(
            address,
            "s3:PutBucketEncryption",
            s3.put_bucket_encryption()
                .bucket(name)
                .server_side_encryption_configuration(config)
                .send()
        )?;
    }
    if changed("versioning") {
        let status =
            BucketVersioningStatus::from(after["versioning"].as_str().unwrap_or("Enabled"));
        let config = VersioningConfiguration::builder().status(status).build();
        call!(
            address,
            "s3:PutBucketVersioning",
            s3.put_bucket_versioning()
                .bucket(name)
                .versioning_configuration(config)
                .send()
        )?;
    }
    if changed("policy") {
        call!(
            address,
            "s3:PutBucketPolicy",
            s3.put_bucket_policy()
                .bucket(name)
                .policy(policy::to_text(&after["policy"]))
                .send()
        )?;
    }
    if changed("lifecycle") {
        // A rule that does not convert is an error, never a dropped rule: an empty list
        // would delete the bucket's lifecycle.
        let rules: Vec<LifecycleRule> = after["lifecycle"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(lifecycle_rule)
            .collect::<Result<_, _>>()
            .map_err(|err| build_error(address, err))?;
        if rules.is_empty() {
            call!(
                address,
                "s3:DeleteBucketLifecycle",
                s3.delete_bucket_lifecycle().bucket(name).send()
            )?;
        } else {
            let config = BucketLifecycleConfiguration::builder()
                .set_rules(Some(rules))
                .build()
                .map_err(|err| build_error(address, err))?;
            call!(
                address,
                "s3:PutBucketLifecycleConfiguration",
                s3.put_bucket_lifecycle_configuration()
                    .bucket(name)
                    .lifecycle_configuration(config)
                    .send()
            )?;
        }
    }
    if changed("access_logging") {
        let target = &after["access_logging"];
        let mut status = BucketLoggingStatus::builder();
        if let Some(bucket) = target.get("bucket").and_then(Value::as_str) {
            let enabled = LoggingEnabled::builder()
                .target_bucket(bucket)
                .target_prefix(
                    target
                        .get("prefix")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                )
                .build()
                .map_err(|err| build_error(address, err))?;
            status = status.logging_enabled(enabled);
        }
        call!(
            address,
            "s3:PutBucketLogging",
            s3.put_bucket_logging()
                .bucket(name)
                .bucket_logging_status(status.build())
                .send()
        )?;
    }
    Ok(())
}

fn lifecycle_rule(rule: &Value) -> Result<LifecycleRule, aws_sdk_s3::error::BuildError> {
    let mut builder = LifecycleRule::builder()
        .id(rule["id"].as_str().unwrap_or(LIFECYCLE_ID))
        .status(ExpirationStatus::Enabled)
        .filter(LifecycleRuleFilter::builder().prefix("").build());
    if let Some(days) = rule
        .get("transition_to_glacier_days")
        .and_then(Value::as_i64)
    {
        builder = builder.transitions(
            Transition::builder()
                .days(days as i32)
                .storage_class(TransitionStorageClass::Glacier)
                .build(),
        );
    }
    if let Some(days) = rule.get("expire_days").and_then(Value::as_i64) {
        builder = builder.expiration(LifecycleExpiration::builder().days(days as i32).build());
    } else if rule.get("expired_delete_markers") == Some(&json!(true)) {
        builder = builder.expiration(
            LifecycleExpiration::builder()
                .expired_object_delete_marker(true)
                .build(),
        );
    }
    if let Some(days) = rule.get("noncurrent_expire_days").and_then(Value::as_i64) {
        builder = builder.noncurrent_version_expiration(
            NoncurrentVersionExpiration::builder()
                .noncurrent_days(days as i32)
                .build(),
        );
    }
    builder.build()
}

/// Deletes the bucket: only when empty, unless `force_destroy` says its logs may go too.
async fn delete_bucket(
    ctx: &AwsContext,
    address: &ResourceAddr,
    force: bool,
) -> Result<(), ProviderError> {
    let (region, name) = region_and_name(address);
    let s3 = ctx.s3(region);
    loop {
        let listed = s3
            .list_object_versions()
            .bucket(name)
            .max_keys(1000)
            .send()
            .await
            .map_err(|err| sdk_error(address, "s3:ListObjectVersions", &err))?;
        let mut objects: Vec<ObjectIdentifier> = Vec::new();
        for version in listed.versions() {
            objects.extend(identifier(version.key(), version.version_id()));
        }
        for marker in listed.delete_markers() {
            objects.extend(identifier(marker.key(), marker.version_id()));
        }
        if objects.is_empty() {
            break;
        }
        if !force {
            return Err(ProviderError {
                address: address.clone(),
                operation: "s3:DeleteBucket".to_owned(),
                code: None,
                message: format!("{name} still holds objects (logs); it was kept"),
                hint: Some(
                    "set `force_destroy: true` on the bucket to delete its objects with it"
                        .to_owned(),
                ),
            });
        }
        let delete = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .map_err(|err| build_error(address, err))?;
        s3.delete_objects()
            .bucket(name)
            .delete(delete)
            .send()
            .await
            .map_err(|err| sdk_error(address, "s3:DeleteObjects", &err))?;
    }
    s3.delete_bucket()
        .bucket(name)
        .send()
        .await
        .map(|_| ())
        .map_err(|err| sdk_error(address, "s3:DeleteBucket", &err))
}

fn identifier(key: Option<&str>, version: Option<&str>) -> Option<ObjectIdentifier> {
    ObjectIdentifier::builder()
        .key(key?)
        .set_version_id(version.map(str::to_owned))
        .build()
        .ok()
}
