//! Writers for plans and apply reports. They consume what the engine computed and never
//! compute anything themselves. Meaning is carried by symbols (`+ ~ - !`); colour, when
//! asked for, only repeats it.
//!
//! Each resource change is first turned into typed lines (`lines`); the text and Markdown
//! plans format those same lines, each its own way.

mod fold;
mod json;
mod lines;
mod markdown;
mod policy;
mod report;
mod style;
mod summary;
mod text;

#[cfg(test)]
mod tests;

pub use json::plan_json;
pub use lines::value;
pub use markdown::{MARKDOWN_LIMIT, plan_markdown};
pub use report::report_text;
pub use style::Style;
pub use summary::summary_line;
pub use text::plan_text;

/// How a plan is shown to people (text and Markdown).
#[derive(Clone, Copy, Debug)]
pub struct View {
    pub style: Style,
    /// Changes alike in several regions are shown once (`--no-fold` turns it off).
    pub fold: bool,
    /// Everything in full: a converged plan's manual steps too (`-v`).
    pub verbose: bool,
}

impl Default for View {
    fn default() -> Self {
        Self {
            style: Style::default(),
            fold: true,
            verbose: false,
        }
    }
}

impl View {
    /// The entries to show for these changes: folded or each on its own.
    pub(crate) fn entries<'a>(
        self,
        changes: &[&'a baseline_core::ResourceChange],
    ) -> Vec<fold::Entry<'a>> {
        if self.fold {
            fold::folded(changes)
        } else {
            fold::unfolded(changes)
        }
    }
}
