//! Every example baseline is valid, planned against the emulator, applied, and converges.
//! The GitHub Actions example is well-formed.

use baseline_test_support::TestAccount;

use crate::baseline;

fn example(name: &str, account: &TestAccount) -> String {
    let path = baseline_test_support::repo_root()
        .join("examples")
        .join(name);
    let text = std::fs::read_to_string(path).expect("example");
    assert!(
        text.starts_with("# yaml-language-server: $schema=../docs/baseline.schema.json"),
        "{name} carries the schema modeline"
    );
    text.replace("\"123456789012\"", &format!("\"{}\"", account.id))
}

async fn converges(name: &str) {
    let account = TestAccount::new().await;
    account.write("baseline.yaml", &example(name, &account));
    baseline(&account, &["validate"]).expect_code(0);
    let plan = baseline(&account, &["plan", "--detailed-exitcode"]).expect_code(2);
    assert!(plan.stdout.contains("will be created"), "{}", plan.stdout);
    baseline(
        &account,
        &["apply", "--auto-approve", "--password-file", "pw.txt"],
    )
    .expect_code(0);
    baseline(&account, &["plan", "--detailed-exitcode"]).expect_code(0);
}

#[tokio::test]
async fn jaws_days_2017_converges() {
    converges("jaws-days-2017.yaml").await;
}

#[tokio::test]
async fn jawsug_beginners_2022_converges() {
    converges("jawsug-beginners-2022.yaml").await;
}

#[tokio::test]
async fn organization_converges_in_two_applies() {
    let account = TestAccount::new().await;
    account.write("baseline.yaml", &example("organization.yaml", &account));
    baseline(&account, &["validate"]).expect_code(0);
    // First the organization and its accounts, then the members' baselines.
    baseline(&account, &["apply", "--auto-approve"]).expect_code(0);
    let members = baseline(&account, &["plan", "--detailed-exitcode"]).expect_code(2);
    assert!(
        members.stdout.contains("(prod) through") && members.stdout.contains("(sandbox) through"),
        "{}",
        members.stdout
    );
    baseline(&account, &["apply", "--auto-approve"]).expect_code(0);
    baseline(&account, &["plan", "--detailed-exitcode"]).expect_code(0);
}

#[test]
fn github_actions_example_is_well_formed() {
    let dir = baseline_test_support::repo_root().join("examples/github-actions");
    let text = std::fs::read_to_string(dir.join("baseline.yml")).expect("workflow");
    let workflow: serde_json::Value = serde_saphyr::from_str(&text).expect("valid YAML");
    let jobs = &workflow["jobs"];
    assert!(jobs["plan"]["steps"].is_array() && jobs["apply"]["steps"].is_array());
    assert!(text.contains("baseline plan --out plan.json"));
    assert!(text.contains("baseline show plan.json --markdown"));
    assert!(text.contains("baseline apply plan.json --auto-approve"));
    assert_eq!(workflow["permissions"]["id-token"], "write");
}

/// The shipped baseline.yaml holds every step of both guides (docs/seeds.md): each kind
/// that does one is in the first plan of a fresh account.
#[tokio::test]
async fn the_default_baseline_plans_every_guide_step() {
    let account = TestAccount::new().await;
    account.write("baseline.yaml", &crate::default_baseline(&account));
    let plan = baseline(&account, &["plan", "--json"]).expect_code(0);
    let plan: serde_json::Value = serde_json::from_str(&plan.stdout).expect("plan JSON");
    let kinds: std::collections::BTreeSet<String> = plan["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["address"].as_str())
        .map(|a| {
            let a = a
                .split_once('/')
                .filter(|(r, _)| !r.contains('.'))
                .map_or(a, |(_, k)| k);
            a.split('.').next().unwrap_or(a).to_owned()
        })
        .collect();
    for kind in [
        // 000 §1, 002: the root user
        "root_mfa",
        "root_access_keys",
        "root_security_questions",
        // 000 §2, 002: IAM
        "iam_password_policy",
        "account_alias",
        "iam_group",
        "iam_user",
        "iam_role",
        // 000 §3-4, 002 option 1 and Athena: logging
        "s3_bucket",
        "kms_key",
        "logs_group",
        "cloudtrail_trail",
        "config_recorder",
        "config_rule",
        "athena_workgroup",
        "glue_table",
        // 000 §5: Trusted Advisor and the alternate contacts it writes to
        "trusted_advisor",
        "account_contact",
        "account_contact_information",
        // 000 §6, 002: billing
        "budget",
        "cost_explorer",
        "billing_iam_access",
        "billing_pdf_invoice",
        // 002: the sign-in alert
        "sns_topic",
        "sns_subscription",
        "events_rule",
        // guardrails (CIS)
        "s3_account_public_access_block",
        "ebs_encryption_by_default",
        "access_analyzer",
    ] {
        assert!(kinds.contains(kind), "{kind} missing from {kinds:?}");
    }
}
