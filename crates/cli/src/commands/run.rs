//! Plan and apply: the file or a saved plan is planned or checked by the engine, shown,
//! confirmed and applied, with the account locked from the first read to the last change.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use baseline_aws::{AwsContext, ContextOptions, Lock};
use baseline_core::exec::ApplyReport;
use baseline_core::spec::TargetsSpec;
use baseline_core::{Plan, Spec};
use baseline_engine::{Member, Organization, Planned};
use baseline_render::Style;

use super::{
    Fanout, Goal, PlanOutput, Run, connect, load_with_source, read_saved, release, take_lock,
    warn_placeholders,
};
use crate::exit;
use crate::output::{Output, Terminal, end_progress, error, print, progress, render};

/// Loads the file, connects, checks the account pin, takes the apply lock when `lock` (kept
/// in the home region, from before the account is read until the caller releases it) and
/// plans: the pinned account's own resources, then each member account `targets` selects.
async fn make_plan(
    file: &Path,
    options: &ContextOptions,
    goal: Goal,
    fanout: &Fanout,
    lock: bool,
) -> Option<(Planned<AwsContext>, Option<Lock>)> {
    let (spec, text) = load_with_source(file)?;
    let spec = Arc::new(spec);
    warn_placeholders(file, &text);
    let sha256 = baseline_core::plan::sha256_hex(text.as_bytes());
    let started = Instant::now();
    let options = ContextOptions {
        region: options.region.clone().or_else(|| {
            spec.account
                .home_region
                .as_ref()
                .map(|r| r.as_str().to_owned())
        }),
        ..options.clone()
    };
    let pinned = spec.account.id.as_str().to_owned();
    let ctx = connect(&options, &pinned).await?;
    let lock = if lock {
        let region = baseline_aws::home_region(&ctx, &spec);
        Some(take_lock(&ctx, &pinned, &region).await?)
    } else {
        None
    };
    match read_accounts(sha256, &spec, &ctx, goal, fanout, started).await {
        Some(planned) => Some((planned, lock)),
        None => {
            release(lock, &ctx).await;
            None
        }
    }
}

/// Finds the organization's members, then lets the engine plan every account; the plan
/// records `sha256`, the checksum of the file's text.
async fn read_accounts(
    sha256: String,
    spec: &Arc<Spec>,
    ctx: &Arc<AwsContext>,
    goal: Goal,
    fanout: &Fanout,
    started: Instant,
) -> Option<Planned<AwsContext>> {
    let survey = match baseline_aws::survey(ctx, spec).await {
        Ok(survey) => survey,
        Err(err) => {
            error(&err.to_string(), None);
            return None;
        }
    };
    let organization = Organization {
        known: survey.known,
        members: survey
            .members
            .into_iter()
            .map(|m| Member {
                account_id: m.account_id,
                name: m.name,
            })
            .collect(),
        pending: survey.pending,
    };
    let planned = baseline_engine::plan(ctx, spec, &organization, goal, fanout, &Terminal).await;
    end_progress();
    let mut planned = match planned {
        Ok(planned) => planned,
        Err(failures) => {
            for failure in &failures {
                error(&failure.message, failure.hint.as_deref());
            }
            return None;
        }
    };
    let plan = &mut planned.plan;
    plan.baseline_sha256 = sha256;
    tracing::info!(
        aws_calls = ctx.calls(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        accounts = plan.accounts.len() + 1,
        resources =
            plan.changes.len() + plan.accounts.iter().map(|a| a.changes.len()).sum::<usize>(),
        "plan read the accounts"
    );
    Some(planned)
}

pub(crate) async fn plan(
    file: &Path,
    options: ContextOptions,
    out: Output,
    report: PlanOutput<'_>,
    fanout: &Fanout,
) -> u8 {
    let Some((Planned { plan, .. }, _)) =
        make_plan(file, &options, Goal::Baseline, fanout, false).await
    else {
        return exit::ERROR;
    };
    if let Some(path) = report.save {
        if let Err(err) = std::fs::write(path, baseline_render::plan_json(&plan)) {
            error(
                &format!("cannot save the plan to {}: {err}", path.display()),
                None,
            );
            return exit::ERROR;
        }
        progress(&format!(
            "Saved the plan to {0}: `baseline show {0}` prints it, `baseline apply {0}` applies exactly it.",
            path.display()
        ));
    }
    print(&render(&plan, report.format, out));
    if plan.has_failures() {
        error(
            "some accounts could not be planned (see above); the plan covers the others",
            Some("fix access to those accounts, or leave them out with --target-account"),
        );
        return exit::ERROR;
    }
    if report.detailed && plan.has_changes() {
        exit::CHANGES
    } else {
        exit::OK
    }
}

pub(crate) async fn apply(
    file: &Path,
    options: ContextOptions,
    out: Output,
    run: Run,
    goal: Goal,
    fanout: &Fanout,
) -> u8 {
    let Some((planned, lock)) = make_plan(file, &options, goal, fanout, true).await else {
        return exit::ERROR;
    };
    let code = execute(&planned, &options, out, run).await;
    release(lock, &planned.root).await;
    code
}

/// Applies a saved plan exactly, after checking that every resource it acts on, in every
/// account, is still as it was planned against.
pub(crate) async fn apply_saved(path: &Path, options: ContextOptions, out: Output, run: Run) -> u8 {
    let Some(plan) = read_saved(path) else {
        return exit::ERROR;
    };
    let options = ContextOptions {
        region: options
            .region
            .clone()
            .or_else(|| plan.regions.first().cloned()),
        ..options
    };
    let Some(ctx) = connect(&options, &plan.account_id).await else {
        return exit::ERROR;
    };
    let region = plan
        .regions
        .first()
        .cloned()
        .or_else(|| ctx.region().map(str::to_owned))
        .unwrap_or_else(|| "us-east-1".to_owned());
    let Some(lock) = take_lock(&ctx, &plan.account_id, &region).await else {
        return exit::ERROR;
    };
    let code = apply_checked(plan, ctx.clone(), &options, out, run).await;
    release(Some(lock), &ctx).await;
    code
}

/// Applies a saved plan once the account is locked: when nothing it acts on changed since.
async fn apply_checked(
    plan: Plan,
    ctx: Arc<AwsContext>,
    options: &ContextOptions,
    out: Output,
    run: Run,
) -> u8 {
    let members = match baseline_engine::recheck(&ctx, &plan).await {
        Ok(members) => members,
        Err(problems) => {
            error(
                &format!(
                    "the account changed since the plan was made: {}; nothing was changed",
                    problems.join("; ")
                ),
                Some("make a new plan (`baseline plan --out PLAN`), review it, and apply that"),
            );
            return exit::ERROR;
        }
    };
    let planned = Planned {
        plan,
        root: ctx,
        members,
        parallelism: TargetsSpec::DEFAULT_PARALLELISM,
    };
    execute(&planned, options, out, run).await
}

/// Shows the plan, checks what apply needs, asks for confirmation, applies (the pinned
/// account first: it may create the OUs and accounts, then every member account) and
/// reports per account.
async fn execute(
    planned: &Planned<AwsContext>,
    options: &ContextOptions,
    out: Output,
    run: Run,
) -> u8 {
    let plan = &planned.plan;
    let style = Style { color: out.color };
    let Ok(new_console_users) = console_users(plan, options) else {
        return exit::ERROR;
    };
    print(&baseline_render::plan_text(plan, out.view()));
    if !plan.has_changes() {
        print("Nothing to apply.\n");
        return if plan.has_failures() {
            exit::ERROR
        } else {
            exit::OK
        };
    }
    if !run.auto_approve && !confirmed(plan, out) {
        return exit::ERROR;
    }
    let started = Instant::now();
    let mut succeeded = !plan.has_failures();
    if plan.changes.iter().any(|c| c.action.is_change()) {
        let applied =
            baseline_engine::apply_own(&planned.root, plan, run.parallelism, &Terminal).await;
        end_progress();
        let report = match applied {
            Ok(report) => report,
            Err(cycle) => {
                error(
                    &cycle.to_string(),
                    Some("this is a bug in baseline: please report it"),
                );
                return exit::ERROR;
            }
        };
        if !plan.accounts.is_empty() {
            print(&format!("\nAccount {}:\n", plan.account_id));
        }
        print(&baseline_render::report_text(&report, plan, style));
        succeeded &= report.succeeded();
    }
    let results = baseline_engine::apply_members(
        plan,
        &planned.members,
        planned.parallelism,
        run.parallelism,
        &Terminal,
    )
    .await;
    end_progress();
    for (part, result) in &results {
        print(&format!("\nAccount {}:\n", part.label()));
        match result {
            Ok(report) => {
                print(&baseline_render::report_text(
                    report,
                    &part.as_plan(""),
                    style,
                ));
                succeeded &= report.succeeded();
            }
            Err(cycle) => {
                error(cycle, Some("this is a bug in baseline: please report it"));
                succeeded = false;
            }
        }
    }
    tracing::info!(
        aws_calls = planned.root.calls(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "apply finished"
    );
    if !results.is_empty() || plan.has_failures() {
        let failed: Vec<String> = results
            .iter()
            .filter(|(_, r)| !r.as_ref().is_ok_and(ApplyReport::succeeded))
            .map(|(part, _)| part.label())
            .chain(
                plan.accounts
                    .iter()
                    .filter(|a| a.error.is_some())
                    .map(|a| format!("{} (not planned)", a.label())),
            )
            .collect();
        print(&format!(
            "\nApplied to {} member account(s); {}.\n",
            results.len(),
            if failed.is_empty() {
                "none failed".to_owned()
            } else {
                format!("incomplete in {}", failed.join(", "))
            }
        ));
    }
    if let Some(file) = &options.password_file
        && !new_console_users.is_empty()
    {
        print(&format!(
            "The initial passwords of new console users, if apply created them, are in {} (mode 0600). \
             Hand each to its person privately, then delete the file.\n",
            file.display()
        ));
    }
    if succeeded { exit::OK } else { exit::ERROR }
}

/// The new console users apply would give a password (by address, prefixed with the account
/// in a member's part), once `--password-file` is known to take them: refused, before the
/// plan is printed or anything changes, when there is no file or it cannot be one.
fn console_users(plan: &Plan, options: &ContextOptions) -> Result<Vec<String>, ()> {
    let parts: Vec<Plan> = std::iter::once(plan.clone())
        .chain(plan.accounts.iter().map(|a| a.as_plan("")))
        .collect();
    let new_console_users: Vec<String> = parts
        .iter()
        .flat_map(|part| {
            baseline_aws::needing_passwords(part)
                .into_iter()
                .map(move |a| (part.account_id.clone(), a))
        })
        .map(|(account, address)| {
            if account == plan.account_id {
                address.to_string()
            } else {
                format!("{account}/{address}")
            }
        })
        .collect();
    if !new_console_users.is_empty() && options.password_file.is_none() {
        error(
            &format!(
                "apply would give {} a console password, and there is no --password-file; nothing was changed",
                new_console_users.join(", ")
            ),
            Some(
                "pass --password-file FILE: initial passwords are written there (mode 0600), never printed",
            ),
        );
        return Err(());
    }
    // The file is checked before any change: a link, a device or a folder that is not
    // there would otherwise fail after everything else was applied.
    if let Some(file) = &options.password_file
        && !new_console_users.is_empty()
        && let Err(problem) = baseline_aws::check_password_file_writable(file)
    {
        error(
            &format!("{problem}; nothing was changed"),
            Some(
                "--password-file takes the path of a regular file, or a new one in a folder that exists",
            ),
        );
        return Err(());
    }
    Ok(new_console_users)
}

/// Asks for `yes` on a terminal; refuses outright without one.
fn confirmed(plan: &Plan, out: Output) -> bool {
    if !out.stdin_is_terminal {
        error(
            "apply needs confirmation, and standard input is not a terminal",
            Some("review the plan, then run again with `--auto-approve`"),
        );
        return false;
    }
    progress(&format!(
        "\nDo you want to make these changes to account {}?\n  Only 'yes' will be accepted.",
        plan.account_id
    ));
    let _ = write!(std::io::stderr(), "\n  Enter a value: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() || answer.trim() != "yes" {
        error("apply cancelled; nothing was changed", None);
        return false;
    }
    true
}
