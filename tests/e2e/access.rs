//! AWS's access rules, checked on the policies baseline plans. moto enforces no bucket, key,
//! topic or trust policy, so a policy that keeps an AWS service out (or lets an outsider in)
//! passes every other test. Here each path by which an AWS service must reach something
//! baseline configures is put to an independent IAM policy evaluator (the oracle,
//! `oracle/evaluate.mjs`): the service's own request must be allowed, and a representative
//! outsider's request must be denied.
//!
//! The policies are taken from `baseline plan --json` on a fresh account, and sent through
//! `policy::to_text`, exactly as apply sends them to AWS. Each request carries the context
//! keys AWS sets for that service's call (`aws:SourceArn`, `aws:SourceAccount`,
//! `aws:SecureTransport`, the KMS encryption context, `s3:x-amz-acl`); a key AWS would not
//! send is left out, so a condition on it fails as it would on AWS.

use std::collections::BTreeMap;

use baseline_core::policy;
use baseline_test_support::{TestAccount, oracle};
use serde_json::{Value, json};

use crate::{baseline, default_baseline};

const HOME: &str = "ap-northeast-1";
/// Another account: the outsider of the negative cases.
const OUTSIDER: &str = "999988887777";

/// What apply would send, by address, from a plan of the pinned file.
struct Planned {
    after: BTreeMap<String, Value>,
}

impl Planned {
    fn of(account: &TestAccount, file: &str) -> Self {
        account.write("baseline.yaml", file);
        let plan = baseline(account, &["plan", "--json"]).expect_code(0);
        let plan: Value = serde_json::from_str(&plan.stdout).expect("plan JSON");
        let after = plan["resource_changes"]
            .as_array()
            .expect("resource_changes")
            .iter()
            .map(|c| {
                (
                    c["address"].as_str().unwrap_or_default().to_owned(),
                    c["change"]["after"].clone(),
                )
            })
            .collect();
        Self { after }
    }

    /// The policy at `pointer` of `address`, as AWS receives it from apply.
    fn policy(&self, address: &str, pointer: &str) -> Value {
        let state = self
            .after
            .get(address)
            .unwrap_or_else(|| panic!("the plan has no {address}"));
        let document = state
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{address} has no {pointer}: {state}"));
        serde_json::from_str(&policy::to_text(document)).expect("policy text is JSON")
    }
}

/// One request to the oracle, and the decision AWS must make.
struct Case {
    label: String,
    request: Value,
    expect: &'static str,
}

/// The policies a request is judged by: the resource's, the caller's, or both.
struct On<'a> {
    resource: Option<&'a Value>,
    identity: Option<&'a Value>,
}

impl<'a> On<'a> {
    fn resource(policy: &'a Value) -> Self {
        Self {
            resource: Some(policy),
            identity: None,
        }
    }

    fn identity(policy: &'a Value) -> Self {
        Self {
            resource: None,
            identity: Some(policy),
        }
    }

    fn both(resource: &'a Value, identity: &'a Value) -> Self {
        Self {
            resource: Some(resource),
            identity: Some(identity),
        }
    }
}

/// The cases of one account's resources (every resource named is this account's).
struct Cases {
    account: String,
    cases: Vec<Case>,
}

impl Cases {
    fn new(account: &str) -> Self {
        Self {
            account: account.to_owned(),
            cases: Vec::new(),
        }
    }

    /// Who asks for what on which resource, judged by `on`, in `context` (sent over TLS,
    /// as every call between AWS services is, unless the context says otherwise).
    fn expect(
        &mut self,
        label: &str,
        expect: &'static str,
        (principal, action, resource): (&str, &str, &str),
        on: On<'_>,
        mut context: Value,
    ) {
        if context.get("aws:SecureTransport").is_none() {
            context["aws:SecureTransport"] = json!("true");
        }
        self.cases.push(Case {
            label: label.to_owned(),
            expect,
            request: json!({
                "id": label,
                "principal": principal,
                "action": action,
                "resource": resource,
                "resource_account": self.account,
                "resource_policy": on.resource,
                "identity_policies": on.identity.into_iter().collect::<Vec<_>>(),
                "context": context,
            }),
        });
    }

    fn allowed(&mut self, label: &str, ask: (&str, &str, &str), on: On<'_>, context: Value) {
        self.expect(label, "Allowed", ask, on, context);
    }

    /// Denied, explicitly or because nothing allows it.
    fn denied(&mut self, label: &str, ask: (&str, &str, &str), on: On<'_>, context: Value) {
        self.expect(label, "Denied", ask, on, context);
    }

    /// Asks the oracle once for every case; reports every wrong answer together.
    fn check(self) {
        let requests: Vec<Value> = self.cases.iter().map(|c| c.request.clone()).collect();
        let answers = oracle(&requests);
        let mut wrong = Vec::new();
        for (case, answer) in self.cases.iter().zip(&answers) {
            let decision = answer["decision"].as_str().unwrap_or("none");
            let right = match case.expect {
                "Denied" => decision == "ImplicitlyDenied" || decision == "ExplicitlyDenied",
                expected => decision == expected,
            };
            if !right {
                wrong.push(format!(
                    "{}: expected {}, the evaluator says {decision} {}\n  request: {}",
                    case.label, case.expect, answer, case.request
                ));
            }
        }
        assert!(
            wrong.is_empty(),
            "{} of {} access cases are wrong:\n{}",
            wrong.len(),
            self.cases.len(),
            wrong.join("\n")
        );
    }
}

/// The context a service sends when it acts for `arn` of `account`.
fn source(account: &str, arn: &str) -> Value {
    json!({"aws:SourceAccount": account, "aws:SourceArn": arn})
}

#[tokio::test]
async fn aws_services_reach_what_the_default_baseline_configures_and_outsiders_do_not() {
    let account = TestAccount::new().await;
    let planned = Planned::of(&account, &default_baseline(&account));
    let a = account.id.as_str();
    let bucket = format!("{a}-audit-logs");
    let bucket_arn = format!("arn:aws:s3:::{bucket}");
    let access_bucket = format!("{a}-access-logs");
    let trail = format!("arn:aws:cloudtrail:{HOME}:{a}:trail/baseline");
    let outsider_trail = format!("arn:aws:cloudtrail:{HOME}:{OUTSIDER}:trail/baseline");
    let key = format!("arn:aws:kms:{HOME}:{a}:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    let bucket_policy = planned.policy(&format!("{HOME}/s3_bucket.{bucket}"), "/policy");
    let access_policy = planned.policy(&format!("{HOME}/s3_bucket.{access_bucket}"), "/policy");
    let key_policy = planned.policy(&format!("{HOME}/kms_key.cloudtrail-baseline"), "/policy");
    let topic_policy = planned.policy(&format!("{HOME}/sns_topic.security-alerts"), "/policy");
    let topic = format!("arn:aws:sns:{HOME}:{a}:security-alerts");
    let mut cases = Cases::new(a);

    // CloudTrail → the log bucket: it checks the ACL, then writes under AWSLogs/ACCOUNT/.
    let trail_object = format!("{bucket_arn}/AWSLogs/{a}/CloudTrail/{HOME}/2026/11/30/x.json.gz");
    let put_acl = json!({"s3:x-amz-acl": "bucket-owner-full-control"});
    let with = |mut base: Value, more: &Value| {
        for (k, v) in more.as_object().into_iter().flatten() {
            base[k] = v.clone();
        }
        base
    };
    cases.allowed(
        "CloudTrail checks the log bucket's ACL",
        ("cloudtrail.amazonaws.com", "s3:GetBucketAcl", &bucket_arn),
        On::resource(&bucket_policy),
        source(a, &trail),
    );
    cases.allowed(
        "CloudTrail writes a log file",
        ("cloudtrail.amazonaws.com", "s3:PutObject", &trail_object),
        On::resource(&bucket_policy),
        with(source(a, &trail), &put_acl),
    );
    cases.denied(
        "another account's trail writes into the log bucket",
        (
            "cloudtrail.amazonaws.com",
            "s3:PutObject",
            &format!("{bucket_arn}/AWSLogs/{OUTSIDER}/CloudTrail/x.json.gz"),
        ),
        On::resource(&bucket_policy),
        with(source(OUTSIDER, &outsider_trail), &put_acl),
    );
    cases.denied(
        "CloudTrail writes without handing the object to the bucket owner",
        ("cloudtrail.amazonaws.com", "s3:PutObject", &trail_object),
        On::resource(&bucket_policy),
        source(a, &trail),
    );

    // CloudTrail → the key: data keys with the trail's encryption context, and DescribeKey.
    let trail_context = json!({"kms:EncryptionContext:aws:cloudtrail:arn": trail});
    cases.allowed(
        "CloudTrail makes a data key for its log file",
        ("cloudtrail.amazonaws.com", "kms:GenerateDataKey", &key),
        On::resource(&key_policy),
        with(source(a, &trail), &trail_context),
    );
    cases.allowed(
        "CloudTrail describes the key",
        ("cloudtrail.amazonaws.com", "kms:DescribeKey", &key),
        On::resource(&key_policy),
        source(a, &trail),
    );
    cases.denied(
        "another account's trail uses the key",
        ("cloudtrail.amazonaws.com", "kms:GenerateDataKey", &key),
        On::resource(&key_policy),
        with(
            source(OUTSIDER, &outsider_trail),
            &json!({"kms:EncryptionContext:aws:cloudtrail:arn": outsider_trail}),
        ),
    );

    // Config → the log bucket. With the service-linked role, Config writes as its service
    // principal (the role cannot write to S3); the bucket's default encryption is the
    // trail's key, so S3 asks KMS for a data key on Config's behalf.
    let config_object = format!("{bucket_arn}/AWSLogs/{a}/Config/ConfigWritabilityCheckFile");
    let config_source = json!({"aws:SourceAccount": a});
    for (label, action, resource, extra) in [
        (
            "Config checks the log bucket's ACL",
            "s3:GetBucketAcl",
            bucket_arn.as_str(),
            json!({}),
        ),
        (
            "Config checks the log bucket exists",
            "s3:ListBucket",
            bucket_arn.as_str(),
            json!({}),
        ),
        (
            "Config delivers a snapshot",
            "s3:PutObject",
            config_object.as_str(),
            put_acl.clone(),
        ),
    ] {
        cases.allowed(
            label,
            ("config.amazonaws.com", action, resource),
            On::resource(&bucket_policy),
            with(config_source.clone(), &extra),
        );
    }
    cases.denied(
        "another account's Config delivers into the log bucket",
        (
            "config.amazonaws.com",
            "s3:PutObject",
            &format!("{bucket_arn}/AWSLogs/{OUTSIDER}/Config/x"),
        ),
        On::resource(&bucket_policy),
        with(json!({"aws:SourceAccount": OUTSIDER}), &put_acl),
    );
    let s3_context = json!({
        "kms:EncryptionContext:aws:s3:arn": config_object,
        "kms:ViaService": format!("s3.{HOME}.amazonaws.com"),
    });
    for action in ["kms:GenerateDataKey", "kms:Decrypt"] {
        cases.allowed(
            &format!("Config's delivery through the bucket key ({action})"),
            ("config.amazonaws.com", action, &key),
            On::resource(&key_policy),
            with(config_source.clone(), &s3_context),
        );
    }
    cases.denied(
        "another account's Config uses the key",
        ("config.amazonaws.com", "kms:GenerateDataKey", &key),
        On::resource(&key_policy),
        with(json!({"aws:SourceAccount": OUTSIDER}), &s3_context),
    );

    // S3 server access logging → the access-log bucket, for the log bucket only.
    cases.allowed(
        "S3 delivers the log bucket's access logs",
        (
            "logging.s3.amazonaws.com",
            "s3:PutObject",
            &format!("arn:aws:s3:::{access_bucket}/{bucket}/2026-11-30-00-00-00-X"),
        ),
        On::resource(&access_policy),
        source(a, &bucket_arn),
    );
    cases.denied(
        "S3 delivers another account's bucket's access logs",
        (
            "logging.s3.amazonaws.com",
            "s3:PutObject",
            &format!("arn:aws:s3:::{access_bucket}/x"),
        ),
        On::resource(&access_policy),
        source(OUTSIDER, "arn:aws:s3:::someone-elses-bucket"),
    );

    // CloudTrail → CloudWatch Logs through its role: the trust, then the role's policy.
    let logs_role = format!("arn:aws:iam::{a}:role/baseline-cloudtrail-logs");
    let logs_trust = planned.policy("iam_role.baseline-cloudtrail-logs", "/trust");
    let logs_policy = planned.policy(
        "iam_role.baseline-cloudtrail-logs",
        "/inline_policies/write-trail-events",
    );
    cases.allowed(
        "CloudTrail assumes its CloudWatch Logs role",
        ("cloudtrail.amazonaws.com", "sts:AssumeRole", &logs_role),
        On::resource(&logs_trust),
        source(a, &trail),
    );
    cases.denied(
        "another account's trail assumes the CloudWatch Logs role",
        ("cloudtrail.amazonaws.com", "sts:AssumeRole", &logs_role),
        On::resource(&logs_trust),
        source(OUTSIDER, &outsider_trail),
    );
    let stream = format!(
        "arn:aws:logs:{HOME}:{a}:log-group:/aws/cloudtrail/baseline:log-stream:{a}_CloudTrail_{HOME}"
    );
    for action in ["logs:CreateLogStream", "logs:PutLogEvents"] {
        cases.allowed(
            &format!("the CloudWatch Logs role writes events ({action})"),
            (&logs_role, action, &stream),
            On::identity(&logs_policy),
            json!({}),
        );
    }
    cases.denied(
        "the CloudWatch Logs role writes to another log group",
        (
            &logs_role,
            "logs:PutLogEvents",
            &format!("arn:aws:logs:{HOME}:{a}:log-group:other:log-stream:x"),
        ),
        On::identity(&logs_policy),
        json!({}),
    );

    // EventBridge → the topic (home region), and the forward role of other regions' rules.
    let rule = format!("arn:aws:events:{HOME}:{a}:rule/baseline-console-sign-in");
    cases.allowed(
        "EventBridge publishes an alert",
        ("events.amazonaws.com", "sns:Publish", &topic),
        On::resource(&topic_policy),
        source(a, &rule),
    );
    cases.denied(
        "another account's EventBridge publishes to the topic",
        ("events.amazonaws.com", "sns:Publish", &topic),
        On::resource(&topic_policy),
        source(
            OUTSIDER,
            &format!("arn:aws:events:{HOME}:{OUTSIDER}:rule/x"),
        ),
    );
    let forward_role = format!("arn:aws:iam::{a}:role/baseline-events-forward");
    let forward_trust = planned.policy("iam_role.baseline-events-forward", "/trust");
    let forward_policy = planned.policy(
        "iam_role.baseline-events-forward",
        "/inline_policies/forward-alert-events",
    );
    let far_rule = format!("arn:aws:events:us-east-1:{a}:rule/baseline-console-sign-in");
    cases.allowed(
        "a rule in us-east-1 assumes the forward role",
        ("events.amazonaws.com", "sts:AssumeRole", &forward_role),
        On::resource(&forward_trust),
        source(a, &far_rule),
    );
    cases.denied(
        "a rule baseline did not make assumes the forward role",
        ("events.amazonaws.com", "sts:AssumeRole", &forward_role),
        On::resource(&forward_trust),
        source(
            a,
            &format!("arn:aws:events:us-east-1:{a}:rule/someone-elses"),
        ),
    );
    cases.denied(
        "another account's rule assumes the forward role",
        ("events.amazonaws.com", "sts:AssumeRole", &forward_role),
        On::resource(&forward_trust),
        source(
            OUTSIDER,
            &format!("arn:aws:events:us-east-1:{OUTSIDER}:rule/baseline-console-sign-in"),
        ),
    );
    cases.allowed(
        "the forward role puts events on the home region's bus",
        (
            &forward_role,
            "events:PutEvents",
            &format!("arn:aws:events:{HOME}:{a}:event-bus/default"),
        ),
        On::identity(&forward_policy),
        json!({}),
    );

    // Budgets → the topic.
    cases.allowed(
        "Budgets publishes a budget alert",
        ("budgets.amazonaws.com", "sns:Publish", &topic),
        On::resource(&topic_policy),
        source(a, &format!("arn:aws:budgets::{a}:budget/monthly")),
    );

    // An administrator of the account reads the logs with Athena: the object, and the key
    // S3 decrypts it with (on the reader's behalf, with the trail's encryption context).
    let admin = format!("arn:aws:iam::{a}:user/admin");
    let administrator = json!({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    cases.allowed(
        "an administrator reads a log file",
        (&admin, "s3:GetObject", &trail_object),
        On::both(&bucket_policy, &administrator),
        json!({}),
    );
    cases.allowed(
        "an administrator decrypts a log file",
        (&admin, "kms:Decrypt", &key),
        On::both(&key_policy, &administrator),
        with(
            json!({"kms:CallerAccount": a, "kms:ViaService": format!("s3.{HOME}.amazonaws.com")}),
            &trail_context,
        ),
    );
    let stranger = format!("arn:aws:iam::{OUTSIDER}:user/admin");
    cases.denied(
        "another account's administrator reads a log file",
        (&stranger, "s3:GetObject", &trail_object),
        On::both(&bucket_policy, &administrator),
        json!({}),
    );
    cases.denied(
        "another account's administrator decrypts a log file",
        (&stranger, "kms:Decrypt", &key),
        On::both(&key_policy, &administrator),
        with(json!({"kms:CallerAccount": OUTSIDER}), &trail_context),
    );
    cases.expect(
        "an administrator reads a log file over plain HTTP",
        "ExplicitlyDenied",
        (&admin, "s3:GetObject", &trail_object),
        On::both(&bucket_policy, &administrator),
        json!({"aws:SecureTransport": "false"}),
    );

    cases.check();
}

/// An organization trail writes every account's logs; the organization's aggregator role is
/// trusted by Config for this account only; Config notifications reach a topic of the file.
#[tokio::test]
async fn organization_trail_aggregator_and_config_topic_are_reachable() {
    let account = TestAccount::new().await;
    let a = account.id.clone();
    let file = format!(
        r#"version: 1
account:
  id: "{a}"
  home_region: {HOME}
logging:
  bucket:
    name: "org-logs-{{account_id}}"
  cloudtrail:
    name: org
    organization: true
  config:
    sns_topic_arn: "arn:aws:sns:{HOME}:{{account_id}}:config-changes"
    aggregator:
      name: organization
      organization: true
alerts:
  topics:
    config-changes:
      subscriptions:
        - email: ops@example.com
organization:
  units:
    /Workloads: {{}}
"#
    );
    let planned = Planned::of(&account, &file);
    let bucket_arn = format!("arn:aws:s3:::org-logs-{a}");
    let bucket_policy = planned.policy(&format!("{HOME}/s3_bucket.org-logs-{a}"), "/policy");
    let trail = format!("arn:aws:cloudtrail:{HOME}:{a}:trail/org");
    let member = "111122223333";
    let mut cases = Cases::new(&a);
    cases.allowed(
        "the organization trail writes a member account's log file",
        (
            "cloudtrail.amazonaws.com",
            "s3:PutObject",
            &format!("{bucket_arn}/AWSLogs/o-abcdefghij/{member}/CloudTrail/x.json.gz"),
        ),
        On::resource(&bucket_policy),
        json!({"aws:SourceArn": trail, "aws:SourceAccount": a,
                            "s3:x-amz-acl": "bucket-owner-full-control"}),
    );
    cases.denied(
        "a member's own trail writes into the organization's bucket",
        (
            "cloudtrail.amazonaws.com",
            "s3:PutObject",
            &format!("{bucket_arn}/AWSLogs/{member}/CloudTrail/x.json.gz"),
        ),
        On::resource(&bucket_policy),
        json!({"aws:SourceArn": format!("arn:aws:cloudtrail:{HOME}:{member}:trail/mine"),
                            "aws:SourceAccount": member,
                            "s3:x-amz-acl": "bucket-owner-full-control"}),
    );
    let role = format!("arn:aws:iam::{a}:role/baseline-config-aggregator");
    let trust = planned.policy("iam_role.baseline-config-aggregator", "/trust");
    cases.allowed(
        "Config assumes the aggregator role",
        ("config.amazonaws.com", "sts:AssumeRole", &role),
        On::resource(&trust),
        json!({"aws:SourceAccount": a}),
    );
    cases.denied(
        "another account's Config assumes the aggregator role",
        ("config.amazonaws.com", "sts:AssumeRole", &role),
        On::resource(&trust),
        json!({"aws:SourceAccount": OUTSIDER}),
    );
    let topic = format!("arn:aws:sns:{HOME}:{a}:config-changes");
    let topic_policy = planned.policy(&format!("{HOME}/sns_topic.config-changes"), "/policy");
    cases.allowed(
        "Config publishes a change notification",
        ("config.amazonaws.com", "sns:Publish", &topic),
        On::resource(&topic_policy),
        json!({"aws:SourceAccount": a}),
    );
    cases.denied(
        "another account's Config publishes to the topic",
        ("config.amazonaws.com", "sns:Publish", &topic),
        On::resource(&topic_policy),
        json!({"aws:SourceAccount": OUTSIDER}),
    );
    cases.check();
}
