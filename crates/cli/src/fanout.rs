//! Member accounts: each is reached through a role, its pin checked, planned and applied on
//! its own, several at once (bounded). One account's failure is recorded against it and
//! the others carry on.

use std::collections::BTreeMap;
use std::sync::Arc;

use baseline_aws::{AwsContext, AwsProvider, Member};
use baseline_core::exec::{self, ApplyReport, Event};
use baseline_core::plan::{destroy, diff};
use baseline_core::scope::Scope;
use baseline_core::{AccountPlan, Plan, Provider, ReadRequest, ResourceChange, Spec};
use tokio::task::JoinSet;

use crate::commands::{Goal, READ_CONCURRENCY, progress};

/// One account read and compared: its scope and its changes, or every reason it could not be.
pub(crate) async fn plan_account(
    ctx: &Arc<AwsContext>,
    spec: &Spec,
    known: &BTreeMap<String, String>,
    goal: Goal,
) -> Result<(Scope, Vec<ResourceChange>), Vec<String>> {
    let mut scope = baseline_aws::resolve_scope(ctx, spec)
        .await
        .map_err(|err| vec![err.to_string()])?;
    scope.org_accounts.clone_from(known);
    let mut desired = baseline_aws::expand(spec, &scope);
    if goal == Goal::Destroy {
        desired.retain(|d| baseline_aws::destroys(&d.address));
        desired = destroy(desired);
    }
    let provider: Arc<dyn Provider> = Arc::new(AwsProvider::new(Arc::clone(ctx)));
    let requests = desired.iter().map(ReadRequest::of).collect();
    let live = exec::read_all(provider, requests, READ_CONCURRENCY)
        .await
        .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    let changes = desired
        .iter()
        .zip(&live)
        .map(|(want, have)| diff(want, have.as_ref()))
        .collect();
    Ok((scope, changes))
}

/// Assumes `role` in the member account and checks that the credentials are for it.
pub(crate) async fn reach(
    ctx: &AwsContext,
    account_id: &str,
    role: &str,
) -> (String, Result<Arc<AwsContext>, String>) {
    let role_arn = ctx.role_arn(account_id, role);
    let member = Arc::new(ctx.assume_role(&role_arn).await);
    let checked = match member.check_pin(account_id).await {
        Ok(()) => Ok(member),
        Err(err) => Err(format!(
            "cannot act in it through {role_arn}: {err}\n  = hint: the role must exist in the account and trust the management account (accounts AWS Organizations creates have it); set `targets.role` if yours is another"
        )),
    };
    (role_arn, checked)
}

/// Plans every member, at most `parallelism` at once. Returns each account's part of the
/// plan and, for those reached, the context to apply with.
pub(crate) async fn plan_members(
    ctx: &Arc<AwsContext>,
    spec: &Arc<Spec>,
    members: Vec<Member>,
    role: &str,
    parallelism: usize,
    goal: Goal,
) -> (Vec<AccountPlan>, BTreeMap<String, Arc<AwsContext>>) {
    let semaphore = Arc::new(tokio::sync::Semaphore::new(parallelism.max(1)));
    let mut tasks = JoinSet::new();
    for member in members {
        let ctx = Arc::clone(ctx);
        let spec = Arc::clone(spec);
        let semaphore = Arc::clone(&semaphore);
        let role = role.to_owned();
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let id = member.account_id.clone();
            let (role_arn, reached) = reach(&ctx, &id, &role).await;
            let member_ctx = match reached {
                Ok(member_ctx) => member_ctx,
                Err(error) => {
                    return (AccountPlan::failed(&id, member.name, role_arn, error), None);
                }
            };
            let member_spec = spec.for_member(&id);
            match plan_account(&member_ctx, &member_spec, &BTreeMap::new(), goal).await {
                Ok((scope, changes)) => {
                    let part = AccountPlan::new(&id, member.name, role_arn, scope.regions, changes);
                    progress(&format!(
                        "Planned account {}: {}",
                        part.label(),
                        baseline_render::summary_line(part.summary)
                    ));
                    (part, Some(member_ctx))
                }
                Err(errors) => (
                    AccountPlan::failed(&id, member.name, role_arn, errors.join("\n")),
                    None,
                ),
            }
        });
    }
    let mut parts = Vec::new();
    let mut contexts = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((part, member_ctx)) => {
                if let Some(member_ctx) = member_ctx {
                    contexts.insert(part.account_id.clone(), member_ctx);
                }
                parts.push(part);
            }
            Err(join) => std::panic::resume_unwind(join.into_panic()),
        }
    }
    (parts, contexts)
}

/// The addresses of a part whose live state differs from what the plan was made against.
pub(crate) async fn drifted(
    ctx: &Arc<AwsContext>,
    plan: &Plan,
) -> Result<Vec<String>, Vec<String>> {
    let targets: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action != baseline_core::Action::Manual)
        .collect();
    let requests = targets.iter().map(|c| ReadRequest::recheck(c)).collect();
    let provider: Arc<dyn Provider> = Arc::new(AwsProvider::new(Arc::clone(ctx)));
    let live = exec::read_all(provider, requests, READ_CONCURRENCY)
        .await
        .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    Ok(targets
        .iter()
        .zip(&live)
        .filter(|(change, now)| change.before != **now)
        .map(|(change, _)| change.address.to_string())
        .collect())
}

/// Applies each member's part, at most `accounts` at once; progress lines name the account.
pub(crate) async fn apply_members(
    plan: &Plan,
    contexts: &BTreeMap<String, Arc<AwsContext>>,
    accounts: usize,
    parallelism: usize,
) -> Vec<(AccountPlan, Result<ApplyReport, String>)> {
    let semaphore = Arc::new(tokio::sync::Semaphore::new(accounts.max(1)));
    let mut tasks = JoinSet::new();
    for part in plan.accounts.iter().filter(|a| a.has_changes()) {
        let Some(ctx) = contexts.get(&part.account_id).cloned() else {
            continue;
        };
        let part = part.clone();
        let semaphore = Arc::clone(&semaphore);
        let sha = plan.baseline_sha256.clone();
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let prefix = part.account_id.clone();
            let show = move |event: Event<'_>| crate::commands::show_progress(&prefix, event);
            let provider: Arc<dyn Provider> = Arc::new(AwsProvider::new(ctx));
            let result = exec::apply(&part.as_plan(&sha), provider, parallelism, &show)
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
