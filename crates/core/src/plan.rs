//! Desired state, changes and the plan: the only contract between `plan` and `apply`.
//! Diffing is pure: it compares canonical JSON that each resource kind produces.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::addr::ResourceAddr;
use crate::spec::Ensure;

/// What apply will do to one resource. In JSON it is a one-element list, as in Terraform's
/// plans: `["create"]`, `["update"]`, `["delete"]`, `["no-op"]`, `["manual"]`.
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

/// One field that differs, by dotted path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// One entry of a plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    pub address: ResourceAddr,
    #[serde(rename = "actions", with = "one_action")]
    pub action: Action,
    /// The live state the change was planned against (`None`: it does not exist).
    pub before: Option<Value>,
    /// The state after apply (`None`: deleted). For an update, the live state with the
    /// declared fields laid over it, since undeclared fields keep their live values.
    pub after: Option<Value>,
    pub fields: Vec<FieldChange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<ResourceAddr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual: Option<ManualStep>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cis: Vec<String>,
    /// Why this change grants more than before; reviewers see these first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions_broadened: Vec<String>,
    /// Permissions the identity has that the file does not give it (added outside
    /// baseline); apply removes them. Since format 2.1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outside_baseline: Vec<String>,
    #[serde(default, skip_serializing_if = "Value::is_null")]
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

/// `actions` is a list in JSON (room for `["delete", "create"]` one day); one action today.
mod one_action {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Action;

    pub fn serialize<S: Serializer>(action: &Action, serializer: S) -> Result<S::Ok, S::Error> {
        [action].serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Action, D::Error> {
        let actions = Vec::<Action>::deserialize(deserializer)?;
        match actions.as_slice() {
            [one] => Ok(*one),
            _ => Err(serde::de::Error::custom("expected exactly one action")),
        }
    }
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

/// SHA-256 of `bytes`, in lowercase hex: the plan's checksum and `baseline_sha256`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why a saved plan cannot be applied as it is.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("its checksum does not match its content: it was changed after baseline made it")]
    Checksum,
    #[error(
        "what it shows differs from what it would do at {0}: its `fields` do not follow from \
         `before` and `after`"
    )]
    Inconsistent(String),
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
        mut changes: Vec<ResourceChange>,
    ) -> Self {
        changes.sort_by(|a, b| a.address.cmp(&b.address));
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
    /// 2.0 added member accounts (`accounts`): a reader of 1.x would apply only the pinned
    /// account's part of such a plan, so it must refuse it.
    pub const FORMAT_VERSION: &'static str = "2.1";

    pub fn new(account_id: &str, regions: Vec<String>, mut changes: Vec<ResourceChange>) -> Self {
        changes.sort_by(|a, b| a.address.cmp(&b.address));
        let mut plan = Self {
            format_version: Self::FORMAT_VERSION.to_owned(),
            baseline_version: env!("CARGO_PKG_VERSION").to_owned(),
            baseline_sha256: String::new(),
            account_id: account_id.to_owned(),
            regions,
            summary: Counts::default(),
            changes,
            limited_to: Vec::new(),
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

    /// SHA-256 (hex) of the document without its checksum.
    fn digest(&self) -> String {
        let mut unsealed = self.clone();
        unsealed.checksum = String::new();
        sha256_hex(
            serde_json::to_string(&unsealed)
                .unwrap_or_default()
                .as_bytes(),
        )
    }

    /// Puts the checksum of the content in, before the plan is written out.
    pub fn seal(&mut self) {
        self.recount();
        self.checksum = self.digest();
    }

    /// Checks a saved plan before apply uses it: what it shows (`fields`) must follow from
    /// what apply does (`before` → `after`), and its checksum (plans of format 2.1 on) must
    /// match its content. Apply acts on `after`; show prints `fields`: both must be one
    /// thing. Counts the summaries again first.
    pub fn verify(&mut self) -> Result<(), SealError> {
        self.recount();
        let changes = self
            .changes
            .iter()
            .chain(self.accounts.iter().flat_map(|a| &a.changes));
        for change in changes {
            if !change.is_consistent() {
                return Err(SealError::Inconsistent(change.address.to_string()));
            }
        }
        // Plans of format 2.1 on are sealed when written: one without its checksum was
        // edited too.
        let sealed_format = self.format_version != "2.0" && !self.format_version.starts_with("1.");
        if (sealed_format || !self.checksum.is_empty()) && self.checksum != self.digest() {
            return Err(SealError::Checksum);
        }
        Ok(())
    }

    /// Whether this version can read a plan of `format_version`.
    /// Plans of format 1.x (one account) read as 2.x plans without member accounts.
    pub fn is_compatible(format_version: &str) -> bool {
        let major = |v: &str| v.split('.').next().map(str::to_owned);
        major(format_version) == major(Self::FORMAT_VERSION)
            || major(format_version).as_deref() == Some("1")
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

/// What `destroy` wants: every declared resource gone. Manual items are dropped (no one
/// un-does root MFA), and nothing undeclared is touched.
pub fn destroy(desired: Vec<Desired>) -> Vec<Desired> {
    desired
        .into_iter()
        .filter(|d| d.manual.is_none())
        // `write_only` stays: it carries what a deletion needs to know (`force_destroy`).
        .map(|d| Desired {
            ensure: Ensure::Absent,
            state: Value::Object(Map::new()),
            ..d
        })
        .collect()
}

/// Compares what is wanted with what is there.
pub fn diff(desired: &Desired, live: Option<&Value>) -> ResourceChange {
    let (action, after, fields) = match (&desired.manual, desired.ensure, live) {
        (Some(_), _, live) => {
            let fields = field_changes(&desired.state, live);
            let action = if fields.is_empty() {
                Action::NoOp
            } else {
                Action::Manual
            };
            (action, Some(desired.state.clone()), fields)
        }
        (None, Ensure::Absent, None) => (Action::NoOp, None, Vec::new()),
        (None, Ensure::Absent, Some(live)) => (Action::Delete, None, removed_fields(live)),
        (None, Ensure::Present, None) => (
            Action::Create,
            Some(desired.state.clone()),
            field_changes(&desired.state, None),
        ),
        (None, Ensure::Present, Some(live)) => {
            let fields = field_changes(&desired.state, Some(live));
            let action = if fields.is_empty() {
                Action::NoOp
            } else {
                Action::Update
            };
            (action, Some(overlay(live, &desired.state)), fields)
        }
    };
    let (permissions_broadened, outside_baseline) = permission_notes(action, live, after.as_ref());
    // Object keys in sorted order, whatever map serde_json is built with (a dependency may
    // turn on `preserve_order`): plans read and compare the same on every build.
    let canonical = |value: Option<Value>| {
        value.map(|mut v| {
            v.sort_all_objects();
            v
        })
    };
    let mut fields: Vec<FieldChange> = fields
        .into_iter()
        .map(|f| FieldChange {
            before: canonical(f.before),
            after: canonical(f.after),
            ..f
        })
        .collect();
    fields.sort_by(|a, b| a.path.cmp(&b.path));
    ResourceChange {
        address: desired.address.clone(),
        action,
        before: canonical(live.cloned()),
        after: canonical(after),
        fields,
        depends_on: desired.depends_on.clone(),
        manual: desired.manual.clone(),
        cis: desired.cis.clone(),
        permissions_broadened,
        outside_baseline,
        write_only: desired.write_only.clone(),
    }
}

impl ResourceChange {
    /// Whether what the change shows follows from what apply would do with it: its action
    /// fits `before` and `after`, its `fields` are their difference, and its permission notes
    /// are what `before` → `after` grants and removes.
    pub fn is_consistent(&self) -> bool {
        let sorted = |value: &Option<Value>| {
            value.clone().map(|mut v| {
                v.sort_all_objects();
                v
            })
        };
        let shape = match self.action {
            Action::Create => self.before.is_none() && self.after.is_some(),
            Action::Delete => self.before.is_some() && self.after.is_none(),
            Action::Update => self.before.is_some() && self.after.is_some(),
            Action::NoOp | Action::Manual => true,
        };
        let mut derived = match &self.after {
            Some(after) => field_changes(after, self.before.as_ref()),
            None => self.before.as_ref().map(removed_fields).unwrap_or_default(),
        };
        derived.sort_by(|a, b| a.path.cmp(&b.path));
        let mut shown = self.fields.clone();
        shown.sort_by(|a, b| a.path.cmp(&b.path));
        let fields_follow = derived.len() == shown.len()
            && derived.iter().zip(&shown).all(|(d, s)| {
                d.path == s.path
                    && sorted(&d.before) == sorted(&s.before)
                    && sorted(&d.after) == sorted(&s.after)
            });
        let action_fits = match self.action {
            Action::NoOp => derived.is_empty(),
            Action::Create | Action::Update | Action::Delete => !derived.is_empty(),
            Action::Manual => true,
        };
        let (broadened, outside) =
            permission_notes(self.action, self.before.as_ref(), self.after.as_ref());
        shape
            && fields_follow
            && action_fits
            && broadened == self.permissions_broadened
            && outside == self.outside_baseline
    }
}

/// What reviewers are told about permissions, from what a change does (`before` → `after`):
/// what it grants that was not granted, and what it removes that was added outside
/// baseline. The plan computes them and a saved plan is checked against them: one rule.
fn permission_notes(
    action: Action,
    before: Option<&Value>,
    after: Option<&Value>,
) -> (Vec<String>, Vec<String>) {
    let broadened = match (after, action) {
        (Some(after), Action::Create | Action::Update) => crate::policy::broadening(before, after),
        _ => Vec::new(),
    };
    let outside = match (before, after, action) {
        (Some(before), Some(after), Action::Update) => outside_baseline(after, before),
        _ => Vec::new(),
    };
    (broadened, outside)
}

/// Permissions the live identity has that the state after apply does not give it: policies
/// attached or put, and group memberships, added outside baseline. (For an update, `after`
/// is the live state with the declared fields laid over it, so an undeclared field is the
/// live one and adds nothing here.)
fn outside_baseline(desired: &Value, live: &Value) -> Vec<String> {
    let names = |value: Option<&Value>| -> Vec<String> {
        match value {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            Some(Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        }
    };
    let mut out = Vec::new();
    for (field, what) in [
        ("managed_policies", "managed policy"),
        ("inline_policies", "inline policy"),
        ("groups", "membership of group"),
    ] {
        let Some(want) = desired.get(field) else {
            continue;
        };
        let want = names(Some(want));
        for name in names(live.get(field)) {
            if !want.contains(&name) {
                out.push(format!("{what} `{name}`"));
            }
        }
    }
    out
}

/// The declared top-level fields whose live value differs (all of them when nothing is
/// live). A field is compared whole: a declared list or map is authoritative, so an entry
/// added by hand is drift.
fn field_changes(desired: &Value, live: Option<&Value>) -> Vec<FieldChange> {
    let Value::Object(want) = desired else {
        return if live == Some(desired) {
            Vec::new()
        } else {
            vec![FieldChange {
                path: String::new(),
                before: live.cloned(),
                after: Some(desired.clone()),
            }]
        };
    };
    want.iter()
        .filter_map(|(key, value)| {
            let have = live.and_then(|l| l.get(key));
            (have != Some(value)).then(|| FieldChange {
                path: key.clone(),
                before: have.cloned(),
                after: Some(value.clone()),
            })
        })
        .collect()
}

fn removed_fields(live: &Value) -> Vec<FieldChange> {
    match live {
        Value::Object(fields) => fields
            .iter()
            .map(|(key, value)| FieldChange {
                path: key.clone(),
                before: Some(value.clone()),
                after: None,
            })
            .collect(),
        other => vec![FieldChange {
            path: String::new(),
            before: Some(other.clone()),
            after: None,
        }],
    }
}

/// `live` with every declared top-level field of `desired` in place of its own.
pub fn overlay(live: &Value, desired: &Value) -> Value {
    match (live, desired) {
        (Value::Object(have), Value::Object(want)) => {
            let mut merged: Map<String, Value> = have.clone();
            for (key, value) in want {
                merged.insert(key.clone(), value.clone());
            }
            Value::Object(merged)
        }
        (_, want) => want.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn desired(state: Value) -> Desired {
        Desired {
            address: ResourceAddr::singleton("iam_password_policy"),
            ensure: Ensure::Present,
            state,
            depends_on: vec![],
            manual: None,
            cis: vec![],
            write_only: Value::Null,
        }
    }

    #[test]
    fn create_when_absent() {
        let change = diff(&desired(json!({"minimum_length": 14})), None);
        assert_eq!(change.action, Action::Create);
        assert_eq!(change.fields.len(), 1);
        assert_eq!(change.fields[0].path, "minimum_length");
    }

    #[test]
    fn update_shows_only_differing_declared_fields_and_keeps_the_rest() {
        let live = json!({"minimum_length": 8, "require_symbols": true, "hard_expiry": false});
        let change = diff(
            &desired(json!({"minimum_length": 14, "require_symbols": true})),
            Some(&live),
        );
        assert_eq!(change.action, Action::Update);
        assert_eq!(
            change.fields,
            vec![FieldChange {
                path: "minimum_length".into(),
                before: Some(json!(8)),
                after: Some(json!(14)),
            }]
        );
        assert_eq!(
            change.after,
            Some(json!({"minimum_length": 14, "require_symbols": true, "hard_expiry": false}))
        );
    }

    #[test]
    fn no_op_when_declared_fields_match() {
        let live = json!({"minimum_length": 14, "hard_expiry": true});
        let change = diff(&desired(json!({"minimum_length": 14})), Some(&live));
        assert_eq!(change.action, Action::NoOp);
        assert!(change.fields.is_empty());
    }

    #[test]
    fn absent_deletes_only_what_exists() {
        let mut wanted = desired(json!({}));
        wanted.ensure = Ensure::Absent;
        assert_eq!(diff(&wanted, None).action, Action::NoOp);
        let change = diff(&wanted, Some(&json!({"minimum_length": 8})));
        assert_eq!(change.action, Action::Delete);
        assert_eq!(change.after, None);
    }

    #[test]
    fn manual_items_vanish_once_true() {
        let mut wanted = desired(json!({"mfa_enabled": true}));
        wanted.manual = Some(ManualStep {
            reason: "r".into(),
            console: "c".into(),
            verified_by: "v".into(),
        });
        let pending = diff(&wanted, Some(&json!({"mfa_enabled": false})));
        assert_eq!(pending.action, Action::Manual);
        let done = diff(&wanted, Some(&json!({"mfa_enabled": true})));
        assert_eq!(done.action, Action::NoOp);
    }

    #[test]
    fn declared_maps_are_compared_whole() {
        let live = json!({"tags": {"team": "a", "added": "by hand"}});
        let change = diff(&desired(json!({"tags": {"team": "a"}})), Some(&live));
        assert_eq!(change.action, Action::Update);
        assert_eq!(change.fields[0].path, "tags");
        assert_eq!(change.after, Some(json!({"tags": {"team": "a"}})));
    }

    #[test]
    fn plan_counts_and_has_changes() {
        let manual_only = Plan::new(
            "123456789012",
            vec![],
            vec![ResourceChange {
                address: ResourceAddr::singleton("root_mfa"),
                action: Action::Manual,
                before: None,
                after: None,
                fields: vec![],
                depends_on: vec![],
                manual: None,
                cis: vec![],
                permissions_broadened: vec![],
                outside_baseline: vec![],
                write_only: Value::Null,
            }],
        );
        assert!(!manual_only.has_changes());
        assert_eq!(manual_only.counts().manual, 1);
    }
}
