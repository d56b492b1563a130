//! A bucket's lifecycle rules as the plan shows them: the rule the spec declares, the rules
//! S3 reports, and the rules S3 is sent. The rules are typed, so a plan whose rule does not
//! fit is refused when apply reads it; no rule is ever left out of what S3 is sent (an
//! empty list would delete the bucket's lifecycle).

use aws_sdk_s3::error::BuildError;
use aws_sdk_s3::types::{
    ExpirationStatus, LifecycleExpiration, LifecycleRule, LifecycleRuleFilter,
    NoncurrentVersionExpiration, Transition, TransitionStorageClass,
};
use baseline_core::spec::LifecycleSpec;
use serde::{Deserialize, Serialize};

use crate::logging::days;

/// The lifecycle rule baseline owns on a log bucket.
const LIFECYCLE_ID: &str = "baseline-logs";

/// Days a noncurrent version is kept when logs expire and nothing else is declared.
const NONCURRENT_DAYS: i32 = 30;

/// One rule, for every object of the bucket. Unknown fields are refused rather than
/// ignored: an ignored field would be a setting silently not sent.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rule {
    id: String,
    transition_to_glacier_days: Option<i32>,
    expire_days: Option<i32>,
    /// `true` when delete markers with no version behind them are removed; left out
    /// otherwise.
    expired_delete_markers: Option<bool>,
    noncurrent_expire_days: Option<i32>,
}

impl Rule {
    /// The rule baseline owns on a log bucket. Logs that expire become noncurrent versions
    /// in a versioned bucket: they are removed `noncurrent_expire_days` later (S3 then also
    /// removes the delete markers left with no version behind them, which it does by
    /// itself for a rule with `Days`). A rule with no expiry keeps every version and
    /// removes only delete markers with nothing behind them (`expired_delete_markers`).
    pub(crate) fn declared(lifecycle: &LifecycleSpec) -> Self {
        let expire_days = lifecycle.expire_days.map(days);
        Self {
            id: LIFECYCLE_ID.to_owned(),
            transition_to_glacier_days: lifecycle.transition_to_glacier_days.map(days),
            expire_days,
            expired_delete_markers: expire_days.is_none().then_some(true),
            noncurrent_expire_days: lifecycle
                .noncurrent_expire_days
                .map(days)
                .or(expire_days.map(|_| NONCURRENT_DAYS)),
        }
    }

    /// A rule as S3 reports it. S3 gives every rule an id (it makes one up when none was
    /// sent).
    pub(crate) fn of(rule: &LifecycleRule) -> Self {
        let expiration = rule.expiration();
        Self {
            id: rule.id().unwrap_or_default().to_owned(),
            transition_to_glacier_days: rule
                .transitions()
                .iter()
                .find(|t| t.storage_class() == Some(&TransitionStorageClass::Glacier))
                .and_then(Transition::days),
            expire_days: expiration.and_then(LifecycleExpiration::days),
            expired_delete_markers: expiration
                .and_then(LifecycleExpiration::expired_object_delete_marker)
                .filter(|marker| *marker),
            noncurrent_expire_days: rule
                .noncurrent_version_expiration()
                .and_then(NoncurrentVersionExpiration::noncurrent_days),
        }
    }

    /// The rule S3 is sent, for every object (`prefix: ""`).
    pub(crate) fn to_sdk(&self) -> Result<LifecycleRule, BuildError> {
        let mut builder = LifecycleRule::builder()
            .id(&self.id)
            .status(ExpirationStatus::Enabled)
            .filter(LifecycleRuleFilter::builder().prefix("").build());
        if let Some(days) = self.transition_to_glacier_days {
            builder = builder.transitions(
                Transition::builder()
                    .days(days)
                    .storage_class(TransitionStorageClass::Glacier)
                    .build(),
            );
        }
        if let Some(days) = self.expire_days {
            builder = builder.expiration(LifecycleExpiration::builder().days(days).build());
        } else if self.expired_delete_markers == Some(true) {
            builder = builder.expiration(
                LifecycleExpiration::builder()
                    .expired_object_delete_marker(true)
                    .build(),
            );
        }
        if let Some(days) = self.noncurrent_expire_days {
            builder = builder.noncurrent_version_expiration(
                NoncurrentVersionExpiration::builder()
                    .noncurrent_days(days)
                    .build(),
            );
        }
        builder.build()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Rule;

    /// A rule that does not fit is an error, never a rule dropped from the list (which
    /// could leave an empty list, and an empty list deletes the bucket's lifecycle).
    #[test]
    fn a_rule_that_does_not_fit_is_refused() {
        let fits =
            json!([{"id": "baseline-logs", "expire_days": 365, "noncurrent_expire_days": 30}]);
        let rules: Vec<Rule> = serde_json::from_value(fits).expect("a rule");
        assert_eq!(rules.len(), 1);
        let sent = rules[0].to_sdk().expect("a rule S3 takes");
        assert_eq!(sent.expiration().and_then(|e| e.days()), Some(365));
        for misfit in [
            json!([{"id": "baseline-logs", "expire_days": "365"}]),
            json!([{"id": "baseline-logs", "expire_days": 4_000_000_000_i64}]),
            json!([{"id": "baseline-logs", "expire_in": 365}]),
            json!([{"expire_days": 365}]),
            json!({"id": "baseline-logs"}),
        ] {
            assert!(
                serde_json::from_value::<Vec<Rule>>(misfit.clone()).is_err(),
                "{misfit}"
            );
        }
    }
}
