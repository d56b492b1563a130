//! `logging.cloudtrail.kms: true` → a customer managed key, found by its alias
//! (`alias/cloudtrail-TRAIL`), rotated yearly, with a key policy that lets the account
//! administer it and CloudTrail encrypt this account's trails with it. A key is never
//! deleted by baseline: removing it would make every log it encrypted unreadable.

use aws_sdk_kms::types::{KeyManagerType, KeyMetadata, KeyState, Tag};
use baseline_core::plan::{Desired, Grant, Grants};
use baseline_core::scope::Scope;
use baseline_core::spec::{BucketEncryption, Ensure};
use baseline_core::{ProviderError, ResourceAddr, Spec, policy};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::{build_error, call, create, found, has_code, sdk_error};
use crate::iam::principal::document;
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare, name_of, region_of};
use crate::logging::{config_present, logging, trail_arn, trail_key_alias};

pub(crate) struct Key;

pub(crate) const KIND: &str = "kms_key";

/// The key as baseline manages it: yearly rotation and the key policy.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    rotation: bool,
    policy: Value,
}

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

/// The keys baseline made for `alias` that have no alias: traces of runs cut short between
/// CreateKey and CreateAlias, or of a CreateKey whose answer was lost. Keys pending
/// deletion are left out.
pub(crate) async fn orphan_keys(
    ctx: &AwsContext,
    address: &ResourceAddr,
    alias: &str,
) -> Result<Vec<String>, ProviderError> {
    let kms = ctx.kms(region_of(address));
    let mut orphans = Vec::new();
    let mut marker = None;
    loop {
        let page = call!(
            address,
            "kms:ListKeys",
            kms.list_keys().set_marker(marker.clone()).send()
        )?;
        for key in page.keys() {
            let Some(id) = key.key_id() else { continue };
            if is_orphan(&kms, address, id, alias).await? {
                orphans.push(id.to_owned());
            }
        }
        match page.next_marker() {
            Some(next) if page.truncated() => marker = Some(next.to_owned()),
            _ => return Ok(orphans),
        }
    }
}

/// Whether key `id` is a customer managed key, not pending deletion, tagged for `alias`,
/// with no alias.
async fn is_orphan(
    kms: &aws_sdk_kms::Client,
    address: &ResourceAddr,
    id: &str,
    alias: &str,
) -> Result<bool, ProviderError> {
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
        return Ok(false);
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
        return Ok(false);
    }
    let aliases = call!(
        address,
        "kms:ListAliases",
        kms.list_aliases().key_id(id).send()
    )?;
    Ok(aliases.aliases().is_empty())
}

/// The key `alias` names in the address's region, if it names one: described once per plan
/// for both the key's read and the orphan-key finding's.
pub(crate) async fn aliased_key(
    ctx: &AwsContext,
    address: &ResourceAddr,
    alias: &str,
) -> Result<std::sync::Arc<Option<KeyMetadata>>, ProviderError> {
    let region = region_of(address);
    let key = format!("kms:DescribeKey {region} {alias}");
    ctx.shared(address, key, || async {
        let answer = ctx.kms(region).describe_key().key_id(alias).send().await;
        let described = found(address, "kms:DescribeKey", &["NotFoundException"], answer)?;
        Ok(described.and_then(|d| d.key_metadata().cloned()))
    })
    .await
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
    policy: String,
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
            .policy(policy.clone())
            .tags(tag.clone())
            .customize()
            .config_override(once.clone())
            .send()
            .await;
        match sent {
            Ok(out) => return key_id(address, "CreateKey", out.key_metadata()),
            Err(err) if tries >= 5 || has_code(&err, FINAL) => {
                return Err(sdk_error(address, "kms:CreateKey", &err));
            }
            Err(err) => {
                tracing::info!(address = %address, error = %sdk_error(address, "kms:CreateKey", &err),
                    "CreateKey failed; looking for a key it may have made before trying again");
                tokio::time::sleep(wait).await;
                wait *= 2;
                if let Some(key) = orphan_keys(ctx, address, alias).await?.into_iter().next() {
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

/// The key's alias: `alias/` and the address's name.
pub(crate) fn alias_of(address: &ResourceAddr) -> String {
    format!("alias/{}", name_of(address))
}

/// Makes `policy` the key's policy; `key` is its id or alias.
async fn put_policy(
    kms: &aws_sdk_kms::Client,
    address: &ResourceAddr,
    key: &str,
    policy: String,
) -> Done {
    call!(
        address,
        "kms:PutKeyPolicy",
        kms.put_key_policy()
            .key_id(key)
            .policy_name("default")
            .policy(policy)
            .send()
    )?;
    Ok(())
}

/// Turns yearly rotation on for the key with id `key`.
async fn enable_rotation(kms: &aws_sdk_kms::Client, address: &ResourceAddr, key: &str) -> Done {
    call!(
        address,
        "kms:EnableKeyRotation",
        kms.enable_key_rotation().key_id(key).send()
    )?;
    Ok(())
}

/// The key's id in what DescribeKey or CreateKey answered. KMS always names the key; an
/// answer that does not is an error, not an empty id.
fn key_id(
    address: &ResourceAddr,
    operation: &str,
    metadata: Option<&KeyMetadata>,
) -> Result<String, ProviderError> {
    metadata
        .map(|k| k.key_id().to_owned())
        .ok_or_else(|| build_error(address, format!("{operation} named no key")))
}

impl Kind for Key {
    type State = State;
    const KIND: &'static str = KIND;
    const GRANTS: Grants = &[("policy", Grant::ResourcePolicy)];
    const KEPT_BY_DESTROY: bool = true;

    /// The trail's key, named by its alias without `alias/`, when the trail asks for one.
    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let (Some(alias), Some(trail)) = (trail_key_alias(spec), trail_arn(spec, scope)) else {
            return Vec::new();
        };
        let state = State {
            rotation: true,
            policy: key_policy(scope, &trail, config_writes(spec)),
        };
        vec![declare(address(&alias, scope), &state).cis(&["3.5", "3.6"])]
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let address = read.address;
        let alias = alias_of(address);
        let kms = ctx.kms(region_of(address));
        let Some(described) = aliased_key(ctx, address, &alias).await?.as_ref().clone() else {
            return Ok(None);
        };
        let key = key_id(address, "DescribeKey", Some(&described))?;
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
        .ok_or_else(|| build_error(address, "GetKeyPolicy returned no policy"))?;
        Ok(Some(State {
            rotation,
            policy: document(address, &text)?,
        }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        let address = &change.address;
        let alias = alias_of(address);
        let kms = ctx.kms(region_of(address));
        let policy_text = policy::to_text(&after.policy);
        // CreateKey has no idempotency token: a key an interrupted run made (or whose
        // answer was lost) carries this alias as a tag but not the alias itself. It is
        // used, rather than a second key made.
        let key = match orphan_keys(ctx, address, &alias).await?.into_iter().next() {
            Some(key) => {
                put_policy(&kms, address, &key, policy_text).await?;
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
        enable_rotation(&kms, address, &key).await
    }

    /// Puts a changed policy, and turns rotation on when it is off; rotation is never
    /// turned off.
    async fn update(&self, ctx: &AwsContext, change: &Change, old: &State, new: &State) -> Done {
        let address = &change.address;
        let alias = alias_of(address);
        let kms = ctx.kms(region_of(address));
        if new.policy != old.policy {
            put_policy(&kms, address, &alias, policy::to_text(&new.policy)).await?;
        }
        if new.rotation && !old.rotation {
            let described = call!(
                address,
                "kms:DescribeKey",
                kms.describe_key().key_id(&alias).send()
            )?;
            let key = key_id(address, "DescribeKey", described.key_metadata())?;
            enable_rotation(&kms, address, &key).await?;
        }
        Ok(())
    }
}
