//! `cost.budgets.NAME`: a cost budget and its notifications (guide 000 §6, guide 002).
//! Amount, currency and period are updated in place; notifications and their subscribers
//! are matched by (actual/forecasted, percent) and changed one by one.

use aws_sdk_budgets::types::{
    self as sdk, BudgetType, ComparisonOperator, NotificationType, NotificationWithSubscribers,
    Spend, SubscriptionType, ThresholdType, TimeUnit,
};
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::BudgetSpec;
use baseline_core::{ProviderError, ResourceAddr, Spec};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::alerts::topic;
use crate::context::AwsContext;
use crate::error::{build_error, call, create, found};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, canonical, declare, name_of};

pub(crate) struct Budget;

pub(crate) const KIND: &str = "budget";

/// The budget: its limit, its period, and who is told when spending passes a percentage.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    amount: f64,
    /// The limit's currency; null when the budget has no limit.
    currency: Option<String>,
    /// Budgets' time unit, `MONTHLY` or `DAILY`.
    time_unit: String,
    /// Sorted by [`Notification::key`].
    notifications: Vec<Notification>,
}

/// One notification: "more than `percent` percent of the amount", actual or forecasted.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, Deserialize)]
struct Notification {
    /// Budgets' notification type, `ACTUAL` or `FORECASTED`.
    when: String,
    percent: f64,
    /// Sorted by their JSON text.
    subscribers: Vec<Subscriber>,
    /// Only "more than N percent" is baseline's: a notification of another shape shows its
    /// comparison and threshold type (Budgets' names), and is replaced by what the file
    /// declares.
    comparison: Option<String>,
    threshold_type: Option<String>,
}

/// `{"email": ADDRESS}` or `{"sns": TOPIC_ARN}`.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Subscriber {
    Email(String),
    Sns(String),
}

impl Notification {
    /// Notifications are matched by what triggers them: `ACTUAL:80.0`.
    fn key(&self) -> String {
        format!("{}:{}", self.when, Value::from(self.percent))
    }

    /// Whether baseline owns its shape ("more than N percent").
    fn is_baselines(&self) -> bool {
        self.comparison.is_none()
    }
}

fn sort(subscribers: &mut [Subscriber]) {
    subscribers.sort_by_key(|s| canonical(s).to_string());
}

fn desired_budget(name: &str, budget: &BudgetSpec, scope: &Scope) -> Desired {
    let mut topics = Vec::new();
    let mut notifications: Vec<Notification> = budget
        .notifications
        .iter()
        .map(|n| {
            let n = &n.value;
            let mut subscribers: Vec<Subscriber> = n
                .emails
                .iter()
                .map(|e| Subscriber::Email(e.as_str().to_owned()))
                .collect();
            if let Some(topic) = &n.topic {
                topics.push(topic::address(topic.value.as_str(), scope));
                subscribers.push(Subscriber::Sns(topic::arn(topic.value.as_str(), scope)));
            }
            sort(&mut subscribers);
            Notification {
                when: n.when.api().to_owned(),
                percent: n.percent.get() as f64,
                subscribers,
                comparison: None,
                threshold_type: None,
            }
        })
        .collect();
    notifications.sort_by_key(Notification::key);
    let state = State {
        amount: budget.amount.get(),
        currency: Some(
            budget
                .currency
                .as_ref()
                .map_or("USD", |c| c.as_str())
                .to_owned(),
        ),
        time_unit: budget.time_unit.api().to_owned(),
        notifications,
    };
    declare(ResourceAddr::named(KIND, name), &state).after(topics)
}

impl Kind for Budget {
    type State = State;
    const KIND: &'static str = KIND;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        spec.cost
            .iter()
            .flat_map(|c| &c.budgets)
            .map(|(name, budget)| desired_budget(budget.aws_name(name), budget, scope))
            .collect()
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let address = read.address;
        let account = ctx.account_id().await?;
        let budgets = ctx.budgets();
        let name = name_of(address);
        let describe = budgets.describe_budget().account_id(account);
        let answer = describe.budget_name(name).send().await;
        let missing = &["NotFoundException"];
        let Some(out) = found(address, "budgets:DescribeBudget", missing, answer)? else {
            return Ok(None);
        };
        let Some(budget) = out.budget() else {
            return Ok(None);
        };
        let limit = budget.budget_limit();
        // A budget without a readable limit reads as 0, which no file declares.
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
            notifications.push(Notification::of(notification, subscribers.subscribers()));
        }
        notifications.sort_by_key(Notification::key);
        Ok(Some(State {
            amount,
            currency: limit.map(|l| l.unit().to_owned()),
            time_unit: budget.time_unit().as_str().to_owned(),
            notifications,
        }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        let address = &change.address;
        let account = ctx.account_id().await?;
        let mut with = Vec::new();
        for n in &after.notifications {
            with.push(
                NotificationWithSubscribers::builder()
                    .notification(n.sdk(address)?)
                    .set_subscribers(Some(n.sdk_subscribers(address)?))
                    .build()
                    .map_err(|e| build_error(address, e))?,
            );
        }
        create!(
            address,
            "budgets:CreateBudget",
            &["DuplicateRecordException"],
            ctx.budgets()
                .create_budget()
                .account_id(account)
                .budget(after.sdk(address)?)
                .set_notifications_with_subscribers(Some(with))
                .send()
        )?;
        Ok(())
    }

    async fn update(&self, ctx: &AwsContext, change: &Change, old: &State, new: &State) -> Done {
        let address = &change.address;
        let account = ctx.account_id().await?;
        let limit_changed = old.amount != new.amount
            || old.currency != new.currency
            || old.time_unit != new.time_unit;
        if limit_changed {
            call!(
                address,
                "budgets:UpdateBudget",
                ctx.budgets()
                    .update_budget()
                    .account_id(account)
                    .new_budget(new.sdk(address)?)
                    .send()
            )?;
        }
        update_notifications(ctx, address, account, old, new).await
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, _before: &State) -> Done {
        let address = &change.address;
        let account = ctx.account_id().await?;
        call!(
            address,
            "budgets:DeleteBudget",
            ctx.budgets()
                .delete_budget()
                .account_id(account)
                .budget_name(name_of(address))
                .send()
        )?;
        Ok(())
    }
}

impl State {
    fn sdk(&self, address: &ResourceAddr) -> Result<sdk::Budget, ProviderError> {
        // A limit without a currency (only read from a budget that has no limit) is in USD,
        // the file's default.
        let limit = Spend::builder()
            .amount(format!("{:.2}", self.amount))
            .unit(self.currency.as_deref().unwrap_or("USD"))
            .build()
            .map_err(|e| build_error(address, e))?;
        sdk::Budget::builder()
            .budget_name(name_of(address))
            .budget_limit(limit)
            .time_unit(TimeUnit::from(self.time_unit.as_str()))
            .budget_type(BudgetType::Cost)
            .build()
            .map_err(|e| build_error(address, e))
    }
}

impl Notification {
    fn of(notification: &sdk::Notification, subscribers: &[sdk::Subscriber]) -> Self {
        let mut subscribers: Vec<Subscriber> = subscribers
            .iter()
            .map(|s| match s.subscription_type() {
                SubscriptionType::Sns => Subscriber::Sns(s.address().to_owned()),
                _ => Subscriber::Email(s.address().to_owned()),
            })
            .collect();
        sort(&mut subscribers);
        let threshold_type = notification
            .threshold_type()
            .unwrap_or(&ThresholdType::Percentage);
        let comparison = notification.comparison_operator();
        let baselines = threshold_type == &ThresholdType::Percentage
            && comparison == &ComparisonOperator::GreaterThan;
        let (comparison, threshold_type) = if baselines {
            (None, None)
        } else {
            (
                Some(comparison.as_str().to_owned()),
                Some(threshold_type.as_str().to_owned()),
            )
        };
        Self {
            when: notification.notification_type().as_str().to_owned(),
            percent: notification.threshold(),
            subscribers,
            comparison,
            threshold_type,
        }
    }

    /// The notification as Budgets takes it; absent comparison and threshold type are
    /// baseline's "more than N percent".
    fn sdk(&self, address: &ResourceAddr) -> Result<sdk::Notification, ProviderError> {
        sdk::Notification::builder()
            .notification_type(NotificationType::from(self.when.as_str()))
            .comparison_operator(
                self.comparison
                    .as_deref()
                    .map_or(ComparisonOperator::GreaterThan, ComparisonOperator::from),
            )
            .threshold(self.percent)
            .threshold_type(
                self.threshold_type
                    .as_deref()
                    .map_or(ThresholdType::Percentage, ThresholdType::from),
            )
            .build()
            .map_err(|e| build_error(address, e))
    }

    fn sdk_subscribers(
        &self,
        address: &ResourceAddr,
    ) -> Result<Vec<sdk::Subscriber>, ProviderError> {
        self.subscribers.iter().map(|s| s.sdk(address)).collect()
    }
}

impl Subscriber {
    fn sdk(&self, address: &ResourceAddr) -> Result<sdk::Subscriber, ProviderError> {
        let (kind, target) = match self {
            Self::Sns(arn) => (SubscriptionType::Sns, arn),
            Self::Email(email) => (SubscriptionType::Email, email),
        };
        sdk::Subscriber::builder()
            .subscription_type(kind)
            .address(target)
            .build()
            .map_err(|e| build_error(address, e))
    }
}

/// The notification of `list` that `key` triggers.
fn find<'a>(list: &'a [Notification], key: &str) -> Option<&'a Notification> {
    list.iter().find(|n| n.key() == key)
}

/// Removes notifications no longer declared, adds new ones, and brings the subscribers of
/// the others in line.
async fn update_notifications(
    ctx: &AwsContext,
    address: &ResourceAddr,
    account: &str,
    before: &State,
    after: &State,
) -> Done {
    let budgets = ctx.budgets();
    let name = name_of(address);
    let (old, new) = (&before.notifications, &after.notifications);
    for n in old {
        let wanted = find(new, &n.key()).is_some();
        // A notification baseline does not own the shape of is replaced whole.
        if wanted && n.is_baselines() {
            continue;
        }
        call!(
            address,
            "budgets:DeleteNotification",
            budgets
                .delete_notification()
                .account_id(account)
                .budget_name(name)
                .notification(n.sdk(address)?)
                .send()
        )?;
    }
    for n in new {
        let Some(existing) = find(old, &n.key()).filter(|o| o.is_baselines()) else {
            create!(
                address,
                "budgets:CreateNotification",
                &["DuplicateRecordException"],
                budgets
                    .create_notification()
                    .account_id(account)
                    .budget_name(name)
                    .notification(n.sdk(address)?)
                    .set_subscribers(Some(n.sdk_subscribers(address)?))
                    .send()
            )?;
            continue;
        };
        let (have, want) = (&existing.subscribers, &n.subscribers);
        for s in want.iter().filter(|s| !have.contains(s)) {
            create!(
                address,
                "budgets:CreateSubscriber",
                &["DuplicateRecordException"],
                budgets
                    .create_subscriber()
                    .account_id(account)
                    .budget_name(name)
                    .notification(n.sdk(address)?)
                    .subscriber(s.sdk(address)?)
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
                    .notification(n.sdk(address)?)
                    .subscriber(s.sdk(address)?)
                    .send()
            )?;
        }
    }
    Ok(())
}
