//! `alerts.events`: one EventBridge rule per alert in every region where its events arrive.
//! In the home region the rule sends a readable e-mail through the topic (an input
//! transformer: who, what, from where); elsewhere it forwards the event to the home region's
//! default event bus, where the home rule picks it up. One topic, one confirmation e-mail,
//! every region covered.
//!
//! Where events arrive: IAM and the root user's sign-ins are global and arrive in us-east-1;
//! IAM users' console sign-ins arrive in the region of the sign-in page they used; CloudTrail,
//! Config and network changes arrive in their own region.

use aws_sdk_eventbridge::types::{InputTransformer, RuleState, Target};
use baseline_core::plan::Desired;
use baseline_core::policy;
use baseline_core::scope::Scope;
use baseline_core::spec::AlertKind;
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Value, json};

use crate::alerts::topic;
use crate::context::AwsContext;
use crate::error::{build_error, call, has_code, sdk_error};
use crate::kind::{LegacyKind, name_of, region_of};

pub(crate) struct Rule;

const KIND: &str = "events_rule";

/// The role EventBridge assumes to forward events to the home region.
pub(crate) const FORWARD_ROLE: &str = "baseline-events-forward";

/// The id of the one target of every baseline rule.
const TARGET_ID: &str = "baseline";

/// Where an alert's events arrive.
enum Arrives {
    /// Global services: us-east-1.
    Global,
    /// Every selected region, and us-east-1 for the global part.
    EveryRegionAndGlobal,
    /// Every selected region.
    EveryRegion,
}

struct Alert {
    description: &'static str,
    /// CIS AWS Foundations Benchmark ids whose monitoring this alert does (in spirit: CIS
    /// asks for CloudWatch metric filters and alarms; these are EventBridge rules).
    cis: &'static [&'static str],
    arrives: Arrives,
    pattern: fn() -> Value,
    /// The sentence of the e-mail, with `<who>`, `<event>`, `<ip>`, `<account>`, `<region>`,
    /// `<time>` and `<result>` filled in by EventBridge.
    sentence: &'static str,
}

fn api_calls(source: &str, event_source: &str, names: &[&str]) -> Value {
    json!({
        "source": [source],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventSource": [event_source], "eventName": names},
    })
}

fn alert(kind: AlertKind) -> Alert {
    match kind {
        AlertKind::ConsoleSignIn => Alert {
            description: "Every console sign-in (guide 002)",
            cis: &[],
            arrives: Arrives::EveryRegionAndGlobal,
            pattern: || {
                json!({"source": ["aws.signin"],
                       "detail-type": ["AWS Console Sign In via CloudTrail"]})
            },
            sentence: "Console sign-in (<result>) to account <account> by <who> from <ip> at <time> (<region>).",
        },
        AlertKind::FailedSignIn => Alert {
            description: "Console sign-ins that failed",
            cis: &["4.6"],
            arrives: Arrives::EveryRegionAndGlobal,
            pattern: || {
                json!({"source": ["aws.signin"],
                       "detail-type": ["AWS Console Sign In via CloudTrail"],
                       "detail": {"responseElements": {"ConsoleLogin": ["Failure"]}}})
            },
            sentence: "FAILED console sign-in to account <account> as <who> from <ip> at <time> (<region>).",
        },
        AlertKind::RootActivity => Alert {
            description: "Anything the root user does (CIS 4.3)",
            cis: &["4.3"],
            arrives: Arrives::EveryRegionAndGlobal,
            pattern: || {
                json!({"detail-type": ["AWS API Call via CloudTrail",
                                       "AWS Console Sign In via CloudTrail"],
                       "detail": {"userIdentity": {"type": ["Root"]}}})
            },
            sentence: "The ROOT user of account <account> did <event> from <ip> at <time> (<region>).",
        },
        AlertKind::IamChanges => Alert {
            description: "IAM policy changes (CIS 4.4)",
            cis: &["4.4"],
            arrives: Arrives::Global,
            pattern: || {
                api_calls(
                    "aws.iam",
                    "iam.amazonaws.com",
                    &[
                        "CreatePolicy",
                        "DeletePolicy",
                        "CreatePolicyVersion",
                        "DeletePolicyVersion",
                        "SetDefaultPolicyVersion",
                        "AttachRolePolicy",
                        "DetachRolePolicy",
                        "AttachUserPolicy",
                        "DetachUserPolicy",
                        "AttachGroupPolicy",
                        "DetachGroupPolicy",
                        "PutRolePolicy",
                        "DeleteRolePolicy",
                        "PutUserPolicy",
                        "DeleteUserPolicy",
                        "PutGroupPolicy",
                        "DeleteGroupPolicy",
                    ],
                )
            },
            sentence: "IAM change in account <account>: <who> did <event> from <ip> at <time>.",
        },
        AlertKind::CloudtrailChanges => Alert {
            description: "CloudTrail configuration changes (CIS 4.5)",
            cis: &["4.5"],
            arrives: Arrives::EveryRegion,
            pattern: || {
                api_calls(
                    "aws.cloudtrail",
                    "cloudtrail.amazonaws.com",
                    &[
                        "CreateTrail",
                        "UpdateTrail",
                        "DeleteTrail",
                        "StartLogging",
                        "StopLogging",
                        "PutEventSelectors",
                    ],
                )
            },
            sentence: "CloudTrail change in account <account>: <who> did <event> from <ip> at <time> (<region>).",
        },
        AlertKind::ConfigChanges => Alert {
            description: "AWS Config configuration changes (CIS 4.9)",
            cis: &["4.9"],
            arrives: Arrives::EveryRegion,
            pattern: || {
                api_calls(
                    "aws.config",
                    "config.amazonaws.com",
                    &[
                        "StopConfigurationRecorder",
                        "DeleteDeliveryChannel",
                        "PutDeliveryChannel",
                        "PutConfigurationRecorder",
                        "DeleteConfigurationRecorder",
                    ],
                )
            },
            sentence: "AWS Config change in account <account>: <who> did <event> from <ip> at <time> (<region>).",
        },
        AlertKind::NetworkChanges => Alert {
            description: "Security group, network ACL, gateway and route table changes (CIS 4.10-4.13)",
            cis: &["4.10", "4.11", "4.12", "4.13"],
            arrives: Arrives::EveryRegion,
            pattern: || {
                api_calls(
                    "aws.ec2",
                    "ec2.amazonaws.com",
                    &[
                        "AuthorizeSecurityGroupIngress",
                        "AuthorizeSecurityGroupEgress",
                        "RevokeSecurityGroupIngress",
                        "RevokeSecurityGroupEgress",
                        "CreateSecurityGroup",
                        "DeleteSecurityGroup",
                        "CreateNetworkAcl",
                        "CreateNetworkAclEntry",
                        "DeleteNetworkAcl",
                        "DeleteNetworkAclEntry",
                        "ReplaceNetworkAclEntry",
                        "ReplaceNetworkAclAssociation",
                        "CreateCustomerGateway",
                        "DeleteCustomerGateway",
                        "AttachInternetGateway",
                        "CreateInternetGateway",
                        "DeleteInternetGateway",
                        "DetachInternetGateway",
                        "CreateRoute",
                        "CreateRouteTable",
                        "ReplaceRoute",
                        "ReplaceRouteTableAssociation",
                        "DeleteRouteTable",
                        "DeleteRoute",
                        "DisassociateRouteTable",
                    ],
                )
            },
            sentence: "Network change in account <account>: <who> did <event> from <ip> at <time> (<region>).",
        },
    }
}

/// The rule's name: `baseline-console-sign-in`.
fn rule_name(kind: AlertKind) -> String {
    format!("baseline-{}", kind.key().replace('_', "-"))
}

fn regions(arrives: &Arrives, scope: &Scope) -> Vec<String> {
    let mut regions = match arrives {
        Arrives::Global => vec!["us-east-1".to_owned()],
        Arrives::EveryRegion => scope.regions.clone(),
        Arrives::EveryRegionAndGlobal => {
            let mut all = scope.regions.clone();
            all.push("us-east-1".to_owned());
            all
        }
    };
    if !regions.contains(&scope.home_region) {
        // The home rule receives what other regions forward.
        regions.push(scope.home_region.clone());
    }
    regions.sort();
    regions.dedup();
    regions
}

/// What EventBridge puts in the e-mail.
fn transformer(alert: &Alert) -> Value {
    json!({
        "paths": {
            "account": "$.account",
            "region": "$.region",
            "time": "$.time",
            "who": "$.detail.userIdentity.arn",
            "event": "$.detail.eventName",
            "ip": "$.detail.sourceIPAddress",
            "result": "$.detail.responseElements.ConsoleLogin",
        },
        "template": format!("\"[baseline] {}\"", alert.sentence),
    })
}

/// The role the rules outside the home region forward events with: only baseline's own
/// rules of this account may use it.
fn forward_role(scope: &Scope) -> Desired {
    let rules = scope.arn_in("events", "*", &scope.account_id, "rule/baseline-*");
    let trust = crate::iam::role::service_trust("events.amazonaws.com", scope, Some(&rules));
    let forward = policy::normalize(&json!({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "ForwardToHomeRegion", "Effect": "Allow",
                       "Action": "events:PutEvents",
                       "Resource": home_bus(scope)}]
    }));
    Desired::new(
        ResourceAddr::named("iam_role", FORWARD_ROLE),
        json!({"trust": trust, "managed_policies": [],
               "inline_policies": {"forward-alert-events": forward}}),
    )
}

fn home_bus(scope: &Scope) -> String {
    scope.arn("events", &scope.home_region, "event-bus/default")
}

fn desired_rules(kind: AlertKind, topic_name: &str, scope: &Scope) -> Vec<Desired> {
    let alert = alert(kind);
    let name = rule_name(kind);
    regions(&alert.arrives, scope)
        .into_iter()
        .map(|region| {
            let address = ResourceAddr::named(KIND, &name).in_region(&region);
            let (target, depends_on) = if region == scope.home_region {
                (
                    json!({
                        "arn": topic::arn(topic_name, scope),
                        "input_transformer": transformer(&alert),
                    }),
                    topic::address(topic_name, scope),
                )
            } else {
                (
                    json!({
                        "arn": home_bus(scope),
                        "role_arn": scope.arn("iam", "", &format!("role/{FORWARD_ROLE}")),
                    }),
                    ResourceAddr::named("iam_role", FORWARD_ROLE),
                )
            };
            let description = if region == scope.home_region {
                format!("baseline alert: {}", alert.description)
            } else {
                format!(
                    "baseline alert: {} (forwarded to {})",
                    alert.description, scope.home_region
                )
            };
            Desired::new(
                address,
                json!({
                    "description": description,
                    "pattern": (alert.pattern)(),
                    "enabled": true,
                    "target": target,
                }),
            )
            .after([depends_on])
            .cis(alert.cis)
        })
        .collect()
}

impl LegacyKind for Rule {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(alerts) = &spec.alerts else {
            return Vec::new();
        };
        let mut out: Vec<Desired> = alerts
            .events
            .iter()
            .flat_map(|(kind, topic)| desired_rules(*kind, topic.value.as_str(), scope))
            .collect();
        let forwards = out
            .iter()
            .any(|d| d.address.region.as_deref() != Some(scope.home_region.as_str()));
        if forwards {
            out.push(forward_role(scope));
        }
        out
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(read(ctx, address))
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(apply(ctx, change))
    }
}

async fn read(ctx: &AwsContext, address: &ResourceAddr) -> Result<Option<Value>, ProviderError> {
    let events = ctx.events(region_of(address));
    let name = name_of(address);
    let rule = match events.describe_rule().name(name).send().await {
        Ok(rule) => rule,
        Err(err) if has_code(&err, &["ResourceNotFoundException"]) => return Ok(None),
        Err(err) => return Err(sdk_error(address, "events:DescribeRule", &err)),
    };
    let pattern = rule
        .event_pattern()
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
        .unwrap_or(Value::Null);
    let targets = call!(
        address,
        "events:ListTargetsByRule",
        events.list_targets_by_rule().rule(name).send()
    )?;
    let targets: Vec<Value> = targets
        .targets()
        .iter()
        .map(|t| {
            let mut target = json!({"arn": t.arn()});
            if let Some(role) = t.role_arn() {
                target["role_arn"] = json!(role);
            }
            if let Some(transformer) = t.input_transformer() {
                target["input_transformer"] = json!({
                    "paths": transformer.input_paths_map(),
                    "template": transformer.input_template(),
                });
            }
            if t.id() != TARGET_ID {
                target["id"] = json!(t.id());
            }
            target
        })
        .collect();
    let target = match targets.as_slice() {
        [] => Value::Null,
        [one] => one.clone(),
        _ => Value::Array(targets),
    };
    Ok(Some(json!({
        "description": rule.description().unwrap_or_default(),
        "pattern": pattern,
        "enabled": rule.state() == Some(&RuleState::Enabled),
        "target": target,
    })))
}

fn sdk_target(address: &ResourceAddr, target: &Value) -> Result<Target, ProviderError> {
    let mut builder = Target::builder()
        .id(TARGET_ID)
        .arn(target["arn"].as_str().unwrap_or_default())
        .set_role_arn(target["role_arn"].as_str().map(str::to_owned));
    if let Some(transformer) = target.get("input_transformer") {
        let paths = transformer["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect();
        builder = builder.input_transformer(
            InputTransformer::builder()
                .set_input_paths_map(Some(paths))
                .input_template(transformer["template"].as_str().unwrap_or_default())
                .build()
                .map_err(|e| build_error(address, e))?,
        );
    }
    builder.build().map_err(|e| build_error(address, e))
}

/// The ids of targets on the rule other than baseline's own.
fn other_target_ids(before: Option<&Value>) -> Vec<String> {
    let target = before.map_or(&Value::Null, |b| &b["target"]);
    let all: Vec<&Value> = match target {
        Value::Array(list) => list.iter().collect(),
        Value::Null => Vec::new(),
        one => vec![one],
    };
    all.into_iter()
        .filter_map(|t| t.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

async fn apply(ctx: &AwsContext, change: &ResourceChange) -> Result<(), ProviderError> {
    let address = &change.address;
    let events = ctx.events(region_of(address));
    let name = name_of(address);
    if change.action == Action::Delete {
        let ids = other_target_ids(change.before.as_ref());
        let ids = ids.into_iter().chain([TARGET_ID.to_owned()]);
        // Removing an id that is not there is not an error.
        call!(
            address,
            "events:RemoveTargets",
            events
                .remove_targets()
                .rule(name)
                .set_ids(Some(ids.collect()))
                .send()
        )?;
        call!(
            address,
            "events:DeleteRule",
            events.delete_rule().name(name).send()
        )?;
        return Ok(());
    }
    let Some(after) = &change.after else {
        return Ok(());
    };
    let state = if after["enabled"] == json!(false) {
        RuleState::Disabled
    } else {
        RuleState::Enabled
    };
    call!(
        address,
        "events:PutRule",
        events
            .put_rule()
            .name(name)
            .event_pattern(after["pattern"].to_string())
            .description(after["description"].as_str().unwrap_or_default())
            .state(state)
            .send()
    )?;
    let stale = other_target_ids(change.before.as_ref());
    if !stale.is_empty() {
        call!(
            address,
            "events:RemoveTargets",
            events
                .remove_targets()
                .rule(name)
                .set_ids(Some(stale))
                .send()
        )?;
    }
    let out = call!(
        address,
        "events:PutTargets",
        events
            .put_targets()
            .rule(name)
            .targets(sdk_target(address, &after["target"])?)
            .send()
    )?;
    if out.failed_entry_count() > 0 {
        let reason = out
            .failed_entries()
            .iter()
            .filter_map(|e| e.error_message())
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ProviderError {
            address: address.clone(),
            operation: "events:PutTargets".to_owned(),
            code: None,
            message: format!("EventBridge refused the target: {reason}"),
            hint: None,
        });
    }
    Ok(())
}
