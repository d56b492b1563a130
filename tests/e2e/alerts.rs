//! Alerts and budgets: the SNS topic with its policy and subscriptions (pending confirmation
//! until someone clicks), EventBridge rules placed where their events arrive, and budgets
//! with drift in thresholds and subscribers.

use baseline_test_support::TestAccount;
use serde_json::Value;

use crate::{auto_apply, baseline, changes_planned, converge, lines_with, plan_exits, planned};

fn alerts_baseline(account: &TestAccount, subscriptions: &str) -> String {
    format!(
        r#"version: 1
account:
  id: "{}"
  home_region: ap-northeast-1
  regions: [ap-northeast-1, eu-west-1]
alerts:
  topics:
    security-alerts:
      subscriptions:
{subscriptions}
  events:
    console_sign_in: security-alerts
    iam_changes: security-alerts
    network_changes: security-alerts
"#,
        account.id
    )
}

fn sns(account: &TestAccount) -> aws_sdk_sns::Client {
    aws_sdk_sns::Client::new(&account.sdk_config_in("ap-northeast-1"))
}

fn events(account: &TestAccount, region: &str) -> aws_sdk_eventbridge::Client {
    aws_sdk_eventbridge::Client::new(&account.sdk_config_in(region))
}

/// The first target of EventBridge rule `rule`.
async fn first_target(
    events: &aws_sdk_eventbridge::Client,
    rule: &str,
) -> aws_sdk_eventbridge::types::Target {
    let targets = events.list_targets_by_rule().rule(rule).send().await;
    targets.expect("targets").targets()[0].clone()
}

#[tokio::test]
async fn topic_rules_and_subscriptions_pending_until_confirmed() {
    let account = TestAccount::new().await;
    let both = "        - email: ops@example.com\n        - https: https://hooks.example.com/aws\n";
    account.write("baseline.yaml", &alerts_baseline(&account, both));
    let plan = crate::plan_unfolded(&account, 2);
    let addresses = planned(&plan.stdout);
    for expected in [
        "ap-northeast-1/sns_topic.security-alerts",
        "ap-northeast-1/events_rule.baseline-console-sign-in",
        "eu-west-1/events_rule.baseline-console-sign-in",
        "us-east-1/events_rule.baseline-console-sign-in",
        "us-east-1/events_rule.baseline-iam-changes",
        "ap-northeast-1/events_rule.baseline-iam-changes",
        "eu-west-1/events_rule.baseline-network-changes",
        "iam_role.baseline-events-forward",
    ] {
        assert!(
            addresses.iter().any(|a| a == expected),
            "{expected} in {addresses:?}"
        );
    }
    // IAM changes arrive only in us-east-1 (and are sent on to the home region).
    assert!(!addresses.contains(&"eu-west-1/events_rule.baseline-iam-changes".to_owned()));
    auto_apply(&account);

    // After apply nothing is left to change, but both subscriptions wait for a click.
    let again = plan_exits(&account, 0);
    let pending = lines_with(&again.stdout, "\"pending confirmation\"");
    assert_eq!(pending.len(), 2, "{}", again.stdout);
    again.stdout_has("sns_subscription.security-alerts/email:ops@example.com");

    // The topic: its policy lets EventBridge and Budgets publish for this account only.
    let topic_arn = format!("arn:aws:sns:ap-northeast-1:{}:security-alerts", account.id);
    let attributes = sns(&account)
        .get_topic_attributes()
        .topic_arn(&topic_arn)
        .send()
        .await
        .expect("topic");
    let policy: Value =
        serde_json::from_str(&attributes.attributes().expect("attributes")["Policy"])
            .expect("policy json");
    let statements = policy["Statement"].as_array().expect("statements");
    // A principal or condition value may be a string or a one-element list.
    let one = |v: &Value| match v {
        Value::Array(list) if list.len() == 1 => list[0].as_str().map(str::to_owned),
        other => other.as_str().map(str::to_owned),
    };
    let mut services: Vec<String> = statements
        .iter()
        .filter_map(|s| one(&s["Principal"]["Service"]))
        .collect();
    services.sort();
    assert_eq!(services, ["budgets.amazonaws.com", "events.amazonaws.com"]);
    assert!(
        statements
            .iter()
            .filter(|s| !s["Principal"]["Service"].is_null())
            .all(
                |s| one(&s["Condition"]["StringEquals"]["aws:SourceAccount"]).as_deref()
                    == Some(account.id.as_str())
            )
    );

    // The home rule mails through the topic, readably; elsewhere rules forward home.
    let home = events(&account, "ap-northeast-1");
    let target = first_target(&home, "baseline-console-sign-in").await;
    assert_eq!(target.arn(), topic_arn);
    let transformer = target.input_transformer().expect("input transformer");
    assert!(transformer.input_template().contains("Console sign-in"));
    assert_eq!(
        transformer.input_paths_map().expect("paths")["who"],
        "$.detail.userIdentity.arn"
    );
    let rule = home
        .describe_rule()
        .name("baseline-console-sign-in")
        .send()
        .await
        .expect("rule");
    let pattern: Value =
        serde_json::from_str(rule.event_pattern().expect("pattern")).expect("json");
    assert_eq!(
        pattern["detail-type"][0],
        "AWS Console Sign In via CloudTrail"
    );
    let forward = first_target(&events(&account, "us-east-1"), "baseline-iam-changes").await;
    assert_eq!(
        forward.arn(),
        format!(
            "arn:aws:events:ap-northeast-1:{}:event-bus/default",
            account.id
        )
    );
    assert_eq!(
        forward.role_arn(),
        Some(format!("arn:aws:iam::{}:role/baseline-events-forward", account.id).as_str())
    );

    // Someone clicks the e-mail's link: that subscription leaves the plan; the other stays.
    account.confirm_subscription("ap-northeast-1", &topic_arn, "ops@example.com");
    let after_click = baseline(&account, &["plan"]).expect_code(0);
    after_click.stdout_lacks("email:ops@example.com");
    after_click.stdout_has("https:https://hooks.example.com/aws");

    // Removing a confirmed address unsubscribes it; apply never subscribes twice.
    account.confirm_subscription(
        "ap-northeast-1",
        &topic_arn,
        "https://hooks.example.com/aws",
    );
    let email_only = "        - email: ops@example.com\n";
    account.write("baseline.yaml", &alerts_baseline(&account, email_only));
    assert_eq!(
        changes_planned(&account),
        ["ap-northeast-1/sns_topic.security-alerts"]
    );
    auto_apply(&account);
    let listed = sns(&account)
        .list_subscriptions_by_topic()
        .topic_arn(&topic_arn)
        .send()
        .await
        .expect("subscriptions");
    let endpoints: Vec<&str> = listed
        .subscriptions()
        .iter()
        .filter_map(|s| s.endpoint())
        .collect();
    assert_eq!(endpoints, ["ops@example.com"]);
    plan_exits(&account, 0);

    // A rule edited by hand in one region is drift there only.
    events(&account, "eu-west-1")
        .put_rule()
        .name("baseline-network-changes")
        .event_pattern(r#"{"source":["aws.ec2"]}"#)
        .send()
        .await
        .expect("edit rule");
    assert_eq!(
        changes_planned(&account),
        ["eu-west-1/events_rule.baseline-network-changes"]
    );
}

fn budget_baseline(account: &TestAccount, amount: &str, notifications: &str) -> String {
    format!(
        r#"version: 1
account:
  id: "{}"
  home_region: ap-northeast-1
alerts:
  topics:
    billing: {{}}
cost:
  budgets:
    monthly:
      amount: {amount}
      notifications:
{notifications}
"#,
        account.id
    )
}

/// The amount and currency of budget `monthly`, as Budgets reports them.
async fn monthly_limit(
    budgets: &aws_sdk_budgets::Client,
    account: &TestAccount,
) -> (Option<f64>, String) {
    let budget = budgets
        .describe_budget()
        .account_id(&account.id)
        .budget_name("monthly")
        .send()
        .await
        .expect("budget");
    let limit = budget
        .budget()
        .and_then(|b| b.budget_limit())
        .expect("limit");
    (limit.amount().parse().ok(), limit.unit().to_owned())
}

#[tokio::test]
async fn budgets_are_created_and_updated_in_place() {
    let account = TestAccount::new().await;
    let notifications = "        - { when: forecasted, percent: 80, emails: [a@example.com], topic: billing }\n        - { when: actual, percent: 100, emails: [a@example.com] }\n";
    account.write(
        "baseline.yaml",
        &budget_baseline(&account, "100", notifications),
    );
    converge(&account);

    let budgets = aws_sdk_budgets::Client::new(&account.sdk_config_in("us-east-1"));
    let (amount, unit) = monthly_limit(&budgets, &account).await;
    assert_eq!(amount, Some(100.0));
    assert_eq!(unit, "USD");
    let listed = budgets
        .describe_notifications_for_budget()
        .account_id(&account.id)
        .budget_name("monthly")
        .send()
        .await
        .expect("notifications");
    let mut thresholds: Vec<(String, f64)> = listed
        .notifications()
        .iter()
        .map(|n| (n.notification_type().as_str().to_owned(), n.threshold()))
        .collect();
    thresholds.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        thresholds,
        [
            ("ACTUAL".to_owned(), 100.0),
            ("FORECASTED".to_owned(), 80.0)
        ]
    );

    // A new amount, a new threshold and another address: one update, in place.
    let changed = "        - { when: forecasted, percent: 90, emails: [a@example.com], topic: billing }\n        - { when: actual, percent: 100, emails: [a@example.com, b@example.com] }\n";
    account.write("baseline.yaml", &budget_baseline(&account, "20", changed));
    let plan = plan_exits(&account, 2);
    assert_eq!(planned(&plan.stdout), ["budget.monthly"], "{}", plan.stdout);
    plan.stdout_has("will be updated in place");
    converge(&account);
    let (amount, _) = monthly_limit(&budgets, &account).await;
    assert_eq!(amount, Some(20.0));
}

#[tokio::test]
async fn a_budget_notification_with_an_undeclared_topic_is_refused() {
    let account = TestAccount::new().await;
    let notifications = "        - { when: actual, percent: 100, topic: biling }\n";
    account.write(
        "baseline.yaml",
        &budget_baseline(&account, "100", notifications),
    );
    let run = baseline(&account, &["validate"]).expect_code(1);
    run.stderr_has("topic `biling` is not declared");
    run.stderr_has("baseline.yaml:13:");
    run.stderr_has("did you mean `billing`?");
}
