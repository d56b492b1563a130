//! Audit logging: the log bucket, CloudTrail, AWS Config in several regions and in `all`,
//! Athena; drift in one region or one setting shows exactly there.

use baseline_test_support::TestAccount;

use crate::{auto_apply, baseline, converge, plan_exits, planned};

fn logging_baseline(account: &TestAccount, regions: &str) -> String {
    format!(
        r#"version: 1
account:
  id: "{}"
  home_region: ap-northeast-1
  regions: {regions}
logging:
  bucket:
    name: "{{account_id}}-audit-logs"
    lifecycle: {{ transition_to_glacier_days: 90, expire_days: 2555 }}
  cloudtrail:
    name: main
  config:
    rules: [ENCRYPTED_VOLUMES, ROOT_ACCOUNT_MFA_ENABLED]
"#,
        account.id
    )
}

fn config_client(account: &TestAccount, region: &str) -> aws_sdk_config::Client {
    aws_sdk_config::Client::new(&account.sdk_config_in(region))
}

fn cloudtrail_client(account: &TestAccount) -> aws_sdk_cloudtrail::Client {
    aws_sdk_cloudtrail::Client::new(&account.sdk_config_in("ap-northeast-1"))
}

fn s3_client(account: &TestAccount) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::config::Builder::from(&account.sdk_config_in("ap-northeast-1"))
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// Whether trail `main` is logging.
async fn is_logging(trail: &aws_sdk_cloudtrail::Client) -> Option<bool> {
    let status = trail.get_trail_status().name("main").send().await;
    status.expect("trail status").is_logging()
}

async fn bucket_exists(s3: &aws_sdk_s3::Client, bucket: &str) -> bool {
    s3.head_bucket().bucket(bucket).send().await.is_ok()
}

/// Applies, then puts a log file into the bucket `{account_id}-SUFFIX` that apply made.
/// Returns an S3 client and the bucket's name.
async fn apply_and_log(account: &TestAccount, suffix: &str) -> (aws_sdk_s3::Client, String) {
    auto_apply(account);
    let s3 = s3_client(account);
    let bucket = format!("{}-{suffix}", account.id);
    write_a_log(&s3, &bucket).await;
    (s3, bucket)
}

/// Puts a log file into a bucket baseline made.
async fn write_a_log(s3: &aws_sdk_s3::Client, bucket: &str) {
    // moto ignores the Condition of the TLS-only Deny on object writes (AWS honours it), so
    // the policy goes before the test writes its log over the emulator's plain HTTP.
    s3.delete_bucket_policy()
        .bucket(bucket)
        .send()
        .await
        .expect("policy");
    s3.put_object()
        .bucket(bucket)
        .key("AWSLogs/log.json.gz")
        .body(b"{}".to_vec().into())
        .send()
        .await
        .expect("a log");
}

#[tokio::test]
async fn three_regions_converge_and_a_stopped_trail_is_drift() {
    let account = TestAccount::new().await;
    account.write(
        "baseline.yaml",
        &logging_baseline(&account, "[ap-northeast-1, us-east-1, eu-west-1]"),
    );
    let plan = plan_exits(&account, 2);
    plan.stderr_has("Read 3 regions");
    converge(&account);

    let trail = cloudtrail_client(&account);
    let got = trail.get_trail().name("main").send().await.expect("trail");
    let got = got.trail().expect("trail");
    assert_eq!(got.is_multi_region_trail(), Some(true));
    assert_eq!(got.log_file_validation_enabled(), Some(true));
    assert_eq!(got.include_global_service_events(), Some(true));
    assert_eq!(
        got.s3_bucket_name(),
        Some(format!("{}-audit-logs", account.id).as_str())
    );
    assert_eq!(is_logging(&trail).await, Some(true));

    let s3 = s3_client(&account);
    let bucket = format!("{}-audit-logs", account.id);
    let policy = s3
        .get_bucket_policy()
        .bucket(&bucket)
        .send()
        .await
        .expect("policy");
    let policy = policy.policy().unwrap_or_default();
    for sid in [
        "DenyInsecureTransport",
        "AWSCloudTrailWrite",
        "AWSConfigBucketDelivery",
    ] {
        assert!(policy.contains(sid), "{sid} in {policy}");
    }
    let block = s3
        .get_public_access_block()
        .bucket(&bucket)
        .send()
        .await
        .expect("pab");
    let block = block.public_access_block_configuration().expect("pab");
    assert_eq!(block.block_public_policy(), Some(true));
    assert_eq!(block.restrict_public_buckets(), Some(true));

    for region in ["ap-northeast-1", "us-east-1", "eu-west-1"] {
        let config = config_client(&account, region);
        let recorders = config
            .describe_configuration_recorders()
            .send()
            .await
            .expect("recorders");
        let recorder = &recorders.configuration_recorders()[0];
        let global = recorder
            .recording_group()
            .is_some_and(|g| g.include_global_resource_types());
        assert_eq!(
            global,
            region == "ap-northeast-1",
            "global types only in the home region"
        );
        let status = config
            .describe_configuration_recorder_status()
            .send()
            .await
            .expect("status");
        assert!(status.configuration_recorders_status()[0].recording());
        let rules = config.describe_config_rules().send().await.expect("rules");
        let names: Vec<&str> = rules
            .config_rules()
            .iter()
            .filter_map(|r| r.config_rule_name())
            .collect();
        assert!(names.contains(&"encrypted-volumes"));
        assert_eq!(
            names.contains(&"root-account-mfa-enabled"),
            region == "ap-northeast-1"
        );
    }

    trail
        .stop_logging()
        .name("main")
        .send()
        .await
        .expect("stop");
    let drift = plan_exits(&account, 2);
    assert_eq!(
        planned(&drift.stdout),
        vec!["ap-northeast-1/cloudtrail_trail.main"],
        "{}",
        drift.stdout
    );
    drift.stdout_has("      ~ logging = false → true\n");
    auto_apply(&account);
    assert_eq!(is_logging(&trail).await, Some(true));
}

#[tokio::test]
async fn all_regions_converge_and_a_deleted_recorder_is_planned_in_its_region_only() {
    let account = TestAccount::new().await;
    account.write("baseline.yaml", &logging_baseline(&account, "all"));
    let plan = crate::plan_unfolded(&account, 2);
    let recorders = planned(&plan.stdout)
        .iter()
        .filter(|a| a.ends_with("/config_recorder"))
        .count();
    assert!(
        recorders >= 16,
        "a recorder in every enabled region, got {recorders}"
    );
    // Only the account's partition.
    plan.stdout_lacks("us-gov-");
    converge(&account);

    let config = config_client(&account, "eu-west-2");
    config
        .stop_configuration_recorder()
        .configuration_recorder_name("default")
        .send()
        .await
        .expect("stop");
    config
        .delete_delivery_channel()
        .delivery_channel_name("default")
        .send()
        .await
        .expect("channel");
    config
        .delete_configuration_recorder()
        .configuration_recorder_name("default")
        .send()
        .await
        .expect("recorder");
    let drift = plan_exits(&account, 2);
    let changed = planned(&drift.stdout);
    assert!(!changed.is_empty());
    assert!(
        changed.iter().all(|a| a.starts_with("eu-west-2/")),
        "{changed:?}"
    );
    assert!(changed.contains(&"eu-west-2/config_recorder".to_owned()));
    converge(&account);
}

#[tokio::test]
async fn an_existing_recorder_under_another_name_is_adopted() {
    let account = TestAccount::new().await;
    let config = config_client(&account, "ap-northeast-1");
    let recorder = aws_sdk_config::types::ConfigurationRecorder::builder()
        .name("legacy")
        .role_arn(format!("arn:aws:iam::{}:role/old-config-role", account.id))
        .recording_group(
            aws_sdk_config::types::RecordingGroup::builder()
                .all_supported(true)
                .include_global_resource_types(true)
                .build(),
        )
        .build();
    config
        .put_configuration_recorder()
        .configuration_recorder(recorder)
        .send()
        .await
        .expect("existing recorder");
    account.write(
        "baseline.yaml",
        &logging_baseline(&account, "[ap-northeast-1]"),
    );
    let plan = plan_exits(&account, 2);
    plan.stdout_has("~ ap-northeast-1/config_recorder will be updated in place");
    auto_apply(&account);
    let recorders = config
        .describe_configuration_recorders()
        .send()
        .await
        .expect("recorders");
    assert_eq!(recorders.configuration_recorders().len(), 1);
    assert_eq!(
        recorders.configuration_recorders()[0].name(),
        Some("legacy")
    );
    assert!(
        recorders.configuration_recorders()[0]
            .role_arn()
            .is_some_and(|r| r.ends_with("/AWSServiceRoleForConfig"))
    );
    plan_exits(&account, 0);
}

#[tokio::test]
async fn a_bucket_with_logs_is_kept_unless_force_destroy() {
    let account = TestAccount::new().await;
    let with = |extra: &str| {
        format!(
            "version: 1\naccount:\n  id: \"{}\"\n  home_region: ap-northeast-1\nlogging:\n  bucket:\n    name: \"{{account_id}}-keep\"\n{extra}",
            account.id
        )
    };
    account.write("baseline.yaml", &with(""));
    let (s3, bucket) = apply_and_log(&account, "keep").await;

    account.write("baseline.yaml", &with("    ensure: absent\n"));
    let run = baseline(&account, &["apply", "--auto-approve"]).expect_code(1);
    run.stdout_has("still holds objects");
    run.stdout_has("force_destroy: true");
    assert!(bucket_exists(&s3, &bucket).await, "kept");

    account.write(
        "baseline.yaml",
        &with("    ensure: absent\n    force_destroy: true\n"),
    );
    auto_apply(&account);
    assert!(!bucket_exists(&s3, &bucket).await, "deleted");
}

/// A region of another partition than the account's is an error naming it, before anything
/// is planned (a code AWS does not have at all is refused when the file is read:
/// cli_errors.rs).
#[tokio::test]
async fn a_region_of_another_partition_is_refused() {
    let account = TestAccount::new().await;
    account.write(
        "baseline.yaml",
        &logging_baseline(&account, "[ap-northeast-1, cn-north-1]"),
    );
    let plan = baseline(&account, &["plan"]).expect_code(1);
    plan.stderr_has("`cn-north-1` is not a region of this account's partition (aws)");
    assert!(plan.stdout.is_empty(), "{}", plan.stdout);
}

/// A second multi-region trail bills every management event again: one made by someone
/// else is named in the plan, until the file accepts it.
#[tokio::test]
async fn another_multi_region_trail_is_a_finding_until_accepted() {
    let account = TestAccount::new().await;
    let trails = cloudtrail_client(&account);
    let s3 = s3_client(&account);
    let bucket = format!("{}-their-trail", account.id);
    s3.create_bucket()
        .bucket(&bucket)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::ApNortheast1)
                .build(),
        )
        .send()
        .await
        .expect("their bucket");
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": ["s3:GetBucketAcl", "s3:PutObject"],
         "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")]}]});
    s3.put_bucket_policy()
        .bucket(&bucket)
        .policy(policy.to_string())
        .send()
        .await
        .expect("their bucket policy");
    trails
        .create_trail()
        .name("theirs")
        .s3_bucket_name(&bucket)
        .is_multi_region_trail(true)
        .send()
        .await
        .expect("their trail");

    let text = logging_baseline(&account, "[ap-northeast-1]");
    account.write("baseline.yaml", &text);
    let plan = baseline(&account, &["plan"]).expect_code(0);
    let finding = "ap-northeast-1/cloudtrail_other_trails.main";
    assert!(
        planned(&plan.stdout).contains(&finding.to_owned()),
        "{}",
        plan.stdout
    );
    // The other trail is named.
    plan.stdout_has("trail/theirs");

    account.write(
        "baseline.yaml",
        &text.replace(
            "    name: main\n",
            "    name: main\n    other_trails: accepted\n",
        ),
    );
    let plan = baseline(&account, &["plan"]).expect_code(0);
    assert!(
        !planned(&plan.stdout).contains(&finding.to_owned()),
        "{}",
        plan.stdout
    );
}

/// CreateKey has no idempotency token. A run cut short between CreateKey and CreateAlias
/// leaves a tagged key without its alias; the next apply gives that key the alias instead of
/// making a second one.
#[tokio::test]
async fn a_key_left_by_an_interrupted_run_is_used_not_duplicated() {
    let account = TestAccount::new().await;
    let kms = aws_sdk_kms::Client::new(&account.sdk_config_in("ap-northeast-1"));
    // Two interrupted runs: two keys tagged for the alias, neither named by it.
    let mut orphans = Vec::new();
    for _ in 0..2 {
        let made = kms
            .create_key()
            .description("baseline: CloudTrail logs (alias/cloudtrail-main)")
            .tags(
                aws_sdk_kms::types::Tag::builder()
                    .tag_key("baseline:alias")
                    .tag_value("alias/cloudtrail-main")
                    .build()
                    .expect("tag"),
            )
            .send()
            .await
            .expect("an interrupted run's key");
        let id = made.key_metadata().expect("metadata").key_id().to_owned();
        orphans.push(id);
    }
    let text = logging_baseline(&account, "[ap-northeast-1]")
        .replace("    name: main\n", "    name: main\n    kms: true\n");
    account.write("baseline.yaml", &text);
    // Apply will name one of them; the plan already shows the other.
    let plan = plan_exits(&account, 2);
    plan.stdout_has("! ap-northeast-1/kms_key_orphans.cloudtrail-main needs a manual step");
    converge(&account);

    let keys = kms.list_keys().send().await.expect("keys");
    assert_eq!(keys.keys().len(), 2, "no third key: {:?}", keys.keys());
    let aliased = kms
        .describe_key()
        .key_id("alias/cloudtrail-main")
        .send()
        .await
        .expect("alias");
    let used = aliased.key_metadata().map(|m| m.key_id().to_owned());
    let used = used.expect("the alias names a key");
    assert!(orphans.contains(&used), "{used} is one of {orphans:?}");
    let other = orphans.iter().find(|k| **k != used).expect("the other key");
    // The converged plan names the key that is left, until it is scheduled for deletion.
    let left = plan_exits(&account, 0);
    left.stdout_has(&format!(
        "! ap-northeast-1/kms_key_orphans.cloudtrail-main needs a manual step: status = \
         \"keys without their alias: {other}\" → \"done\""
    ));
    kms.schedule_key_deletion()
        .key_id(other)
        .pending_window_in_days(7)
        .send()
        .await
        .expect("scheduled");
    plan_exits(&account, 0).stdout_lacks("kms_key_orphans");
}

/// `baseline destroy` honours `force_destroy: true` as `ensure: absent` does.
#[tokio::test]
async fn destroy_deletes_a_bucket_with_logs_when_force_destroy() {
    let account = TestAccount::new().await;
    account.write(
        "baseline.yaml",
        &format!(
            "version: 1\naccount:\n  id: \"{}\"\n  home_region: ap-northeast-1\nlogging:\n  bucket:\n    name: \"{{account_id}}-gone\"\n    force_destroy: true\n",
            account.id
        ),
    );
    let (s3, bucket) = apply_and_log(&account, "gone").await;
    baseline(&account, &["destroy", "--auto-approve"]).expect_code(0);
    assert!(!bucket_exists(&s3, &bucket).await, "deleted with its logs");
}

#[tokio::test]
async fn athena_table_uses_partition_projection_and_ships_the_queries() {
    let account = TestAccount::new().await;
    let text = logging_baseline(&account, "[ap-northeast-1]")
        + "  athena: { workgroup: audit, database: audit, table: cloudtrail, results_bucket: \"{account_id}-athena-results\" }\n";
    account.write("baseline.yaml", &text);
    converge(&account);

    let athena = aws_sdk_athena::Client::new(&account.sdk_config_in("ap-northeast-1"));
    let group = athena
        .get_work_group()
        .work_group("audit")
        .send()
        .await
        .expect("workgroup");
    let output = group
        .work_group()
        .and_then(|g| g.configuration())
        .and_then(|c| c.result_configuration())
        .and_then(|r| r.output_location())
        .unwrap_or_default();
    assert_eq!(output, format!("s3://{}-athena-results/", account.id));
    let ids = athena
        .list_named_queries()
        .work_group("audit")
        .send()
        .await
        .expect("queries");
    assert_eq!(ids.named_query_ids().len(), 4);
    let first = athena
        .get_named_query()
        .named_query_id(&ids.named_query_ids()[0])
        .send()
        .await
        .expect("query");
    assert!(
        first
            .named_query()
            .is_some_and(|q| q.query_string().contains("audit.cloudtrail"))
    );
}
