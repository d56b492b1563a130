//! `guardrails:` — account-wide protections. Each is turned on, never off: `false` leaves a
//! protection as it is, so removing a line from the file never weakens the account.

pub(crate) mod analyzer;
pub(crate) mod detectors;
pub(crate) mod trusted_advisor;

use aws_sdk_s3control::types::PublicAccessBlockConfiguration;
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::GuardrailsSpec;
use baseline_core::{BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::{call, has_code, sdk_error};
use crate::kind::{LegacyKind, region_of};

pub(crate) fn guardrails(spec: &Spec) -> Option<&GuardrailsSpec> {
    spec.guardrails.as_ref()
}

/// `guardrails.s3_public_access_block`: the account-level S3 Block Public Access.
pub(crate) struct S3PublicAccessBlock;

const S3_BLOCK: &str = "s3_account_public_access_block";

const BLOCK_FIELDS: [&str; 4] = [
    "block_public_acls",
    "ignore_public_acls",
    "block_public_policy",
    "restrict_public_buckets",
];

impl LegacyKind for S3PublicAccessBlock {
    fn kept_by_destroy(&self) -> bool {
        true
    }

    fn kind(&self) -> &'static str {
        S3_BLOCK
    }

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        if !guardrails(spec).is_some_and(|g| g.s3_public_access_block) {
            return Vec::new();
        }
        let state: serde_json::Map<String, Value> = BLOCK_FIELDS
            .iter()
            .map(|f| ((*f).to_owned(), json!(true)))
            .collect();
        vec![Desired::new(ResourceAddr::singleton(S3_BLOCK), Value::Object(state)).cis(&["2.1.4"])]
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let account = ctx.account_id().await?;
            let answer = ctx
                .s3control()
                .get_public_access_block()
                .account_id(account)
                .send()
                .await;
            let out = match answer {
                Ok(out) => out,
                Err(err) if has_code(&err, &["NoSuchPublicAccessBlockConfiguration"]) => {
                    return Ok(None);
                }
                Err(err) => return Err(sdk_error(address, "s3:GetAccountPublicAccessBlock", &err)),
            };
            let config = out.public_access_block_configuration();
            Ok(Some(json!({
                "block_public_acls": config.and_then(|c| c.block_public_acls()).unwrap_or(false),
                "ignore_public_acls": config.and_then(|c| c.ignore_public_acls()).unwrap_or(false),
                "block_public_policy": config.and_then(|c| c.block_public_policy()).unwrap_or(false),
                "restrict_public_buckets": config
                    .and_then(|c| c.restrict_public_buckets())
                    .unwrap_or(false),
            })))
        })
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let address = &change.address;
            let Some(after) = &change.after else {
                return Ok(());
            };
            let on = |key: &str| after[key].as_bool().unwrap_or(true);
            let config = PublicAccessBlockConfiguration::builder()
                .block_public_acls(on("block_public_acls"))
                .ignore_public_acls(on("ignore_public_acls"))
                .block_public_policy(on("block_public_policy"))
                .restrict_public_buckets(on("restrict_public_buckets"))
                .build();
            let account = ctx.account_id().await?;
            call!(
                address,
                "s3:PutAccountPublicAccessBlock",
                ctx.s3control()
                    .put_public_access_block()
                    .account_id(account)
                    .public_access_block_configuration(config)
                    .send()
            )?;
            Ok(())
        })
    }
}

/// `guardrails.ebs_default_encryption`: EBS encryption by default, per region.
pub(crate) struct EbsEncryption;

const EBS: &str = "ebs_encryption_by_default";

/// One address per selected region.
pub(crate) fn per_region(kind: &str, scope: &Scope, state: &Value, cis: &[&str]) -> Vec<Desired> {
    scope
        .regions
        .iter()
        .map(|region| {
            Desired::new(
                ResourceAddr::singleton(kind).in_region(region),
                state.clone(),
            )
            .cis(cis)
        })
        .collect()
}

impl LegacyKind for EbsEncryption {
    fn kept_by_destroy(&self) -> bool {
        true
    }

    fn kind(&self) -> &'static str {
        EBS
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        if !guardrails(spec).is_some_and(|g| g.ebs_default_encryption) {
            return Vec::new();
        }
        per_region(EBS, scope, &json!({"enabled": true}), &["2.2.1"])
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let out = call!(
                address,
                "ec2:GetEbsEncryptionByDefault",
                ctx.ec2(region_of(address))
                    .get_ebs_encryption_by_default()
                    .send()
            )?;
            Ok(Some(
                json!({"enabled": out.ebs_encryption_by_default().unwrap_or(false)}),
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
            call!(
                address,
                "ec2:EnableEbsEncryptionByDefault",
                ctx.ec2(region_of(address))
                    .enable_ebs_encryption_by_default()
                    .send()
            )?;
            Ok(())
        })
    }
}
