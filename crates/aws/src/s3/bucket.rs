//! `s3_bucket` → an S3 bucket with audit-log hygiene: all four public access blocks,
//! BucketOwnerEnforced, default encryption, versioning, a policy that denies plain HTTP and
//! lets exactly CloudTrail and Config write, lifecycle, and server access logging (CIS
//! 2.1.1, 2.1.4, 3.4). Which buckets the spec implies is in [`super::implied`]. A bucket
//! that holds objects is deleted only with `force_destroy: true`.

use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, BucketLoggingStatus, BucketVersioningStatus,
    CreateBucketConfiguration, Delete, LoggingEnabled, ObjectIdentifier, ObjectOwnership,
    OwnershipControls, OwnershipControlsRule, PublicAccessBlockConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    VersioningConfiguration,
};
use baseline_core::plan::{Desired, Grant, Grants};
use baseline_core::scope::Scope;
use baseline_core::{ProviderError, ResourceAddr, Spec, policy};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::implied;
use super::lifecycle::Rule;
use crate::context::AwsContext;
use crate::error::{build_error, has_code, sdk_error};
use crate::error::{call, found};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, name_of, region_of};

pub(crate) struct Bucket;

pub(crate) const KIND: &str = "s3_bucket";

/// Every setting baseline manages on a bucket. The spec always declares the hygiene;
/// `lifecycle` and `access_logging` are left out when it does not declare them (the
/// bucket's own are then left as they are). A read fills in every field.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    /// All four public access blocks are on.
    pub(super) public_access_block: bool,
    /// `ObjectWriter` when the bucket has no ownership controls.
    pub(super) object_ownership: String,
    pub(super) encryption: Encryption,
    /// `Disabled` when versioning was never turned on.
    pub(super) versioning: String,
    /// The bucket policy; `null` when the bucket has none.
    pub(super) policy: Value,
    /// The lifecycle rules; an empty list when the bucket has none.
    pub(super) lifecycle: Option<Vec<Rule>>,
    /// Where server access logs go; `null` when they go nowhere.
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub(super) access_logging: Option<Option<AccessLogging>>,
}

/// Default encryption: the algorithm (`AES256`, `aws:kms`, or `none` when the bucket has no
/// default encryption) and, for KMS, the key.
#[serde_with::skip_serializing_none]
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Encryption {
    algorithm: String,
    key: Option<String>,
}

/// The bucket that receives server access logs, and the prefix they are written under.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AccessLogging {
    pub(super) bucket: String,
    pub(super) prefix: String,
}

impl State {
    /// The state every bucket baseline makes shares; the rest is per purpose.
    pub(super) fn hygienic(policy: Value, encryption: Encryption) -> Self {
        Self {
            public_access_block: true,
            object_ownership: "BucketOwnerEnforced".to_owned(),
            encryption,
            versioning: "Enabled".to_owned(),
            policy,
            lifecycle: None,
            access_logging: None,
        }
    }
}

impl Encryption {
    /// Encryption with keys S3 manages (SSE-S3).
    pub(super) fn sse_s3() -> Self {
        Self::without_key("AES256")
    }

    /// Encryption with the KMS key `key`.
    pub(super) fn kms(key: String) -> Self {
        Self {
            algorithm: "aws:kms".to_owned(),
            key: Some(key),
        }
    }

    fn without_key(algorithm: &str) -> Self {
        Self {
            algorithm: algorithm.to_owned(),
            key: None,
        }
    }
}

impl Kind for Bucket {
    type State = State;
    const KIND: &'static str = KIND;
    const GRANTS: Grants = &[("policy", Grant::ResourcePolicy)];

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        implied::buckets(spec, scope)
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        read_bucket(ctx, read.address).await
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        create_bucket(ctx, &change.address).await?;
        sync_bucket(ctx, &change.address, None, after).await
    }

    async fn update(&self, ctx: &AwsContext, change: &Change, old: &State, new: &State) -> Done {
        sync_bucket(ctx, &change.address, Some(old), new).await
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, _before: &State) -> Done {
        let force = change.write_only.get("force_destroy") == Some(&Value::Bool(true));
        delete_bucket(ctx, &change.address, force).await
    }
}

fn region_and_name(address: &ResourceAddr) -> (&str, &str) {
    (region_of(address), name_of(address))
}

/// Every setting baseline manages; `None` when the bucket does not exist.
async fn read_bucket(ctx: &AwsContext, address: &ResourceAddr) -> Live<State> {
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
    // The settings are independent reads: asked at once, not one after another.
    let public_access_block = async {
        let answer = s3.get_public_access_block().bucket(name).send().await;
        let missing = &["NoSuchPublicAccessBlockConfiguration"];
        let out = found(address, "s3:GetPublicAccessBlock", missing, answer)?;
        Ok::<_, ProviderError>(out.is_some_and(|out| {
            out.public_access_block_configuration().is_some_and(|c| {
                c.block_public_acls() == Some(true)
                    && c.ignore_public_acls() == Some(true)
                    && c.block_public_policy() == Some(true)
                    && c.restrict_public_buckets() == Some(true)
            })
        }))
    };
    let ownership = async {
        match s3.get_bucket_ownership_controls().bucket(name).send().await {
            Ok(out) => Ok(out
                .ownership_controls()
                .and_then(|c| c.rules().first())
                .map_or("ObjectWriter".to_owned(), |r| {
                    r.object_ownership().as_str().to_owned()
                })),
            Err(err) if has_code(&err, &["OwnershipControlsNotFoundError"]) => {
                Ok("ObjectWriter".to_owned())
            }
            Err(err) => Err(sdk_error(address, "s3:GetBucketOwnershipControls", &err)),
        }
    };
    let encryption = async {
        match s3.get_bucket_encryption().bucket(name).send().await {
            Ok(out) => {
                let default = out
                    .server_side_encryption_configuration()
                    .and_then(|c| c.rules().first())
                    .and_then(|r| r.apply_server_side_encryption_by_default());
                Ok(match default {
                    Some(d) => Encryption {
                        algorithm: d.sse_algorithm().as_str().to_owned(),
                        key: d.kms_master_key_id().map(str::to_owned),
                    },
                    None => Encryption::without_key("none"),
                })
            }
            Err(err) if has_code(&err, &["ServerSideEncryptionConfigurationNotFoundError"]) => {
                Ok(Encryption::without_key("none"))
            }
            Err(err) => Err(sdk_error(address, "s3:GetBucketEncryption", &err)),
        }
    };
    let versioning = async {
        Ok(s3
            .get_bucket_versioning()
            .bucket(name)
            .send()
            .await
            .map_err(|err| sdk_error(address, "s3:GetBucketVersioning", &err))?
            .status()
            .map_or("Disabled".to_owned(), |s| s.as_str().to_owned()))
    };
    let bucket_policy = async {
        match s3.get_bucket_policy().bucket(name).send().await {
            Ok(out) => match out.policy() {
                Some(text) => crate::iam::principal::document(address, text),
                None => Ok(Value::Null),
            },
            Err(err) if has_code(&err, &["NoSuchBucketPolicy"]) => Ok(Value::Null),
            Err(err) => Err(sdk_error(address, "s3:GetBucketPolicy", &err)),
        }
    };
    let lifecycle = async {
        match s3
            .get_bucket_lifecycle_configuration()
            .bucket(name)
            .send()
            .await
        {
            Ok(out) => Ok(out.rules().iter().map(Rule::of).collect::<Vec<_>>()),
            Err(err) if has_code(&err, &["NoSuchLifecycleConfiguration"]) => Ok(Vec::new()),
            Err(err) => Err(sdk_error(
                address,
                "s3:GetBucketLifecycleConfiguration",
                &err,
            )),
        }
    };
    let access_logging = async {
        let logging = s3
            .get_bucket_logging()
            .bucket(name)
            .send()
            .await
            .map_err(|err| sdk_error(address, "s3:GetBucketLogging", &err))?;
        Ok(logging.logging_enabled().map(|l| AccessLogging {
            bucket: l.target_bucket().to_owned(),
            prefix: l.target_prefix().to_owned(),
        }))
    };
    let (
        public_access_block,
        ownership,
        encryption,
        versioning,
        bucket_policy,
        lifecycle,
        access_logging,
    ) = tokio::try_join!(
        public_access_block,
        ownership,
        encryption,
        versioning,
        bucket_policy,
        lifecycle,
        access_logging
    )?;
    Ok(Some(State {
        public_access_block,
        object_ownership: ownership,
        encryption,
        versioning,
        policy: bucket_policy,
        lifecycle: Some(lifecycle),
        access_logging: Some(access_logging),
    }))
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
/// A setting `after` leaves out is left as it is.
async fn sync_bucket(
    ctx: &AwsContext,
    address: &ResourceAddr,
    before: Option<&State>,
    after: &State,
) -> Done {
    let (region, name) = region_and_name(address);
    let s3 = ctx.s3(region);
    if after.public_access_block && before.is_none_or(|b| !b.public_access_block) {
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
    if before.is_none_or(|b| b.object_ownership != after.object_ownership) {
        let rule = OwnershipControlsRule::builder()
            .object_ownership(ObjectOwnership::from(after.object_ownership.as_str()))
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
    if before.is_none_or(|b| b.encryption != after.encryption) {
        put_encryption(ctx, address, &after.encryption).await?;
    }
    if before.is_none_or(|b| b.versioning != after.versioning) {
        let status = BucketVersioningStatus::from(after.versioning.as_str());
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
    if before.is_none_or(|b| b.policy != after.policy) {
        call!(
            address,
            "s3:PutBucketPolicy",
            s3.put_bucket_policy()
                .bucket(name)
                .policy(policy::to_text(&after.policy))
                .send()
        )?;
    }
    if let Some(rules) = &after.lifecycle
        && before.is_none_or(|b| b.lifecycle.as_ref() != Some(rules))
    {
        put_lifecycle(ctx, address, rules).await?;
    }
    if let Some(target) = &after.access_logging
        && before.is_none_or(|b| b.access_logging.as_ref() != Some(target))
    {
        let mut status = BucketLoggingStatus::builder();
        if let Some(target) = target {
            let enabled = LoggingEnabled::builder()
                .target_bucket(&target.bucket)
                .target_prefix(&target.prefix)
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

/// Default encryption; a KMS key is used with an S3 bucket key.
async fn put_encryption(ctx: &AwsContext, address: &ResourceAddr, encryption: &Encryption) -> Done {
    let (region, name) = region_and_name(address);
    let default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::from(encryption.algorithm.as_str()))
        .set_kms_master_key_id(encryption.key.clone())
        .build()
        .map_err(|err| build_error(address, err))?;
    let rule = ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(default)
        .bucket_key_enabled(encryption.algorithm == "aws:kms")
        .build();
    let config = ServerSideEncryptionConfiguration::builder()
        .rules(rule)
        .build()
        .map_err(|err| build_error(address, err))?;
    call!(
        address,
        "s3:PutBucketEncryption",
        ctx.s3(region)
            .put_bucket_encryption()
            .bucket(name)
            .server_side_encryption_configuration(config)
            .send()
    )
    .map(|_| ())
}

/// Puts exactly `rules`, every one of them; no rules at all deletes the bucket's lifecycle.
async fn put_lifecycle(ctx: &AwsContext, address: &ResourceAddr, rules: &[Rule]) -> Done {
    let (region, name) = region_and_name(address);
    let s3 = ctx.s3(region);
    if rules.is_empty() {
        return call!(
            address,
            "s3:DeleteBucketLifecycle",
            s3.delete_bucket_lifecycle().bucket(name).send()
        )
        .map(|_| ());
    }
    let rules = rules
        .iter()
        .map(Rule::to_sdk)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| build_error(address, err))?;
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
    )
    .map(|_| ())
}

/// Deletes the bucket: only when empty, unless `force_destroy` says its logs may go too.
async fn delete_bucket(ctx: &AwsContext, address: &ResourceAddr, force: bool) -> Done {
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
