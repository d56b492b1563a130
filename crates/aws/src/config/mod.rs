//! AWS Config in every selected region (CIS 3.3): the recorder, its delivery channel, the
//! recorder's status, and managed rules. An account has at most one recorder and one
//! channel per region: existing ones are adopted whatever their names.

pub(crate) mod aggregator;
pub(crate) mod channel;
pub(crate) mod recorder;
pub(crate) mod recording;
pub(crate) mod rule;

use baseline_core::Spec;
use baseline_core::scope::Scope;
use baseline_core::spec::{ConfigSpec, Ensure};

use crate::logging::logging;

/// The config section and the regions it covers.
pub(crate) fn config_regions<'a>(
    spec: &'a Spec,
    scope: &Scope,
) -> Option<(&'a ConfigSpec, Vec<String>)> {
    let config = logging(spec)?.config.as_ref()?;
    Some((config, scope.select(config.regions.as_ref())))
}

pub(crate) fn present(config: &ConfigSpec) -> bool {
    config.ensure == Ensure::Present
}

/// The name a new recorder or channel gets; existing ones keep theirs.
pub(crate) const DEFAULT_NAME: &str = "default";

/// The name of the live recorder or channel, as read: AWS may leave it out (`null`).
/// Read only, never declared, so absent from the desired state.
pub(crate) type LiveName = Option<Option<String>>;

/// The name to act on: the live one's, or the default when it has none.
pub(crate) fn existing_name(name: &LiveName) -> &str {
    name.as_ref()
        .and_then(Option::as_deref)
        .unwrap_or(DEFAULT_NAME)
}
