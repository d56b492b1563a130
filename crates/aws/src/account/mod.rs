//! Account-wide facts: which regions are enabled, and the scope a plan covers.

pub(crate) mod contact;
pub(crate) mod region;

use baseline_core::scope::Scope;
use baseline_core::spec::RegionsSpec;
use baseline_core::{ProviderError, Spec};

use crate::context::{AwsContext, is_enabled};

/// The home region: `account.home_region`, else the credentials' region, else us-east-1.
pub fn home_region(ctx: &AwsContext, spec: &Spec) -> String {
    spec.account
        .home_region
        .as_ref()
        .map(|r| r.as_str().to_owned())
        .or_else(|| ctx.region().map(str::to_owned))
        .unwrap_or_else(|| "us-east-1".to_owned())
}

/// The plan's scope: the home region, and the regions the file selects that are enabled.
/// Asks AWS for the region list only when the file names regions.
pub async fn resolve_scope(ctx: &AwsContext, spec: &Spec) -> Result<Scope, ProviderError> {
    let home = home_region(ctx, spec);
    let config_regions = spec
        .logging
        .as_ref()
        .and_then(|l| l.config.as_ref())
        .and_then(|c| c.regions.as_ref());
    let enabled: Vec<String> = if spec.account.regions.is_none() && config_regions.is_none() {
        vec![home.clone()]
    } else {
        let statuses = ctx.region_statuses(&home).await?;
        // A region AWS does not list (for this partition) is a mistake in the file, not a
        // region to opt in to: say so before anything is planned.
        let known = |region: &str| statuses.iter().any(|(name, _)| name == region);
        let named = declared_regions(spec)
            .into_iter()
            .chain(match config_regions {
                Some(RegionsSpec::List(list)) => {
                    list.iter().map(|r| r.as_str().to_owned()).collect()
                }
                _ => Vec::new(),
            });
        for region in named.chain(std::iter::once(home.clone())) {
            if !known(&region) {
                return Err(ProviderError {
                    address: baseline_core::ResourceAddr::singleton("account_region"),
                    operation: "ec2:DescribeRegions".to_owned(),
                    code: None,
                    message: format!(
                        "`{region}` is not a region of this account's partition ({})",
                        ctx.partition()
                    ),
                    hint: Some(format!(
                        "the regions AWS lists are: {}",
                        statuses
                            .iter()
                            .map(|(name, _)| name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                });
            }
        }
        statuses
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
