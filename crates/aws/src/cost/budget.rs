//! `cost.budgets.NAME`: a cost budget and its notifications (guide 000 §6, guide 002).
//! Amount, currency and period are updated in place; notifications and their subscribers
//! are matched by (actual/forecasted, percent) and changed one by one.

use aws_sdk_budgets::types::{
    Budget as SdkBudget, BudgetType, ComparisonOperator, Notification, NotificationType,
    NotificationWithSubscribers, Spend, Subscriber, SubscriptionType, ThresholdType, TimeUnit,
};
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::BudgetSpec;
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Value, json};

use crate::alerts::topic;
use crate::context::AwsContext;
use crate::error::{build_error, call, create, has_code, sdk_error};
use crate::kind::{LegacyKind, name_of};

pub(crate) struct Budget;

pub(crate) const KIND: &str = "budget";

fn desired_budget(name: &str, budget: &BudgetSpec, scope: &Scope) -> Desired {
    let mut topics = Vec::new();
    let mut notifications: Vec<Value> = budget
        .notifications
        .iter()
        .map(|n| {
            let n = &n.value;
            let mut subscribers: Vec<Value> = n
                .emails
                .iter()
                .map(|e| json!({"email": e.as_str()}))
                .collect();
            if let Some(topic) = &n.topic {
                topics.push(topic::address(topic.value.as_str(), scope));
                subscribers.push(json!({"sns": topic::arn(topic.value.as_str(), scope)}));
            }
            subscribers.sort_by_key(Value::to_string);
            json!({
                "when": n.when.api(),
                "percent": n.percent.get() as f64,
                "subscribers": subscribers,
            })
        })
        .collect();
    notifications.sort_by_key(notification_key);
    let currency = budget.currency.as_ref().map_or("USD", |c| c.as_str());
    Desired::new(
        ResourceAddr::named(KIND, name),
        json!({
            "amount": budget.amount.get(),
            "currency": currency,
            "time_unit": budget.time_unit.api(),
            "notifications": notifications,
        }),
    )
    .after(topics)
}

/// Notifications are matched by what triggers them.
fn notification_key(notification: &Value) -> String {
    format!(
        "{}:{}",
        notification["when"].as_str().unwrap_or_default(),
        notification["percent"]
    )
}

impl LegacyKind for Budget {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        spec.cost
            .iter()
            .flat_map(|c| &c.budgets)
            .map(|(name, budget)| desired_budget(name.as_str(), budget, scope))
            .collect()
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
    let account = ctx.account_id().await?;
    let budgets = ctx.budgets();
    let name = name_of(address);
    let out = match budgets
        .describe_budget()
        .account_id(account)
        .budget_name(name)
        .send()
        .await
    {
        Ok(out) => out,
        Err(err) if has_code(&err, &["NotFoundException"]) => return Ok(None),
        Err(err) => return Err(sdk_error(address, "budgets:DescribeBudget", &err)),
    };
    let Some(budget) = out.budget() else {
        return Ok(None);
    };
    let limit = budget.budget_limit();
    let amount: f64 = limit
        .and_then(|l| l.amount().parse().ok())
        .unwrap_or_default();
    let listed = call!(
        address,
        "budgets:DescribeNotificationsForBudget",
        budgets
            .describe_notifications_for_budget()
            .account_id(account)
            .budget_name(name)
            .max_results(100)
            .send()
    )?;
    let mut notifications = Vec::new();
    for notification in listed.notifications() {
        let subscribers = call!(
            address,
            "budgets:DescribeSubscribersForNotification",
            budgets
                .describe_subscribers_for_notification()
                .account_id(account)
                .budget_name(name)
                .notification(notification.clone())
                .max_results(100)
                .send()
        )?;
        let mut subscribers: Vec<Value> = subscribers
            .subscribers()
            .iter()
            .map(|s| match s.subscription_type() {
                SubscriptionType::Sns => json!({"sns": s.address()}),
                _ => json!({"email": s.address()}),
            })
            .collect();
        subscribers.sort_by_key(Value::to_string);
        let mut entry = json!({
            "when": notification.notification_type().as_str(),
            "percent": notification.threshold(),
            "subscribers": subscribers,
        });
        // Only "more than N percent" is baseline's; anything else shows as it is, and is
        // replaced by what the file declares.
        let threshold_type = notification
            .threshold_type()
            .unwrap_or(&ThresholdType::Percentage);
        let comparison = notification.comparison_operator();
        if threshold_type != &ThresholdType::Percentage
            || comparison != &ComparisonOperator::GreaterThan
        {
            entry["comparison"] = json!(comparison.as_str());
            entry["threshold_type"] = json!(threshold_type.as_str());
        }
        notifications.push(entry);
    }
    notifications.sort_by_key(notification_key);
    Ok(Some(json!({
        "amount": amount,
        "currency": limit.map(Spend::unit),
        "time_unit": budget.time_unit().as_str(),
        "notifications": notifications,
    })))
}

fn spend(address: &ResourceAddr, state: &Value) -> Result<Spend, ProviderError> {
    let amount = state["amount"].as_f64().unwrap_or_default();
    Spend::builder()
        .amount(format!("{amount:.2}"))
        .unit(state["currency"].as_str().unwrap_or("USD"))
        .build()
        .map_err(|e| build_error(address, e))
}

fn sdk_budget(address: &ResourceAddr, state: &Value) -> Result<SdkBudget, ProviderError> {
    SdkBudget::builder()
        .budget_name(name_of(address))
        .budget_limit(spend(address, state)?)
        .time_unit(TimeUnit::from(
            state["time_unit"].as_str().unwrap_or("MONTHLY"),
        ))
        .budget_type(BudgetType::Cost)
        .build()
        .map_err(|e| build_error(address, e))
}

fn sdk_notification(address: &ResourceAddr, n: &Value) -> Result<Notification, ProviderError> {
    Notification::builder()
        .notification_type(NotificationType::from(
            n["when"].as_str().unwrap_or("ACTUAL"),
        ))
        .comparison_operator(ComparisonOperator::from(
            n["comparison"].as_str().unwrap_or("GREATER_THAN"),
        ))
        .threshold(n["percent"].as_f64().unwrap_or_default())
        .threshold_type(ThresholdType::from(
            n["threshold_type"].as_str().unwrap_or("PERCENTAGE"),
        ))
        .build()
        .map_err(|e| build_error(address, e))
}

fn sdk_subscribers(address: &ResourceAddr, n: &Value) -> Result<Vec<Subscriber>, ProviderError> {
    n["subscribers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| sdk_subscriber(address, s))
        .collect()
}

fn sdk_subscriber(address: &ResourceAddr, s: &Value) -> Result<Subscriber, ProviderError> {
    let (kind, target) = match (s.get("sns"), s.get("email")) {
        (Some(arn), _) => (SubscriptionType::Sns, arn),
        (None, email) => (SubscriptionType::Email, email.unwrap_or(&Value::Null)),
    };
    Subscriber::builder()
        .subscription_type(kind)
        .address(target.as_str().unwrap_or_default())
        .build()
        .map_err(|e| build_error(address, e))
}

fn notifications(state: Option<&Value>) -> Vec<Value> {
    state
        .and_then(|s| s["notifications"].as_array())
        .cloned()
        .unwrap_or_default()
}

async fn apply(ctx: &AwsContext, change: &ResourceChange) -> Result<(), ProviderError> {
    let address = &change.address;
    let account = ctx.account_id().await?;
    let budgets = ctx.budgets();
    let name = name_of(address);
    let after = change.after.as_ref().unwrap_or(&Value::Null);
    match change.action {
        Action::Create => {
            let mut with = Vec::new();
            for n in notifications(Some(after)) {
                with.push(
                    NotificationWithSubscribers::builder()
                        .notification(sdk_notification(address, &n)?)
                        .set_subscribers(Some(sdk_subscribers(address, &n)?))
                        .build()
                        .map_err(|e| build_error(address, e))?,
                );
            }
            create!(
                address,
                "budgets:CreateBudget",
                &["DuplicateRecordException"],
                budgets
                    .create_budget()
                    .account_id(account)
                    .budget(sdk_budget(address, after)?)
                    .set_notifications_with_subscribers(Some(with))
                    .send()
            )?;
        }
        Action::Update => {
            let before = change.before.as_ref().unwrap_or(&Value::Null);
            let limits = ["amount", "currency", "time_unit"];
            if limits.iter().any(|k| before[k] != after[k]) {
                call!(
                    address,
                    "budgets:UpdateBudget",
                    budgets
                        .update_budget()
                        .account_id(account)
                        .new_budget(sdk_budget(address, after)?)
                        .send()
                )?;
            }
            update_notifications(ctx, address, account, before, after).await?;
        }
        Action::Delete => {
            call!(
                address,
                "budgets:DeleteBudget",
                budgets
                    .delete_budget()
                    .account_id(account)
                    .budget_name(name)
                    .send()
            )?;
        }
        Action::NoOp | Action::Manual => {}
    }
    Ok(())
}

/// Removes notifications no longer declared, adds new ones, and brings the subscribers of
/// the others in line.
async fn update_notifications(
    ctx: &AwsContext,
    address: &ResourceAddr,
    account: &str,
    before: &Value,
    after: &Value,
) -> Result<(), ProviderError> {
    let budgets = ctx.budgets();
    let name = name_of(address);
    let old = notifications(Some(before));
    let new = notifications(Some(after));
    let find =
        |list: &[Value], key: &str| list.iter().find(|n| notification_key(n) == key).cloned();
    for n in &old {
        let wanted = find(&new, &notification_key(n));
        // A notification baseline does not own the shape of is replaced whole.
        if wanted.is_some() && n.get("comparison").is_none() {
            continue;
        }
        call!(
            address,
            "budgets:DeleteNotification",
            budgets
                .delete_notification()
                .account_id(account)
                .budget_name(name)
                .notification(sdk_notification(address, n)?)
                .send()
        )?;
    }
    for n in &new {
        let existing = find(&old, &notification_key(n)).filter(|o| o.get("comparison").is_none());
        let Some(existing) = existing else {
            create!(
                address,
                "budgets:CreateNotification",
                &["DuplicateRecordException"],
                budgets
                    .create_notification()
                    .account_id(account)
                    .budget_name(name)
                    .notification(sdk_notification(address, n)?)
                    .set_subscribers(Some(sdk_subscribers(address, n)?))
                    .send()
            )?;
            continue;
        };
        let have = existing["subscribers"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let want = n["subscribers"].as_array().cloned().unwrap_or_default();
        for s in want.iter().filter(|s| !have.contains(s)) {
            create!(
                address,
                "budgets:CreateSubscriber",
                &["DuplicateRecordException"],
                budgets
                    .create_subscriber()
                    .account_id(account)
                    .budget_name(name)
                    .notification(sdk_notification(address, n)?)
                    .subscriber(sdk_subscriber(address, s)?)
                    .send()
            )?;
        }
        for s in have.iter().filter(|s| !want.contains(s)) {
            call!(
                address,
                "budgets:DeleteSubscriber",
                budgets
                    .delete_subscriber()
                    .account_id(account)
                    .budget_name(name)
                    .notification(sdk_notification(address, n)?)
                    .subscriber(sdk_subscriber(address, s)?)
                    .send()
            )?;
        }
    }
    Ok(())
}
