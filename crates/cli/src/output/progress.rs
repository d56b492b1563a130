//! How far a run has come, on stderr. On a terminal: one bar ("reading 123 of 430",
//! "applying: 12 of 266 done, 1 failed") that steps aside for every other line on stderr and
//! is cleared when its phase ends, before anything is written to stdout. Elsewhere (a pipe, a CI log, or `-v`,
//! whose log lines would cut through a bar): a line per change started ("creating...
//! (12 of 266)") and finished.

use std::io::IsTerminal;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use baseline_core::exec::{Event, Outcome};
use baseline_engine::Tally;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tracing::level_filters::LevelFilter;

use super::verbs;

/// What the bar says: the phase, how far it is, and what failed.
fn message(tally: &Tally) -> String {
    if !tally.applying() {
        return format!("reading {} of {}", tally.read, tally.to_read);
    }
    let mut text = format!("applying: {} of {} done", tally.done, tally.to_apply);
    if tally.failed > 0 {
        text.push_str(&format!(", {} failed", tally.failed));
    }
    if tally.skipped > 0 {
        text.push_str(&format!(", {} skipped", tally.skipped));
    }
    text
}

/// The bar's position and length.
fn position(tally: &Tally) -> (u64, u64) {
    let (at, of) = if tally.applying() {
        (tally.done, tally.to_apply)
    } else {
        (tally.read, tally.to_read)
    };
    (at as u64, of as u64)
}

/// The run's progress: its tally, and its bar while one is shown.
#[derive(Debug)]
struct State {
    tally: Tally,
    bar: Option<ProgressBar>,
}

static STATE: Mutex<State> = Mutex::new(State {
    tally: Tally::new(),
    bar: None,
});

fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether progress is a bar: stderr is a terminal, and no log lines (`-v`) would cut
/// through it.
fn bar_wanted() -> bool {
    std::io::stderr().is_terminal() && LevelFilter::current() <= LevelFilter::WARN
}

/// A new bar on stderr.
fn new_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {elapsed}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Shows `event` of `account` (empty: the pinned account): on the bar, or as a line.
#[allow(clippy::print_stderr)]
pub(super) fn show(account: &str, event: Event<'_>) {
    let mut state = state();
    let place = state.tally.record(account, &event);
    let line = line(account, &event, place);
    let fresh = state.bar.is_none() && bar_wanted();
    if fresh {
        state.bar = Some(new_bar());
    }
    match &state.bar {
        Some(bar) => {
            let (at, of) = position(&state.tally);
            bar.set_length(of);
            bar.set_position(at);
            bar.set_message(message(&state.tally));
            if fresh {
                bar.enable_steady_tick(Duration::from_millis(120));
            }
            // A change's start is on the bar; its end stays above it.
            if let Some(line) = line.filter(|_| matches!(event, Event::Finished { .. })) {
                bar.suspend(|| eprintln!("{line}"));
            }
        }
        None => {
            if let Some(line) = line {
                eprintln!("{line}");
            }
        }
    }
}

/// The line of a change that starts or finishes (`place`: its N of M), prefixed with its
/// account for a member's; `None` for the other events.
fn line(account: &str, event: &Event<'_>, place: Option<(usize, usize)>) -> Option<String> {
    let at = if account.is_empty() {
        String::new()
    } else {
        format!("{account}: ")
    };
    match event {
        Event::Started { address, action } => {
            let count = place.map_or_else(String::new, |(n, m)| format!(" ({n} of {m})"));
            Some(format!("{at}{address}: {}...{count}", verbs(*action).0))
        }
        Event::Finished {
            address,
            action,
            outcome,
            elapsed,
        } => {
            let what = match outcome {
                Outcome::Applied => {
                    format!("{} after {:.1}s", verbs(*action).1, elapsed.as_secs_f64())
                }
                Outcome::Failed { .. } => "failed".to_owned(),
                Outcome::Skipped { .. } => "skipped".to_owned(),
            };
            Some(format!("{at}{address}: {what}"))
        }
        _ => None,
    }
}

/// Runs `write` (which writes to stderr) with the bar, if one is shown, out of its way.
pub(super) fn suspended<T>(write: impl FnOnce() -> T) -> T {
    let state = state();
    match &state.bar {
        Some(bar) => bar.suspend(write),
        None => write(),
    }
}

/// Clears the bar and forgets the counts: the phase is over, and what comes next (the plan,
/// a report, an error) is written where the bar was.
pub(super) fn finish() {
    let mut state = state();
    if let Some(bar) = state.bar.take() {
        bar.finish_and_clear();
    }
    state.tally = Tally::new();
}
