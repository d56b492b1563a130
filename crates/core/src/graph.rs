//! The order in which apply makes changes: dependencies first for creates and updates,
//! dependents first for deletes (the reverse of creation).

use std::collections::{BTreeMap, BTreeSet};

use crate::addr::ResourceAddr;
use crate::plan::{Action, ResourceChange};

/// For each change (by index into the plan), the changes that must finish before it.
/// Only changes that call AWS take part; no-ops and manual items are already settled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Order {
    pub waits_for: BTreeMap<usize, BTreeSet<usize>>,
}

impl Order {
    /// The changes that wait for `index`.
    pub fn dependents(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        self.waits_for
            .iter()
            .filter(move |(_, deps)| deps.contains(&index))
            .map(|(node, _)| *node)
    }
}

/// The dependencies form a cycle; the addresses are those on it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("dependency cycle between {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
pub struct CycleError(pub Vec<ResourceAddr>);

/// Works out the order of a plan's changes.
pub fn order(changes: &[ResourceChange]) -> Result<Order, CycleError> {
    let index: BTreeMap<&ResourceAddr, usize> = changes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.action.is_change())
        .map(|(i, c)| (&c.address, i))
        .collect();
    let mut waits_for: BTreeMap<usize, BTreeSet<usize>> =
        index.values().map(|i| (*i, BTreeSet::new())).collect();
    for &node in index.values() {
        for dependency in &changes[node].depends_on {
            let Some(&dep) = index.get(dependency) else {
                continue; // already in place: nothing to wait for
            };
            let (first, then) = (changes[dep].action, changes[node].action);
            match (first == Action::Delete, then == Action::Delete) {
                // Both stay: the dependency is made first.
                (false, false) => insert(&mut waits_for, node, dep),
                // Both go: the dependent is removed first.
                (true, true) => insert(&mut waits_for, dep, node),
                // One stays and one goes: no order between them is needed.
                _ => {}
            }
        }
    }
    check_acyclic(&waits_for, changes)?;
    Ok(Order { waits_for })
}

fn insert(waits_for: &mut BTreeMap<usize, BTreeSet<usize>>, node: usize, dep: usize) {
    waits_for.entry(node).or_default().insert(dep);
}

/// Kahn's algorithm: whatever cannot be ordered is on a cycle.
fn check_acyclic(
    waits_for: &BTreeMap<usize, BTreeSet<usize>>,
    changes: &[ResourceChange],
) -> Result<(), CycleError> {
    let mut remaining: BTreeMap<usize, usize> =
        waits_for.iter().map(|(n, deps)| (*n, deps.len())).collect();
    let mut ready: Vec<usize> = remaining
        .iter()
        .filter(|(_, count)| **count == 0)
        .map(|(n, _)| *n)
        .collect();
    while let Some(done) = ready.pop() {
        remaining.remove(&done);
        for (node, deps) in waits_for {
            if deps.contains(&done)
                && let Some(count) = remaining.get_mut(node)
            {
                *count -= 1;
                if *count == 0 {
                    ready.push(*node);
                }
            }
        }
    }
    if remaining.is_empty() {
        Ok(())
    } else {
        Err(CycleError(
            remaining
                .keys()
                .map(|i| changes[*i].address.clone())
                .collect(),
        ))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn change(name: &str, action: Action, deps: &[&str]) -> ResourceChange {
        ResourceChange {
            address: ResourceAddr::named("thing", name),
            account: String::new(),
            action,
            before: None,
            after: None,
            fields: vec![],
            depends_on: deps
                .iter()
                .map(|d| ResourceAddr::named("thing", d))
                .collect(),
            manual: None,
            cis: vec![],
            permissions_broadened: vec![],
            outside_baseline: vec![],
            write_only: serde_json::Value::Null,
        }
    }

    /// The order of changes to a policy and to a group that depends on it.
    fn policy_and_group(policy: Action, group: Action) -> Order {
        let changes = [
            change("policy", policy, &[]),
            change("group", group, &["policy"]),
        ];
        order(&changes).expect("acyclic")
    }

    #[test]
    fn creates_wait_for_dependencies() {
        let order = policy_and_group(Action::Create, Action::Create);
        assert_eq!(order.waits_for[&1], BTreeSet::from([0]));
        assert!(order.waits_for[&0].is_empty());
    }

    #[test]
    fn deletes_run_in_reverse() {
        let order = policy_and_group(Action::Delete, Action::Delete);
        assert_eq!(order.waits_for[&0], BTreeSet::from([1]));
    }

    #[test]
    fn settled_resources_are_not_waited_for() {
        let order = policy_and_group(Action::NoOp, Action::Create);
        assert!(order.waits_for[&1].is_empty());
        assert!(!order.waits_for.contains_key(&0));
    }

    #[test]
    fn cycles_are_reported_by_address() {
        let changes = [
            change("a", Action::Create, &["b"]),
            change("b", Action::Update, &["a"]),
        ];
        let err = order(&changes).expect_err("cycle");
        assert_eq!(err.to_string(), "dependency cycle between thing.a, thing.b");
    }
}
