//! Folding: changes that are the same in several regions but for the region's own code are
//! shown once, with the regions listed. A default baseline plans the same Config rules,
//! EventBridge rules, recorders and analyzers in every region; unfolded, a fresh account's
//! plan repeats each of them 17 times.
//!
//! Two changes fold when they are equal once their region's code is written `{region}`
//! everywhere in them (addresses, values, notes): the folded entry shows them so, and each
//! region's change is the entry with `{region}` read as that region. A region whose change
//! differs in anything else is shown on its own, with its full address.

use std::borrow::Cow;
use std::collections::BTreeMap;

use baseline_core::{ResourceAddr, ResourceChange};
use serde_json::Value;

/// What `{region}` stands for in a folded entry.
pub(crate) const REGION: &str = "{region}";

/// One entry of a plan as shown: a change, or changes alike in several regions.
#[derive(Debug)]
pub(crate) struct Entry<'a> {
    /// The change; for a fold, written with `{region}`, its address too.
    pub change: Cow<'a, ResourceChange>,
    /// The regions a fold stands for (two or more), in order; empty for a single change.
    pub regions: Vec<&'a str>,
    /// A region's change shown right after the fold of its kind and name, with only the
    /// fields in which it differs from the fold.
    pub except: bool,
}

impl Entry<'_> {
    /// ` in 17 regions: all but us-east-1` after a fold's header; nothing for a change.
    /// `planned`: the regions of the plan.
    pub(crate) fn place(&self, planned: &[String]) -> String {
        let count = self.regions.len();
        if self.except {
            return ", as in the regions above but for the fields shown".to_owned();
        }
        if count == 0 {
            return String::new();
        }
        let missing: Vec<&str> = planned
            .iter()
            .map(String::as_str)
            .filter(|r| !self.regions.contains(r))
            .collect();
        if missing.is_empty() && count == planned.len() {
            format!(" in all {count} regions")
        } else if missing.len() <= 3 && missing.len() < count {
            format!(" in {count} regions: all but {}", missing.join(", "))
        } else {
            format!(" in {count} regions: {}", self.regions.join(", "))
        }
    }

    /// The address as a reviewer reads it, with the number of regions of a fold.
    pub(crate) fn label(&self) -> String {
        let address = self.change.address.to_string();
        if self.regions.is_empty() {
            address
        } else {
            format!("{address} ({} regions)", self.regions.len())
        }
    }
}

impl<'a> Entry<'a> {
    /// A change shown as it is.
    fn single(change: &'a ResourceChange) -> Self {
        Self {
            change: Cow::Borrowed(change),
            regions: Vec::new(),
            except: false,
        }
    }
}

/// Each change as its own entry, in order (`--no-fold`).
pub(crate) fn unfolded<'a>(changes: &[&'a ResourceChange]) -> Vec<Entry<'a>> {
    changes.iter().map(|change| Entry::single(change)).collect()
}

/// The changes with those alike in several regions folded into one entry. Global changes
/// come first, in order; then the regional entries by kind and name, a fold before the
/// region that differs from it.
pub(crate) fn folded<'a>(changes: &[&'a ResourceChange]) -> Vec<Entry<'a>> {
    let mut global = Vec::new();
    // Folds by their generalised form, in the order first seen.
    let mut groups: Vec<(ResourceChange, Vec<&'a ResourceChange>)> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for change in changes {
        let Some(region) = change.address.region.as_deref() else {
            global.push(Entry::single(change));
            continue;
        };
        let general = generalised(change, region);
        let key = serde_json::to_string(&general).unwrap_or_default();
        match index.get(&key) {
            Some(&at) => groups[at].1.push(change),
            None => {
                index.insert(key, groups.len());
                groups.push((general, vec![change]));
            }
        }
    }
    let mut regional: Vec<Entry<'a>> = groups
        .into_iter()
        .map(|(general, members)| match members.as_slice() {
            [one] => Entry::single(one),
            _ => Entry {
                change: Cow::Owned(general),
                regions: members
                    .iter()
                    .filter_map(|c| c.address.region.as_deref())
                    .collect(),
                except: false,
            },
        })
        .collect();
    regional.sort_by(|a, b| {
        let key = |e: &Entry<'a>| {
            let address = &e.change.address;
            (
                address.kind.clone(),
                address.name.clone(),
                e.regions.is_empty(),
                address.region.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    for index in 1..regional.len() {
        let (before, after) = regional.split_at_mut(index);
        narrow(&before[index - 1], &mut after[0]);
    }
    global.extend(regional);
    global
}

/// Shows a region's change that follows the fold of its kind and name with only the fields
/// in which it differs from the fold, when nothing else (action, notes, manual step, CIS
/// ids) does.
fn narrow(fold: &Entry<'_>, entry: &mut Entry<'_>) {
    let Cow::Borrowed(change) = entry.change else {
        return;
    };
    let Some(region) = change.address.region.as_deref() else {
        return;
    };
    let general = generalised(change, region);
    let folded = &fold.change;
    let alike = !fold.regions.is_empty()
        && general.address == folded.address
        && general.action == folded.action
        && general.cis == folded.cis
        && general.manual == folded.manual
        && general.permissions_broadened == folded.permissions_broadened
        && general.outside_baseline == folded.outside_baseline;
    if !alike {
        return;
    }
    let mut narrowed = change.clone();
    narrowed.fields = change
        .fields
        .iter()
        .zip(&general.fields)
        .filter(|(_, field)| !folded.fields.contains(field))
        .map(|(field, _)| field.clone())
        .collect();
    if narrowed.fields.len() < change.fields.len() {
        entry.change = Cow::Owned(narrowed);
        entry.except = true;
    }
}

/// The change as it would be in any region: `region` written `{region}` wherever it
/// appears (its address too), and nothing that is not shown (the account, what it depends
/// on).
fn generalised(change: &ResourceChange, region: &str) -> ResourceChange {
    let text = |s: &str| s.replace(region, REGION);
    let texts = |list: &[String]| list.iter().map(|s| text(s)).collect::<Vec<_>>();
    let value = |v: &Value| generalise_value(v, region);
    let mut general = change.clone();
    general.address = ResourceAddr {
        region: Some(REGION.to_owned()),
        kind: change.address.kind.clone(),
        name: change.address.name.as_deref().map(text),
    };
    general.account = String::new();
    general.depends_on = Vec::new();
    general.before = change.before.as_ref().map(value);
    general.after = change.after.as_ref().map(value);
    general.write_only = value(&change.write_only);
    for field in &mut general.fields {
        field.before = field.before.as_ref().map(value);
        field.after = field.after.as_ref().map(value);
    }
    general.permissions_broadened = texts(&change.permissions_broadened);
    general.outside_baseline = texts(&change.outside_baseline);
    if let Some(manual) = &mut general.manual {
        manual.reason = text(&manual.reason);
        manual.console = text(&manual.console);
        manual.verified_by = text(&manual.verified_by);
    }
    general
}

/// `value` with `region` written `{region}` in every string and key.
fn generalise_value(value: &Value, region: &str) -> Value {
    match value {
        Value::String(s) => Value::String(s.replace(region, REGION)),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| generalise_value(item, region))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.replace(region, REGION), generalise_value(v, region)))
                .collect(),
        ),
        other => other.clone(),
    }
}
