//! A resource change as JSON (format 3): shaped like an entry of `resource_changes` in
//! Terraform's `show -json`, so that jq scripts and OPA/conftest policies written for those
//! read it as they are. `type`, `name` and `region` are the parts of `address`, written out
//! for readers; on reading, `address` is what counts and the parts must agree with it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::{Action, FieldChange, ManualStep, ResourceChange};
use crate::addr::ResourceAddr;

/// `change`: what happens, from what to what.
#[derive(Serialize, Deserialize)]
struct Change<A, V> {
    /// One action today; a list as in Terraform (room for `["delete", "create"]`).
    actions: A,
    before: V,
    after: V,
}

/// The entry as written.
#[derive(Serialize)]
struct Out<'a> {
    address: &'a ResourceAddr,
    #[serde(rename = "type")]
    kind: &'a str,
    name: Option<&'a str>,
    region: Option<&'a str>,
    account: &'a str,
    change: Change<[Action; 1], &'a Option<Value>>,
    fields: &'a [FieldChange],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    depends_on: &'a [ResourceAddr],
    #[serde(skip_serializing_if = "Option::is_none")]
    manual: &'a Option<ManualStep>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    cis: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    permissions_broadened: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    outside_baseline: &'a [String],
    #[serde(skip_serializing_if = "Value::is_null")]
    write_only: &'a Value,
}

/// The entry as read.
#[derive(Deserialize)]
struct In {
    address: ResourceAddr,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    region: Option<String>,
    account: String,
    change: Change<Vec<Action>, Option<Value>>,
    fields: Vec<FieldChange>,
    #[serde(default)]
    depends_on: Vec<ResourceAddr>,
    #[serde(default)]
    manual: Option<ManualStep>,
    #[serde(default)]
    cis: Vec<String>,
    #[serde(default)]
    permissions_broadened: Vec<String>,
    #[serde(default)]
    outside_baseline: Vec<String>,
    #[serde(default)]
    write_only: Value,
}

impl Serialize for ResourceChange {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Out {
            address: &self.address,
            kind: &self.address.kind,
            name: self.address.name.as_deref(),
            region: self.address.region.as_deref(),
            account: &self.account,
            change: Change {
                actions: [self.action],
                before: &self.before,
                after: &self.after,
            },
            fields: &self.fields,
            depends_on: &self.depends_on,
            manual: &self.manual,
            cis: &self.cis,
            permissions_broadened: &self.permissions_broadened,
            outside_baseline: &self.outside_baseline,
            write_only: &self.write_only,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ResourceChange {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let entry = In::deserialize(deserializer)?;
        let address = entry.address;
        if entry.kind != address.kind
            || entry.name != address.name
            || entry.region != address.region
        {
            return Err(D::Error::custom(format!(
                "`type`, `name` and `region` of {address} do not match its address"
            )));
        }
        let action = match entry.change.actions.as_slice() {
            [one] => *one,
            _ => return Err(D::Error::custom("expected exactly one action")),
        };
        Ok(Self {
            address,
            account: entry.account,
            action,
            before: entry.change.before,
            after: entry.change.after,
            fields: entry.fields,
            depends_on: entry.depends_on,
            manual: entry.manual,
            cis: entry.cis,
            permissions_broadened: entry.permissions_broadened,
            outside_baseline: entry.outside_baseline,
            write_only: entry.write_only,
        })
    }
}
