//! `HOME/kms_key_orphans.ALIAS`: a finding, not a resource. CreateKey has no idempotency
//! token, so a run cut short between CreateKey and CreateAlias (or whose CreateKey answer was
//! lost, or two applies at once) can leave an enabled key tagged for the alias but without
//! it. Apply names the first such key instead of making another; any others are named here, since
//! each costs money every month and no later plan would ever see it otherwise. baseline never
//! deletes a key (what it encrypted would become unreadable): a person schedules it.

use baseline_core::plan::{Desired, ManualStep};
use baseline_core::scope::Scope;
use baseline_core::{ResourceAddr, Spec};

use crate::context::AwsContext;
use crate::kind::{Kind, Live, Read, canonical};
use crate::kms::key::{self, alias_of, aliased_key, orphan_keys};
use crate::logging::trail_key_alias;
use crate::manual::Status;

pub(crate) struct OrphanKeys;

const KIND: &str = "kms_key_orphans";

impl Kind for OrphanKeys {
    /// `done` when no key made for the alias is left without it, else which keys are.
    type State = Status;
    const KIND: &'static str = KIND;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(alias) = trail_key_alias(spec) else {
            return Vec::new();
        };
        let key = key::address(&alias, scope);
        let step = ManualStep {
            reason: "a key baseline made for this alias has no alias: a run was cut short \
                     between creating the key and naming it, or two ran at once. It is \
                     enabled, billed monthly, and used by nothing; baseline never deletes a \
                     key"
            .to_owned(),
            console: "KMS → Customer managed keys → the key → Key actions → Schedule key \
                      deletion (or `aws kms schedule-key-deletion --key-id KEY \
                      --pending-window-in-days 30`)"
                .to_owned(),
            verified_by: "kms:ListKeys, then DescribeKey, ListResourceTags (the \
                          `baseline:alias` tag) and ListAliases of each key"
                .to_owned(),
        };
        let address = ResourceAddr {
            kind: KIND.to_owned(),
            ..key.clone()
        };
        vec![Desired::manual(address, canonical(&Status::done()), step).after([key])]
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Status>) -> Live<Status> {
        let address = read.address;
        let alias = alias_of(address);
        let mut orphans = orphan_keys(ctx, address, &alias).await?;
        // Without the alias, apply names the first such key instead of making one.
        let aliased = aliased_key(ctx, address, &alias).await?;
        if aliased.is_none() && !orphans.is_empty() {
            orphans.remove(0);
        }
        let left = format!("keys without their alias: {}", orphans.join(", "));
        Ok(Some(Status::of(orphans.is_empty(), &left)))
    }
}
