//! The commands: validate, plan, apply (from the file or a saved plan), destroy and show.
//! Each returns its exit code; errors are printed here, once, with what went wrong, where,
//! and what to do next.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use baseline_aws::{AwsContext, AwsProvider, ContextOptions};
use baseline_core::exec::{self, Event, Outcome};
use baseline_core::plan::{destroy, diff};
use baseline_core::{Action, Plan, Provider, ResourceAddr, Spec, load_file};
use baseline_render::Style;
use sha2::{Digest, Sha256};

use crate::exit;

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
const READ_CONCURRENCY: usize = 8;

#[allow(clippy::print_stderr)]
pub(crate) fn error(message: &str, hint: Option<&str>) {
    eprintln!("error: {message}");
    if let Some(hint) = hint {
        eprintln!("  = hint: {hint}");
    }
}

#[allow(clippy::print_stderr)]
fn progress(message: &str) {
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

/// Loads the file, connects, checks the account pin and reads every declared resource.
async fn make_plan(
    file: &Path,
    options: &ContextOptions,
    goal: Goal,
) -> Option<(Plan, Arc<AwsContext>)> {
    let spec = load(file)?;
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
    let ctx = connect(&options, spec.account.id.as_str()).await?;
    let scope = match baseline_aws::resolve_scope(&ctx, &spec).await {
        Ok(scope) => scope,
        Err(err) => {
            error(&err.to_string(), None);
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
            "Reading {} regions: {}",
            scope.regions.len(),
            scope.regions.join(", ")
        ));
    }
    let mut desired = baseline_aws::expand(&spec, &scope);
    if goal == Goal::Destroy {
        desired.retain(|d| baseline_aws::destroys(&d.address));
        desired = destroy(desired);
    }
    let provider: Arc<dyn Provider> = Arc::new(AwsProvider::new(Arc::clone(&ctx)));
    let addresses: Vec<_> = desired.iter().map(|d| d.address.clone()).collect();
    let live = read_live(provider, &addresses).await?;
    let changes = desired
        .iter()
        .zip(&live)
        .map(|(want, have)| diff(want, have.as_ref()))
        .collect();
    let mut plan = Plan::new(spec.account.id.as_str(), scope.regions.clone(), changes);
    plan.baseline_sha256 = std::fs::read(file)
        .map(|bytes| {
            Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        })
        .unwrap_or_default();
    tracing::info!(
        aws_calls = ctx.calls(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        resources = plan.changes.len(),
        "plan read the account"
    );
    Some((plan, ctx))
}

/// Reads every address, or prints every failure.
async fn read_live(
    provider: Arc<dyn Provider>,
    addresses: &[ResourceAddr],
) -> Option<Vec<Option<serde_json::Value>>> {
    match exec::read_all(provider, addresses, READ_CONCURRENCY).await {
        Ok(live) => Some(live),
        Err(errors) => {
            for err in &errors {
                error(&err.to_string(), None);
            }
            error(
                &format!(
                    "could not read {} of {} resources; nothing was changed",
                    errors.len(),
                    addresses.len()
                ),
                None,
            );
            None
        }
    }
}

pub(crate) async fn plan(
    file: &Path,
    options: ContextOptions,
    out: Output,
    report: PlanOutput<'_>,
) -> u8 {
    let Some((plan, _ctx)) = make_plan(file, &options, Goal::Baseline).await else {
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
) -> u8 {
    let Some((plan, ctx)) = make_plan(file, &options, goal).await else {
        return exit::ERROR;
    };
    execute(&plan, ctx, &options, out, run).await
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
        Ok(mut plan) => {
            // The summary is display only, never read back: count it again.
            plan.summary = plan.counts();
            Some(plan)
        }
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

/// Applies a saved plan exactly, after checking that every resource it acts on is still as
/// it was planned against.
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
    let targets: Vec<_> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::Manual)
        .collect();
    let addresses: Vec<ResourceAddr> = targets.iter().map(|c| c.address.clone()).collect();
    let provider: Arc<dyn Provider> = Arc::new(AwsProvider::new(Arc::clone(&ctx)));
    let Some(live) = read_live(provider, &addresses).await else {
        return exit::ERROR;
    };
    let drifted: Vec<String> = targets
        .iter()
        .zip(&live)
        .filter(|(change, now)| change.before != **now)
        .map(|(change, _)| change.address.to_string())
        .collect();
    if !drifted.is_empty() {
        error(
            &format!(
                "the account changed since the plan was made: {}; nothing was changed",
                drifted.join(", ")
            ),
            Some("make a new plan (`baseline plan --out PLAN`), review it, and apply that"),
        );
        return exit::ERROR;
    }
    execute(&plan, ctx, &options, out, run).await
}

/// Shows the plan, checks what apply needs, asks for confirmation, applies and reports.
async fn execute(
    plan: &Plan,
    ctx: Arc<AwsContext>,
    options: &ContextOptions,
    out: Output,
    run: Run,
) -> u8 {
    let style = Style { color: out.color };
    print(&baseline_render::plan_text(plan, style));
    if !plan.has_changes() {
        print("Nothing to apply.\n");
        return exit::OK;
    }
    let new_console_users = baseline_aws::needing_passwords(plan);
    if !new_console_users.is_empty() && options.password_file.is_none() {
        let users: Vec<String> = new_console_users.iter().map(ToString::to_string).collect();
        error(
            &format!(
                "apply would give {} a console password, and there is no --password-file; nothing was changed",
                users.join(", ")
            ),
            Some(
                "pass --password-file FILE: initial passwords are written there (mode 0600), never printed",
            ),
        );
        return exit::ERROR;
    }
    if !run.auto_approve && !confirmed(plan, out) {
        return exit::ERROR;
    }
    let started = Instant::now();
    let provider: Arc<dyn Provider> = Arc::new(AwsProvider::new(Arc::clone(&ctx)));
    let report = match exec::apply(plan, provider, run.parallelism, &show_progress).await {
        Ok(report) => report,
        Err(cycle) => {
            error(
                &cycle.to_string(),
                Some("this is a bug in baseline: please report it"),
            );
            return exit::ERROR;
        }
    };
    tracing::info!(
        aws_calls = ctx.calls(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "apply finished"
    );
    print(&baseline_render::report_text(&report, plan, style));
    let written = new_console_users
        .iter()
        .filter(|a| matches!(report.outcomes.get(*a), Some(Outcome::Applied)))
        .count();
    if let (Some(file), true) = (&options.password_file, written > 0) {
        print(&format!(
            "The initial passwords of {written} new console user(s) are in {} (mode 0600). \
             Hand each to its person privately, then delete the file.\n",
            file.display()
        ));
    }
    if report.succeeded() {
        exit::OK
    } else {
        exit::ERROR
    }
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

fn show_progress(event: Event<'_>) {
    match event {
        Event::Started { address, action } => {
            progress(&format!("{address}: {}...", doing(action)));
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
            progress(&format!("{address}: {what}"));
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
