//! Planning: one account read and compared with the file, then the member accounts an
//! organization selects, several at once; one account's failure is recorded against it
//! and the others carry on.

use std::collections::BTreeMap;
use std::sync::Arc;

use baseline_core::exec::{self, Event};
use baseline_core::plan::{destroy, diff};
use baseline_core::scope::Scope;
use baseline_core::spec::TargetsSpec;
use baseline_core::{AccountPlan, Plan, ReadRequest, ResourceChange, Spec};
use tokio::task::JoinSet;

use crate::{Account, Failure, Member, Observer, Organization, READ_LIMITS};

/// Whether a run makes the account match the baseline, or removes what it declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    Baseline,
    Destroy,
}

/// Which accounts a run covers (empty: all the file selects; `shard`: only its part), and
/// how many accounts are planned and applied at once (`None`: the file's
/// `targets.parallelism`).
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub only: Vec<String>,
    pub parallelism: Option<usize>,
    pub shard: Option<crate::Shard>,
}

/// A plan, with the accounts it covers reached and ready to apply.
#[derive(Debug)]
pub struct Planned<A> {
    pub plan: Plan,
    pub root: Arc<A>,
    pub members: BTreeMap<String, Arc<A>>,
    pub parallelism: usize,
}

/// One account read and compared: its scope and its changes, or every reason it could not
/// be. `known` names the declared accounts that exist (name to id); `progress` hears how
/// many resources there are to read, and each one read.
pub async fn plan_account<A: Account>(
    account: &Arc<A>,
    spec: &Spec,
    known: &BTreeMap<String, String>,
    goal: Goal,
    progress: &(dyn Fn(Event<'_>) + Sync),
) -> Result<(Scope, Vec<ResourceChange>), Vec<String>> {
    let mut scope = account.scope(spec).await.map_err(|err| vec![err])?;
    scope.org_accounts.clone_from(known);
    let mut desired = account.expand(spec, &scope);
    if goal == Goal::Destroy {
        desired.retain(|d| account.destroys(&d.address));
        desired = destroy(desired);
    }
    let requests = desired.iter().map(ReadRequest::of).collect();
    let provider = Arc::clone(account).provider();
    let live = exec::read_all_with(provider, requests, READ_LIMITS, progress)
        .await
        .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    let changes = desired
        .iter()
        .zip(&live)
        .map(|(want, have)| diff(want, have.as_ref()))
        .collect();
    Ok((scope, changes))
}

/// Plans every member, at most `parallelism` at once. Returns each account's part of the
/// plan and, for those reached, the account to apply with.
pub async fn plan_members<A: Account, O: Observer + Clone + Send + 'static>(
    root: &Arc<A>,
    spec: &Arc<Spec>,
    members: Vec<Member>,
    role: &str,
    parallelism: usize,
    goal: Goal,
    observer: &O,
) -> (Vec<AccountPlan>, BTreeMap<String, Arc<A>>) {
    let semaphore = Arc::new(tokio::sync::Semaphore::new(parallelism.max(1)));
    let mut tasks = JoinSet::new();
    for member in members {
        let root = Arc::clone(root);
        let spec = Arc::clone(spec);
        let semaphore = Arc::clone(&semaphore);
        let role = role.to_owned();
        let observer = observer.clone();
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let id = member.account_id.clone();
            let (role_arn, reached) = root.reach(&id, &role).await;
            let account = match reached {
                Ok(account) => account,
                Err(error) => {
                    return (AccountPlan::failed(&id, member.name, role_arn, error), None);
                }
            };
            let member_spec = spec.for_member(&id);
            let progress = |event: Event<'_>| observer.event(&id, event);
            let planned =
                plan_account(&account, &member_spec, &BTreeMap::new(), goal, &progress).await;
            account.rest();
            match planned {
                Ok((scope, changes)) => {
                    let part = AccountPlan::new(&id, member.name, role_arn, scope.regions, changes);
                    (part, Some(account))
                }
                Err(errors) => (
                    AccountPlan::failed(&id, member.name, role_arn, errors.join("\n")),
                    None,
                ),
            }
        });
    }
    let mut parts = Vec::new();
    let mut accounts = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((part, account)) => {
                if let Some(account) = account {
                    observer.planned(&part);
                    accounts.insert(part.account_id.clone(), account);
                }
                parts.push(part);
            }
            Err(join) => std::panic::resume_unwind(join.into_panic()),
        }
    }
    parts.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    (parts, accounts)
}

/// Plans a run: the pinned account's own resources, then each member account the file's
/// `targets` selects (through a role), limited to `selection`.
pub async fn plan<A: Account, O: Observer + Clone + Send + 'static>(
    root: &Arc<A>,
    spec: &Arc<Spec>,
    organization: &Organization,
    goal: Goal,
    selection: &Selection,
    observer: &O,
) -> Result<Planned<A>, Vec<Failure>> {
    let pinned = spec.account.id.as_str().to_owned();
    if !selection.only.is_empty() {
        check_selection(&selection.only, &pinned, organization)?;
    }
    let listed = |id: &str, name: Option<&str>| {
        selection.only.is_empty()
            || selection
                .only
                .iter()
                .any(|o| o == id || Some(o.as_str()) == name)
    };
    // A shard plans its members; the first also the pinned account and those not made yet.
    let first = selection.shard.is_none_or(crate::Shard::is_first);
    let member_selected = |id: &str, name: Option<&str>| {
        listed(id, name) && selection.shard.is_none_or(|s| s.holds(id))
    };
    let (regions, changes) = if first && listed(&pinned, None) {
        let progress = |event: Event<'_>| observer.event("", event);
        let (scope, changes) = plan_account(root, spec, &organization.known, goal, &progress)
            .await
            .map_err(|errors| {
                let mut failures: Vec<Failure> = errors.into_iter().map(Failure::new).collect();
                failures.push(Failure::new(format!(
                    "could not read account {pinned}; nothing was changed"
                )));
                failures
            })?;
        if !scope.not_enabled.is_empty() {
            observer.note(&format!(
                "Not enabled for this account, so not planned yet: {} (apply opts in: see account_region).",
                scope.not_enabled.join(", ")
            ));
        }
        if scope.regions.len() > 1 {
            observer.note(&format!(
                "Read {} regions: {}",
                scope.regions.len(),
                scope.regions.join(", ")
            ));
        }
        (scope.regions, changes)
    } else {
        (Vec::new(), Vec::new())
    };
    let members: Vec<Member> = organization
        .members
        .iter()
        .filter(|m| member_selected(&m.account_id, m.name.as_deref()))
        .cloned()
        .collect();
    let targets = spec.targets.as_ref();
    let parallelism = selection
        .parallelism
        .or_else(|| {
            targets
                .and_then(|t| t.parallelism)
                .map(|p| p.get() as usize)
        })
        .unwrap_or(TargetsSpec::DEFAULT_PARALLELISM);
    let role = targets.map_or(TargetsSpec::DEFAULT_ROLE, |t| t.role());
    if !members.is_empty() {
        observer.note(&format!(
            "Planning {} member account(s) through {role}, {parallelism} at a time...",
            members.len()
        ));
    }
    let (parts, accounts) =
        plan_members(root, spec, members, role, parallelism, goal, observer).await;
    let mut plan = Plan::new(&pinned, regions, changes).with_accounts(parts);
    plan.limited_to.clone_from(&selection.only);
    if let Some(shard) = selection.shard {
        plan.shard = Some(shard.to_string());
        if !first {
            // The pinned account is not in this shard's plan (it is in shard 1's).
            plan.limited_to = plan.accounts.iter().map(|a| a.account_id.clone()).collect();
        }
    }
    plan.pending_accounts = organization
        .pending
        .iter()
        .filter(|name| first && listed("", Some(name)))
        .cloned()
        .collect();
    Ok(Planned {
        plan,
        root: Arc::clone(root),
        members: accounts,
        parallelism,
    })
}

/// Every `--target-account` names the pinned account, a member account `targets` selects
/// (by id or name), or a declared account not created yet.
fn check_selection(
    only: &[String],
    pinned: &str,
    organization: &Organization,
) -> Result<(), Vec<Failure>> {
    let mut known: Vec<&str> = vec![pinned];
    for member in &organization.members {
        known.push(&member.account_id);
        known.extend(member.name.as_deref());
    }
    known.extend(organization.pending.iter().map(String::as_str));
    let unknown: Vec<String> = only
        .iter()
        .filter(|o| !known.contains(&o.as_str()))
        .map(|u| format!("`{u}`"))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(vec![
        Failure::new(format!(
            "--target-account {} is not this account or one that `targets` selects; nothing was read",
            unknown.join(", ")
        ))
        .hint(format!(
            "the accounts this file covers: {}",
            known.join(", ")
        )),
    ])
}
