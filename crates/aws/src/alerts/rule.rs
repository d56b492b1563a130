//! `alerts.events`: one EventBridge rule per alert in every region where its events arrive.
//! In the home region the rule sends a readable e-mail through the topic (an input
//! transformer: who, what, from where); elsewhere it forwards the event to the home region's
//! default event bus, where the home rule picks it up. One topic, one confirmation e-mail,
//! every region covered.
//!
//! What each alert watches for and where its events arrive is in [`super::catalog`].

use std::collections::BTreeMap;

use aws_sdk_eventbridge::types::{self as sdk, InputTransformer, RuleState};
use baseline_core::plan::Desired;
use baseline_core::policy;
use baseline_core::scope::Scope;
use baseline_core::spec::AlertKind;
use baseline_core::{ProviderError, ResourceAddr, Spec};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::alerts::catalog::{Alert, alert, regions};
use crate::alerts::topic;
use crate::context::AwsContext;
use crate::error::{build_error, call, found};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare, name_of, region_of};

pub(crate) struct Rule;

const KIND: &str = "events_rule";

/// The role EventBridge assumes to forward events to the home region.
pub(crate) const FORWARD_ROLE: &str = baseline_core::spec::EVENTS_FORWARD_ROLE;

/// The id of the one target of every baseline rule.
const TARGET_ID: &str = "baseline";

/// The rule's name: `baseline-console-sign-in`.
pub(crate) fn rule_name(kind: AlertKind) -> String {
    format!("baseline-{}", kind.key().replace('_', "-"))
}

/// The rules of the address's region whose names start with `baseline-` (every rule baseline
/// makes), read once per plan for all of them (ListRules, by pages of 100).
pub(crate) async fn baseline_rules(
    ctx: &AwsContext,
    address: &ResourceAddr,
) -> Result<std::sync::Arc<Vec<aws_sdk_eventbridge::types::Rule>>, ProviderError> {
    rules_in(ctx, address, region_of(address), Some("baseline-")).await
}

/// The rules of `region` whose names start with `prefix` (all with none), read once per
/// plan (ListRules, by pages of 100).
pub(crate) async fn rules_in(
    ctx: &AwsContext,
    address: &ResourceAddr,
    region: &str,
    prefix: Option<&str>,
) -> Result<std::sync::Arc<Vec<aws_sdk_eventbridge::types::Rule>>, ProviderError> {
    let key = format!("events:ListRules {region} {}", prefix.unwrap_or_default());
    ctx.shared(address, key, || async {
        let events = ctx.events(region);
        let mut rules = Vec::new();
        let mut token = None;
        loop {
            let page = call!(
                address,
                "events:ListRules",
                events
                    .list_rules()
                    .set_name_prefix(prefix.map(str::to_owned))
                    .set_next_token(token.clone())
                    .send()
            )?;
            rules.extend(page.rules().iter().cloned());
            match page.next_token() {
                Some(next) => token = Some(next.to_owned()),
                None => return Ok(rules),
            }
        }
    })
    .await
}

/// The rule as baseline sees it.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    /// Empty when the rule has none.
    description: String,
    /// The event pattern, free JSON; null when the rule has none.
    pattern: Value,
    enabled: bool,
    /// baseline's one target; null when the rule has no target, a list when it has
    /// several.
    target: Option<Targets>,
}

/// A rule's targets as read: one (the shape baseline writes), or several.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum Targets {
    Several(Vec<Target>),
    One(Target),
}

/// Where the rule sends what matches: the topic (with an e-mail text made by an input
/// transformer), or the home region's event bus (with the role that may put events there).
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, Deserialize)]
struct Target {
    arn: String,
    role_arn: Option<String>,
    input_transformer: Option<Transformer>,
    /// The target's id; absent for baseline's own ([`TARGET_ID`]).
    id: Option<String>,
}

/// An input transformer: the values EventBridge picks from the event, and the text they
/// are put in.
#[derive(Debug, Serialize, Deserialize)]
struct Transformer {
    /// Null when the transformer picks nothing.
    paths: Option<BTreeMap<String, String>>,
    template: String,
}

impl Targets {
    fn all(&self) -> Vec<&Target> {
        match self {
            Self::Several(list) => list.iter().collect(),
            Self::One(one) => vec![one],
        }
    }
}

/// What EventBridge puts in the e-mail.
fn transformer(alert: &Alert) -> Transformer {
    let paths = [
        ("account", "$.account"),
        ("region", "$.region"),
        ("time", "$.time"),
        ("who", "$.detail.userIdentity.arn"),
        ("event", "$.detail.eventName"),
        ("ip", "$.detail.sourceIPAddress"),
        ("result", "$.detail.responseElements.ConsoleLogin"),
    ];
    Transformer {
        paths: Some(
            paths
                .iter()
                .map(|(name, path)| ((*name).to_owned(), (*path).to_owned()))
                .collect(),
        ),
        template: format!("\"[baseline] {}\"", alert.sentence),
    }
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
    crate::iam::role::service_role(
        FORWARD_ROLE,
        trust,
        Vec::new(),
        &[("forward-alert-events", forward)],
    )
}

fn home_bus(scope: &Scope) -> String {
    scope.arn("events", &scope.home_region, "event-bus/default")
}

/// The rules of alert `kind` in every region its events arrive in; in the home region, the
/// rule `adopt` names when the file adopts one.
fn desired_rules(
    kind: AlertKind,
    topic_name: &str,
    adopt: Option<&str>,
    scope: &Scope,
) -> Vec<Desired> {
    let alert = alert(kind);
    let own = rule_name(kind);
    regions(&alert.arrives, scope)
        .into_iter()
        .map(|region| {
            let home = region == scope.home_region;
            let name = adopt.filter(|_| home).unwrap_or(&own);
            let address = ResourceAddr::named(KIND, name).in_region(&region);
            let (target, depends_on) = if home {
                (
                    Target {
                        arn: topic::arn(topic_name, scope),
                        role_arn: None,
                        input_transformer: Some(transformer(&alert)),
                        id: None,
                    },
                    topic::address(topic_name, scope),
                )
            } else {
                (
                    Target {
                        arn: home_bus(scope),
                        role_arn: Some(scope.arn("iam", "", &format!("role/{FORWARD_ROLE}"))),
                        input_transformer: None,
                        id: None,
                    },
                    ResourceAddr::named("iam_role", FORWARD_ROLE),
                )
            };
            let description = if home {
                format!("baseline alert: {}", alert.description)
            } else {
                format!(
                    "baseline alert: {} (forwarded to {})",
                    alert.description, scope.home_region
                )
            };
            let state = State {
                description,
                pattern: (alert.pattern)(),
                enabled: true,
                target: Some(Targets::One(target)),
            };
            declare(address, &state).after([depends_on]).cis(alert.cis)
        })
        .collect()
}

impl Kind for Rule {
    type State = State;
    const KIND: &'static str = KIND;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(alerts) = &spec.alerts else {
            return Vec::new();
        };
        let mut out: Vec<Desired> = alerts
            .events
            .iter()
            .flat_map(|(kind, topic)| {
                let adopt = alerts.adopt.get(kind).map(|r| r.value.as_str());
                desired_rules(*kind, topic.value.as_str(), adopt, scope)
            })
            .collect();
        let forwards = out
            .iter()
            .any(|d| d.address.region.as_deref() != Some(scope.home_region.as_str()));
        if forwards {
            out.push(forward_role(scope));
        }
        out
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let address = read.address;
        let events = ctx.events(region_of(address));
        let name = name_of(address);
        // Every baseline rule of the region from one ListRules, shared by the rules' reads;
        // an adopted rule has a name of its own and is described alone.
        let (description, pattern, state) = if name.starts_with("baseline-") {
            let rules = baseline_rules(ctx, address).await?;
            let Some(rule) = rules.iter().find(|r| r.name() == Some(name)) else {
                return Ok(None);
            };
            (
                rule.description().map(str::to_owned),
                rule.event_pattern().map(str::to_owned),
                rule.state().cloned(),
            )
        } else {
            let answer = events.describe_rule().name(name).send().await;
            let missing = &["ResourceNotFoundException"];
            let Some(rule) = found(address, "events:DescribeRule", missing, answer)? else {
                return Ok(None);
            };
            (rule.description, rule.event_pattern, rule.state)
        };
        let pattern = pattern
            .and_then(|p| serde_json::from_str::<Value>(&p).ok())
            .unwrap_or(Value::Null);
        let targets = call!(
            address,
            "events:ListTargetsByRule",
            events.list_targets_by_rule().rule(name).send()
        )?;
        let mut targets: Vec<Target> = targets.targets().iter().map(Target::of).collect();
        let target = match targets.len() {
            0 => None,
            1 => targets.pop().map(Targets::One),
            _ => Some(Targets::Several(targets)),
        };
        Ok(Some(State {
            description: description.unwrap_or_default(),
            pattern,
            enabled: state == Some(RuleState::Enabled),
            target,
        }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        put(ctx, &change.address, None, after).await
    }

    async fn update(&self, ctx: &AwsContext, change: &Change, old: &State, new: &State) -> Done {
        put(ctx, &change.address, Some(old), new).await
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, before: &State) -> Done {
        let address = &change.address;
        let ids = other_target_ids(Some(before));
        // Removing an id that is not there is not an error.
        remove_targets(ctx, address, ids.into_iter().chain([TARGET_ID.to_owned()])).await?;
        call!(
            address,
            "events:DeleteRule",
            ctx.events(region_of(address))
                .delete_rule()
                .name(name_of(address))
                .send()
        )?;
        Ok(())
    }
}

impl Target {
    fn of(target: &sdk::Target) -> Self {
        Self {
            arn: target.arn().to_owned(),
            role_arn: target.role_arn().map(str::to_owned),
            input_transformer: target.input_transformer().map(|t| Transformer {
                paths: t
                    .input_paths_map()
                    .map(|paths| paths.clone().into_iter().collect()),
                template: t.input_template().to_owned(),
            }),
            id: (target.id() != TARGET_ID).then(|| target.id().to_owned()),
        }
    }

    /// baseline's target as EventBridge takes it, always with baseline's id.
    fn sdk(&self, address: &ResourceAddr) -> Result<sdk::Target, ProviderError> {
        let mut builder = sdk::Target::builder()
            .id(TARGET_ID)
            .arn(&self.arn)
            .set_role_arn(self.role_arn.clone());
        if let Some(transformer) = &self.input_transformer {
            // No paths: the transformer picks nothing.
            let paths = transformer.paths.iter().flatten();
            builder = builder.input_transformer(
                InputTransformer::builder()
                    .set_input_paths_map(Some(paths.map(|(k, v)| (k.clone(), v.clone())).collect()))
                    .input_template(&transformer.template)
                    .build()
                    .map_err(|e| build_error(address, e))?,
            );
        }
        builder.build().map_err(|e| build_error(address, e))
    }
}

/// The ids of targets on the rule other than baseline's own.
fn other_target_ids(before: Option<&State>) -> Vec<String> {
    before
        .and_then(|b| b.target.as_ref())
        .map(Targets::all)
        .into_iter()
        .flatten()
        .filter_map(|t| t.id.clone())
        .collect()
}

/// Takes the targets `ids` off the rule.
async fn remove_targets(
    ctx: &AwsContext,
    address: &ResourceAddr,
    ids: impl IntoIterator<Item = String>,
) -> Done {
    call!(
        address,
        "events:RemoveTargets",
        ctx.events(region_of(address))
            .remove_targets()
            .rule(name_of(address))
            .set_ids(Some(ids.into_iter().collect()))
            .send()
    )?;
    Ok(())
}

/// Writes the rule and its one target; `before` is the live rule, when there is one.
async fn put(
    ctx: &AwsContext,
    address: &ResourceAddr,
    before: Option<&State>,
    after: &State,
) -> Done {
    let Some(Targets::One(target)) = &after.target else {
        return Err(build_error(
            address,
            "the plan's `target` is not one target: make the plan again",
        ));
    };
    let events = ctx.events(region_of(address));
    let name = name_of(address);
    let state = if after.enabled {
        RuleState::Enabled
    } else {
        RuleState::Disabled
    };
    call!(
        address,
        "events:PutRule",
        events
            .put_rule()
            .name(name)
            .event_pattern(after.pattern.to_string())
            .description(&after.description)
            .state(state)
            .send()
    )?;
    let stale = other_target_ids(before);
    if !stale.is_empty() {
        remove_targets(ctx, address, stale).await?;
    }
    let out = call!(
        address,
        "events:PutTargets",
        events
            .put_targets()
            .rule(name)
            .targets(target.sdk(address)?)
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
