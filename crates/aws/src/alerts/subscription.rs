//! `sns_subscription.TOPIC/PROTOCOL:ENDPOINT`: a declared subscription delivers nothing
//! until its owner clicks the link AWS sends. Until then every plan lists it as pending
//! confirmation; apply never subscribes again (the topic owns the list), so no second e-mail.

use baseline_core::plan::{Desired, ManualStep};
use baseline_core::scope::Scope;
use baseline_core::{BoxFuture, ProviderError, ResourceAddr, Spec};
use serde_json::{Value, json};

use crate::alerts::topic;
use crate::context::AwsContext;
use crate::kind::{LegacyKind, name_of, region_of};

pub(crate) struct Subscription;

const KIND: &str = "sns_subscription";

impl LegacyKind for Subscription {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let topics = spec.alerts.iter().flat_map(|a| &a.topics);
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
                        ResourceAddr::named(KIND, &format!("{name}/{key}"))
                            .in_region(&scope.home_region),
                        json!({"status": "confirmed"}),
                        step,
                    )
                    .after([topic::address(name.as_str(), scope)]),
                );
            }
        }
        out
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
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
                "confirmed"
            } else if arns.is_empty() {
                "not subscribed yet"
            } else {
                "pending confirmation"
            };
            Ok(Some(json!({ "status": status })))
        })
    }
}
