//! The commands: validate, plan, apply (from the file or a saved plan), destroy, show, init
//! and force-unlock. Each returns its exit code; errors are printed once, with what went
//! wrong, where, and what to do next. Planning and applying are the engine's
//! (`baseline-engine`); the commands parse, print and choose exit codes.

mod init;
mod run;
mod strict;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use baseline_aws::{AwsContext, ContextOptions, Lock};
use baseline_core::{Plan, Spec, load_str};

pub(crate) use baseline_engine::{Goal, Selection as Fanout};
pub(crate) use init::init;
pub(crate) use run::{apply, apply_saved, plan};
pub(crate) use strict::validate_strict;

use crate::exit;
use crate::output::{Format, Output, error, print, progress, render};

/// What `plan` prints and saves.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PlanOutput<'a> {
    pub format: Format,
    pub save: Option<&'a Path>,
    pub detailed: bool,
}

/// How apply runs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Run {
    pub auto_approve: bool,
    pub parallelism: usize,
}

fn load(file: &Path) -> Option<Spec> {
    load_with_source(file).map(|(spec, _)| spec)
}

/// The spec and the text it was parsed from (read once: the checksum and the warnings
/// describe exactly what was planned).
fn load_with_source(file: &Path) -> Option<(Spec, String)> {
    let loaded = baseline_core::load::read_source(file)
        .and_then(|text| Ok((load_str(&text, &file.display().to_string())?, text)));
    match loaded {
        Ok(loaded) => Some(loaded),
        Err(err) => {
            error(&err.to_string(), None);
            None
        }
    }
}

/// Warns, on stderr, about each value `text` (the file `file`) still holds from an example.
fn warn_placeholders(file: &Path, text: &str) {
    let found = baseline_core::placeholders::find(text);
    for placeholder in &found {
        crate::output::warning(&format!(
            "{}:{}: `{}` is an example's value",
            file.display(),
            placeholder.line,
            placeholder.value
        ));
    }
    if !found.is_empty() {
        progress(
            "  = hint: put the account's real values in before apply: it writes contacts and \
             subscribes e-mail addresses as they are",
        );
    }
}

pub(crate) fn validate(file: &Path) -> u8 {
    let Some((spec, text)) = load_with_source(file) else {
        return exit::ERROR;
    };
    warn_placeholders(file, &text);
    let home = spec
        .account
        .home_region
        .as_ref()
        .map_or("us-east-1", |r| r.as_str());
    let scope = baseline_core::scope::Scope::assumed(&spec, home);
    let desired = baseline_aws::expand(&spec, &scope);
    let manual = desired.iter().filter(|d| d.manual.is_some()).count();
    let regions = match &spec.account.regions {
        Some(baseline_core::spec::RegionsSpec::All) => {
            " (`regions: all` is resolved at plan time; counted for the home region)"
        }
        _ => "",
    };
    print(&format!(
        "{} is valid: {} resources for account {} ({} managed, {} manual items){regions}.\n",
        file.display(),
        desired.len(),
        spec.account.id,
        desired.len() - manual,
        manual
    ));
    exit::OK
}

/// Loads the AWS settings, or says what is wrong with them (an unknown profile or region).
async fn load_context(options: &ContextOptions) -> Option<Arc<AwsContext>> {
    match AwsContext::load(options).await {
        Ok(ctx) => Some(Arc::new(ctx)),
        Err(err) => {
            error(&err.message, Some(&err.hint));
            None
        }
    }
}

/// Connects and checks the account pin before any other call.
async fn connect(options: &ContextOptions, account_id: &str) -> Option<Arc<AwsContext>> {
    let ctx = load_context(options).await?;
    match ctx.check_pin(account_id).await {
        Ok(()) => Some(ctx),
        Err(err) => {
            error(&err.to_string(), Some(&err.hint()));
            None
        }
    }
}

/// Takes the account's apply lock, or says who holds it.
async fn take_lock(ctx: &AwsContext, account: &str, region: &str) -> Option<Lock> {
    match baseline_aws::acquire_lock(ctx, account, region).await {
        Ok(lock) => Some(lock),
        Err(err) => {
            error(&err.to_string(), Some(&err.hint()));
            None
        }
    }
}

/// Gives the apply lock back; a lock that cannot be released is said, with the way out.
async fn release(lock: Option<Lock>, ctx: &AwsContext) {
    if let Some(lock) = lock
        && let Err(err) = lock.release(ctx).await
    {
        error(
            &format!("the apply lock could not be released: {err}"),
            Some("the next apply will say the account is locked: run `baseline force-unlock`"),
        );
    }
}

/// `baseline force-unlock`: removes the account's apply lock, whoever holds it.
pub(crate) async fn force_unlock(file: &Path, options: ContextOptions) -> u8 {
    let Some(spec) = load(file) else {
        return exit::ERROR;
    };
    let pinned = spec.account.id.as_str().to_owned();
    let Some(ctx) = connect(&options, &pinned).await else {
        return exit::ERROR;
    };
    let region = baseline_aws::home_region(&ctx, &spec);
    match baseline_aws::force_unlock(&ctx, &region).await {
        Ok(Some(holder)) => {
            print(&format!(
                "Removed the apply lock of account {pinned} (held by {holder}).\n"
            ));
            exit::OK
        }
        Ok(None) => {
            print(&format!("Account {pinned} was not locked.\n"));
            exit::OK
        }
        Err(err) => {
            error(&err.to_string(), err.hint.as_deref());
            exit::ERROR
        }
    }
}

/// Reads a saved plan, refusing one this version cannot apply.
fn read_saved(path: &Path) -> Option<Plan> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) => {
            error(&format!("cannot read {}: {err}", path.display()), None);
            return None;
        }
    };
    let version = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("format_version")?.as_str().map(str::to_owned));
    if let Some(version) = &version
        && !Plan::is_compatible(version)
    {
        error(
            &format!(
                "{} has plan format {version}, which this baseline ({}) does not read: it reads \
                 plans of format {} (each resource change shaped as in Terraform's plans, since \
                 3.0); nothing was changed",
                path.display(),
                env!("CARGO_PKG_VERSION"),
                Plan::FORMAT_VERSION
            ),
            Some(
                "make the plan again with this version (`baseline plan --out PLAN`), review it, \
                 and apply that",
            ),
        );
        return None;
    }
    match serde_json::from_str::<Plan>(&text) {
        Ok(mut plan) => match plan.verify(baseline_aws::grants) {
            Ok(()) => Some(plan),
            Err(err) => {
                error(
                    &format!(
                        "{} cannot be applied: {err}; nothing was changed",
                        path.display()
                    ),
                    Some("make a new plan (`baseline plan --out PLAN`), review it, and apply that"),
                );
                None
            }
        },
        Err(err) => {
            error(
                &format!("{} is not a saved baseline plan: {err}", path.display()),
                Some(
                    "`baseline plan --out PLAN` saves one; to apply a baseline file, use `-f FILE`",
                ),
            );
            None
        }
    }
}

pub(crate) fn schema() -> u8 {
    let schema = baseline_core::schema::baseline_schema();
    print(&format!(
        "{}\n",
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    ));
    exit::OK
}

pub(crate) fn show(paths: &[PathBuf], out: Output, format: Format) -> u8 {
    let mut parts = Vec::new();
    for path in paths {
        let Some(plan) = read_saved(path) else {
            return exit::ERROR;
        };
        parts.push(plan);
    }
    match Plan::merge(parts) {
        Ok(plan) => {
            print(&render(&plan, format, out));
            exit::OK
        }
        Err(err) => {
            error(
                &format!("the plans cannot be shown as one: {err}"),
                Some("give every shard of one run (`plan --shard I/N --out PLAN`), once each"),
            );
            exit::ERROR
        }
    }
}
