//! The apply report as people read it.

use std::fmt::Write as _;

use baseline_core::exec::{ApplyReport, Outcome};
use baseline_core::{Action, Plan};

use crate::Style;

/// What apply did, with every failure and skip explained.
pub fn report_text(report: &ApplyReport, plan: &Plan, style: Style) -> String {
    let mut out = String::new();
    for (address, outcome) in &report.outcomes {
        match outcome {
            Outcome::Applied => {}
            Outcome::Failed { error } => {
                let _ = writeln!(out, "{} {error}", style.paint("31", "failed:"));
            }
            Outcome::Skipped { because } => {
                let _ = writeln!(
                    out,
                    "{} {address}: not attempted because {because} failed",
                    style.paint("33", "skipped:")
                );
            }
        }
    }
    let applied = report.count(|o| matches!(o, Outcome::Applied));
    let failed = report.count(|o| matches!(o, Outcome::Failed { .. }));
    let skipped = report.count(|o| matches!(o, Outcome::Skipped { .. }));
    let title = if report.succeeded() {
        "Apply complete!"
    } else {
        "Apply incomplete."
    };
    let _ = writeln!(
        out,
        "{} {applied} applied, {failed} failed, {skipped} skipped.",
        style.bold(title)
    );
    let manual: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Manual)
        .map(|c| c.address.to_string())
        .collect();
    if !manual.is_empty() {
        let _ = writeln!(
            out,
            "{} manual step(s) remain for a person to do: {} (see the plan for how).",
            manual.len(),
            manual.join(", ")
        );
    }
    out
}
