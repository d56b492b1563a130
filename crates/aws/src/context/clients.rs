//! The service clients of a context: built once per service and region, each with the same
//! credentials, retry mode, call counter and interceptors.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_config::{Region, SdkConfig};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::{Intercept, SharedInterceptor};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use super::AwsContext;

impl AwsContext {
    /// The interceptors every client gets: the call counter, then any extra ones.
    fn interceptors(&self) -> Vec<SharedInterceptor> {
        let mut all = vec![SharedInterceptor::new(self.counter())];
        all.extend(self.extra.iter().cloned());
        all
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
