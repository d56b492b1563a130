//! `logging.cloudtrail.kms: true` → a customer managed key, found by its alias
//! (`alias/cloudtrail-TRAIL`), rotated yearly, with a key policy that lets the account
//! administer it and CloudTrail encrypt this account's trails with it. A key is never
//! deleted by baseline: removing it would make every log it encrypted unreadable.

use aws_sdk_kms::types::{KeyManagerType, KeyState, Tag};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::{BucketEncryption, Ensure};
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec, policy};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::{build_error, call, create, has_code};
use crate::error::{sdk_error, unsupported};
use crate::iam::principal::document;
use crate::kind::{LegacyKind, name_of, region_of};
use crate::logging::{config_present, logging, trail_arn, trail_key_alias};

pub(crate) struct Key;

pub(crate) const KIND: &str = "kms_key";

/// The key policy, as AWS documents it for CloudTrail and Config. The account administers
/// the key (so IAM policies decide who else may use it); CloudTrail may encrypt and
/// describe for this one trail (`aws:SourceArn`, the confused-deputy guard); anyone in the
/// account may decrypt CloudTrail's logs (the encryption context names a trail of this
/// account). When the log bucket's default encryption is this key, Config writes through
/// it as `config.amazonaws.com`: the service-linked role cannot write to S3, so AWS Config
/// delivers as its service principal, which needs the key for this account only.
fn key_policy(scope: &Scope, trail_arn: &str, config_writes: bool) -> Value {
    let account = &scope.account_id;
    let any_trail = scope.arn_in("cloudtrail", "*", account, "trail/*");
    let this_trail = json!({"StringEquals": {"aws:SourceArn": trail_arn}});
    let mut statements = vec![
        json!({"Sid": "AccountAdministers", "Effect": "Allow",
         "Principal": {"AWS": scope.arn("iam", "", "root")},
         "Action": "kms:*", "Resource": "*"}),
        json!({"Sid": "CloudTrailEncrypts", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "kms:GenerateDataKey*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceArn": trail_arn},
                       "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": any_trail}}}),
        json!({"Sid": "CloudTrailDescribes", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "kms:DescribeKey", "Resource": "*", "Condition": this_trail}),
        json!({"Sid": "AccountReadsLogs", "Effect": "Allow",
         "Principal": {"AWS": "*"},
         "Action": ["kms:Decrypt", "kms:ReEncryptFrom"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:CallerAccount": account},
                       "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": any_trail}}}),
    ];
    if config_writes {
        statements.push(json!({"Sid": "ConfigEncrypts", "Effect": "Allow",
         "Principal": {"Service": "config.amazonaws.com"},
         "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceAccount": account}}}));
    }
    policy::normalize(&json!({"Version": "2012-10-17", "Statement": statements}))
}

/// The tag baseline puts on a key it makes: the alias the key is for.
const ALIAS_TAG: &str = "baseline:alias";

/// A key baseline made for `alias` that has no alias: the trace of a run cut short between
/// CreateKey and CreateAlias. Keys pending deletion are left alone.
async fn orphan_key(
    ctx: &AwsContext,
    address: &ResourceAddr,
    alias: &str,
) -> Result<Option<String>, ProviderError> {
    let kms = ctx.kms(region_of(address));
    let mut marker = None;
    loop {
        let page = call!(
            address,
            "kms:ListKeys",
            kms.list_keys().set_marker(marker.clone()).send()
        )?;
        for key in page.keys() {
            let Some(id) = key.key_id() else { continue };
            let described = call!(
                address,
                "kms:DescribeKey",
                kms.describe_key().key_id(id).send()
            )?;
            let usable = described.key_metadata().is_some_and(|m| {
                m.key_manager() == Some(&KeyManagerType::Customer)
                    && m.key_state() != Some(&KeyState::PendingDeletion)
            });
            if !usable {
                continue;
            }
            let tags = call!(
                address,
                "kms:ListResourceTags",
                kms.list_resource_tags().key_id(id).send()
            )?;
            let ours = tags
                .tags()
                .iter()
                .any(|t| t.tag_key() == ALIAS_TAG && t.tag_value() == alias);
            if !ours {
                continue;
            }
            let aliases = call!(
                address,
                "kms:ListAliases",
                kms.list_aliases().key_id(id).send()
            )?;
            if aliases.aliases().is_empty() {
                return Ok(Some(id.to_owned()));
            }
        }
        match page.next_marker() {
            Some(next) if page.truncated() => marker = Some(next.to_owned()),
            _ => return Ok(None),
        }
    }
}

/// Answers to CreateKey that no second try can change.
const FINAL: &[&str] = &[
    "AccessDeniedException",
    "MalformedPolicyDocumentException",
    "TagException",
    "LimitExceededException",
    "UnsupportedOperationException",
    "ValidationException",
];

/// Makes the key, once. CreateKey has no idempotency token, so the SDK must not send it
/// again on its own: a try whose answer was lost may have made a key. After a failed try,
/// the key is looked for by its tag first, and made again only when there is none.
async fn create_key(
    ctx: &AwsContext,
    address: &ResourceAddr,
    alias: &str,
    policy: Option<String>,
) -> Result<String, ProviderError> {
    let kms = ctx.kms(region_of(address));
    let tag = Tag::builder()
        .tag_key(ALIAS_TAG)
        .tag_value(alias)
        .build()
        .map_err(|err| build_error(address, err))?;
    let once = aws_sdk_kms::config::Builder::default()
        .retry_config(aws_sdk_kms::config::retry::RetryConfig::disabled());
    let mut wait = std::time::Duration::from_secs(1);
    let mut tries = 0;
    loop {
        tries += 1;
        let sent = kms
            .create_key()
            .description(format!("baseline: CloudTrail logs ({alias})"))
            .set_policy(policy.clone())
            .tags(tag.clone())
            .customize()
            .config_override(once.clone())
            .send()
            .await;
        match sent {
            Ok(out) => {
                return out
                    .key_metadata()
                    .map(|k| k.key_id().to_owned())
                    .ok_or_else(|| build_error(address, "CreateKey named no key"));
            }
            Err(err) if tries >= 5 || has_code(&err, FINAL) => {
                return Err(sdk_error(address, "kms:CreateKey", &err));
            }
            Err(err) => {
                tracing::info!(address = %address, error = %sdk_error(address, "kms:CreateKey", &err),
                    "CreateKey failed; looking for a key it may have made before trying again");
                tokio::time::sleep(wait).await;
                wait *= 2;
                if let Some(key) = orphan_key(ctx, address, alias).await? {
                    return Ok(key);
                }
            }
        }
    }
}

/// Whether AWS Config writes through the trail's key: Config is declared and the log
/// bucket's default encryption is that key.
pub(crate) fn config_writes(spec: &Spec) -> bool {
    trail_key_alias(spec).is_some()
        && config_present(spec)
        && logging(spec)
            .and_then(|l| l.bucket.as_ref())
            .is_some_and(|b| b.encryption == BucketEncryption::Kms && b.ensure == Ensure::Present)
}

/// The key's address: its alias without `alias/`, in the home region.
pub(crate) fn address(alias: &str, scope: &Scope) -> ResourceAddr {
    ResourceAddr::named(KIND, alias.trim_start_matches("alias/")).in_region(&scope.home_region)
}

/// The trail's key, named by its alias without `alias/`, when the trail asks for one.
pub(crate) fn desired_key(spec: &Spec, scope: &Scope) -> Option<Desired> {
    let alias = trail_key_alias(spec)?;
    let trail = trail_arn(spec, scope)?;
    let config_writes = config_writes(spec);
    Some(Desired {
        address: address(&alias, scope),
        ensure: Ensure::Present,
        state: json!({"rotation": true, "policy": key_policy(scope, &trail, config_writes)}),
        depends_on: Vec::new(),
        manual: None,
        cis: vec!["3.5".to_owned(), "3.6".to_owned()],
        write_only: Value::Null,
    })
}

impl LegacyKind for Key {
    fn kept_by_destroy(&self) -> bool {
        true
    }

    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        desired_key(spec, scope).into_iter().collect()
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let region = region_of(address);
            let alias = format!("alias/{}", name_of(address));
            let kms = ctx.kms(region);
            let key = match kms.describe_key().key_id(&alias).send().await {
                Ok(out) => out
                    .key_metadata()
                    .map(|k| k.key_id().to_owned())
                    .unwrap_or_default(),
                Err(err) if err.code() == Some("NotFoundException") => return Ok(None),
                Err(err) => return Err(sdk_error(address, "kms:DescribeKey", &err)),
            };
            let rotation = call!(
                address,
                "kms:GetKeyRotationStatus",
                kms.get_key_rotation_status().key_id(&key).send()
            )?
            .key_rotation_enabled();
            let text = call!(
                address,
                "kms:GetKeyPolicy",
                kms.get_key_policy()
                    .key_id(&key)
                    .policy_name("default")
                    .send()
            )?
            .policy
            .unwrap_or_default();
            Ok(Some(
                json!({"rotation": rotation, "policy": document(address, &text)?}),
            ))
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
            let alias = format!("alias/{}", name_of(address));
            let kms = ctx.kms(region);
            let after = change.after.as_ref();
            let policy_text = after.and_then(|a| a.get("policy")).map(policy::to_text);
            match change.action {
                Action::Create => {
                    // CreateKey has no idempotency token: a key an interrupted run made
                    // (or whose answer was lost) carries this alias as a tag but not the
                    // alias itself. It is used, rather than a second key made.
                    let key = match orphan_key(ctx, address, &alias).await? {
                        Some(key) => {
                            call!(
                                address,
                                "kms:PutKeyPolicy",
                                kms.put_key_policy()
                                    .key_id(&key)
                                    .policy_name("default")
                                    .set_policy(policy_text)
                                    .send()
                            )?;
                            key
                        }
                        None => create_key(ctx, address, &alias, policy_text).await?,
                    };
                    create!(
                        address,
                        "kms:CreateAlias",
                        &["AlreadyExistsException"],
                        kms.create_alias()
                            .alias_name(&alias)
                            .target_key_id(&key)
                            .send()
                    )?;
                    call!(
                        address,
                        "kms:EnableKeyRotation",
                        kms.enable_key_rotation().key_id(&key).send()
                    )?;
                    Ok(())
                }
                Action::Update => {
                    let before = change.before.as_ref();
                    if after.and_then(|a| a.get("policy")) != before.and_then(|b| b.get("policy")) {
                        call!(
                            address,
                            "kms:PutKeyPolicy",
                            kms.put_key_policy()
                                .key_id(&alias)
                                .policy_name("default")
                                .set_policy(policy_text)
                                .send()
                        )?;
                    }
                    if after.and_then(|a| a.get("rotation")) == Some(&json!(true))
                        && before.and_then(|b| b.get("rotation")) != Some(&json!(true))
                    {
                        let key = call!(
                            address,
                            "kms:DescribeKey",
                            kms.describe_key().key_id(&alias).send()
                        )?
                        .key_metadata()
                        .map(|k| k.key_id().to_owned())
                        .unwrap_or_default();
                        call!(
                            address,
                            "kms:EnableKeyRotation",
                            kms.enable_key_rotation().key_id(&key).send()
                        )?;
                    }
                    Ok(())
                }
                action => Err(unsupported(address, &format!("{action:?}"))),
            }
        })
    }
}
