//! Where a spec expands: the account, its home region, and the regions its regional
//! resources go to. Resolved once per run (the region list needs AWS), then pure.

use std::collections::BTreeMap;

use crate::spec::{RegionsSpec, Spec};
use crate::template::NameContext;

/// The account and regions a plan covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    pub account_id: String,
    /// The account's partition (`aws`, `aws-cn`, `aws-us-gov`): every ARN baseline builds
    /// starts `arn:PARTITION:`. From the caller's ARN once the pin is checked; until then
    /// (validate), from the home region.
    pub partition: String,
    pub home_region: String,
    /// The regions `account.regions` selects that are enabled, home region first.
    pub regions: Vec<String>,
    /// Every region enabled for the account (for `regions: all` in a section).
    pub enabled: Vec<String>,
    /// The regions the file names that are not enabled: reported, never planned.
    pub not_enabled: Vec<String>,
    /// Member accounts of `organization.accounts` that exist, by name: their ids.
    pub org_accounts: BTreeMap<String, String>,
}

impl Scope {
    /// A scope known without calling AWS: the declared regions (or the home region) are
    /// taken as enabled. `validate` uses it; plan resolves the real one.
    pub fn assumed(spec: &Spec, home_region: &str) -> Self {
        let regions = match &spec.account.regions {
            Some(RegionsSpec::List(list)) => list.iter().map(|r| r.as_str().to_owned()).collect(),
            Some(RegionsSpec::All) | None => vec![home_region.to_owned()],
        };
        Self::new(
            spec.account.id.as_str(),
            home_region,
            regions.clone(),
            regions,
        )
    }

    /// The scope of `spec` given the regions enabled for the account.
    pub fn resolve(spec: &Spec, home_region: &str, enabled: Vec<String>) -> Self {
        let declared: Vec<String> = match &spec.account.regions {
            Some(RegionsSpec::All) => enabled.clone(),
            Some(RegionsSpec::List(list)) => list.iter().map(|r| r.as_str().to_owned()).collect(),
            None => vec![home_region.to_owned()],
        };
        Self::new(spec.account.id.as_str(), home_region, declared, enabled)
    }

    fn new(
        account_id: &str,
        home_region: &str,
        declared: Vec<String>,
        enabled: Vec<String>,
    ) -> Self {
        let (mut regions, not_enabled): (Vec<String>, Vec<String>) =
            declared.into_iter().partition(|r| enabled.contains(r));
        regions.sort();
        regions.dedup();
        if let Some(home) = regions.iter().position(|r| r == home_region) {
            let home = regions.remove(home);
            regions.insert(0, home);
        }
        Self {
            account_id: account_id.to_owned(),
            partition: partition_of(home_region).to_owned(),
            home_region: home_region.to_owned(),
            regions,
            enabled,
            not_enabled,
            org_accounts: BTreeMap::new(),
        }
    }

    /// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` in this account.
    pub fn arn(&self, service: &str, region: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{region}:{}:{resource}",
            self.partition, self.account_id
        )
    }

    /// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` with another account (`*`, `aws`, a
    /// member) or none.
    pub fn arn_in(&self, service: &str, region: &str, account: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{region}:{account}:{resource}",
            self.partition
        )
    }

    /// The regions a section selects: its own `regions`, or the account's.
    pub fn select(&self, section: Option<&RegionsSpec>) -> Vec<String> {
        match section {
            None => self.regions.clone(),
            Some(RegionsSpec::All) => self.enabled.clone(),
            Some(RegionsSpec::List(list)) => list
                .iter()
                .map(|r| r.as_str().to_owned())
                .filter(|r| self.enabled.contains(r))
                .collect(),
        }
    }

    /// Placeholders for names in `region` (or global names, with `None`).
    pub fn names<'a>(&'a self, region: Option<&'a str>) -> NameContext<'a> {
        NameContext {
            account_id: &self.account_id,
            region,
        }
    }
}

/// The partition a region belongs to (`aws` for every commercial region): from the region
/// table, else from the shape of its code (a region newer than this version).
pub fn partition_of(region: &str) -> &'static str {
    crate::regions::find(region).map_or_else(
        || crate::regions::partition_by_shape(region),
        |known| known.partition,
    )
}

/// The partition an ARN names (`arn:PARTITION:...`).
pub fn partition_of_arn(arn: &str) -> Option<&str> {
    arn.strip_prefix("arn:")?
        .split(':')
        .next()
        .filter(|p| !p.is_empty())
}
