//! The AWS context: one `SdkConfig` from the standard credential chain, clients built once,
//! a counter of every request sent, and the account pin.

mod clients;
mod shared;

pub(crate) use shared::reading;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use aws_config::default_provider::region::DefaultRegionChain;
use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use baseline_core::scope::{partition_of, partition_of_arn};
use baseline_core::{ProviderError, ResourceAddr};
use tokio::sync::OnceCell;

use crate::error::sdk_error;
use crate::settings::{Profiles, SettingsError, check_region};

/// A service client of any type, cached by service and region.
type AnyClient = Box<dyn std::any::Any + Send>;

/// Where the SDK's settings come from, beyond the environment and the AWS config files.
#[derive(Clone, Debug, Default)]
pub struct ContextOptions {
    /// A named profile (`--profile`); otherwise AWS_PROFILE or `default`.
    pub profile: Option<String>,
    /// The region for regional calls and global endpoints; otherwise the profile's or
    /// AWS_REGION, else us-east-1.
    pub region: Option<String>,
    /// Where apply writes the initial passwords of new console users (mode 0600).
    pub password_file: Option<PathBuf>,
}

/// Everything a resource kind needs to talk to AWS.
#[derive(Debug)]
pub struct AwsContext {
    sdk: SdkConfig,
    calls: Arc<AtomicUsize>,
    iam: OnceLock<aws_sdk_iam::Client>,
    account_summary: OnceCell<HashMap<String, i32>>,
    credential_report: OnceCell<String>,
    regions: OnceCell<Vec<(String, String)>>,
    account_id: OnceCell<String>,
    /// The partition of the caller's ARN (`aws`, `aws-cn`, ...), known once the pin ran.
    partition: OnceLock<String>,
    /// The caller's ARN, known once the pin ran (names the holder of the apply lock).
    caller_arn: OnceLock<String>,
    clients: Mutex<HashMap<(&'static str, String), AnyClient>>,
    /// Answers that many reads of one plan share (see `context/shared.rs`).
    shared: shared::Shared,
    password_file: Option<PathBuf>,
    password_file_lock: Arc<Mutex<()>>,
    /// For a member account reached through a role: its id (names its passwords).
    member: Option<String>,
    /// Added to every client; tests put aws-smithy-mocks' interceptor here.
    extra: Vec<SharedInterceptor>,
    /// The profiles of the AWS config files, to say what is wrong when the credentials
    /// cannot be used; `None` for a context not loaded from them (a member's, a test's).
    profiles: Option<Arc<Profiles>>,
}

/// The credentials are for another account than baseline.yaml names, or cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error(
        "baseline.yaml is pinned to account {expected}, but the credentials are for account \
         {actual}; nothing was read or changed"
    )]
    Mismatch { expected: String, actual: String },
    /// No credentials, an unknown profile, an expired SSO session or expired keys.
    #[error("{0}")]
    Settings(SettingsError),
    /// sts:GetCallerIdentity failed for another reason (the network, the endpoint).
    #[error("{}", without_hint(.0))]
    Identity(ProviderError),
}

/// A call's error as its address, operation, code and message: the hint is said apart.
fn without_hint(err: &ProviderError) -> String {
    let code = err
        .code
        .as_ref()
        .map(|code| format!(" with {code}"))
        .unwrap_or_default();
    format!(
        "{}: {} failed{code}: {}",
        err.address, err.operation, err.message
    )
}

impl PinError {
    /// What to do about it.
    pub fn hint(&self) -> String {
        match self {
            PinError::Mismatch { .. } => "use credentials for the pinned account (e.g. \
                                          `--profile`), or correct `account.id`"
                .to_owned(),
            PinError::Settings(err) => err.hint.clone(),
            PinError::Identity(err) => err.hint.clone().unwrap_or_else(|| {
                "baseline needs working AWS credentials: set AWS_PROFILE, pass --profile, or \
                 sign in (`aws sso login`)"
                    .to_owned()
            }),
        }
    }

    /// The error as one a resource's read reports (kinds ask for the account id once the
    /// pin was checked).
    fn into_provider_error(self) -> ProviderError {
        match self {
            PinError::Identity(err) => err,
            other => ProviderError {
                address: ResourceAddr::singleton("caller_identity"),
                operation: "sts:GetCallerIdentity".to_owned(),
                code: None,
                hint: Some(other.hint()),
                message: other.to_string(),
            },
        }
    }
}

/// Adaptive retries: throttled calls slow every client down (client-side rate limiting)
/// instead of failing; a transient error (5xx, throttling, a reset connection) is tried up
/// to ten times with backoff (at most 10 s between tries). A plan makes hundreds of calls
/// at once: with a third of them throttled, five tries would leave one call failing in most
/// runs; ten leave it in about one run in five hundred.
fn retry_config() -> RetryConfig {
    RetryConfig::adaptive()
        .with_max_attempts(10)
        .with_max_backoff(std::time::Duration::from_secs(10))
}

/// No call waits forever: a connection within 10 s, each attempt's answer within 60 s, the
/// whole call (retries included) within 5 minutes. A stalled call then fails with its
/// address and operation, like any other error.
fn timeout_config() -> aws_config::timeout::TimeoutConfig {
    use std::time::Duration;
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(Duration::from_secs(60))
        .operation_attempt_timeout(Duration::from_secs(60))
        .operation_timeout(Duration::from_secs(300))
        .build()
}

impl AwsContext {
    /// Loads the standard credential chain: environment, profiles (SSO and assume-role
    /// profiles included), web identity, container and instance credentials.
    /// `AWS_ENDPOINT_URL` is honoured by the SDK itself. A profile asked for by name that
    /// the config files do not define, and a region AWS does not have, are refused here,
    /// before any call.
    pub async fn load(options: &ContextOptions) -> Result<Self, SettingsError> {
        let profiles = Profiles::load(options.profile.as_deref()).await;
        profiles.check()?;
        let profile_region = DefaultRegionChain::builder()
            .profile_name(profiles.selected())
            .build();
        let region = RegionProviderChain::first_try(options.region.clone().map(Region::new))
            .or_else(profile_region)
            .or_else(Region::from_static("us-east-1"))
            .region()
            .await;
        if let Some(region) = &region {
            check_region(region.as_ref(), &region_source(options, &profiles))?;
        }
        let mut loader = aws_config::defaults(BehaviorVersion::v2026_01_12())
            .retry_config(retry_config())
            .timeout_config(timeout_config())
            .region(region.clone());
        // `--profile` wins over credentials in the environment, as in the AWS CLI: the
        // profile's own chain (keys, SSO, assume-role, credential_process) is the only one.
        if let Some(profile) = &options.profile {
            let conf = aws_config::provider_config::ProviderConfig::default().with_region(region);
            let credentials = aws_config::profile::ProfileFileCredentialsProvider::builder()
                .configure(&conf)
                .profile_name(profile)
                .build();
            loader = loader
                .profile_name(profile)
                .credentials_provider(credentials);
        }
        let mut ctx = Self::from_sdk_config(loader.load().await);
        ctx.password_file.clone_from(&options.password_file);
        ctx.profiles = Some(Arc::new(profiles));
        Ok(ctx)
    }

    pub fn from_sdk_config(sdk: SdkConfig) -> Self {
        Self {
            sdk,
            calls: Arc::new(AtomicUsize::new(0)),
            iam: OnceLock::new(),
            account_summary: OnceCell::new(),
            credential_report: OnceCell::new(),
            regions: OnceCell::new(),
            account_id: OnceCell::new(),
            partition: OnceLock::new(),
            caller_arn: OnceLock::new(),
            clients: Mutex::new(HashMap::new()),
            shared: shared::Shared::default(),
            password_file: None,
            password_file_lock: Arc::new(Mutex::new(())),
            member: None,
            extra: Vec::new(),
            profiles: None,
        }
    }

    /// Drops the SDK clients made so far; the next call makes its client again.
    pub(crate) fn forget_clients(&self) {
        self.clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The ARN of role `role` in account `account_id`, in this context's partition.
    pub fn role_arn(&self, account_id: &str, role: &str) -> String {
        format!("arn:{}:iam::{account_id}:role/{role}", self.partition())
    }

    /// The caller's ARN, once sts:GetCallerIdentity answered.
    pub fn caller_arn(&self) -> Option<&str> {
        self.caller_arn.get().map(String::as_str)
    }

    /// The account's partition: from the caller's ARN once sts:GetCallerIdentity answered,
    /// else from the region.
    pub fn partition(&self) -> &str {
        self.partition.get().map_or_else(
            || partition_of(self.region().unwrap_or("us-east-1")),
            String::as_str,
        )
    }

    /// A context for another account, reached by assuming `role_arn` with this context's
    /// credentials. It shares the call counter and interceptors; the credentials are
    /// fetched on first use (and refreshed before they expire).
    pub async fn assume_role(&self, role_arn: &str) -> Self {
        let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
            .session_name("baseline")
            .configure(&self.sdk)
            .build()
            .await;
        let sdk = self
            .sdk
            .to_builder()
            .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
                provider,
            ))
            .build();
        let mut ctx = Self::from_sdk_config(sdk);
        ctx.calls = Arc::clone(&self.calls);
        ctx.extra.clone_from(&self.extra);
        ctx.password_file.clone_from(&self.password_file);
        ctx.password_file_lock = Arc::clone(&self.password_file_lock);
        ctx.member = role_arn.split(':').nth(4).map(str::to_owned);
        ctx
    }

    /// The member account this context reaches through a role, if it does.
    pub(crate) fn member(&self) -> Option<&str> {
        self.member.as_deref()
    }

    /// Adds an interceptor to every client this context builds (tests: aws-smithy-mocks).
    #[cfg(test)]
    pub(crate) fn with_interceptor(mut self, interceptor: SharedInterceptor) -> Self {
        self.extra.push(interceptor);
        self
    }

    /// The file for initial passwords, when one was given.
    pub(crate) fn password_file(&self) -> Option<&Path> {
        self.password_file.as_deref()
    }

    /// Runs `write` with the password file to itself: users are created concurrently.
    pub(crate) fn with_password_file_lock<T>(&self, write: impl FnOnce() -> T) -> T {
        let _guard = self
            .password_file_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        write()
    }

    /// How many HTTP requests to AWS this context has sent (retries included).
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }

    pub fn region(&self) -> Option<&str> {
        self.sdk.region().map(Region::as_ref)
    }

    /// A custom endpoint (an emulator), when AWS_ENDPOINT_URL is set.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.sdk.endpoint_url()
    }

    /// Every region of the account's partition with its opt-in status
    /// (ec2:DescribeRegions with AllRegions), read once per run.
    pub(crate) async fn region_statuses(
        &self,
        region: &str,
    ) -> Result<&[(String, String)], ProviderError> {
        let address = ResourceAddr::singleton("account_regions");
        self.regions
            .get_or_try_init(|| async {
                let out = self
                    .ec2(region)
                    .describe_regions()
                    .all_regions(true)
                    .send()
                    .await
                    .map_err(|err| sdk_error(&address, "ec2:DescribeRegions", &err))?;
                let partition = partition_of(region);
                let mut regions: Vec<(String, String)> = out
                    .regions()
                    .iter()
                    .filter_map(|r| {
                        let name = r.region_name()?.to_owned();
                        let status = r
                            .opt_in_status()
                            .unwrap_or("opt-in-not-required")
                            .to_owned();
                        Some((name, status))
                    })
                    .filter(|(name, _)| partition_of(name) == partition)
                    .collect();
                regions.sort();
                Ok(regions)
            })
            .await
            .map(Vec::as_slice)
    }

    fn sts(&self) -> aws_sdk_sts::Client {
        let region = self.region().unwrap_or("us-east-1").to_owned();
        self.sts_in(&region)
    }

    /// The account the credentials belong to (sts:GetCallerIdentity): the first call, so
    /// the one that says when the credentials cannot be used.
    pub async fn caller_account(&self) -> Result<String, PinError> {
        let address = ResourceAddr::singleton("caller_identity");
        let identity = match self.sts().get_caller_identity().send().await {
            Ok(identity) => identity,
            Err(err) => return Err(self.identity_error(&address, &err)),
        };
        if let Some(arn) = identity.arn() {
            if let Some(partition) = partition_of_arn(arn) {
                let _ = self.partition.set(partition.to_owned());
            }
            let _ = self.caller_arn.set(arn.to_owned());
        }
        identity
            .account()
            .map(str::to_owned)
            .ok_or(PinError::Identity(ProviderError {
                address,
                operation: "sts:GetCallerIdentity".to_owned(),
                code: None,
                message: "the answer named no account".to_owned(),
                hint: None,
            }))
    }

    /// Why sts:GetCallerIdentity failed: what is wrong with the credentials when the SDK's
    /// error (or AWS's answer) says so, else the call's error. The SDK's own description
    /// goes to the log (`-v`).
    fn identity_error(
        &self,
        address: &ResourceAddr,
        err: &SdkError<GetCallerIdentityError, HttpResponse>,
    ) -> PinError {
        let settings = self
            .profiles
            .as_deref()
            .and_then(|p| p.explain(err).or_else(|| p.explain_code(err.code())));
        match settings {
            Some(problem) => {
                tracing::info!(error = %DisplayErrorContext(err), "the credentials cannot be used");
                PinError::Settings(problem)
            }
            None => PinError::Identity(sdk_error(address, "sts:GetCallerIdentity", err)),
        }
    }

    /// The caller's account, asked once per run.
    async fn identity(&self) -> Result<&str, PinError> {
        self.account_id
            .get_or_try_init(|| self.caller_account())
            .await
            .map(String::as_str)
    }

    /// The caller's account, for a resource's read or change.
    pub(crate) async fn account_id(&self) -> Result<&str, ProviderError> {
        self.identity().await.map_err(PinError::into_provider_error)
    }

    /// The account pin: stops before any other call when the credentials are for
    /// another account than `expected`, or cannot be used.
    pub async fn check_pin(&self, expected: &str) -> Result<(), PinError> {
        let actual = self.identity().await?;
        if actual == expected {
            Ok(())
        } else {
            Err(PinError::Mismatch {
                expected: expected.to_owned(),
                actual: actual.to_owned(),
            })
        }
    }

    /// iam:GetAccountSummary, read once per run: several manual items look at it.
    pub(crate) async fn account_summary(
        &self,
        address: &ResourceAddr,
    ) -> Result<&HashMap<String, i32>, ProviderError> {
        self.account_summary
            .get_or_try_init(|| async {
                let summary = self
                    .iam()
                    .get_account_summary()
                    .send()
                    .await
                    .map_err(|err| sdk_error(address, "iam:GetAccountSummary", &err))?;
                Ok(summary
                    .summary_map()
                    .map(|map| {
                        map.iter()
                            .map(|(key, value)| (key.as_str().to_owned(), *value))
                            .collect()
                    })
                    .unwrap_or_default())
            })
            .await
    }
}

impl AwsContext {
    /// The IAM credential report (CSV), generated and read once per run.
    pub(crate) async fn credential_report(
        &self,
        address: &ResourceAddr,
    ) -> Result<&str, ProviderError> {
        self.credential_report
            .get_or_try_init(|| async {
                // Generation takes a few seconds on AWS; poll until the report is complete.
                for _ in 0..30 {
                    let state = self
                        .iam()
                        .generate_credential_report()
                        .send()
                        .await
                        .map_err(|err| sdk_error(address, "iam:GenerateCredentialReport", &err))?;
                    if state.state().map(|s| s.as_str()) == Some("COMPLETE") {
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
                let report = self
                    .iam()
                    .get_credential_report()
                    .send()
                    .await
                    .map_err(|err| sdk_error(address, "iam:GetCredentialReport", &err))?;
                let content = report
                    .content()
                    .map(|b| b.as_ref().to_vec())
                    .unwrap_or_default();
                Ok(String::from_utf8_lossy(&content).into_owned())
            })
            .await
            .map(String::as_str)
    }
}

/// Where the region in use was set, for a message about it: `--region` (or the file's
/// `account.home_region`), AWS_REGION, AWS_DEFAULT_REGION, else the profile's `region`.
fn region_source(options: &ContextOptions, profiles: &Profiles) -> String {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty());
    if options.region.is_some() {
        "--region".to_owned()
    } else if set("AWS_REGION") {
        "AWS_REGION".to_owned()
    } else if set("AWS_DEFAULT_REGION") {
        "AWS_DEFAULT_REGION".to_owned()
    } else {
        format!("the `region` of profile `{}`", profiles.selected())
    }
}

/// Whether an opt-in status means the account can use the region.
pub(crate) fn is_enabled(status: &str) -> bool {
    matches!(status, "opt-in-not-required" | "opted-in")
}
