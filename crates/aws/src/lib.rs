//! AWS providers for baseline: the SDK context, and one module per service with one file per
//! resource kind. Each kind turns the spec into desired state, reads the live state, and
//! applies one change; the engine in `baseline-core` does the rest.

mod account;
mod alerts;
mod athena;
mod cloudtrail;
mod config;
mod context;
mod cost;
mod engine;
mod error;
#[cfg(test)]
mod expand_tests;
mod guardrails;
mod iam;
mod init;
mod kind;
mod kms;
mod lock;
mod logging;
mod logs;
mod manual;
#[cfg(test)]
mod mock_tests;
mod organizations;
#[cfg(test)]
mod region_table_tests;
mod s3;
mod settings;
mod strict;

use std::sync::Arc;

use baseline_core::plan::{Desired, Grants};
use baseline_core::scope::Scope;
use baseline_core::{
    BoxFuture, Provider, ProviderError, ReadRequest, ResourceAddr, ResourceChange, Spec,
};
use serde_json::Value;

pub use account::{home_region, resolve_scope};
pub use context::{AwsContext, ContextOptions, PinError};
pub use iam::password::{
    check_target as check_password_file, check_writable as check_password_file_writable,
};
pub use iam::user::needing_passwords;
pub use init::{Described, InitOptions, InitSection, describe as describe_account};
pub use lock::{LOCK_PARAMETER, Lock, LockError, acquire as acquire_lock, force_unlock};
pub use organizations::{Member, Survey, survey};
pub use settings::SettingsError;
pub use strict::{PolicyFinding, validate_policies};

use kind::AnyKind;

/// Every resource kind baseline manages. Adding a kind: one file and one line here.
static KINDS: &[&dyn AnyKind] = &[
    &organizations::organization::Organization,
    &organizations::unit::Unit,
    &organizations::account::MemberAccount,
    &organizations::account::AccountClosure,
    &organizations::policy::ServiceControlPolicy,
    &organizations::access::ServiceAccess,
    &organizations::access::DelegatedAdmin,
    &iam::password_policy::PasswordPolicy,
    &iam::account_alias::AccountAlias,
    &iam::root::ROOT_MFA,
    &iam::root::ROOT_ACCESS_KEYS,
    &iam::group::Group,
    &iam::user::User,
    &iam::role::Role,
    &iam::findings::CredentialFindings,
    &account::region::AccountRegion,
    &s3::bucket::Bucket,
    &kms::key::Key,
    &kms::orphans::OrphanKeys,
    &logs::group::LogGroup,
    &cloudtrail::trail::Trail,
    &cloudtrail::other_trails::OtherTrails,
    &iam::service_linked_role::ServiceLinkedRole,
    &config::recorder::Recorder,
    &config::channel::Channel,
    &config::recording::Recording,
    &config::rule::Rule,
    &config::aggregator::Aggregator,
    &athena::catalog::Database,
    &athena::catalog::Table,
    &athena::workgroup::WorkGroup,
    &account::contact::AlternateContact,
    &account::contact::ContactInformation,
    &manual::SECURITY_QUESTIONS,
    &manual::BILLING_ACCESS,
    &manual::PDF_INVOICE,
    &cost::CostExplorer,
    &cost::budget::Budget,
    &cost::equivalents::BudgetEquivalents,
    &alerts::topic::Topic,
    &alerts::subscription::Subscription,
    &alerts::rule::Rule,
    &alerts::equivalents::AlertEquivalents,
    &guardrails::S3PublicAccessBlock,
    &guardrails::EbsEncryption,
    &guardrails::analyzer::AccessAnalyzer,
    &guardrails::detectors::GuardDuty,
    &guardrails::detectors::SecurityHub,
    &guardrails::trusted_advisor::TrustedAdvisor,
];

/// The desired resources the spec declares in `scope`, in address order, each with the
/// permission-carrying fields of its kind (a kind may declare resources of another).
pub fn expand(spec: &Spec, scope: &Scope) -> Vec<Desired> {
    let mut desired: Vec<Desired> = KINDS.iter().flat_map(|k| k.desired(spec, scope)).collect();
    for resource in &mut desired {
        resource.grants = grants(&resource.address.kind);
    }
    desired.sort_by(|a, b| a.address.cmp(&b.address));
    desired
}

/// The registered kind called `name`, if this version has one.
fn registered(name: &str) -> Option<&'static dyn AnyKind> {
    KINDS.iter().copied().find(|k| k.kind() == name)
}

/// The fields of kind `kind`'s state that carry permissions (none for an unknown kind).
pub fn grants(kind: &str) -> Grants {
    registered(kind).map_or(&[], |k| k.grants())
}

/// Whether `baseline destroy` removes the resource at `address` (guardrails, region
/// opt-in, KMS keys and log groups are kept).
pub fn destroys(address: &ResourceAddr) -> bool {
    kind_of(address).is_ok_and(|k| !k.kept_by_destroy())
}

/// The engine's view of AWS: reads and applies through the kind that owns an address.
#[derive(Debug, Clone)]
pub struct AwsProvider {
    ctx: Arc<AwsContext>,
}

impl AwsProvider {
    pub fn new(ctx: Arc<AwsContext>) -> Self {
        Self { ctx }
    }
}

fn kind_of(address: &ResourceAddr) -> Result<&'static dyn AnyKind, ProviderError> {
    registered(&address.kind).ok_or_else(|| ProviderError {
        address: address.clone(),
        operation: "baseline:Dispatch".to_owned(),
        code: None,
        message: format!("no resource kind `{}` in this version", address.kind),
        hint: Some("the plan may come from another version of baseline".to_owned()),
    })
}

impl Provider for AwsProvider {
    fn read<'a>(
        &'a self,
        request: &'a ReadRequest,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(context::reading(async move {
            kind_of(&request.address)?.read(&self.ctx, request).await
        }))
    }

    /// What was shared between reads is forgotten before and after each change.
    fn apply<'a>(&'a self, change: &'a ResourceChange) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            self.ctx.forget_shared();
            let done = kind_of(&change.address)?.apply(&self.ctx, change).await;
            self.ctx.forget_shared();
            done
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Every `"service:Operation"` this crate names where it calls AWS (`call!` and
    /// `sdk_error`), right after an `address` argument however formatted.
    fn operations_called() -> BTreeSet<String> {
        let mut files = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
        let mut found = BTreeSet::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                let entries = std::fs::read_dir(&path).expect("read dir");
                files.extend(entries.map(|e| e.expect("entry").path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read source");
            for (at, _) in text.match_indices('"') {
                if !text[..at].trim_end().ends_with("address,") {
                    continue;
                }
                let literal: String = text[at + 1..].chars().take_while(|c| *c != '"').collect();
                if literal.contains(':') && !literal.contains(' ') {
                    found.insert(literal);
                }
            }
        }
        found
    }

    /// The IAM actions that allow an API operation, where the two names differ.
    fn actions(operation: &str) -> Vec<String> {
        let renamed: &[&str] = match operation {
            "sts:GetCallerIdentity" => &[],
            "s3:HeadBucket" => &["s3:ListBucket"],
            "s3:GetBucketEncryption" => &["s3:GetEncryptionConfiguration"],
            "s3:PutBucketEncryption" => &["s3:PutEncryptionConfiguration"],
            "s3:GetBucketLifecycleConfiguration" => &["s3:GetLifecycleConfiguration"],
            "s3:PutBucketLifecycleConfiguration" | "s3:DeleteBucketLifecycle" => {
                &["s3:PutLifecycleConfiguration"]
            }
            "s3:GetPublicAccessBlock" => &["s3:GetBucketPublicAccessBlock"],
            "s3:PutPublicAccessBlock" => &["s3:PutBucketPublicAccessBlock"],
            "s3:ListObjectVersions" => &["s3:ListBucketVersions"],
            "s3:DeleteObjects" => &["s3:DeleteObject", "s3:DeleteObjectVersion"],
            "budgets:DescribeBudget"
            | "budgets:DescribeNotificationsForBudget"
            | "budgets:DescribeSubscribersForNotification" => &["budgets:ViewBudget"],
            op if op.starts_with("budgets:") => &["budgets:ModifyBudget"],
            other => return vec![other.to_owned()],
        };
        renamed.iter().map(|a| (*a).to_owned()).collect()
    }

    /// Every ARN baseline builds is in the account's partition: the default baseline and
    /// the organization example, expanded for an aws-cn and an aws-us-gov account, name no
    /// `arn:aws:` resource.
    #[test]
    fn arns_follow_the_partition() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for file in ["baseline.yaml", "examples/organization.yaml"] {
            let spec = baseline_core::load_file(&root.join(file)).expect("valid example");
            for (home, partition) in [("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")] {
                let mut scope = Scope::resolve(&spec, home, vec![home.to_owned()]);
                scope.partition = partition.to_owned();
                let desired = expand(&spec, &scope);
                let text =
                    serde_json::to_string(&desired.iter().map(|d| &d.state).collect::<Vec<_>>())
                        .expect("JSON");
                assert!(!text.contains("arn:aws:"), "{file} in {partition}: {text}");
                assert!(text.contains(&format!("arn:{partition}:")), "{file}");
            }
        }
    }

    #[test]
    fn the_documented_ci_policies_cover_every_call() {
        let doc = include_str!("../../../docs/ci.md");
        let missing: Vec<String> = operations_called()
            .iter()
            .flat_map(|op| actions(op))
            .filter(|action| !doc.contains(&format!("\"{action}\"")))
            .collect();
        assert!(missing.is_empty(), "docs/ci.md lacks {missing:?}");
        assert!(operations_called().len() > 100, "the scan found the calls");
    }

    #[test]
    fn every_kind_has_a_unique_name() {
        let mut names: Vec<&str> = KINDS.iter().map(|k| k.kind()).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }
}
