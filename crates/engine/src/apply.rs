//! Apply, account by account: the pinned account's part first (it may create the OUs and
//! accounts the others need), then every member's, several at once.

use std::collections::BTreeMap;
use std::sync::Arc;

use baseline_core::exec::{self, ApplyReport, Event};
use baseline_core::graph::CycleError;
use baseline_core::{AccountPlan, Plan};
use tokio::task::JoinSet;

use crate::{Account, Observer};

/// Applies the pinned account's own changes.
pub async fn apply_own<A: Account>(
    root: &Arc<A>,
    plan: &Plan,
    parallelism: usize,
    observer: &dyn Observer,
) -> Result<ApplyReport, CycleError> {
    let show = |event: Event<'_>| observer.event("", event);
    exec::apply(plan, Arc::clone(root).provider(), parallelism, &show).await
}

/// Applies each member's part, at most `accounts` at once, in account order.
pub async fn apply_members<A: Account, O: Observer + Send + Sync + Clone + 'static>(
    plan: &Plan,
    members: &BTreeMap<String, Arc<A>>,
    accounts: usize,
    parallelism: usize,
    observer: &O,
) -> Vec<(AccountPlan, Result<ApplyReport, String>)> {
    let semaphore = Arc::new(tokio::sync::Semaphore::new(accounts.max(1)));
    let mut tasks = JoinSet::new();
    for part in plan.accounts.iter().filter(|a| a.has_changes()) {
        let Some(account) = members.get(&part.account_id).cloned() else {
            continue;
        };
        let part = part.clone();
        let semaphore = Arc::clone(&semaphore);
        let sha = plan.baseline_sha256.clone();
        let observer = observer.clone();
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let prefix = part.account_id.clone();
            let show = |event: Event<'_>| observer.event(&prefix, event);
            let result = exec::apply(&part.as_plan(&sha), account.provider(), parallelism, &show)
                .await
                .map_err(|cycle| cycle.to_string());
            (part, result)
        });
    }
    let mut done = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(result) => done.push(result),
            Err(join) => std::panic::resume_unwind(join.into_panic()),
        }
    }
    done.sort_by(|a, b| a.0.account_id.cmp(&b.0.account_id));
    done
}
