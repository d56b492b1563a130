//! What the terminal shows: the plan in its format, errors with their hints, and progress
//! on stderr (a bar on a terminal, lines elsewhere: see `progress`).

mod progress;

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use baseline_core::exec::Event;
use baseline_core::{AccountPlan, Action, Plan};
use baseline_engine::Observer;
use baseline_render::{Style, View};

/// What the terminal allows.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Output {
    pub color: bool,
    pub stdin_is_terminal: bool,
    /// Changes alike in several regions shown once (off with `--no-fold`).
    pub fold: bool,
    /// `-v`: a converged plan's manual steps in full too.
    pub verbose: bool,
}

impl Output {
    /// How plans are shown to people.
    pub(crate) fn view(self) -> View {
        View {
            style: Style { color: self.color },
            fold: self.fold,
            verbose: self.verbose,
        }
    }
}

/// How a plan is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Json,
    Markdown,
}

/// An error on stderr, with what to do next. Errors are said once a step has ended: the
/// progress bar, if one was shown, is cleared first.
#[allow(clippy::print_stderr)]
pub(crate) fn error(message: &str, hint: Option<&str>) {
    progress::finish();
    eprintln!("error: {message}");
    if let Some(hint) = hint {
        eprintln!("  = hint: {hint}");
    }
}

/// A warning on stderr.
#[allow(clippy::print_stderr)]
pub(crate) fn warning(message: &str) {
    progress::suspended(|| eprintln!("warning: {message}"));
}

/// A line about the run on stderr.
#[allow(clippy::print_stderr)]
pub(crate) fn progress(message: &str) {
    progress::suspended(|| eprintln!("{message}"));
}

/// Ends the progress of a step (reading, applying): its bar, if one was shown, is cleared.
pub(crate) fn end_progress() {
    progress::finish();
}

/// Set once stdout is closed by its reader (`baseline plan | head`).
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes data to stdout. A reader that stops reading (a closed pipe) is not an error of
/// baseline's: what is left is not printed, and the run goes on to its end (an apply still
/// releases its lock), where it exits as it would have.
pub(crate) fn print(text: &str) {
    // Data goes where the progress bar was, never next to it.
    progress::finish();
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(err) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        && err.kind() == std::io::ErrorKind::BrokenPipe
    {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

pub(crate) fn render(plan: &Plan, format: Format, out: Output) -> String {
    match format {
        Format::Text => baseline_render::plan_text(plan, out.view()),
        Format::Json => baseline_render::plan_json(plan),
        Format::Markdown => {
            baseline_render::plan_markdown(plan, out.view(), baseline_render::MARKDOWN_LIMIT)
        }
    }
}

/// What an action is called while it runs, and once it is done.
fn verbs(action: Action) -> (&'static str, &'static str) {
    match action {
        Action::Create => ("creating", "created"),
        Action::Update => ("updating", "updated"),
        Action::Delete => ("deleting", "deleted"),
        Action::NoOp | Action::Manual => ("checking", "checked"),
    }
}

/// Progress on stderr, as the engine reports it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Terminal;

impl Observer for Terminal {
    fn note(&self, message: &str) {
        progress(message);
    }

    fn planned(&self, part: &AccountPlan) {
        progress(&format!(
            "Planned account {}: {}",
            part.label(),
            baseline_render::summary_line(part.summary)
        ));
    }

    fn event(&self, account: &str, event: Event<'_>) {
        progress::show(account, event);
    }
}
