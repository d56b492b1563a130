//! `alerts.topics.NAME`: an SNS topic in the home region. Its policy is baseline's: the
//! account may manage it, and only EventBridge and Budgets, on this account's behalf, may
//! publish. Its subscriptions are the declared list: missing ones are subscribed, others
//! unsubscribed. A subscription waiting for its owner to click the link is listed, so it is
//! never subscribed twice; `sns_subscription` reports it as pending confirmation.

use baseline_core::plan::{Desired, Grant, Grants};
use baseline_core::scope::Scope;
use baseline_core::spec::TopicSpec;
use baseline_core::{ProviderError, ResourceAddr, Spec, policy};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::{call, found};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare, name_of, region_of};
use crate::logging::config_topic_arn;

pub(crate) struct Topic;

/// The topic as baseline sees it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    /// The topic policy, normalised; null when the topic has none.
    policy: Value,
    /// `protocol:endpoint` of every subscription, sorted, confirmed or not.
    subscriptions: Vec<String>,
    /// The KMS key that encrypts the topic: absent when the file leaves it out, null when
    /// the topic is not encrypted.
    #[serde(default, with = "::serde_with::rust::double_option")]
    kms_key: Option<Option<String>>,
}

impl State {
    /// The key, when there is one.
    fn key(&self) -> Option<&str> {
        self.kms_key.as_ref().and_then(Option::as_deref)
    }
}

pub(crate) const KIND: &str = "sns_topic";

/// SNS's answer when the topic is not there.
const NOT_FOUND: &[&str] = &["NotFound"];

/// The topic's address: topics live in the home region.
pub(crate) fn address(name: &str, scope: &Scope) -> ResourceAddr {
    ResourceAddr::named(KIND, name).in_region(&scope.home_region)
}

pub(crate) fn arn(name: &str, scope: &Scope) -> String {
    scope.arn("sns", &scope.home_region, name)
}

/// The account manages the topic; EventBridge and Budgets publish to it for this account,
/// and AWS Config when the file names the topic as Config's (`config_publishes`).
fn topic_policy(topic_arn: &str, scope: &Scope, config_publishes: bool) -> Value {
    let account_id = &scope.account_id;
    let publish = |sid: &str, service: &str| {
        json!({
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        })
    };
    let mut statements = vec![
        json!({
            "Sid": "AccountManages",
            "Effect": "Allow",
            "Principal": {"AWS": scope.arn("iam", "", "root")},
            "Action": [
                "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:AddPermission",
                "sns:RemovePermission", "sns:DeleteTopic", "sns:Subscribe",
                "sns:ListSubscriptionsByTopic", "sns:Publish",
            ],
            "Resource": topic_arn,
        }),
        publish("EventBridgePublishes", "events.amazonaws.com"),
        publish("BudgetsPublishes", "budgets.amazonaws.com"),
    ];
    if config_publishes {
        statements.push(publish("ConfigPublishes", "config.amazonaws.com"));
    }
    policy::normalize(&json!({"Version": "2012-10-17", "Statement": statements}))
}

/// `protocol:endpoint`, how subscriptions are listed in the state.
pub(crate) fn subscription_key(protocol: &str, endpoint: &str) -> String {
    format!("{protocol}:{endpoint}")
}

fn desired_topic(name: &str, topic: &TopicSpec, spec: &Spec, scope: &Scope) -> Desired {
    let topic_arn = arn(name, scope);
    let config_publishes = config_topic_arn(spec, scope).as_deref() == Some(topic_arn.as_str());
    let mut subscriptions: Vec<String> = topic
        .subscriptions
        .iter()
        .map(|s| subscription_key(s.protocol(), s.endpoint()))
        .collect();
    subscriptions.sort();
    subscriptions.dedup();
    let state = State {
        policy: topic_policy(&topic_arn, scope, config_publishes),
        subscriptions,
        kms_key: topic
            .kms_key
            .as_ref()
            .map(|key| Some(key.as_str().to_owned())),
    };
    declare(address(name, scope), &state)
}

impl Kind for Topic {
    type State = State;
    const KIND: &'static str = KIND;
    const GRANTS: Grants = &[("policy", Grant::ResourcePolicy)];

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        spec.alerts
            .iter()
            .flat_map(|a| &a.topics)
            .map(|(name, topic)| desired_topic(name.as_str(), topic, spec, scope))
            .collect()
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let address = read.address;
        let (sns, topic_arn) = topic_at(ctx, address).await?;
        let answer = sns
            .get_topic_attributes()
            .topic_arn(&topic_arn)
            .send()
            .await;
        let Some(attributes) = found(address, "sns:GetTopicAttributes", NOT_FOUND, answer)? else {
            return Ok(None);
        };
        let attributes = attributes.attributes().cloned().unwrap_or_default();
        let policy = attributes
            .get("Policy")
            .and_then(|text| serde_json::from_str::<Value>(text).ok())
            .map_or(Value::Null, |p| policy::normalize(&p));
        let Some(subscriptions) = subscriptions(ctx, address, &topic_arn).await? else {
            return Ok(None);
        };
        let mut keys: Vec<String> = subscriptions.into_iter().map(|(key, _)| key).collect();
        keys.dedup();
        Ok(Some(State {
            policy,
            subscriptions: keys,
            kms_key: Some(attributes.get("KmsMasterKeyId").cloned()),
        }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        let address = &change.address;
        let (sns, topic_arn) = topic_at(ctx, address).await?;
        let mut create = sns
            .create_topic()
            .name(name_of(address))
            .attributes("Policy", policy::to_text(&after.policy));
        if let Some(key) = after.key() {
            create = create.attributes("KmsMasterKeyId", key);
        }
        call!(address, "sns:CreateTopic", create.send())?;
        // A new topic has no subscriptions yet.
        sync_subscriptions(ctx, address, &topic_arn, &after.subscriptions, &[]).await
    }

    async fn update(&self, ctx: &AwsContext, change: &Change, old: &State, new: &State) -> Done {
        let address = &change.address;
        let (sns, topic_arn) = topic_at(ctx, address).await?;
        if old.policy != new.policy {
            call!(
                address,
                "sns:SetTopicAttributes",
                sns.set_topic_attributes()
                    .topic_arn(&topic_arn)
                    .attribute_name("Policy")
                    .attribute_value(policy::to_text(&new.policy))
                    .send()
            )?;
        }
        if old.key() != new.key() && new.kms_key.is_some() {
            // Only a plan edited by hand asks for a null key; it goes as an empty
            // KmsMasterKeyId.
            call!(
                address,
                "sns:SetTopicAttributes",
                sns.set_topic_attributes()
                    .topic_arn(&topic_arn)
                    .attribute_name("KmsMasterKeyId")
                    .attribute_value(new.key().unwrap_or(""))
                    .send()
            )?;
        }
        // A topic that vanished since the plan has nothing to unsubscribe.
        let live = subscriptions(ctx, address, &topic_arn)
            .await?
            .unwrap_or_default();
        sync_subscriptions(ctx, address, &topic_arn, &new.subscriptions, &live).await
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, _before: &State) -> Done {
        let address = &change.address;
        let (sns, topic_arn) = topic_at(ctx, address).await?;
        call!(
            address,
            "sns:DeleteTopic",
            sns.delete_topic().topic_arn(&topic_arn).send()
        )?;
        Ok(())
    }
}

/// The ARN of topic `name` in `region` of the caller's account.
pub(crate) async fn live_arn(
    ctx: &AwsContext,
    region: &str,
    name: &str,
) -> Result<String, ProviderError> {
    let account = ctx.account_id().await?;
    Ok(format!(
        "arn:{}:sns:{region}:{account}:{name}",
        ctx.partition()
    ))
}

/// The SNS client of the topic's region, and the topic's ARN.
async fn topic_at(
    ctx: &AwsContext,
    address: &ResourceAddr,
) -> Result<(aws_sdk_sns::Client, String), ProviderError> {
    let region = region_of(address);
    Ok((
        ctx.sns(region),
        live_arn(ctx, region, name_of(address)).await?,
    ))
}

/// Every subscription of a topic as (protocol:endpoint, subscription ARN or
/// "PendingConfirmation"); `None` when the topic does not exist.
pub(crate) async fn subscriptions(
    ctx: &AwsContext,
    address: &ResourceAddr,
    topic_arn: &str,
) -> Result<Option<Vec<(String, String)>>, ProviderError> {
    let sns = ctx.sns(region_of(address));
    let mut all = Vec::new();
    let mut token = None;
    loop {
        let list = sns.list_subscriptions_by_topic().topic_arn(topic_arn);
        let answer = list.set_next_token(token).send().await;
        let Some(page) = found(address, "sns:ListSubscriptionsByTopic", NOT_FOUND, answer)? else {
            return Ok(None);
        };
        for s in page.subscriptions() {
            let key = subscription_key(
                s.protocol().unwrap_or_default(),
                s.endpoint().unwrap_or_default(),
            );
            all.push((key, s.subscription_arn().unwrap_or_default().to_owned()));
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    all.sort();
    Ok(Some(all))
}

/// Subscribes the `wanted` keys the topic lacks and unsubscribes the `live` ones no longer
/// wanted.
async fn sync_subscriptions(
    ctx: &AwsContext,
    address: &ResourceAddr,
    topic_arn: &str,
    wanted: &[String],
    live: &[(String, String)],
) -> Done {
    let sns = ctx.sns(region_of(address));
    for key in wanted {
        if live.iter().any(|(k, _)| k == key) {
            continue;
        }
        let (protocol, endpoint) = key.split_once(':').unwrap_or((key, ""));
        call!(
            address,
            "sns:Subscribe",
            sns.subscribe()
                .topic_arn(topic_arn)
                .protocol(protocol)
                .endpoint(endpoint)
                .send()
        )?;
    }
    for (key, subscription_arn) in live {
        if wanted.contains(key) {
            continue;
        }
        if !subscription_arn.starts_with("arn:") {
            // AWS cannot remove an unconfirmed subscription; it lapses after a few days.
            tracing::warn!("{address}: {key} was never confirmed; AWS removes it after a few days");
            continue;
        }
        call!(
            address,
            "sns:Unsubscribe",
            sns.unsubscribe().subscription_arn(subscription_arn).send()
        )?;
    }
    Ok(())
}
