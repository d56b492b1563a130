//! `alerts:` and `cost:` as the account has them: baseline's EventBridge rules and the
//! topics they feed, budgets, and the billing steps.

use std::collections::BTreeSet;

use baseline_core::spec::AlertKind;
use baseline_core::{ProviderError, ResourceAddr};
use serde_json::{Value, json};

use super::yaml::Node;
use super::{Survey, number, text};
use crate::alerts::equivalents::rule_covers;
use crate::alerts::rule::{rule_name, rules_in};
use crate::cost::equivalents::all_budgets;
use crate::error::call;

pub(super) async fn alerts_and_cost(survey: &Survey) -> Result<(Node, Node), Vec<ProviderError>> {
    let home = survey.home.as_str();
    let topic_prefix = format!(
        "arn:{}:sns:{home}:{}:",
        survey.partition(),
        survey.account_id
    );
    let topic_of = |arn: &str| arn.strip_prefix(&topic_prefix).map(str::to_owned);

    // baseline's rules in the home region: which topic each alert goes to.
    let rules: Vec<ResourceAddr> = AlertKind::ALL
        .iter()
        .map(|k| ResourceAddr::named("events_rule", &rule_name(*k)).in_region(home))
        .collect();
    let live = survey.read(&rules).await?;
    let mut events = Node::map();
    let mut topics = BTreeSet::new();
    for (kind, state) in AlertKind::ALL.iter().zip(&live) {
        if let Some(topic) = state
            .as_ref()
            .and_then(|s| text(s, "/target/arn"))
            .and_then(topic_of)
        {
            events.set(kind.key(), Node::str(&topic));
            topics.insert(topic);
        }
    }

    // Rules made outside baseline that raise an alert baseline has no rule for, into a
    // topic of the home region: written with `adopt`, which the check by plan turns into
    // comments when adopting them would change them.
    let mut adopt = Node::map();
    for (kind, rule, topic) in equivalents(survey, &topic_of, &events).await? {
        events
            .set(kind.key(), Node::str(&topic))
            .note(format!("rule {rule} raises it now"));
        adopt.set(kind.key(), Node::str(&rule));
        topics.insert(topic);
    }

    let (budgets, budget_topics) = budgets(survey, &topic_of).await?;
    topics.extend(budget_topics);

    let addresses: Vec<ResourceAddr> = topics
        .iter()
        .map(|t| ResourceAddr::named("sns_topic", t).in_region(home))
        .collect();
    let live = survey.read(&addresses).await?;
    let mut topic_nodes = Node::map();
    for (name, state) in topics.iter().zip(live) {
        let Some(state) = state else { continue };
        topic_nodes.set(name, topic(&state));
    }

    let mut alerts = Node::map();
    if !topic_nodes.is_empty() {
        alerts.set("topics", topic_nodes);
    }
    if !events.is_empty() {
        alerts.set("events", events);
    }
    if !adopt.is_empty() {
        alerts.set("adopt", adopt);
    }

    let mut cost = Node::map();
    if !budgets.is_empty() {
        cost.set("budgets", budgets);
    }
    let explorer = survey
        .read_one(ResourceAddr::singleton("cost_explorer"))
        .await?;
    let entry = cost.set("cost_explorer", Node::str("required"));
    if explorer.as_ref().and_then(|s| text(s, "/status")) == Some("done") {
        entry.note("on: checked with a Cost Explorer read");
    } else {
        entry
            .note("not on yet: the root user turns it on once")
            .suggest();
    }
    cost.set("billing_access", Node::str("required"))
        .note("IAM access to billing: root only, no API can see it; `confirmed` once set")
        .suggest();
    cost.set("pdf_invoice", Node::str("required"))
        .note("invoices as PDF by e-mail: no API can see it")
        .suggest();
    Ok((alerts, cost))
}

/// The home region's rules made outside baseline that raise an alert `events` does not
/// have yet, each with the topic it sends to: (alert, rule, topic), one rule per alert.
async fn equivalents(
    survey: &Survey,
    topic_of: &dyn Fn(&str) -> Option<String>,
    events: &Node,
) -> Result<Vec<(AlertKind, String, String)>, Vec<ProviderError>> {
    let home = survey.home.as_str();
    let address = ResourceAddr::singleton("init").in_region(home);
    let rules = rules_in(&survey.ctx, &address, home, None)
        .await
        .map_err(|e| vec![e])?;
    let mut found: Vec<(AlertKind, String, String)> = Vec::new();
    for rule in rules.iter() {
        let Some(name) = rule.name().filter(|n| !n.starts_with("baseline-")) else {
            continue;
        };
        let pattern: Value = rule
            .event_pattern()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or(Value::Null);
        let Some(kind) = AlertKind::ALL.into_iter().find(|k| {
            events.get(k.key()).is_none()
                && !found.iter().any(|(f, _, _)| f == k)
                && rule_covers(*k, &pattern)
        }) else {
            continue;
        };
        let targets = call!(
            &address,
            "events:ListTargetsByRule",
            survey
                .ctx
                .events(home)
                .list_targets_by_rule()
                .rule(name)
                .send()
        )
        .map_err(|e| vec![e])?;
        if let Some(topic) = targets.targets().iter().find_map(|t| topic_of(t.arn())) {
            found.push((kind, name.to_owned(), topic));
        }
    }
    Ok(found)
}

/// A topic: its key, and who receives it (e-mail and https subscriptions).
fn topic(state: &Value) -> Node {
    let mut node = Node::map();
    if let Some(key) = text(state, "/kms_key") {
        node.set("kms_key", Node::str(key));
    }
    let subscriptions: Vec<Node> = state
        .get("subscriptions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(|s| s.split_once(':'))
        .filter(|(protocol, _)| matches!(*protocol, "email" | "https"))
        .map(|(protocol, endpoint)| {
            let mut sub = Node::map();
            sub.set(protocol, Node::str(endpoint));
            sub
        })
        .collect();
    node.set("subscriptions", Node::List(subscriptions));
    node
}

/// Every cost budget, and the topics they notify.
async fn budgets(
    survey: &Survey,
    topic_of: &dyn Fn(&str) -> Option<String>,
) -> Result<(Node, BTreeSet<String>), Vec<ProviderError>> {
    let address = ResourceAddr::singleton("init");
    let names: Vec<String> = all_budgets(&survey.ctx, &address)
        .await
        .map_err(|e| vec![e])?
        .iter()
        .filter(|b| b.budget_type().as_str() == "COST")
        .map(|b| b.budget_name().to_owned())
        .collect();
    let addresses: Vec<ResourceAddr> = names
        .iter()
        .map(|n| ResourceAddr::named("budget", n))
        .collect();
    let live = survey.read(&addresses).await?;
    let mut node = Node::map();
    let mut topics = BTreeSet::new();
    for (name, state) in names.iter().zip(live) {
        let Some(state) = state else { continue };
        let mut budget = Node::map();
        budget.set("amount", number(state.get("amount").unwrap_or(&json!(0))));
        if let Some(currency) = text(&state, "/currency").filter(|c| *c != "USD") {
            budget.set("currency", Node::str(currency));
        }
        if let Some(unit) = text(&state, "/time_unit").filter(|u| *u != "MONTHLY") {
            budget.set("time_unit", Node::str(unit.to_ascii_lowercase()));
        }
        let mut notifications = Vec::new();
        for n in state
            .get("notifications")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let mut entry = Node::map();
            entry.set(
                "when",
                Node::str(text(n, "/when").unwrap_or("ACTUAL").to_ascii_lowercase()),
            );
            entry.set("percent", number(n.get("percent").unwrap_or(&json!(100))));
            let subscribers = n
                .get("subscribers")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let emails: Vec<String> = subscribers
                .iter()
                .filter_map(|s| text(s, "/email").map(str::to_owned))
                .collect();
            if !emails.is_empty() {
                entry.set("emails", Node::strs(emails));
            }
            if let Some(topic) = subscribers
                .iter()
                .filter_map(|s| text(s, "/sns"))
                .find_map(topic_of)
            {
                entry.set("topic", Node::str(&topic));
                topics.insert(topic);
            }
            notifications.push(entry);
        }
        if !notifications.is_empty() {
            budget.set("notifications", Node::List(notifications));
        }
        node.set(name, budget);
    }
    Ok((node, topics))
}
