//! `HOME/cloudtrail_other_trails.TRAIL`: a finding, not a resource. When the account is
//! already logged by another multi-region trail (an organization trail from the management
//! account, or one made by hand), the trail baseline declares records every management
//! event a second time, and AWS bills each copy after the first. The plan names the other
//! trails; the person decides: drop `logging.cloudtrail` and rely on them, or keep both and
//! say so with `logging.cloudtrail.other_trails: accepted`.

use baseline_core::plan::{Desired, ManualStep};
use baseline_core::scope::Scope;
use baseline_core::spec::Ensure;
use baseline_core::{ResourceAddr, Spec};

use crate::context::AwsContext;
use crate::kind::Live;
use crate::kind::{Kind, Read, canonical, name_of, region_of};
use crate::logging::logging;
use crate::manual::Status;

pub(crate) struct OtherTrails;

const KIND: &str = "cloudtrail_other_trails";

impl Kind for OtherTrails {
    /// `done` when no other multi-region trail logs the account, else which ones do.
    type State = Status;
    const KIND: &'static str = KIND;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(trail) = logging(spec).and_then(|l| l.cloudtrail.as_ref()) else {
            return Vec::new();
        };
        if trail.ensure == Ensure::Absent || trail.other_trails_accepted() {
            return Vec::new();
        }
        let step = ManualStep {
            reason: "another multi-region trail already records this account's management \
                     events; a second trail records each event again, and AWS bills every \
                     copy after the first"
                .to_owned(),
            console: "decide in baseline.yaml: remove `logging.cloudtrail` to rely on the \
                      other trail (CloudTrail → Trails shows it; an organization trail is \
                      managed in the management account), or keep both with \
                      `logging.cloudtrail.other_trails: accepted`"
                .to_owned(),
            verified_by: "cloudtrail:DescribeTrails (includeShadowTrails) in the home region"
                .to_owned(),
        };
        let address = ResourceAddr::named(KIND, trail.name.as_str()).in_region(&scope.home_region);
        vec![Desired::manual(address, canonical(&Status::done()), step).cis(&["3.1"])]
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Status>) -> Live<Status> {
        let address = read.address;
        let region = region_of(address);
        let own = name_of(address);
        let account = ctx.account_id().await?;
        let trails = super::multi_region_trails(ctx, address, region).await?;
        let mut others: Vec<String> = trails
            .iter()
            .filter(|t| {
                let ours = t.name() == Some(own)
                    && t.home_region() == Some(region)
                    && t.trail_arn()
                        .is_some_and(|arn| arn.contains(&format!(":{account}:")));
                !ours
            })
            .map(|t| {
                let arn = t.trail_arn().or(t.name()).unwrap_or_default();
                if t.is_organization_trail() == Some(true) {
                    format!("{arn} (organization trail)")
                } else {
                    arn.to_owned()
                }
            })
            .collect();
        others.sort();
        others.dedup();
        let also = format!("also logged by {}", others.join(", "));
        Ok(Some(Status::of(others.is_empty(), &also)))
    }
}
