//! CloudTrail: one multi-region trail, kept in the home region.

pub(crate) mod other_trails;
pub(crate) mod trail;

use aws_sdk_cloudtrail::types::Trail;
use baseline_core::{ProviderError, ResourceAddr};

use crate::context::AwsContext;
use crate::error::call;

/// Every multi-region trail that logs the account, as `region` sees them
/// (cloudtrail:DescribeTrails with shadow trails: the account's own, and an organization
/// trail of the management account).
pub(crate) async fn multi_region_trails(
    ctx: &AwsContext,
    address: &ResourceAddr,
    region: &str,
) -> Result<Vec<Trail>, ProviderError> {
    let described = call!(
        address,
        "cloudtrail:DescribeTrails",
        ctx.cloudtrail(region)
            .describe_trails()
            .include_shadow_trails(true)
            .send()
    )?;
    Ok(described
        .trail_list
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t.is_multi_region_trail() == Some(true))
        .collect())
}
