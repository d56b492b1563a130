//! A saved plan is applied only while the account is as it was planned against: every
//! resource the plan acts on, in every account, is read again and compared with `before`.

use std::collections::BTreeMap;
use std::sync::Arc;

use baseline_core::{Action, Plan, ReadRequest, ResourceChange, exec};

use crate::{Account, READ_LIMITS};

/// The addresses of a plan (one account's part) whose live state differs from what the
/// plan was made against.
pub async fn drifted<A: Account>(
    account: &Arc<A>,
    plan: &Plan,
) -> Result<Vec<String>, Vec<String>> {
    let targets: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::Manual)
        .collect();
    let requests = targets.iter().map(|c| ReadRequest::recheck(c)).collect();
    let live = exec::read_all(Arc::clone(account).provider(), requests, READ_LIMITS)
        .await
        .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    Ok(targets
        .iter()
        .zip(&live)
        .filter(|(change, now)| change.before != **now)
        .map(|(change, _)| change.address.to_string())
        .collect())
}

/// Checks every account of a saved plan: reaches each member with changes through the
/// plan's role and reads what the plan acts on. Returns the members reached, or each
/// problem ("account X: a, b" for drifted addresses, or why an account could not be read).
pub async fn recheck<A: Account>(
    root: &Arc<A>,
    plan: &Plan,
) -> Result<BTreeMap<String, Arc<A>>, Vec<String>> {
    let mut members = BTreeMap::new();
    let mut problems: Vec<String> = Vec::new();
    let mut check = |label: String, result: Result<Vec<String>, Vec<String>>| match result {
        Ok(drifted) if drifted.is_empty() => {}
        Ok(drifted) if label.is_empty() => problems.push(drifted.join(", ")),
        Ok(drifted) => problems.push(format!("{label}: {}", drifted.join(", "))),
        Err(errors) if label.is_empty() => problems.extend(errors),
        Err(errors) => problems.extend(errors.iter().map(|e| format!("{label}: {e}"))),
    };
    let own_label = if plan.accounts.is_empty() {
        String::new()
    } else {
        format!("account {}", plan.account_id)
    };
    check(own_label, drifted(root, plan).await);
    for part in plan.accounts.iter().filter(|a| a.has_changes()) {
        let role = part.role_arn.rsplit('/').next().unwrap_or_default();
        let label = format!("account {}", part.label());
        match root.reach(&part.account_id, role).await {
            (_, Ok(member)) => {
                check(label, drifted(&member, &part.as_plan("")).await);
                members.insert(part.account_id.clone(), member);
            }
            (_, Err(err)) => check(label, Err(vec![err])),
        }
    }
    if problems.is_empty() {
        Ok(members)
    } else {
        Err(problems)
    }
}
