//! The commands: validate, plan, apply (from the file or a saved plan), destroy and show.
//! Each returns its exit code; errors are printed here, once, with what went wrong, where,
//! and what to do next.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use baseline_aws::{AwsContext, AwsProvider, ContextOptions, Lock};
use baseline_core::exec::{self, ApplyReport, Event, Outcome};
use baseline_core::spec::TargetsSpec;
use baseline_core::{Action, Plan, Provider, Spec, load_file};
use baseline_render::Style;

use crate::{exit, fanout};

/// What the terminal allows.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Output {
    pub color: bool,
    pub stdin_is_terminal: bool,
}

/// How a plan is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Json,
    Markdown,
}

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

/// Whether apply makes the account match the baseline, or removes what it declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Goal {
    Baseline,
    Destroy,
}

/// How many live reads run at once.
pub(crate) const READ_CONCURRENCY: usize = 8;

#[allow(clippy::print_stderr)]
pub(crate) fn error(message: &str, hint: Option<&str>) {
    eprintln!("error: {message}");
    if let Some(hint) = hint {
        eprintln!("  = hint: {hint}");
    }
}

#[allow(clippy::print_stderr)]
pub(crate) fn progress(message: &str) {
    eprintln!("{message}");
}

#[allow(clippy::print_stdout)]
fn print(text: &str) {
    print!("{text}");
    let _ = std::io::stdout().flush();
}

fn render(plan: &Plan, format: Format, out: Output) -> String {
    match format {
        Format::Text => baseline_render::plan_text(plan, Style { color: out.color }),
        Format::Json => baseline_render::plan_json(plan),
        Format::Markdown => baseline_render::plan_markdown(plan, baseline_render::MARKDOWN_LIMIT),
    }
}

fn load(file: &Path) -> Option<Spec> {
    match load_file(file) {
        Ok(spec) => Some(spec),
        Err(err) => {
            error(&err.to_string(), None);
            None
        }
    }
}

pub(crate) fn validate(file: &Path) -> u8 {
    let Some(spec) = load(file) else {
        return exit::ERROR;
    };
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

/// Connects and checks the account pin before any other call.
async fn connect(options: &ContextOptions, account_id: &str) -> Option<Arc<AwsContext>> {
    let ctx = Arc::new(AwsContext::load(options).await);
    match ctx.check_pin(account_id).await {
        Ok(()) => Some(ctx),
        Err(err) => {
            error(&err.to_string(), Some(err.hint()));
            None
        }
    }
}

/// Which accounts a run covers (`--target-account`), and how many are planned and applied
/// at once (`--account-parallelism`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Fanout {
    pub only: Vec<String>,
    pub parallelism: Option<usize>,
}

/// A plan, with the contexts that reach each account it covers.
pub(crate) struct Planned {
    plan: Plan,
    ctx: Arc<AwsContext>,
    members: BTreeMap<String, Arc<AwsContext>>,
    parallelism: usize,
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

/// Loads the file, connects, checks the account pin, takes the apply lock when `lock` (kept
/// in the home region, from before the account is read until the caller releases it) and
/// reads every declared resource:
/// the pinned account's own, then each member account `targets` selects, through a role.
async fn make_plan(
    file: &Path,
    options: &ContextOptions,
    goal: Goal,
    fanout: &Fanout,
    lock: bool,
) -> Option<(Planned, Option<Lock>)> {
    let spec = Arc::new(load(file)?);
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
    let planned = read_accounts(file, &spec, &ctx, goal, fanout, started).await;
    match planned {
        Some(planned) => Some((planned, lock)),
        None => {
            release(lock, &ctx).await;
            None
        }
    }
}

/// Reads every declared resource: the pinned account's own, then each member account
/// `targets` selects, through a role.
async fn read_accounts(
    file: &Path,
    spec: &Arc<Spec>,
    ctx: &Arc<AwsContext>,
    goal: Goal,
    fanout: &Fanout,
    started: Instant,
) -> Option<Planned> {
    let pinned = spec.account.id.as_str().to_owned();
    let survey = match baseline_aws::survey(ctx, spec).await {
        Ok(survey) => survey,
        Err(err) => {
            error(&err.to_string(), None);
            return None;
        }
    };
    if !fanout.only.is_empty() && !check_selection(&fanout.only, &pinned, &survey) {
        return None;
    }
    let selected = |id: &str, name: Option<&str>| {
        fanout.only.is_empty()
            || fanout
                .only
                .iter()
                .any(|o| o == id || Some(o.as_str()) == name)
    };
    let (regions, changes) = if selected(&pinned, None) {
        let (scope, changes) = match fanout::plan_account(ctx, spec, &survey.known, goal).await {
            Ok(planned) => planned,
            Err(errors) => {
                for err in &errors {
                    error(err, None);
                }
                error(
                    &format!("could not read account {pinned}; nothing was changed"),
                    None,
                );
                return None;
            }
        };
        if !scope.not_enabled.is_empty() {
            progress(&format!(
                "Not enabled for this account, so not planned yet: {} (apply opts in: see account_region).",
                scope.not_enabled.join(", ")
            ));
        }
        if scope.regions.len() > 1 {
            progress(&format!(
                "Read {} regions: {}",
                scope.regions.len(),
                scope.regions.join(", ")
            ));
        }
        (scope.regions, changes)
    } else {
        (Vec::new(), Vec::new())
    };
    let members: Vec<baseline_aws::Member> = survey
        .members
        .iter()
        .filter(|m| selected(&m.account_id, m.name.as_deref()))
        .cloned()
        .collect();
    let targets = spec.targets.as_ref();
    let parallelism = fanout
        .parallelism
        .or_else(|| {
            targets
                .and_then(|t| t.parallelism)
                .map(|p| p.get() as usize)
        })
        .unwrap_or(TargetsSpec::DEFAULT_PARALLELISM);
    let role = targets.map_or(TargetsSpec::DEFAULT_ROLE, |t| t.role());
    if !members.is_empty() {
        progress(&format!(
            "Planning {} member account(s) through {role}, {parallelism} at a time...",
            members.len()
        ));
    }
    let (parts, contexts) = fanout::plan_members(ctx, spec, members, role, parallelism, goal).await;
    let mut plan = Plan::new(&pinned, regions, changes).with_accounts(parts);
    plan.limited_to.clone_from(&fanout.only);
    plan.pending_accounts = survey
        .pending
        .iter()
        .filter(|name| selected("", Some(name)))
        .cloned()
        .collect();
    plan.baseline_sha256 = std::fs::read(file)
        .map(|bytes| baseline_core::plan::sha256_hex(&bytes))
        .unwrap_or_default();
    tracing::info!(
        aws_calls = ctx.calls(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        accounts = plan.accounts.len() + 1,
        resources =
            plan.changes.len() + plan.accounts.iter().map(|a| a.changes.len()).sum::<usize>(),
        "plan read the accounts"
    );
    Some(Planned {
        plan,
        ctx: Arc::clone(ctx),
        members: contexts,
        parallelism,
    })
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

/// Every `--target-account` names the pinned account, a member account `targets` selects
/// (by id or name), or a declared account not created yet.
fn check_selection(only: &[String], pinned: &str, survey: &baseline_aws::Survey) -> bool {
    let mut known: Vec<&str> = vec![pinned];
    for member in &survey.members {
        known.push(&member.account_id);
        known.extend(member.name.as_deref());
    }
    known.extend(survey.pending.iter().map(String::as_str));
    let unknown: Vec<&String> = only
        .iter()
        .filter(|o| !known.contains(&o.as_str()))
        .collect();
    if unknown.is_empty() {
        return true;
    }
    let names: Vec<String> = unknown.iter().map(|u| format!("`{u}`")).collect();
    error(
        &format!(
            "--target-account {} is not this account or one that `targets` selects; nothing was read",
            names.join(", ")
        ),
        Some(&format!(
            "the accounts this file covers: {}",
            known.join(", ")
        )),
    );
    false
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
    release(lock, &planned.ctx).await;
    code
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
                "{} has plan format {version}; this baseline reads format {}",
                path.display(),
                Plan::FORMAT_VERSION
            ),
            Some("make the plan again with this version of baseline"),
        );
        return None;
    }
    match serde_json::from_str::<Plan>(&text) {
        Ok(mut plan) => match plan.verify() {
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

/// Writes a baseline that describes the account as it is.
pub(crate) async fn init(file: &Path, options: ContextOptions, force: bool) -> u8 {
    if file.exists() && !force {
        error(
            &format!("{} exists; init does not overwrite it", file.display()),
            Some("pass --force to replace it, or -f to write another file"),
        );
        return exit::ERROR;
    }
    let ctx = Arc::new(AwsContext::load(&options).await);
    let account_id = match ctx.caller_account().await {
        Ok(id) => id,
        Err(err) => {
            error(&err.to_string(), None);
            return exit::ERROR;
        }
    };
    let (account, iam) = match baseline_aws::describe_account(Arc::clone(&ctx), &account_id).await {
        Ok(sections) => sections,
        Err(errors) => {
            for err in &errors {
                error(&err.to_string(), None);
            }
            return exit::ERROR;
        }
    };
    let text = match init_yaml(&account, &iam) {
        Ok(text) => text,
        Err(err) => {
            error(&format!("cannot write YAML: {err}"), None);
            return exit::ERROR;
        }
    };
    if let Err(err) = std::fs::write(file, text) {
        error(&format!("cannot write {}: {err}", file.display()), None);
        return exit::ERROR;
    }
    let count = |key: &str| {
        iam.get(key)
            .and_then(|v| v.as_object())
            .map_or(0, |m| m.len())
    };
    progress(&format!(
        "Wrote {} for account {account_id}: {} groups, {} users, {} roles, as they are now. \
         Review it, then `baseline plan` should find nothing to change.",
        file.display(),
        count("groups"),
        count("users"),
        count("roles")
    ));
    exit::OK
}

fn init_yaml(account: &serde_json::Value, iam: &serde_json::Value) -> Result<String, String> {
    let section = |key: &str, value: &serde_json::Value| -> Result<String, String> {
        let body = serde_saphyr::to_string(value).map_err(|e| e.to_string())?;
        let indented: String = body.lines().map(|l| format!("  {l}\n")).collect();
        Ok(format!("{key}:\n{indented}"))
    };
    let mut text = String::from(
        "# yaml-language-server: $schema=baseline.schema.json\n\
         # Written by `baseline init` from the live account. For editor completion:\n\
         #   baseline schema > baseline.schema.json\n\
         version: 1\n\n",
    );
    text.push_str(&section("account", account)?);
    let empty = iam.as_object().is_none_or(|m| m.is_empty());
    if !empty {
        text.push('\n');
        text.push_str(&section("iam", iam)?);
    }
    Ok(text)
}

pub(crate) fn schema() -> u8 {
    let schema = baseline_core::schema::baseline_schema();
    print(&format!(
        "{}\n",
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    ));
    exit::OK
}

pub(crate) fn show(path: &Path, out: Output, format: Format) -> u8 {
    let Some(plan) = read_saved(path) else {
        return exit::ERROR;
    };
    print(&render(&plan, format, out));
    exit::OK
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
    check(own_label, fanout::drifted(&ctx, &plan).await);
    for part in plan.accounts.iter().filter(|a| a.has_changes()) {
        let role = part.role_arn.rsplit('/').next().unwrap_or_default();
        match fanout::reach(&ctx, &part.account_id, role).await {
            (_, Ok(member)) => {
                check(
                    format!("account {}", part.label()),
                    fanout::drifted(&member, &part.as_plan("")).await,
                );
                members.insert(part.account_id.clone(), member);
            }
            (_, Err(err)) => check(format!("account {}", part.label()), Err(vec![err])),
        }
    }
    if !problems.is_empty() {
        error(
            &format!(
                "the account changed since the plan was made: {}; nothing was changed",
                problems.join("; ")
            ),
            Some("make a new plan (`baseline plan --out PLAN`), review it, and apply that"),
        );
        return exit::ERROR;
    }
    let planned = Planned {
        plan,
        ctx,
        members,
        parallelism: TargetsSpec::DEFAULT_PARALLELISM,
    };
    execute(&planned, options, out, run).await
}

/// Shows the plan, checks what apply needs, asks for confirmation, applies (the pinned
/// account first: it may create the OUs and accounts, then every member account) and
/// reports per account.
async fn execute(planned: &Planned, options: &ContextOptions, out: Output, run: Run) -> u8 {
    let plan = &planned.plan;
    let style = Style { color: out.color };
    print(&baseline_render::plan_text(plan, style));
    if !plan.has_changes() {
        print("Nothing to apply.\n");
        return if plan.has_failures() {
            exit::ERROR
        } else {
            exit::OK
        };
    }
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
        return exit::ERROR;
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
        return exit::ERROR;
    }
    if !run.auto_approve && !confirmed(plan, out) {
        return exit::ERROR;
    }
    let started = Instant::now();
    let mut succeeded = !plan.has_failures();
    if plan.changes.iter().any(|c| c.action.is_change()) {
        let provider: Arc<dyn Provider> = Arc::new(AwsProvider::new(Arc::clone(&planned.ctx)));
        let show = |event: Event<'_>| show_progress("", event);
        let report = match exec::apply(plan, provider, run.parallelism, &show).await {
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
    let results =
        fanout::apply_members(plan, &planned.members, planned.parallelism, run.parallelism).await;
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
        aws_calls = planned.ctx.calls(),
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

/// One progress line on stderr; `account` prefixes the lines of a member account.
pub(crate) fn show_progress(account: &str, event: Event<'_>) {
    let at = if account.is_empty() {
        String::new()
    } else {
        format!("{account}: ")
    };
    match event {
        Event::Started { address, action } => {
            progress(&format!("{at}{address}: {}...", doing(action)));
        }
        Event::Finished {
            address,
            action,
            outcome,
            elapsed,
        } => {
            let what = match outcome {
                Outcome::Applied => format!("{} after {:.1}s", done(action), elapsed.as_secs_f64()),
                Outcome::Failed { .. } => "failed".to_owned(),
                Outcome::Skipped { .. } => "skipped".to_owned(),
            };
            progress(&format!("{at}{address}: {what}"));
        }
    }
}

fn doing(action: Action) -> &'static str {
    match action {
        Action::Create => "creating",
        Action::Update => "updating",
        Action::Delete => "deleting",
        Action::NoOp | Action::Manual => "checking",
    }
}

fn done(action: Action) -> &'static str {
    match action {
        Action::Create => "created",
        Action::Update => "updated",
        Action::Delete => "deleted",
        Action::NoOp | Action::Manual => "checked",
    }
}
