//! `logging:` — the log bucket, CloudTrail, AWS Config and Athena over CloudTrail.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, de};
use serde_saphyr::Spanned;

use super::{Bounded, BucketName, Ensure, IamName, RegionsSpec, with_hint};

/// `logging:` — audit logs in every region: the log bucket, CloudTrail, AWS Config, and
/// Athena over CloudTrail.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LoggingSpec {
    pub bucket: Option<LogBucketSpec>,
    pub cloudtrail: Option<TrailSpec>,
    pub config: Option<ConfigSpec>,
    pub athena: Option<AthenaSpec>,
}

/// `logging.bucket`: where CloudTrail and Config deliver, in the home region.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogBucketSpec {
    pub name: BucketName,
    #[serde(default)]
    pub ensure: Ensure,
    /// `sse_s3` (default) or `kms` (the trail's key; needs `cloudtrail.kms: true`).
    #[serde(default)]
    pub encryption: BucketEncryption,
    #[serde(default)]
    pub lifecycle: Option<LifecycleSpec>,
    /// Server access logging to a second bucket (CIS 3.4 for the CloudTrail bucket).
    #[serde(default)]
    pub access_logging: Option<AccessLoggingSpec>,
    /// Delete the bucket even when it holds logs (with `ensure: absent` or `destroy`).
    #[serde(default)]
    pub force_destroy: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BucketEncryption {
    #[default]
    SseS3,
    Kms,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LifecycleSpec {
    pub transition_to_glacier_days: Option<Bounded<1, 36500>>,
    pub expire_days: Option<Bounded<1, 36500>>,
    /// Days an object is kept as a noncurrent version (once it expired, or was deleted or
    /// overwritten) before S3 removes it. Default 30 when `expire_days` is set, so expired
    /// logs do not stay billed forever in the versioned bucket; otherwise kept.
    pub noncurrent_expire_days: Option<Bounded<1, 36500>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessLoggingSpec {
    pub bucket: BucketName,
    #[serde(default)]
    pub prefix: Option<String>,
    /// The access-log bucket's lifecycle. Default: the log bucket's.
    #[serde(default)]
    pub lifecycle: Option<LifecycleSpec>,
}

/// `logging.cloudtrail`: one multi-region trail, read from and kept in the home region.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrailSpec {
    pub name: IamName,
    #[serde(default)]
    pub ensure: Ensure,
    /// Every region (CIS 3.1). Default true.
    #[serde(default)]
    pub multi_region: Option<bool>,
    /// IAM, STS and other global services' events. Default true.
    #[serde(default)]
    pub global_service_events: Option<bool>,
    /// Digest files to prove logs were not changed (CIS 3.2). Default true.
    #[serde(default)]
    pub log_file_validation: Option<bool>,
    /// Encrypt with a KMS key that baseline creates, rotated yearly (CIS 3.5, 3.6).
    #[serde(default)]
    pub kms: bool,
    /// Also send events to a CloudWatch Logs group (for metric filters and alarms).
    #[serde(default)]
    pub cloudwatch_logs: Option<TrailLogsSpec>,
    /// Record S3 object-level reads and writes in every bucket (CIS 3.8, 3.9).
    #[serde(default)]
    pub s3_data_events: bool,
    /// An organization trail: it logs every account of the organization (management
    /// account only; CloudTrail's trusted access is enabled for it).
    #[serde(default)]
    pub organization: bool,
    /// Other multi-region trails that log this account (an organization trail, say) are
    /// reported in the plan, because each extra copy of management events is billed.
    /// `accepted` keeps both without the report.
    #[serde(default)]
    pub other_trails: Option<OtherTrailsSpec>,
}

/// `logging.cloudtrail.other_trails`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OtherTrailsSpec {
    /// Another trail is known and both are kept on purpose.
    Accepted,
}

impl TrailSpec {
    /// Whether the file keeps other multi-region trails on purpose.
    pub fn other_trails_accepted(&self) -> bool {
        self.other_trails == Some(OtherTrailsSpec::Accepted)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrailLogsSpec {
    /// Days to keep events; one of CloudWatch Logs' retention values.
    pub retention_days: Bounded<1, 3653>,
}

/// `logging.config`: AWS Config in every selected region (CIS 3.3).
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigSpec {
    pub ensure: Ensure,
    /// Default: `account.regions`.
    pub regions: Option<RegionsSpec>,
    /// AWS managed rules by identifier, with parameters where they take them.
    pub rules: Vec<ConfigRuleSpec>,
    /// Send configuration change notifications to this SNS topic ARN (`{account_id}`
    /// allowed). AWS Config publishes only to a topic in the channel's own region, so Config
    /// must then run in that one region; one of `alerts.topics` gets the policy statement
    /// that lets Config publish. For changes in every region, use
    /// `alerts.events.config_changes` instead.
    #[schemars(with = "Option<String>")]
    pub sns_topic_arn: Option<Spanned<String>>,
    /// A configuration aggregator: every region of this account, or (with
    /// `organization: true`, in the management account) every account of the organization.
    pub aggregator: Option<AggregatorSpec>,
}

/// `logging.config.aggregator`.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AggregatorSpec {
    pub name: IamName,
    #[serde(default)]
    pub ensure: Ensure,
    /// Aggregate the whole organization (trusted access for Config is enabled for it).
    #[serde(default)]
    pub organization: bool,
}

/// A managed rule: `ENCRYPTED_VOLUMES`, or `{ identifier: ..., parameters: {...} }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigRuleSpec {
    pub identifier: String,
    pub parameters: BTreeMap<String, String>,
}

impl<'de> Deserialize<'de> for ConfigRuleSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            identifier: String,
            #[serde(default)]
            parameters: BTreeMap<String, String>,
        }

        fn check<E: de::Error>(identifier: &str) -> Result<(), E> {
            let valid = !identifier.is_empty()
                && identifier
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
            if valid {
                Ok(())
            } else {
                Err(E::custom(with_hint(
                    format!("`{identifier}` is not an AWS managed rule identifier"),
                    "managed rule identifiers are UPPER_CASE, such as ENCRYPTED_VOLUMES",
                )))
            }
        }

        struct RuleVisitor;

        impl<'de> de::Visitor<'de> for RuleVisitor {
            type Value = ConfigRuleSpec;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a managed rule identifier, or `{ identifier, parameters }`")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<ConfigRuleSpec, E> {
                check::<E>(text)?;
                Ok(ConfigRuleSpec {
                    identifier: text.to_owned(),
                    parameters: BTreeMap::new(),
                })
            }

            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<ConfigRuleSpec, A::Error> {
                let full = Full::deserialize(de::value::MapAccessDeserializer::new(map))?;
                check::<A::Error>(&full.identifier)?;
                Ok(ConfigRuleSpec {
                    identifier: full.identifier,
                    parameters: full.parameters,
                })
            }
        }

        deserializer.deserialize_any(RuleVisitor)
    }
}

/// `logging.athena`: query CloudTrail logs with Athena (the 2022 guide).
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AthenaSpec {
    #[serde(default)]
    pub ensure: Ensure,
    pub workgroup: IamName,
    pub database: IamName,
    pub table: IamName,
    /// Where query results go; created with the log bucket's hygiene.
    pub results_bucket: BucketName,
}
