//! `guardrails:` — account-wide protections. Each is turned on, never off: `false` leaves a
//! protection as it is, so removing a line from the file never weakens the account.

pub(crate) mod analyzer;
pub(crate) mod detectors;
pub(crate) mod trusted_advisor;

use aws_sdk_s3control::types::PublicAccessBlockConfiguration;
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::GuardrailsSpec;
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::error::{call, found};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare, region_of};

pub(crate) fn guardrails(spec: &Spec) -> Option<&GuardrailsSpec> {
    spec.guardrails.as_ref()
}

/// A setting that is on or off: EBS encryption by default, a GuardDuty detector, a region's
/// opt-in.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Switch {
    pub enabled: bool,
}

impl Switch {
    pub(crate) const ON: Self = Self { enabled: true };
}

/// One address per selected region, with the state `state` gives for the region.
pub(crate) fn per_region<S: Serialize>(
    kind: &str,
    scope: &Scope,
    cis: &[&str],
    state: impl Fn(&str) -> S,
) -> Vec<Desired> {
    scope
        .regions
        .iter()
        .map(|region| {
            declare(
                ResourceAddr::singleton(kind).in_region(region),
                &state(region),
            )
            .cis(cis)
        })
        .collect()
}

/// `guardrails.s3_public_access_block`: the account-level S3 Block Public Access.
pub(crate) struct S3PublicAccessBlock;

/// The four settings of S3 Block Public Access; the file turns all of them on.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Block {
    block_public_acls: bool,
    ignore_public_acls: bool,
    block_public_policy: bool,
    restrict_public_buckets: bool,
}

impl Kind for S3PublicAccessBlock {
    type State = Block;
    const KIND: &'static str = "s3_account_public_access_block";
    const KEPT_BY_DESTROY: bool = true;

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        if !guardrails(spec).is_some_and(|g| g.s3_public_access_block) {
            return Vec::new();
        }
        let state = Block {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
        };
        vec![declare(ResourceAddr::singleton(Self::KIND), &state).cis(&["2.1.4"])]
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Block>) -> Live<Block> {
        let account = ctx.account_id().await?;
        let answer = ctx
            .s3control()
            .get_public_access_block()
            .account_id(account)
            .send()
            .await;
        let missing = &["NoSuchPublicAccessBlockConfiguration"];
        let Some(out) = found(
            read.address,
            "s3:GetAccountPublicAccessBlock",
            missing,
            answer,
        )?
        else {
            return Ok(None);
        };
        let config = out.public_access_block_configuration();
        let on = |flag: fn(&PublicAccessBlockConfiguration) -> Option<bool>| {
            config.and_then(flag).unwrap_or(false)
        };
        Ok(Some(Block {
            block_public_acls: on(PublicAccessBlockConfiguration::block_public_acls),
            ignore_public_acls: on(PublicAccessBlockConfiguration::ignore_public_acls),
            block_public_policy: on(PublicAccessBlockConfiguration::block_public_policy),
            restrict_public_buckets: on(PublicAccessBlockConfiguration::restrict_public_buckets),
        }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, after: &Block) -> Done {
        let address = &change.address;
        let config = PublicAccessBlockConfiguration::builder()
            .block_public_acls(after.block_public_acls)
            .ignore_public_acls(after.ignore_public_acls)
            .block_public_policy(after.block_public_policy)
            .restrict_public_buckets(after.restrict_public_buckets)
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
    }
}

/// `guardrails.ebs_default_encryption`: EBS encryption by default, per region.
pub(crate) struct EbsEncryption;

impl Kind for EbsEncryption {
    type State = Switch;
    const KIND: &'static str = "ebs_encryption_by_default";
    const KEPT_BY_DESTROY: bool = true;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        if !guardrails(spec).is_some_and(|g| g.ebs_default_encryption) {
            return Vec::new();
        }
        per_region(Self::KIND, scope, &["2.2.1"], |_| Switch::ON)
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Switch>) -> Live<Switch> {
        let out = call!(
            read.address,
            "ec2:GetEbsEncryptionByDefault",
            ctx.ec2(region_of(read.address))
                .get_ebs_encryption_by_default()
                .send()
        )?;
        Ok(Some(Switch {
            enabled: out.ebs_encryption_by_default().unwrap_or(false),
        }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, _after: &Switch) -> Done {
        let address = &change.address;
        call!(
            address,
            "ec2:EnableEbsEncryptionByDefault",
            ctx.ec2(region_of(address))
                .enable_ebs_encryption_by_default()
                .send()
        )?;
        Ok(())
    }
}
