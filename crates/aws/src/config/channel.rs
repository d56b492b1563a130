//! `REGION/config_delivery_channel`: delivers configuration history and snapshots to the
//! log bucket (and, optionally, notifications to an SNS topic).

use aws_sdk_config::types::DeliveryChannel;
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::config::{Named, per_region, recorder};
use crate::context::AwsContext;
use crate::error::{call, retry_while_propagating};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, region_of};
use crate::logging::{bucket_name, config_topic_arn};
use crate::s3;

pub(crate) struct Channel;

pub(crate) const KIND: &str = "config_delivery_channel";

pub(crate) fn address(region: &str) -> ResourceAddr {
    ResourceAddr::singleton(KIND).in_region(region)
}

/// Where the channel delivers. Both are `null` when there is none: no log bucket
/// declared, no topic.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Delivery {
    bucket: Option<String>,
    sns_topic_arn: Option<String>,
}

type State = Named<Delivery>;

impl Kind for Channel {
    type State = State;
    const KIND: &'static str = KIND;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let bucket = bucket_name(spec, scope);
        per_region(spec, scope, KIND, |region| {
            let mut depends_on = vec![recorder::address(region)];
            if let Some(bucket) = &bucket {
                depends_on.push(
                    ResourceAddr::named(s3::bucket::KIND, bucket).in_region(&scope.home_region),
                );
            }
            // A bucket encrypted with the trail's key: Config writes through the key,
            // whose policy must let it in first.
            if crate::kms::key::config_writes(spec)
                && let Some(alias) = crate::logging::trail_key_alias(spec)
            {
                depends_on.push(crate::kms::key::address(&alias, scope));
            }
            let delivery = Delivery {
                bucket: bucket.clone(),
                sns_topic_arn: config_topic_arn(spec, scope),
            };
            (Named::declared(delivery), depends_on)
        })
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let region = region_of(read.address);
        let out = call!(
            read.address,
            "config:DescribeDeliveryChannels",
            ctx.config(region).describe_delivery_channels().send()
        )?;
        Ok(out.delivery_channels().first().map(|c| {
            let delivery = Delivery {
                bucket: c.s3_bucket_name().map(str::to_owned),
                sns_topic_arn: c.sns_topic_arn().map(str::to_owned),
            };
            Named::read(c.name(), delivery)
        }))
    }

    /// A new channel gets the default name. The default update writes `new` this way too,
    /// and `new` carries the live name: the live channel keeps it.
    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        put(ctx, &change.address, after).await
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, before: &State) -> Done {
        let address = &change.address;
        call!(
            address,
            "config:DeleteDeliveryChannel",
            ctx.config(region_of(address))
                .delete_delivery_channel()
                .delivery_channel_name(before.existing_name())
                .send()
        )?;
        Ok(())
    }
}

/// Writes the channel as `state` says, under its name.
async fn put(ctx: &AwsContext, address: &ResourceAddr, state: &State) -> Done {
    let channel = DeliveryChannel::builder()
        .name(state.existing_name())
        .set_s3_bucket_name(state.settings.bucket.clone())
        .set_sns_topic_arn(state.settings.sns_topic_arn.clone())
        .build();
    // Config checks at the API that it may write to the bucket (and use its key); a bucket
    // or key policy written moments ago may not be seen yet.
    let put = ctx
        .config(region_of(address))
        .put_delivery_channel()
        .delivery_channel(channel);
    retry_while_propagating(
        address,
        "config:PutDeliveryChannel",
        &["InsufficientDeliveryPolicyException"],
        || put.clone().send(),
    )
    .await?;
    Ok(())
}
