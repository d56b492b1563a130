//! What the logging kinds share: the names and ARNs the spec implies, so that the bucket
//! policy names the trail that the trail kind creates, and so on.

use baseline_core::Spec;
use baseline_core::scope::Scope;
use baseline_core::spec::{Bounded, Ensure, LoggingSpec};

pub(crate) fn logging(spec: &Spec) -> Option<&LoggingSpec> {
    spec.logging.as_ref()
}

/// The log bucket's name, when one is declared.
pub(crate) fn bucket_name(spec: &Spec, scope: &Scope) -> Option<String> {
    let bucket = logging(spec)?.bucket.as_ref()?;
    Some(bucket.name.0.render(scope.names(Some(&scope.home_region))))
}

/// The trail's ARN, when a trail is declared present.
pub(crate) fn trail_arn(spec: &Spec, scope: &Scope) -> Option<String> {
    let trail = logging(spec)?.cloudtrail.as_ref()?;
    (trail.ensure == Ensure::Present).then(|| {
        scope.arn(
            "cloudtrail",
            &scope.home_region,
            &format!("trail/{}", trail.name),
        )
    })
}

/// Whether AWS Config is declared present.
pub(crate) fn config_present(spec: &Spec) -> bool {
    logging(spec)
        .and_then(|l| l.config.as_ref())
        .is_some_and(|c| c.ensure == Ensure::Present)
}

/// The topic Config's delivery channels notify, with `{account_id}` filled in.
pub(crate) fn config_topic_arn(spec: &Spec, scope: &Scope) -> Option<String> {
    let config = logging(spec)?.config.as_ref()?;
    (config.ensure == Ensure::Present).then_some(())?;
    let arn = config.sns_topic_arn.as_ref()?;
    Some(arn.value.replace("{account_id}", &scope.account_id))
}

/// The alias of the trail's KMS key, when the trail asks for one.
pub(crate) fn trail_key_alias(spec: &Spec) -> Option<String> {
    let trail = logging(spec)?.cloudtrail.as_ref()?;
    (trail.kms && trail.ensure == Ensure::Present)
        .then(|| format!("alias/cloudtrail-{}", trail.name))
}

/// The alias ARN of the trail's key in the home region.
pub(crate) fn trail_key_arn(spec: &Spec, scope: &Scope) -> Option<String> {
    trail_key_alias(spec).map(|alias| scope.arn("kms", &scope.home_region, &alias))
}

/// A number of days from the spec as the `i32` AWS takes. The spec's bounds (at most a
/// hundred years) are far inside it, which the assertion checks when this is compiled.
pub(crate) fn days<const MIN: i64, const MAX: i64>(value: Bounded<MIN, MAX>) -> i32 {
    const { assert!(MIN >= i32::MIN as i64 && MAX <= i32::MAX as i64) };
    i32::try_from(value.get()).unwrap_or(i32::MAX)
}
