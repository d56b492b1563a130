//! Desired state, changes and the plan: the only contract between `plan` and `apply`.
//! Diffing is pure: it compares canonical JSON that each resource kind produces.
//!
//! `diff` compares what is wanted with what is there and says what a change does to
//! permissions; `saved` is what a saved plan must pass before apply uses it (its seal,
//! consistency and format).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::addr::ResourceAddr;
use crate::spec::Ensure;

mod diff;
mod merge;
mod saved;
mod wire;

pub use diff::{destroy, diff, overlay};
pub use merge::MergeError;
pub use saved::{SealError, sha256_hex};

/// What apply will do to one resource. In JSON, `change.actions` is a one-element list, as in
/// Terraform's plans: `["create"]`, `["update"]`, `["delete"]`, `["no-op"]`, `["manual"]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Delete,
    #[serde(rename = "no-op")]
    NoOp,
    /// No API can make this change: a person must, and the plan says how.
    Manual,
}

impl Action {
    /// Whether apply calls AWS for this action.
    pub fn is_change(self) -> bool {
        matches!(self, Action::Create | Action::Update | Action::Delete)
    }
}

/// Why a step is manual and where a person does it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualStep {
    /// Why baseline cannot do it.
    pub reason: String,
    /// Where in the console a person does it.
    pub console: String,
    /// How baseline checks it, or why it cannot.
    pub verified_by: String,
}

/// How a field of a kind's state carries permissions. Each kind names its own such fields
/// ([`Grants`]); the plan's permission notes read only those.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    /// ARNs of managed policies attached to an identity.
    ManagedPolicies,
    /// An identity's inline policies: name to document.
    InlinePolicies,
    /// The groups a user belongs to.
    Memberships,
    /// A role's trust policy: who may assume it.
    Trust,
    /// A resource policy (bucket, key, topic): who may use the resource.
    ResourcePolicy,
    /// A service control policy's document: the ceiling of its targets' permissions.
    ControlPolicy,
    /// What a service control policy applies to.
    ControlTargets,
}

/// The fields of a kind's state that carry permissions, by name.
pub type Grants = &'static [(&'static str, Grant)];

/// What the baseline wants one resource to be, in the canonical JSON its kind defines.
/// Only declared fields are present: an absent field is left as it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Desired {
    pub address: ResourceAddr,
    pub ensure: Ensure,
    pub state: Value,
    pub depends_on: Vec<ResourceAddr>,
    /// `Some` for settings that only a person can change.
    pub manual: Option<ManualStep>,
    /// CIS AWS Foundations Benchmark v4.0.1 ids this resource satisfies.
    pub cis: Vec<String>,
    /// Settings used only when creating, never read back or compared (for example, that a
    /// new console password must be changed at first sign-in). Never secrets.
    pub write_only: Value,
    /// The fields of `state` that carry permissions (its kind's).
    pub grants: Grants,
}

impl Desired {
    /// A resource that must exist with `state`.
    pub fn new(address: ResourceAddr, state: Value) -> Self {
        Self {
            address,
            ensure: Ensure::Present,
            state,
            depends_on: Vec::new(),
            manual: None,
            cis: Vec::new(),
            write_only: Value::Null,
            grants: &[],
        }
    }

    /// A resource that must not exist: nothing of it is wanted, so its state is empty.
    pub fn absent(address: ResourceAddr) -> Self {
        Self {
            ensure: Ensure::Absent,
            ..Self::new(address, Value::Object(serde_json::Map::new()))
        }
    }

    /// A setting only a person can change, in the state `state` once it is done.
    pub fn manual(address: ResourceAddr, state: Value, step: ManualStep) -> Self {
        Self {
            manual: Some(step),
            ..Self::new(address, state)
        }
    }

    /// Created after (and deleted before) these.
    #[must_use]
    pub fn after(mut self, depends_on: impl IntoIterator<Item = ResourceAddr>) -> Self {
        self.depends_on.extend(depends_on);
        self
    }

    /// The CIS AWS Foundations Benchmark ids it satisfies.
    #[must_use]
    pub fn cis(mut self, ids: &[&str]) -> Self {
        self.cis = ids.iter().map(|id| (*id).to_owned()).collect();
        self
    }
}

/// One field that differs, by dotted path. In JSON, a side that does not exist is left out,
/// so that `null` is a value (`sns_topic_arn: null`: wanted none) and reads back as one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub path: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub before: Option<Value>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub after: Option<Value>,
}

/// A side that is in the JSON, `null` included.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// One entry of a plan. Its JSON form (`wire`) is shaped like a `resource_changes` entry of
/// Terraform's `show -json`: `address`, `type`, `name`, `region`, `account`, and
/// `change: {actions, before, after}`, then baseline's own fields.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceChange {
    pub address: ResourceAddr,
    /// The account the change is made in; stamped by [`Plan::new`] and [`AccountPlan::new`].
    pub account: String,
    pub action: Action,
    /// The live state the change was planned against (`None`: it does not exist).
    pub before: Option<Value>,
    /// The state after apply (`None`: deleted). For an update, the live state with the
    /// declared fields laid over it, since undeclared fields keep their live values.
    pub after: Option<Value>,
    pub fields: Vec<FieldChange>,
    pub depends_on: Vec<ResourceAddr>,
    pub manual: Option<ManualStep>,
    pub cis: Vec<String>,
    /// Why this change grants more than before; reviewers see these first.
    pub permissions_broadened: Vec<String>,
    /// Permissions the identity has that the file does not give it (added outside
    /// baseline); apply removes them.
    pub outside_baseline: Vec<String>,
    pub write_only: Value,
}

/// How many changes of each kind a plan holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub manual: usize,
}

/// The plan: what apply will do, against which account, and from which live state. Its JSON
/// form is documented in docs/plan-format.md; a saved plan is that JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// `MAJOR.MINOR`: a reader accepts the same major version.
    pub format_version: String,
    pub baseline_version: String,
    /// SHA-256 of the baseline file the plan was made from.
    #[serde(default)]
    pub baseline_sha256: String,
    pub account_id: String,
    pub regions: Vec<String>,
    /// Display only: counted from `resource_changes`, never read back.
    #[serde(default, skip_deserializing)]
    pub summary: Counts,
    /// Every declared resource, no-ops included, ordered by address.
    #[serde(rename = "resource_changes")]
    pub changes: Vec<ResourceChange>,
    /// `--target-account`: the accounts this run was limited to (empty: all of them). When
    /// the pinned account is not among them, `resource_changes` is empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limited_to: Vec<String>,
    /// `--shard I/N`: this plan is shard I of N of an organization's (shard 1 holds the
    /// pinned account); `baseline show` puts the shards' plans together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// Declared member accounts `targets` selects that do not exist yet: apply creates them,
    /// and the next plan covers their baseline.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending_accounts: Vec<String>,
    /// The member accounts `targets` fans the baseline out to, by account id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<AccountPlan>,
    /// SHA-256 of the rest of the document (`seal`): a saved plan edited after it was made is
    /// refused. Since format 2.1.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub checksum: String,
}

/// One member account's part of a plan, reached through a role.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountPlan {
    pub account_id: String,
    /// Its name under `organization.accounts`, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The role assumed to reach it.
    pub role_arn: String,
    #[serde(default)]
    pub regions: Vec<String>,
    /// Display only: counted from `resource_changes`, never read back.
    #[serde(default, skip_deserializing)]
    pub summary: Counts,
    #[serde(rename = "resource_changes", default)]
    pub changes: Vec<ResourceChange>,
    /// Why the account could not be planned: it has no changes in this plan, and apply
    /// leaves it alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl AccountPlan {
    pub fn new(
        account_id: &str,
        name: Option<String>,
        role_arn: String,
        regions: Vec<String>,
        changes: Vec<ResourceChange>,
    ) -> Self {
        let changes = stamped(account_id, changes);
        let summary = count(&changes);
        Self {
            account_id: account_id.to_owned(),
            name,
            role_arn,
            regions,
            summary,
            changes,
            error: None,
        }
    }

    /// An account that could not be planned, and why.
    pub fn failed(account_id: &str, name: Option<String>, role_arn: String, error: String) -> Self {
        Self {
            error: Some(error),
            ..Self::new(account_id, name, role_arn, Vec::new(), Vec::new())
        }
    }

    /// `123456789012 (prod)`, or the bare id.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("{} ({name})", self.account_id),
            None => self.account_id.clone(),
        }
    }

    /// This account's part as a plan of its own (for the executor and the renderers).
    pub fn as_plan(&self, baseline_sha256: &str) -> Plan {
        let mut plan = Plan::new(&self.account_id, self.regions.clone(), self.changes.clone());
        plan.baseline_sha256 = baseline_sha256.to_owned();
        plan
    }

    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| c.action.is_change())
    }
}

/// The changes of one account, ordered by address, each naming the account.
fn stamped(account_id: &str, mut changes: Vec<ResourceChange>) -> Vec<ResourceChange> {
    changes.sort_by(|a, b| a.address.cmp(&b.address));
    for change in &mut changes {
        account_id.clone_into(&mut change.account);
    }
    changes
}

fn count<'a>(changes: impl IntoIterator<Item = &'a ResourceChange>) -> Counts {
    let mut counts = Counts::default();
    for change in changes {
        match change.action {
            Action::Create => counts.create += 1,
            Action::Update => counts.update += 1,
            Action::Delete => counts.delete += 1,
            Action::Manual => counts.manual += 1,
            Action::NoOp => {}
        }
    }
    counts
}

impl Plan {
    /// 3.0 shaped each resource change like Terraform's (`change: {actions, before, after}`,
    /// with `type`, `name`, `region` and `account`); 2.0 added member accounts. A reader
    /// accepts plans of its own major version only.
    pub const FORMAT_VERSION: &'static str = "3.0";

    pub fn new(account_id: &str, regions: Vec<String>, changes: Vec<ResourceChange>) -> Self {
        let changes = stamped(account_id, changes);
        let mut plan = Self {
            format_version: Self::FORMAT_VERSION.to_owned(),
            baseline_version: env!("CARGO_PKG_VERSION").to_owned(),
            baseline_sha256: String::new(),
            account_id: account_id.to_owned(),
            regions,
            summary: Counts::default(),
            changes,
            limited_to: Vec::new(),
            shard: None,
            pending_accounts: Vec::new(),
            accounts: Vec::new(),
            checksum: String::new(),
        };
        plan.summary = plan.counts();
        plan
    }

    /// Counts every summary again (they are display only, never read back).
    pub fn recount(&mut self) {
        for account in &mut self.accounts {
            account.summary = count(&account.changes);
        }
        self.summary = self.counts();
    }

    /// Puts the member accounts in, ordered by account id, and counts them in the summary.
    pub fn with_accounts(mut self, mut accounts: Vec<AccountPlan>) -> Self {
        accounts.sort_by(|a, b| a.account_id.cmp(&b.account_id));
        self.accounts = accounts;
        self.summary = self.counts();
        self
    }

    /// Whether any account could not be planned.
    pub fn has_failures(&self) -> bool {
        self.accounts.iter().any(|a| a.error.is_some())
    }

    /// The one answer to "is there anything for apply to do". Manual items are not
    /// changes: apply cannot make them.
    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| c.action.is_change())
            || self.accounts.iter().any(AccountPlan::has_changes)
    }

    /// The counts of every account in the plan together.
    pub fn counts(&self) -> Counts {
        count(
            self.accounts
                .iter()
                .flat_map(|a| &a.changes)
                .chain(&self.changes),
        )
    }

    /// The pinned account's own counts.
    pub fn own_counts(&self) -> Counts {
        count(&self.changes)
    }
}

#[cfg(test)]
mod tests;
