//! Writers for plans and apply reports. They consume what the engine computed and never
//! compute anything themselves. Meaning is carried by symbols (`+ ~ - !`); colour, when
//! asked for, only repeats it.
//!
//! Each resource change is first turned into typed lines (`lines`); the text and Markdown
//! plans format those same lines, each its own way.

mod json;
mod lines;
mod markdown;
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
