//! `account.regions` names a region that is not enabled: apply opts in with
//! account:EnableRegion (guide 002). AWS takes minutes to hours to enable a region, and
//! resources in a region are planned only once it is enabled, so the next plan after
//! opting in shows them. Read with ec2:DescribeRegions. Opting out deletes what the region
//! holds, so baseline never does it: a delete keeps the kind's refusal.

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{ResourceAddr, Spec};

use crate::account::declared_regions;
use crate::context::{AwsContext, is_enabled};
use crate::error::sdk_error;
use crate::guardrails::Switch;
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare, name_of};

pub(crate) struct AccountRegion;

impl Kind for AccountRegion {
    type State = Switch;
    const KIND: &'static str = "account_region";
    const KEPT_BY_DESTROY: bool = true;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        declared_regions(spec)
            .into_iter()
            .map(|region| declare(ResourceAddr::named(Self::KIND, &region), &Switch::ON))
            .filter(|_| !scope.enabled.is_empty())
            .collect()
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Switch>) -> Live<Switch> {
        let region = name_of(read.address);
        let home = ctx.region().unwrap_or("us-east-1").to_owned();
        let statuses = ctx.region_statuses(&home).await?;
        let enabled = statuses
            .iter()
            .any(|(name, status)| name == region && is_enabled(status));
        Ok(Some(Switch { enabled }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, _after: &Switch) -> Done {
        let address = &change.address;
        let answer = ctx
            .account()
            .enable_region()
            .region_name(name_of(address))
            .send()
            .await;
        match answer {
            Ok(_) => {
                tracing::info!(
                    "{address}: opt-in started; AWS takes minutes to hours, and the next \
                     plan includes the region once it is enabled"
                );
                Ok(())
            }
            Err(err) => {
                let mut error = sdk_error(address, "account:EnableRegion", &err);
                error.hint = Some(format!(
                    "{} — or enable it in the console: account menu (top right) → Account \
                     → AWS Regions → select the region → Enable",
                    error
                        .hint
                        .unwrap_or_else(|| "the caller needs account:EnableRegion".to_owned())
                ));
                Err(error)
            }
        }
    }
}
