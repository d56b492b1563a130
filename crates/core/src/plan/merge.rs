//! Shards put back together: the saved plans of `baseline plan --shard I/N` (one per CI job)
//! read as one plan, for one review comment and one apply.

use std::collections::BTreeSet;

use super::Plan;

/// Why saved plans cannot be read as one.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MergeError {
    #[error("the plans are for different accounts or baseline files ({0})")]
    Different(String),
    #[error("account {0} is in more than one of the plans")]
    Twice(String),
    #[error("the shards are not all there: {0}")]
    Shards(String),
}

impl Plan {
    /// One plan of several: the shards of one run (`--shard I/N`, every I from 1 to N, once
    /// each), or plans of disjoint accounts of one file. The pinned account's part comes from
    /// the plan that planned it.
    pub fn merge(mut parts: Vec<Plan>) -> Result<Plan, MergeError> {
        if parts.len() < 2 {
            return parts
                .pop()
                .ok_or_else(|| MergeError::Shards("no plan".to_owned()));
        }
        let first = &parts[0];
        let key = |p: &Plan| (p.account_id.clone(), p.baseline_sha256.clone());
        if let Some(other) = parts.iter().find(|p| key(p) != key(first)) {
            return Err(MergeError::Different(format!(
                "account {} and {}",
                first.account_id, other.account_id
            )));
        }
        check_shards(&parts)?;
        let mut seen = BTreeSet::new();
        for account in parts.iter().flat_map(|p| &p.accounts) {
            if !seen.insert(account.account_id.clone()) {
                return Err(MergeError::Twice(account.account_id.clone()));
            }
        }
        let pinned_in = |p: &Plan| p.limited_to.is_empty() || p.limited_to.contains(&p.account_id);
        let base = parts.iter().position(pinned_in).unwrap_or(0);
        let mut merged = parts.remove(base);
        let pinned_planned = pinned_in(&merged);
        let mut accounts = std::mem::take(&mut merged.accounts);
        let mut limited: BTreeSet<String> = merged.limited_to.iter().cloned().collect();
        for part in parts {
            accounts.extend(part.accounts);
            merged.pending_accounts.extend(part.pending_accounts);
            limited.extend(part.limited_to);
        }
        merged.pending_accounts.sort();
        merged.pending_accounts.dedup();
        merged.limited_to = if pinned_planned && merged.shard.is_some() {
            Vec::new()
        } else {
            limited.into_iter().collect()
        };
        merged.shard = None;
        merged.checksum = String::new();
        Ok(merged.with_accounts(accounts))
    }
}

/// Shards of one run: one N, and every I from 1 to N exactly once. Plans without a shard
/// pass.
fn check_shards(parts: &[Plan]) -> Result<(), MergeError> {
    let shards: Vec<&str> = parts.iter().filter_map(|p| p.shard.as_deref()).collect();
    if shards.is_empty() {
        return Ok(());
    }
    let parse = |s: &str| {
        s.split_once('/')
            .and_then(|(i, n)| Some((i.parse::<usize>().ok()?, n.parse::<usize>().ok()?)))
    };
    let parsed: Option<Vec<(usize, usize)>> = shards.iter().map(|s| parse(s)).collect();
    let Some(parsed) = parsed else {
        return Err(MergeError::Shards(format!(
            "unreadable shard in {shards:?}"
        )));
    };
    let count = parsed[0].1;
    let have: BTreeSet<usize> = parsed.iter().map(|(i, _)| *i).collect();
    let missing: Vec<String> = (1..=count)
        .filter(|i| !have.contains(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if shards.len() != parts.len()
        || parsed.iter().any(|(_, n)| *n != count)
        || have.len() != parsed.len()
        || !missing.is_empty()
    {
        return Err(MergeError::Shards(format!(
            "given {}; missing {}",
            shards.join(", "),
            if missing.is_empty() {
                "none, but some are repeated or of another run".to_owned()
            } else {
                missing.join(", ")
            }
        )));
    }
    Ok(())
}
