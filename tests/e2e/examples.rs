//! Every example baseline is valid, planned against the emulator, applied, and converges.
//! The GitHub Actions example is well-formed.

use baseline_test_support::TestAccount;

use crate::{account_with, auto_apply, baseline, converge, plan_exits};

fn example(name: &str, account: &TestAccount) -> String {
    let path = baseline_test_support::repo_root()
        .join("examples")
        .join(name);
    let text = std::fs::read_to_string(path).expect("example");
    assert!(
        text.starts_with(baseline_core::schema::MODELINE),
        "{name} carries the schema modeline"
    );
    text.replace("\"123456789012\"", &format!("\"{}\"", account.id))
}

async fn converges(name: &str) {
    let account = TestAccount::new().await;
    account.write("baseline.yaml", &example(name, &account));
    baseline(&account, &["validate"]).expect_code(0);
    let plan = plan_exits(&account, 2);
    plan.stdout_has("will be created");
    baseline(
        &account,
        &["apply", "--auto-approve", "--password-file", "pw.txt"],
    )
    .expect_code(0);
    plan_exits(&account, 0);
    crate::init::adopts_back(&account);
}

#[tokio::test]
async fn jaws_days_2017_converges() {
    converges("jaws-days-2017.yaml").await;
}

#[tokio::test]
async fn jawsug_beginners_2022_converges() {
    converges("jawsug-beginners-2022.yaml").await;
}

/// The shipped baseline.yaml on a fresh account, every enabled region, with the emulator
/// refusing what AWS refuses at the API (CloudTrail's bucket, key and role checks, Config's
/// writability check through the bucket's KMS key): its saved plan, as the example workflow
/// makes it, reads folded (one entry for what is alike in every region, under 600 lines),
/// applies and converges. What it wrote is in AWS's documented policy form and carries the
/// log buckets' lifecycle.
#[tokio::test]
async fn the_default_baseline_converges_in_every_region() {
    let account = account_with(crate::default_baseline).await;
    baseline(&account, &["plan", "--out", "plan.json"]).expect_code(0);
    let folded = baseline(&account, &["show", "plan.json"]).expect_code(0);
    let lines = folded.stdout.lines().count();
    assert!(lines < 600, "the folded plan has {lines} lines");
    let unfolded = baseline(&account, &["show", "plan.json", "--no-fold"]).expect_code(0);
    assert!(
        unfolded.stdout.lines().count() > 4 * lines,
        "--no-fold shows every region"
    );
    for region in ["ap-northeast-1", "eu-west-1", "us-west-2"] {
        unfolded.stdout_has(&format!(
            "+ {region}/config_rule.encrypted-volumes will be created"
        ));
    }
    folded.stdout_has("+ {region}/config_rule.encrypted-volumes will be created in all 17 regions");
    insta::with_settings!({filters => vec![(account.id.as_str(), "[ACCOUNT]")]}, {
        insta::assert_snapshot!("default_baseline_folded_plan", folded.stdout);
    });
    baseline(
        &account,
        &[
            "apply",
            "plan.json",
            "--auto-approve",
            "--password-file",
            "pw.txt",
        ],
    )
    .expect_code(0);
    plan_exits(&account, 0);

    let bucket = format!("{}-audit-logs", account.id);
    for region in ["ap-northeast-1", "us-east-1", "eu-west-1"] {
        let config = aws_sdk_config::Client::new(&account.sdk_config_in(region));
        let channels = config
            .describe_delivery_channels()
            .send()
            .await
            .expect("channels");
        let channel = channels.delivery_channels().first().expect("a channel");
        assert_eq!(channel.s3_bucket_name(), Some(bucket.as_str()), "{region}");
    }
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&account.sdk_config_in("ap-northeast-1"))
            .force_path_style(true)
            .build(),
    );
    // Sent as AWS documents policies: a single value is a string, not a list of one.
    let text = s3
        .get_bucket_policy()
        .bucket(&bucket)
        .send()
        .await
        .expect("policy")
        .policy
        .expect("text");
    let policy: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let acl_check = policy["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .find(|s| s["Sid"] == "AWSCloudTrailAclCheck")
        .expect("CloudTrail's ACL check");
    assert_eq!(acl_check["Action"], "s3:GetBucketAcl", "{text}");
    assert!(
        text.starts_with(r#"{"Version":"2012-10-17","Statement":["#),
        "{text}"
    );
    // Expired logs do not stay as noncurrent versions forever, in both log buckets.
    for name in [bucket.clone(), format!("{}-access-logs", account.id)] {
        let lifecycle = s3
            .get_bucket_lifecycle_configuration()
            .bucket(&name)
            .send()
            .await
            .expect("lifecycle");
        let rule = lifecycle.rules().first().expect("a rule");
        assert_eq!(
            rule.expiration().and_then(|e| e.days()),
            Some(2555),
            "{name}"
        );
        assert_eq!(
            rule.noncurrent_version_expiration()
                .and_then(|e| e.noncurrent_days()),
            Some(30),
            "{name}"
        );
    }
    crate::init::adopts_back(&account);
}

#[tokio::test]
async fn organization_converges_in_two_applies() {
    let account = TestAccount::new().await;
    account.write("baseline.yaml", &example("organization.yaml", &account));
    baseline(&account, &["validate"]).expect_code(0);
    // First the organization and its accounts, then the members' baselines.
    auto_apply(&account);
    let members = plan_exits(&account, 2);
    assert!(
        members.stdout.contains("(prod) through") && members.stdout.contains("(sandbox) through"),
        "{}",
        members.stdout
    );
    converge(&account);
    crate::init::adopts_back(&account);
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
    // Permissions are per job, none workflow-wide; every job that reaches AWS may ask for
    // an OIDC token.
    assert_eq!(workflow["permissions"], serde_json::json!({}));
    for job in ["plan", "drift", "apply"] {
        assert_eq!(jobs[job]["permissions"]["id-token"], "write", "{job}");
    }
}

/// Every workflow file is valid against GitHub's workflow schema, and every job that
/// assumes a role presents an OIDC subject that the role's documented trust accepts
/// (scripts/check_workflows.py, with check-jsonschema from the test venv).
#[test]
fn workflows_follow_the_schema_and_the_documented_trusts() {
    let root = baseline_test_support::repo_root();
    let out = std::process::Command::new(root.join(".venv/bin/python"))
        .arg(root.join("scripts/check_workflows.py"))
        .current_dir(&root)
        .output()
        .expect("the test venv's python runs (scripts/emulator-setup makes it)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("all checks passed"), "{stdout}");
    assert!(stdout.contains("job apply (push)"), "{stdout}");
    assert!(
        stdout.contains("valid against GitHub's workflow schema"),
        "{stdout}"
    );
}

/// The shipped baseline.yaml holds every step of both guides (docs/seeds.md): each kind
/// that does one is in the first plan of a fresh account.
#[tokio::test]
async fn the_default_baseline_plans_every_guide_step() {
    let account = account_with(crate::default_baseline).await;
    let plan = baseline(&account, &["plan", "--json"]).expect_code(0);
    let plan: serde_json::Value = serde_json::from_str(&plan.stdout).expect("plan JSON");
    let kinds: std::collections::BTreeSet<String> = plan["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["type"].as_str().map(str::to_owned))
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
