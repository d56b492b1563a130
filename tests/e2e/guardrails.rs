//! Account settings and guardrails: alternate contacts, S3 account public access block, EBS
//! default encryption, Access Analyzer, GuardDuty, Security Hub; and the manual items that
//! leave the plan once their check passes (or a person confirms what no API can see).

use baseline_test_support::TestAccount;

use crate::{account_with, auto_apply, baseline, changes_planned, converge, plan_exits, planned};

fn guardrails_baseline(account: &TestAccount) -> String {
    format!(
        r#"version: 1
account:
  id: "{}"
  home_region: ap-northeast-1
  regions: [ap-northeast-1, us-east-1]
  contacts:
    security: {{ name: Sec Team, title: Security, email: sec@example.com, phone: "+81-3-0000-0003" }}
    billing: {{ name: Money Team, title: Billing, email: money@example.com, phone: "+81-3-0000-0001" }}
guardrails:
  s3_public_access_block: true
  ebs_default_encryption: true
  access_analyzer: true
  guardduty: true
  security_hub: {{ standards: [cis_3.0] }}
"#,
        account.id
    )
}

/// S3 Control puts the account id in the host name, which a loopback emulator cannot
/// resolve: use the emulator's address as it is.
#[derive(Debug)]
struct FixedEndpoint(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(
        &'a self,
        _: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        aws_sdk_s3control::config::endpoint::EndpointFuture::ready(Ok(
            aws_smithy_types::endpoint::Endpoint::builder()
                .url(self.0.clone())
                .build(),
        ))
    }
}

#[tokio::test]
async fn guardrails_and_contacts_converge_and_drift_shows_per_region() {
    let account = account_with(guardrails_baseline).await;
    let mut addresses = changes_planned(&account);
    addresses.sort();
    assert_eq!(
        addresses,
        [
            "account_contact.billing",
            "account_contact.security",
            "ap-northeast-1/access_analyzer",
            "ap-northeast-1/ebs_encryption_by_default",
            "ap-northeast-1/guardduty_detector",
            "ap-northeast-1/securityhub",
            "s3_account_public_access_block",
            "us-east-1/access_analyzer",
            "us-east-1/ebs_encryption_by_default",
            "us-east-1/guardduty_detector",
            "us-east-1/securityhub",
        ]
    );
    converge(&account);

    let contact = aws_sdk_account::Client::new(&account.sdk_config_in("us-east-1"))
        .get_alternate_contact()
        .alternate_contact_type(aws_sdk_account::types::AlternateContactType::Security)
        .send()
        .await
        .expect("contact");
    let contact = contact.alternate_contact().expect("contact");
    assert_eq!(contact.email_address(), Some("sec@example.com"));
    assert_eq!(contact.phone_number(), Some("+81-3-0000-0003"));

    let sdk = account.sdk_config_in("us-east-1");
    let endpoint = FixedEndpoint(sdk.endpoint_url().expect("emulator").to_owned());
    let block = aws_sdk_s3control::Client::from_conf(
        aws_sdk_s3control::config::Builder::from(&sdk)
            .endpoint_resolver(endpoint)
            .build(),
    )
    .get_public_access_block()
    .account_id(&account.id)
    .send()
    .await;
    let block = block.expect("public access block");
    let block = block
        .public_access_block_configuration()
        .expect("configuration");
    assert_eq!(block.block_public_acls(), Some(true));
    assert_eq!(block.restrict_public_buckets(), Some(true));

    let hub = aws_sdk_securityhub::Client::new(&account.sdk_config_in("ap-northeast-1"));
    let standards = hub.get_enabled_standards().send().await.expect("standards");
    let arns: Vec<&str> = standards
        .standards_subscriptions()
        .iter()
        .filter_map(|s| s.standards_arn())
        .collect();
    assert_eq!(
        arns,
        ["arn:aws:securityhub:ap-northeast-1::standards/cis-aws-foundations-benchmark/v/3.0.0"],
        "only the declared standard, not AWS's defaults"
    );

    let guardduty = aws_sdk_guardduty::Client::new(&account.sdk_config_in("us-east-1"));
    let detectors = guardduty.list_detectors().send().await.expect("detectors");
    assert_eq!(detectors.detector_ids().len(), 1);

    // Someone turns EBS encryption off in one region: drift there, nowhere else.
    let ec2 = aws_sdk_ec2::Client::new(&account.sdk_config_in("us-east-1"));
    ec2.disable_ebs_encryption_by_default()
        .send()
        .await
        .expect("disable");
    assert_eq!(
        changes_planned(&account),
        ["us-east-1/ebs_encryption_by_default"]
    );
    auto_apply(&account);
    let on = ec2
        .get_ebs_encryption_by_default()
        .send()
        .await
        .expect("get");
    assert_eq!(on.ebs_encryption_by_default(), Some(true));

    // Leaving a guardrail out of the file never turns it off.
    let without = guardrails_baseline(&account).replace("  ebs_default_encryption: true\n", "");
    account.write("baseline.yaml", &without);
    plan_exits(&account, 0);
}

fn manual_baseline(account: &TestAccount, billing: &str, trusted_advisor: &str) -> String {
    format!(
        r#"version: 1
account:
  id: "{}"
  home_region: ap-northeast-1
  contact_information: required
root:
  security_questions: {billing}
cost:
  cost_explorer: required
  billing_access: {billing}
  pdf_invoice: {billing}
guardrails:
  trusted_advisor: {trusted_advisor}
"#,
        account.id
    )
}

#[tokio::test]
async fn manual_items_leave_the_plan_once_checked_or_confirmed() {
    let account = TestAccount::new().await;
    account.set_cost_explorer(false);
    account.write(
        "baseline.yaml",
        &manual_baseline(&account, "required", "required"),
    );
    // In full (-v): nothing is left to apply, so the manual steps are otherwise one line each.
    let plan = baseline(&account, &["plan", "--detailed-exitcode", "-v"]).expect_code(0);
    let mut manual = planned(&plan.stdout);
    manual.sort();
    assert_eq!(
        manual,
        [
            "billing_iam_access",
            "billing_pdf_invoice",
            "cost_explorer",
            "root_security_questions",
            "trusted_advisor",
        ],
        "{}",
        plan.stdout
    );
    // Each says why, where in the console, and how it is checked.
    plan.stdout_has("Launch Cost Explorer");
    plan.stdout_has("checked: ce:GetCostAndUsage");
    plan.stdout_has("\"not enabled\"");
    // The primary contact is complete in a new account: that check passed.
    plan.stdout_lacks("account_contact_information");
    // apply cannot do manual steps, and says so without failing.
    auto_apply(&account);

    // Cost Explorer is turned on in the console: its check now passes.
    account.set_cost_explorer(true);
    // And a person confirms what no API can see (the emulator, like a Basic support plan,
    // cannot read Trusted Advisor).
    account.write(
        "baseline.yaml",
        &manual_baseline(&account, "confirmed", "confirmed"),
    );
    let plan = plan_exits(&account, 0);
    assert!(planned(&plan.stdout).is_empty(), "{}", plan.stdout);
    plan.stdout_has("No changes");
}

#[tokio::test]
async fn a_declared_region_that_is_not_enabled_is_opted_in_then_planned() {
    let account = TestAccount::new().await;
    let text = format!(
        r#"version: 1
account:
  id: "{}"
  home_region: ap-northeast-1
  regions: [ap-northeast-1, ap-east-1]
guardrails:
  ebs_default_encryption: true
"#,
        account.id
    );
    account.write("baseline.yaml", &text);
    let plan = plan_exits(&account, 2);
    plan.stderr_has("not planned yet: ap-east-1");
    assert_eq!(
        planned(&plan.stdout),
        [
            "account_region.ap-east-1",
            "ap-northeast-1/ebs_encryption_by_default"
        ]
    );
    auto_apply(&account);
    let status = aws_sdk_account::Client::new(&account.sdk_config_in("us-east-1"))
        .get_region_opt_status()
        .region_name("ap-east-1")
        .send()
        .await
        .expect("status");
    assert_eq!(
        status.region_opt_status(),
        Some(&aws_sdk_account::types::RegionOptStatus::Enabled)
    );
    // Once enabled, the region's resources are planned.
    assert_eq!(
        changes_planned(&account),
        ["ap-east-1/ebs_encryption_by_default"]
    );
    converge(&account);
}
