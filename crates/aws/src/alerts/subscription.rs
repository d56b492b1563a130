//! `sns_subscription.TOPIC/PROTOCOL:ENDPOINT`: a declared subscription delivers nothing
//! until its owner clicks the link AWS sends. Until then every plan lists it as pending
//! confirmation; apply never subscribes again (the topic owns the list), so no second e-mail.

use baseline_core::plan::{Desired, ManualStep};
use baseline_core::scope::Scope;
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::alerts::topic;
use crate::context::AwsContext;
use crate::kind::Live;
use crate::kind::{Kind, Read, canonical, name_of, region_of};

pub(crate) struct Subscription;

/// Where the subscription stands; only its owner can move it to `confirmed`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    status: Status,
}

#[derive(Debug, Serialize, Deserialize)]
enum Status {
    #[serde(rename = "confirmed")]
    Confirmed,
    #[serde(rename = "pending confirmation")]
    Pending,
    #[serde(rename = "not subscribed yet")]
    NotSubscribed,
}

impl Kind for Subscription {
    type State = State;
    const KIND: &'static str = "sns_subscription";

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let topics = spec.alerts.iter().flat_map(|a| &a.topics);
        let confirmed = canonical(&State {
            status: Status::Confirmed,
        });
        let mut out = Vec::new();
        for (name, spec) in topics {
            for subscription in &spec.subscriptions {
                let key = topic::subscription_key(subscription.protocol(), subscription.endpoint());
                let who = match subscription.protocol() {
                    "email" => format!("the mailbox {}", subscription.endpoint()),
                    _ => format!("the endpoint {}", subscription.endpoint()),
                };
                let step = ManualStep {
                    reason: format!(
                        "AWS sent a confirmation link to {who}; topic `{name}` delivers \
                         nothing there until someone opens it"
                    ),
                    console: format!(
                        "open the e-mail \"AWS Notification - Subscription Confirmation\" and \
                         click Confirm subscription (or: SNS → Topics → {name} → \
                         Subscriptions → Request confirmation)"
                    ),
                    verified_by: "sns:ListSubscriptionsByTopic (a confirmed subscription has \
                                  an ARN)"
                        .to_owned(),
                };
                out.push(
                    Desired::manual(
                        ResourceAddr::named(Self::KIND, &format!("{name}/{key}"))
                            .in_region(&scope.home_region),
                        confirmed.clone(),
                        step,
                    )
                    .after([topic::address(name.as_str(), scope)]),
                );
            }
        }
        out
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let address = read.address;
        // The name is `TOPIC/PROTOCOL:ENDPOINT`, as `desired` makes it.
        let (topic_name, key) = name_of(address).split_once('/').unwrap_or_default();
        let topic_arn = topic::live_arn(ctx, region_of(address), topic_name).await?;
        let found = topic::subscriptions(ctx, address, &topic_arn).await?;
        let arns: Vec<&String> = found
            .iter()
            .flatten()
            .filter(|(k, _)| k == key)
            .map(|(_, arn)| arn)
            .collect();
        let status = if arns.iter().any(|arn| arn.starts_with("arn:")) {
            Status::Confirmed
        } else if arns.is_empty() {
            Status::NotSubscribed
        } else {
            Status::Pending
        };
        Ok(Some(State { status }))
    }
}
