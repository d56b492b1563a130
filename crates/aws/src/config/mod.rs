//! AWS Config in every selected region (CIS 3.3): the recorder, its delivery channel, the
//! recorder's status, and managed rules. An account has at most one recorder and one
//! channel per region: existing ones are adopted whatever their names.

pub(crate) mod aggregator;
pub(crate) mod channel;
pub(crate) mod recorder;
pub(crate) mod recording;
pub(crate) mod rule;

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::{ConfigSpec, Ensure};
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::kind::declare;
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

/// The region's one resource of `kind` in every region Config covers (CIS 3.3): the state
/// `each` gives for the region, after the resources it names; absent when Config is
/// `ensure: absent`.
pub(crate) fn per_region<S: Serialize>(
    spec: &Spec,
    scope: &Scope,
    kind: &str,
    each: impl Fn(&str) -> (S, Vec<ResourceAddr>),
) -> Vec<Desired> {
    let Some((config, regions)) = config_regions(spec, scope) else {
        return Vec::new();
    };
    regions
        .iter()
        .map(|region| {
            let address = ResourceAddr::singleton(kind).in_region(region);
            let (state, depends_on) = each(region);
            let desired = if present(config) {
                declare(address, &state)
            } else {
                Desired::absent(address)
            };
            desired.after(depends_on).cis(&["3.3"])
        })
        .collect()
}

/// The name a new recorder or channel gets; existing ones keep theirs.
pub(crate) const DEFAULT_NAME: &str = "default";

/// The state of the region's recorder, channel or recording: the live one's name and the
/// settings `S`. The name is read only, never declared, so absent from the desired state;
/// AWS may leave it out (`null`).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Named<S> {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "::serde_with::rust::double_option"
    )]
    name: Option<Option<String>>,
    #[serde(flatten)]
    pub settings: S,
}

impl<S> Named<S> {
    /// The state the file declares: settings only.
    pub(crate) fn declared(settings: S) -> Self {
        Self {
            name: None,
            settings,
        }
    }

    /// The state read from AWS, under the name it gave (if any).
    pub(crate) fn read(name: Option<&str>, settings: S) -> Self {
        Self {
            name: Some(name.map(str::to_owned)),
            settings,
        }
    }

    /// The name to act on: the live one's, or the default when it has none (a new one:
    /// only a read state has a name, and an update's `new` has the live one's).
    pub(crate) fn existing_name(&self) -> &str {
        self.name
            .as_ref()
            .and_then(Option::as_deref)
            .unwrap_or(DEFAULT_NAME)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(Debug, Serialize, Deserialize)]
    struct Status {
        recording: bool,
    }

    /// The name is left out when declared, `null` when AWS gave none, and a string
    /// otherwise: the JSON of the states before the settings were split off.
    #[test]
    fn a_named_state_keeps_its_json() {
        for state in [
            json!({"recording": true}),
            json!({"name": null, "recording": false}),
            json!({"name": "default", "recording": true}),
        ] {
            let named = Named::<Status>::deserialize(&state).expect("fits");
            assert_eq!(crate::kind::canonical(&named), state);
        }
        assert_eq!(
            Named::<Status>::deserialize(&json!({"name": null, "recording": true}))
                .expect("fits")
                .existing_name(),
            DEFAULT_NAME
        );
        assert!(Named::<Status>::deserialize(&json!({})).is_err());
    }
}
