//! The commands: validate, plan, apply. Each returns its exit code; errors are printed here,
//! once, with what went wrong, where, and what to do next.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use baseline_aws::{AwsContext, AwsProvider, ContextOptions};
use baseline_core::exec::{self, Event, Outcome};
use baseline_core::plan::diff;
use baseline_core::{Action, Plan, Provider, Spec, load_file};
use baseline_render::Style;

use crate::exit;

/// What the terminal allows.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Output {
    pub color: bool,
    pub stdin_is_terminal: bool,
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
    let desired = baseline_aws::expand(&spec);
    let manual = desired.iter().filter(|d| d.manual.is_some()).count();
    print(&format!(
        "{} is valid: {} resources for account {} ({} managed, {} manual items).\n",
        file.display(),
        desired.len(),
        spec.account.id,
        desired.len() - manual,
        manual
    ));
    exit::OK
}

/// Loads the file, connects, checks the account pin and reads every declared resource.
async fn make_plan(file: &Path, options: ContextOptions) -> Option<(Plan, Arc<AwsContext>)> {
    let spec = load(file)?;
    let started = Instant::now();
    let options = ContextOptions {
        region: options.region.or_else(|| {
            spec.account
                .home_region
                .as_ref()
                .map(|r| r.as_str().to_owned())
        }),
        ..options
    };
    let ctx = Arc::new(AwsContext::load(&options).await);
    if let Err(err) = ctx.check_pin(spec.account.id.as_str()).await {
        error(&err.to_string(), Some(err.hint()));
        return None;
    }
    let desired = baseline_aws::expand(&spec);
    let provider: Arc<dyn Provider> = Arc::new(AwsProvider::new(Arc::clone(&ctx)));
    let addresses: Vec<_> = desired.iter().map(|d| d.address.clone()).collect();
    let live = match exec::read_all(provider, &addresses, READ_CONCURRENCY).await {
        Ok(live) => live,
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
            return None;
        }
    };
    let changes = desired
        .iter()
        .zip(&live)
        .map(|(want, have)| diff(want, have.as_ref()))
        .collect();
    let regions = ctx.region().map(str::to_owned).into_iter().collect();
    let plan = Plan::new(spec.account.id.as_str(), regions, changes);
    tracing::info!(
        aws_calls = ctx.calls(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        resources = plan.changes.len(),
        "plan read the account"
    );
    Some((plan, ctx))
}

pub(crate) async fn plan(file: &Path, options: ContextOptions, out: Output, detailed: bool) -> u8 {
    let Some((plan, _ctx)) = make_plan(file, options).await else {
        return exit::ERROR;
    };
    print(&baseline_render::plan_text(
        &plan,
        Style { color: out.color },
    ));
    if detailed && plan.has_changes() {
        exit::CHANGES
    } else {
        exit::OK
    }
}

pub(crate) async fn apply(
    file: &Path,
    options: ContextOptions,
    out: Output,
    auto_approve: bool,
    parallelism: usize,
) -> u8 {
    let Some((plan, ctx)) = make_plan(file, options.clone()).await else {
        return exit::ERROR;
    };
    let style = Style { color: out.color };
    print(&baseline_render::plan_text(&plan, style));
    if !plan.has_changes() {
        print("Nothing to apply.\n");
        return exit::OK;
    }
    let password_file = options.password_file.clone();
    let new_console_users = baseline_aws::needing_passwords(&plan);
    if !new_console_users.is_empty() && password_file.is_none() {
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
    if !auto_approve && !confirmed(&plan, out) {
        return exit::ERROR;
    }
    let started = Instant::now();
    let provider: Arc<dyn Provider> = Arc::new(AwsProvider::new(Arc::clone(&ctx)));
    let report = match exec::apply(&plan, provider, parallelism, &show_progress).await {
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
    print(&baseline_render::report_text(&report, &plan, style));
    let written = new_console_users
        .iter()
        .filter(|a| matches!(report.outcomes.get(*a), Some(Outcome::Applied)))
        .count();
    if let (Some(file), true) = (&password_file, written > 0) {
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
            Some("review the plan, then run `baseline apply --auto-approve`"),
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
