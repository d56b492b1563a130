//! `REGION/config_delivery_channel`: delivers configuration history and snapshots to the
//! log bucket (and, optionally, notifications to an SNS topic).

use aws_sdk_config::types::DeliveryChannel;
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Value, json};

use crate::config::{config_regions, existing_name, present, recorder};
use crate::context::AwsContext;
use crate::error::{call, retry_while_propagating, unsupported};
use crate::kind::{LegacyKind, region_of};
use crate::logging::{bucket_name, config_topic_arn};
use crate::s3;

pub(crate) struct Channel;

pub(crate) const KIND: &str = "config_delivery_channel";

pub(crate) fn address(region: &str) -> ResourceAddr {
    ResourceAddr::singleton(KIND).in_region(region)
}

impl LegacyKind for Channel {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some((config, regions)) = config_regions(spec, scope) else {
            return Vec::new();
        };
        let bucket = bucket_name(spec, scope);
        regions
            .iter()
            .map(|region| {
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
                Desired {
                    address: address(region),
                    ensure: config.ensure,
                    state: if present(config) {
                        json!({"bucket": bucket, "sns_topic_arn": config_topic_arn(spec, scope)})
                    } else {
                        json!({})
                    },
                    depends_on,
                    manual: None,
                    cis: vec!["3.3".to_owned()],
                    write_only: Value::Null,
                }
            })
            .collect()
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let region = region_of(address);
            let out = call!(
                address,
                "config:DescribeDeliveryChannels",
                ctx.config(region).describe_delivery_channels().send()
            )?;
            Ok(out.delivery_channels().first().map(|c| {
                json!({
                    "name": c.name(),
                    "bucket": c.s3_bucket_name(),
                    "sns_topic_arn": c.sns_topic_arn(),
                })
            }))
        })
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let address = &change.address;
            let region = region_of(address);
            let config = ctx.config(region);
            let name = existing_name(change);
            match (change.action, &change.after) {
                (Action::Create | Action::Update, Some(after)) => {
                    let channel = DeliveryChannel::builder()
                        .name(&name)
                        .set_s3_bucket_name(after["bucket"].as_str().map(str::to_owned))
                        .set_sns_topic_arn(after["sns_topic_arn"].as_str().map(str::to_owned))
                        .build();
                    // Config checks at the API that it may write to the bucket (and use its
                    // key); a bucket or key policy written moments ago may not be seen yet.
                    let put = config.put_delivery_channel().delivery_channel(channel);
                    retry_while_propagating(
                        address,
                        "config:PutDeliveryChannel",
                        &["InsufficientDeliveryPolicyException"],
                        || put.clone().send(),
                    )
                    .await?;
                    Ok(())
                }
                (Action::Delete, _) => {
                    call!(
                        address,
                        "config:DeleteDeliveryChannel",
                        config
                            .delete_delivery_channel()
                            .delivery_channel_name(&name)
                            .send()
                    )?;
                    Ok(())
                }
                (action, _) => Err(unsupported(address, &format!("{action:?}"))),
            }
        })
    }
}
