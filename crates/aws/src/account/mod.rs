//! Account-wide facts: which regions are enabled, and the scope a plan covers.

pub(crate) mod contact;
pub(crate) mod region;

use baseline_core::scope::Scope;
use baseline_core::spec::RegionsSpec;
use baseline_core::{ProviderError, Spec};

use crate::context::{AwsContext, is_enabled};

/// The plan's scope: the home region, and the regions the file selects that are enabled.
/// Asks AWS for the region list only when the file names regions.
pub async fn resolve_scope(ctx: &AwsContext, spec: &Spec) -> Result<Scope, ProviderError> {
    let home = spec
        .account
        .home_region
        .as_ref()
        .map(|r| r.as_str().to_owned())
        .or_else(|| ctx.region().map(str::to_owned))
        .unwrap_or_else(|| "us-east-1".to_owned());
    let config_regions = spec
        .logging
        .as_ref()
        .and_then(|l| l.config.as_ref())
        .and_then(|c| c.regions.as_ref());
    let enabled: Vec<String> = if spec.account.regions.is_none() && config_regions.is_none() {
        vec![home.clone()]
    } else {
        ctx.region_statuses(&home)
            .await?
            .iter()
            .filter(|(_, status)| is_enabled(status))
            .map(|(name, _)| name.clone())
            .collect()
    };
    let mut scope = Scope::resolve(spec, &home, enabled);
    scope.partition = ctx.partition().to_owned();
    Ok(scope)
}

/// Whether the spec selects regions by name (then each is checked to be enabled).
pub(crate) fn declared_regions(spec: &Spec) -> Vec<String> {
    match &spec.account.regions {
        Some(RegionsSpec::List(list)) => list.iter().map(|r| r.as_str().to_owned()).collect(),
        _ => Vec::new(),
    }
}
