//! The AWS context: one `SdkConfig` from the standard credential chain, clients built once,
//! a counter of every request sent, and the account pin.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::{Intercept, SharedInterceptor};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use baseline_core::{ProviderError, ResourceAddr};
use tokio::sync::OnceCell;

use crate::error::sdk_error;

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
    password_file: Option<PathBuf>,
    password_file_lock: Arc<Mutex<()>>,
    /// For a member account reached through a role: its id (names its passwords).
    member: Option<String>,
    /// Added to every client; tests put aws-smithy-mocks' interceptor here.
    extra: Vec<SharedInterceptor>,
}

/// The credentials are for another account than baseline.yaml names.
#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error(
        "baseline.yaml is pinned to account {expected}, but the credentials are for account \
         {actual}; nothing was read or changed"
    )]
    Mismatch { expected: String, actual: String },
    #[error("{0}")]
    Identity(ProviderError),
}

impl PinError {
    pub fn hint(&self) -> &'static str {
        match self {
            PinError::Mismatch { .. } => {
                "use credentials for the pinned account (e.g. `--profile`), or correct `account.id`"
            }
            PinError::Identity(_) => {
                "baseline needs working AWS credentials: set AWS_PROFILE, pass --profile, or sign in (`aws sso login`)"
            }
        }
    }
}

/// Adaptive retries: throttled calls slow every client down (client-side rate limiting)
/// instead of failing; a transient error (5xx, throttling, a reset connection) is tried up
/// to five times with backoff.
fn retry_config() -> RetryConfig {
    RetryConfig::adaptive().with_max_attempts(5)
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
    /// `AWS_ENDPOINT_URL` is honoured by the SDK itself.
    pub async fn load(options: &ContextOptions) -> Self {
        let region = RegionProviderChain::first_try(options.region.clone().map(Region::new))
            .or_default_provider()
            .or_else(Region::from_static("us-east-1"))
            .region()
            .await;
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
        ctx
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
            password_file: None,
            password_file_lock: Arc::new(Mutex::new(())),
            member: None,
            extra: Vec::new(),
        }
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

    /// The interceptors every client gets: the call counter, then any extra ones.
    fn interceptors(&self) -> Vec<SharedInterceptor> {
        let mut all = vec![SharedInterceptor::new(self.counter())];
        all.extend(self.extra.iter().cloned());
        all
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

    fn counter(&self) -> CallCounter {
        CallCounter(Arc::clone(&self.calls))
    }

    pub fn iam(&self) -> &aws_sdk_iam::Client {
        self.iam.get_or_init(|| {
            let mut config = aws_sdk_iam::config::Builder::from(&self.sdk);
            for interceptor in self.interceptors() {
                config.push_interceptor(interceptor);
            }
            aws_sdk_iam::Client::from_conf(config.build())
        })
    }

    /// A client of one service in one region, built once: same credentials, retry mode and
    /// call counter as every other.
    fn regional<C: Clone + Send + 'static>(
        &self,
        service: &'static str,
        region: &str,
        build: impl FnOnce(SdkConfig) -> C,
    ) -> C {
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = (service, region.to_owned());
        if let Some(client) = clients.get(&key).and_then(|c| c.downcast_ref::<C>()) {
            return client.clone();
        }
        let sdk = self
            .sdk
            .to_builder()
            .region(Region::new(region.to_owned()))
            .build();
        let client = build(sdk);
        clients.insert(key, Box::new(client.clone()));
        client
    }

    pub(crate) fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        // An emulator on a local endpoint needs path-style addressing.
        let path_style = self.endpoint_url().is_some();
        let interceptors = self.interceptors();
        self.regional("s3", region, |sdk| {
            let mut config = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(path_style);
            for interceptor in interceptors {
                config.push_interceptor(interceptor);
            }
            aws_sdk_s3::Client::from_conf(config.build())
        })
    }

    /// S3 Control. AWS puts the account id in the host name (`ACCOUNT.s3-control...`); an
    /// emulator on a loopback address cannot resolve that, so a custom endpoint is used
    /// exactly as given.
    pub(crate) fn s3control(&self) -> aws_sdk_s3control::Client {
        let fixed = self.endpoint_url().map(|url| FixedEndpoint(url.to_owned()));
        let interceptors = self.interceptors();
        self.regional("s3control", "us-east-1", |sdk| {
            let mut config = aws_sdk_s3control::config::Builder::from(&sdk);
            if let Some(fixed) = fixed {
                config = config.endpoint_resolver(fixed);
            }
            for interceptor in interceptors {
                config.push_interceptor(interceptor);
            }
            aws_sdk_s3control::Client::from_conf(config.build())
        })
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

    /// The account the credentials belong to (sts:GetCallerIdentity).
    pub async fn caller_account(&self) -> Result<String, ProviderError> {
        let address = ResourceAddr::singleton("caller_identity");
        let identity = self
            .sts()
            .get_caller_identity()
            .send()
            .await
            .map_err(|err| sdk_error(&address, "sts:GetCallerIdentity", &err))?;
        if let Some(arn) = identity.arn() {
            if let Some(partition) = partition_of_arn(arn) {
                let _ = self.partition.set(partition.to_owned());
            }
            let _ = self.caller_arn.set(arn.to_owned());
        }
        identity.account().map(str::to_owned).ok_or(ProviderError {
            address,
            operation: "sts:GetCallerIdentity".to_owned(),
            code: None,
            message: "the answer named no account".to_owned(),
            hint: None,
        })
    }

    /// The caller's account, asked once per run.
    pub(crate) async fn account_id(&self) -> Result<&str, ProviderError> {
        self.account_id
            .get_or_try_init(|| self.caller_account())
            .await
            .map(String::as_str)
    }

    /// The account pin: stops before any other call when the credentials are for
    /// another account than `expected`.
    pub async fn check_pin(&self, expected: &str) -> Result<(), PinError> {
        let actual = self.account_id().await.map_err(PinError::Identity)?;
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

/// Clients of services addressed by region: same credentials, retry mode and interceptors
/// as every other, built once per region. Global services are reached in us-east-1.
macro_rules! regional_clients {
    ($($name:ident: $krate:ident),* $(,)?) => {
        impl AwsContext {
            $(
                pub(crate) fn $name(&self, region: &str) -> $krate::Client {
                    let interceptors = self.interceptors();
                    self.regional(stringify!($name), region, |sdk| {
                        let mut config = $krate::config::Builder::from(&sdk);
                        for interceptor in interceptors {
                            config.push_interceptor(interceptor);
                        }
                        $krate::Client::from_conf(config.build())
                    })
                }
            )*
        }
    };
}

regional_clients! {
    cloudtrail: aws_sdk_cloudtrail,
    config: aws_sdk_config,
    ec2: aws_sdk_ec2,
    kms: aws_sdk_kms,
    logs: aws_sdk_cloudwatchlogs,
    athena: aws_sdk_athena,
    glue: aws_sdk_glue,
    sts_in: aws_sdk_sts,
    sns: aws_sdk_sns,
    events: aws_sdk_eventbridge,
    budgets_in: aws_sdk_budgets,
    account_in: aws_sdk_account,
    access_analyzer: aws_sdk_accessanalyzer,
    guardduty: aws_sdk_guardduty,
    securityhub: aws_sdk_securityhub,
    cost_explorer_in: aws_sdk_costexplorer,
    support_in: aws_sdk_support,
    organizations_in: aws_sdk_organizations,
    ssm: aws_sdk_ssm,
}

impl AwsContext {
    /// AWS Budgets (global; its endpoint is in us-east-1).
    pub(crate) fn budgets(&self) -> aws_sdk_budgets::Client {
        self.budgets_in("us-east-1")
    }

    /// The Account API (global; us-east-1).
    pub(crate) fn account(&self) -> aws_sdk_account::Client {
        self.account_in("us-east-1")
    }

    /// Cost Explorer (global; us-east-1).
    pub(crate) fn cost_explorer(&self) -> aws_sdk_costexplorer::Client {
        self.cost_explorer_in("us-east-1")
    }

    /// AWS Organizations (global; us-east-1).
    pub(crate) fn organizations(&self) -> aws_sdk_organizations::Client {
        self.organizations_in("us-east-1")
    }

    /// AWS Support (global; us-east-1).
    pub(crate) fn support(&self) -> aws_sdk_support::Client {
        self.support_in("us-east-1")
    }
}

/// An endpoint used exactly as given, whatever the endpoint rules would add to it.
#[derive(Debug)]
struct FixedEndpoint(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(
        &'a self,
        _params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        let endpoint = aws_smithy_types::endpoint::Endpoint::builder()
            .url(self.0.clone())
            .build();
        aws_sdk_s3control::config::endpoint::EndpointFuture::ready(Ok(endpoint))
    }
}

use baseline_core::scope::{partition_of, partition_of_arn};

/// Whether an opt-in status means the account can use the region.
pub(crate) fn is_enabled(status: &str) -> bool {
    matches!(status, "opt-in-not-required" | "opted-in")
}

/// Counts every request sent to AWS, and logs each at debug level (`-vv`).
#[derive(Debug, Clone)]
struct CallCounter(Arc<AtomicUsize>);

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "baseline-call-counter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        if let Some(metadata) = cfg.load::<Metadata>() {
            tracing::debug!(
                service = metadata.service(),
                operation = metadata.name(),
                "aws call"
            );
        }
        Ok(())
    }
}
