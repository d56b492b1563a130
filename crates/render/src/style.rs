//! How text output looks: colour, when asked for, only repeats what the symbols say.

use baseline_core::Action;

/// How text output looks.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub(crate) fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub(crate) fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    /// `text` in the colour of `action`.
    pub(crate) fn action(self, action: Action, text: &str) -> String {
        let code = match action {
            Action::Create => "32",
            Action::Update => "33",
            Action::Delete => "31",
            Action::Manual => "35",
            Action::NoOp => "0",
        };
        self.paint(code, text)
    }
}
