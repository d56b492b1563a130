//! The member account and closure reads find the account by the e-mail their request
//! carries (the wanted state, or the write-only settings), and read the same canonical
//! JSON as before typed state.

use aws_sdk_organizations::operation::describe_organization::DescribeOrganizationOutput;
use aws_sdk_organizations::operation::list_accounts::ListAccountsOutput;
use aws_sdk_organizations::operation::list_parents::ListParentsOutput;
use aws_sdk_organizations::types::{Account, AccountStatus, Parent, ParentType};
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};
use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;
use baseline_core::scope::Scope;
use baseline_core::{ReadRequest, Spec};
use serde_json::json;

use crate::context::AwsContext;

/// An organization with one member account, `prod`, in the root.
fn organization() -> AwsContext {
    let rules: [Rule; 3] = [
        mock!(aws_sdk_organizations::Client::describe_organization)
            .then_output(|| DescribeOrganizationOutput::builder().build()),
        mock!(aws_sdk_organizations::Client::list_accounts).then_output(|| {
            let prod = Account::builder()
                .id("210987654321")
                .email("Prod@Example.com")
                .status(AccountStatus::Active)
                .build();
            ListAccountsOutput::builder().accounts(prod).build()
        }),
        mock!(aws_sdk_organizations::Client::list_parents).then_output(|| {
            let root = Parent::builder()
                .id("r-ab12")
                .r#type(ParentType::Root)
                .build();
            ListParentsOutput::builder().parents(root).build()
        }),
    ];
    let interceptor = rules.iter().fold(
        MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny),
        MockResponseInterceptor::with_rule,
    );
    let sdk = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .http_client(create_mock_http_client())
        .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
            aws_sdk_sts::config::Credentials::for_tests(),
        ))
        .build();
    AwsContext::from_sdk_config(sdk).with_interceptor(SharedInterceptor::new(interceptor))
}

/// A management account's file declaring `prod`, present or absent.
fn declaring(ensure: &str) -> Spec {
    let text = format!(
        "version: 1\naccount:\n  id: \"123456789012\"\norganization:\n  accounts:\n    \
         prod: {{ email: prod@example.com, ensure: {ensure} }}\n"
    );
    baseline_core::load::load_str(&text, "baseline.yaml").expect("valid spec")
}

/// What the one resource of `kind` the file declares reads as.
async fn read(kind: &str, spec: &Spec) -> Option<serde_json::Value> {
    let kind = crate::registered(kind).expect("a registered kind");
    let scope = Scope::assumed(spec, "us-east-1");
    let desired = kind.desired(spec, &scope);
    let [desired] = desired.as_slice() else {
        panic!("one resource, not {}", desired.len());
    };
    kind.read(&organization(), &ReadRequest::of(desired))
        .await
        .expect("read")
}

#[tokio::test]
async fn a_member_account_is_found_by_the_wanted_e_mail() {
    let live = read("org_account", &declaring("present")).await;
    let expected = json!({
        "email": "prod@example.com",
        "unit": "/",
        "id": "210987654321",
        "status": "ACTIVE",
    });
    assert_eq!(live, Some(expected));
}

#[tokio::test]
async fn a_closure_finds_the_account_by_its_write_only_e_mail() {
    // Not found would read as closed.
    let live = read("org_account_closure", &declaring("absent")).await;
    assert_eq!(live, Some(json!({"closed": false})));
}
