//! Where moto lacks an API, tested with aws-smithy-mocks: the real SDK clients and the real
//! kind code, with responses given by rules instead of a server, so the answers are AWS's
//! documented shapes rather than our own emulator extension's. Which moto gap each test
//! covers is said in the test. The end-to-end tests (tests/e2e) run the same kinds against
//! moto plus the launcher's small extensions (emulator/extensions/).

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_accessanalyzer::types::{AnalyzerStatus, AnalyzerSummary, Type};
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};
use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;
use baseline_core::plan::diff;
use baseline_core::scope::Scope;
use baseline_core::{Action, ReadRequest, Spec};
use serde_json::json;

use crate::context::AwsContext;
use crate::kind::AnyKind;

const ACCOUNT: &str = "123456789012";

/// A context whose every request is answered by `rules` (and sts:GetCallerIdentity).
fn context(rules: &[&Rule]) -> AwsContext {
    let caller = mock!(aws_sdk_sts::Client::get_caller_identity).then_output(|| {
        aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput::builder()
            .account(ACCOUNT)
            .build()
    });
    let mut interceptor = MockResponseInterceptor::new()
        .rule_mode(RuleMode::MatchAny)
        .with_rule(&caller);
    for rule in rules {
        interceptor = interceptor.with_rule(rule);
    }
    let sdk = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("ap-northeast-1"))
        .http_client(create_mock_http_client())
        .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
            aws_sdk_sts::config::Credentials::for_tests(),
        ))
        .build();
    AwsContext::from_sdk_config(sdk).with_interceptor(SharedInterceptor::new(interceptor))
}

fn spec(yaml: &str) -> Spec {
    let text =
        format!("version: 1\naccount:\n  id: \"{ACCOUNT}\"\n  home_region: ap-northeast-1\n{yaml}");
    baseline_core::load::load_str(&text, "baseline.yaml").expect("valid spec")
}

fn scope(spec: &Spec) -> Scope {
    Scope::resolve(spec, "ap-northeast-1", vec!["ap-northeast-1".to_owned()])
}

/// Plans one kind's resources against the mocked account, then applies the changes.
async fn plan_and_apply(kind: &dyn AnyKind, ctx: &AwsContext, spec: &Spec) -> Vec<Action> {
    let mut actions = Vec::new();
    for desired in kind.desired(spec, &scope(spec)) {
        let live = kind
            .read(ctx, &ReadRequest::of(&desired))
            .await
            .expect("read");
        let change = diff(&desired, live.as_ref());
        if change.action.is_change() {
            kind.apply(ctx, &change).await.expect("apply");
        }
        actions.push(change.action);
    }
    actions
}

/// moto has no IAM Access Analyzer (mocks, as the issue asks): an account without an analyzer gets one named
/// `baseline` with the account as zone of trust; one made by hand is adopted.
#[tokio::test]
async fn access_analyzer_is_created_once_and_adopted() {
    let none = mock!(aws_sdk_accessanalyzer::Client::list_analyzers).then_output(|| {
        aws_sdk_accessanalyzer::operation::list_analyzers::ListAnalyzersOutput::builder()
            .set_analyzers(Some(Vec::new()))
            .build()
            .expect("output")
    });
    let create = mock!(aws_sdk_accessanalyzer::Client::create_analyzer)
        .match_requests(|req| {
            req.analyzer_name() == Some("baseline") && req.r#type() == Some(&Type::Account)
        })
        .then_output(|| {
            aws_sdk_accessanalyzer::operation::create_analyzer::CreateAnalyzerOutput::builder()
                .arn("arn:aws:access-analyzer:ap-northeast-1:123456789012:analyzer/baseline")
                .build()
        });
    let spec = spec("guardrails:\n  access_analyzer: true\n");
    let ctx = context(&[&none, &create]);
    let kind = crate::registered("access_analyzer").expect("a registered kind");
    assert_eq!(
        plan_and_apply(kind, &ctx, &spec).await,
        vec![Action::Create]
    );
    assert_eq!(create.num_calls(), 1);

    let by_hand = mock!(aws_sdk_accessanalyzer::Client::list_analyzers).then_output(|| {
        let analyzer = AnalyzerSummary::builder()
            .arn("arn:aws:access-analyzer:ap-northeast-1:123456789012:analyzer/mine")
            .name("mine")
            .r#type(Type::Account)
            .created_at(aws_smithy_types::DateTime::from_secs(0))
            .status(AnalyzerStatus::Active)
            .build()
            .expect("analyzer");
        aws_sdk_accessanalyzer::operation::list_analyzers::ListAnalyzersOutput::builder()
            .analyzers(analyzer)
            .build()
            .expect("output")
    });
    let ctx = context(&[&by_hand, &create]);
    assert_eq!(plan_and_apply(kind, &ctx, &spec).await, vec![Action::NoOp]);
    assert_eq!(create.num_calls(), 1, "no second analyzer");
}

/// moto has no Security Hub standards (mocks): only the declared standard that is missing is
/// enabled; one enabled by hand stays.
#[tokio::test]
async fn security_hub_enables_missing_standards_only() {
    use aws_sdk_securityhub::types::{StandardsStatus, StandardsSubscription};
    let hub = mock!(aws_sdk_securityhub::Client::describe_hub).then_output(|| {
        aws_sdk_securityhub::operation::describe_hub::DescribeHubOutput::builder()
            .hub_arn("arn:aws:securityhub:ap-northeast-1:123456789012:hub/default")
            .build()
    });
    let enabled = mock!(aws_sdk_securityhub::Client::get_enabled_standards).then_output(|| {
        let fsbp = StandardsSubscription::builder()
            .standards_arn(
                "arn:aws:securityhub:ap-northeast-1::standards/aws-foundational-security-best-practices/v/1.0.0",
            )
            .standards_subscription_arn("arn:aws:securityhub:ap-northeast-1:123456789012:subscription/aws-foundational-security-best-practices/v/1.0.0")
            .standards_status(StandardsStatus::Ready)
            .build();
        aws_sdk_securityhub::operation::get_enabled_standards::GetEnabledStandardsOutput::builder()
            .standards_subscriptions(fsbp)
            .build()
    });
    let batch = mock!(aws_sdk_securityhub::Client::batch_enable_standards)
        .match_requests(|req| {
            let arns: Vec<&str> = req
                .standards_subscription_requests()
                .iter()
                .filter_map(|r| r.standards_arn())
                .collect();
            arns == ["arn:aws:securityhub:ap-northeast-1::standards/cis-aws-foundations-benchmark/v/3.0.0"]
        })
        .then_output(|| {
            aws_sdk_securityhub::operation::batch_enable_standards::BatchEnableStandardsOutput::builder().build()
        });
    let spec = spec("guardrails:\n  security_hub: { standards: [cis_3.0] }\n");
    let ctx = context(&[&hub, &enabled, &batch]);
    let kind = crate::registered("securityhub").expect("a registered kind");
    assert_eq!(
        plan_and_apply(kind, &ctx, &spec).await,
        vec![Action::Update]
    );
    assert_eq!(batch.num_calls(), 1);
}

/// moto has no account:EnableRegion (mocks): a declared region that is not enabled is opted in.
#[tokio::test]
async fn a_declared_disabled_region_is_opted_in() {
    use aws_sdk_ec2::types::Region as Ec2Region;
    let regions = mock!(aws_sdk_ec2::Client::describe_regions).then_output(|| {
        aws_sdk_ec2::operation::describe_regions::DescribeRegionsOutput::builder()
            .regions(
                Ec2Region::builder()
                    .region_name("ap-northeast-1")
                    .opt_in_status("opt-in-not-required")
                    .build(),
            )
            .regions(
                Ec2Region::builder()
                    .region_name("ap-east-1")
                    .opt_in_status("not-opted-in")
                    .build(),
            )
            .build()
    });
    let enable = mock!(aws_sdk_account::Client::enable_region)
        .match_requests(|req| req.region_name() == Some("ap-east-1"))
        .then_output(|| {
            aws_sdk_account::operation::enable_region::EnableRegionOutput::builder().build()
        });
    let spec = spec("  regions: [ap-northeast-1, ap-east-1]\n");
    let ctx = context(&[&regions, &enable]);
    let scope = Scope::resolve(&spec, "ap-northeast-1", vec!["ap-northeast-1".to_owned()]);
    let kind = crate::registered("account_region").expect("a registered kind");
    let mut actions = Vec::new();
    for desired in kind.desired(&spec, &scope) {
        let live = kind
            .read(&ctx, &ReadRequest::of(&desired))
            .await
            .expect("read");
        let change = diff(&desired, live.as_ref());
        if change.action.is_change() {
            kind.apply(&ctx, &change).await.expect("apply");
        }
        actions.push((desired.address.to_string(), change.action));
    }
    actions.sort();
    assert_eq!(
        actions,
        vec![
            ("account_region.ap-east-1".to_owned(), Action::Update),
            ("account_region.ap-northeast-1".to_owned(), Action::NoOp),
        ]
    );
    assert_eq!(enable.num_calls(), 1);
}

/// The emulator answers like a Basic support plan; with Business support the Trusted
/// Advisor item is decided by the security checks' summaries.
#[tokio::test]
async fn trusted_advisor_is_read_on_a_business_plan() {
    use aws_sdk_support::types::{
        TrustedAdvisorCheckDescription, TrustedAdvisorCheckSummary, TrustedAdvisorResourcesSummary,
    };
    let checks = mock!(aws_sdk_support::Client::describe_trusted_advisor_checks).then_output(|| {
        let check = |id: &str, name: &str, category: &str| {
            TrustedAdvisorCheckDescription::builder()
                .id(id)
                .name(name)
                .description("")
                .category(category)
                .set_metadata(Some(Vec::new()))
                .build()
                .expect("check")
        };
        aws_sdk_support::operation::describe_trusted_advisor_checks::DescribeTrustedAdvisorChecksOutput::builder()
            .checks(check("7DAFEmoDos", "MFA on Root Account", "security"))
            .checks(check("HCP4007jGY", "Security Groups - Specific Ports Unrestricted", "security"))
            .checks(check("Qch7DwouX1", "Low Utilization Amazon EC2 Instances", "cost_optimizing"))
            .build()
            .expect("output")
    });
    let summary = |status: &'static str| {
        mock!(aws_sdk_support::Client::describe_trusted_advisor_check_summaries)
            .match_requests(|req| req.check_ids().len() == 2)
            .then_output(move || {
                let one = |id: &str, status: &str| {
                    TrustedAdvisorCheckSummary::builder()
                        .check_id(id)
                        .timestamp("2026-11-23T00:00:00Z")
                        .status(status)
                        .resources_summary(
                            TrustedAdvisorResourcesSummary::builder()
                                .resources_processed(1)
                                .resources_flagged(0)
                                .resources_ignored(0)
                                .resources_suppressed(0)
                                .build(),
                        )
                        .set_category_specific_summary(None)
                        .build()
                        .expect("summary")
                };
                aws_sdk_support::operation::describe_trusted_advisor_check_summaries::DescribeTrustedAdvisorCheckSummariesOutput::builder()
                    .summaries(one("7DAFEmoDos", status))
                    .summaries(one("HCP4007jGY", "ok"))
                    .build()
                    .expect("output")
            })
    };
    let spec = spec("guardrails:\n  trusted_advisor: confirmed\n");
    let kind = crate::registered("trusted_advisor").expect("a registered kind");

    let red = summary("error");
    let ctx = context(&[&checks, &red]);
    let desired = kind.desired(&spec, &scope(&spec)).remove(0);
    let live = kind
        .read(&ctx, &ReadRequest::of(&desired))
        .await
        .expect("read");
    let change = diff(&desired, live.as_ref());
    assert_eq!(
        change.action,
        Action::Manual,
        "a red check outweighs `confirmed`"
    );
    assert_eq!(
        change.fields[0].before,
        Some(json!("1 security check(s) red: MFA on Root Account"))
    );

    let green = summary("warning");
    let ctx = context(&[&checks, &green]);
    let live = kind
        .read(&ctx, &ReadRequest::of(&desired))
        .await
        .expect("read");
    assert_eq!(diff(&desired, live.as_ref()).action, Action::NoOp);
}

/// A check that cannot read anything must not pass: on the Basic plan a `required`
/// Trusted Advisor item stays in the plan.
#[tokio::test]
async fn trusted_advisor_on_basic_plan_needs_a_person() {
    let basic = mock!(aws_sdk_support::Client::describe_trusted_advisor_checks).then_error(|| {
        aws_sdk_support::operation::describe_trusted_advisor_checks::DescribeTrustedAdvisorChecksError::generic(
            aws_smithy_types::error::ErrorMetadata::builder()
                .code("SubscriptionRequiredException")
                .message("AWS Premium Support Subscription is required to use this service.")
                .build(),
        )
    });
    let kind = crate::registered("trusted_advisor").expect("a registered kind");
    let ctx = context(&[&basic]);
    for (value, expected) in [("required", Action::Manual), ("confirmed", Action::NoOp)] {
        let spec = spec(&format!("guardrails:\n  trusted_advisor: {value}\n"));
        let desired = kind.desired(&spec, &scope(&spec)).remove(0);
        let live = kind
            .read(&ctx, &ReadRequest::of(&desired))
            .await
            .expect("read");
        assert_eq!(diff(&desired, live.as_ref()).action, expected, "{value}");
    }
}
