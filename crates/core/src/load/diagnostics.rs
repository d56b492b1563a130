//! How a load error reads: the error type, its file:line:col and key path, the hints, and
//! how it is rendered.

use std::fmt;

use serde_saphyr::Error as YamlError;

use crate::quoted_list;
use crate::spec::HINT_SEPARATOR;

/// Why a baseline file could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    /// 1-based line and column; `None` when the file could not be read at all.
    pub location: Option<(usize, usize)>,
    /// The dotted key path the error concerns (`iam.password_policy.minimum_length`).
    pub key: Option<String>,
    pub message: String,
    pub hint: Option<String>,
    /// The offending source line, shown under the message.
    pub source_line: Option<String>,
}

impl std::error::Error for LoadError {}

/// The longest message and source excerpt an error prints, in characters: a value of
/// megabytes must not become megabytes of error output.
const MESSAGE_CHARS: usize = 400;
const EXCERPT_CHARS: usize = 120;

/// `text` cut to `limit` characters, with `…` where it was cut.
fn shortened(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(limit).collect();
        out.push('…');
        out
    }
}

/// The part of a long source line around `column` (1-based), and the column in it.
fn excerpt(text: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= EXCERPT_CHARS {
        return (text.to_owned(), column);
    }
    let at = column.saturating_sub(1).min(chars.len());
    let start = at.saturating_sub(EXCERPT_CHARS / 2);
    let end = (start + EXCERPT_CHARS).min(chars.len());
    let mut out = String::new();
    let mut column = at - start + 1;
    if start > 0 {
        out.push('…');
        column += 1;
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    (out, column)
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = shortened(&self.message, MESSAGE_CHARS);
        match &self.key {
            Some(key) => writeln!(f, "{message} (at `{}`)", shortened(key, MESSAGE_CHARS))?,
            None => writeln!(f, "{message}")?,
        }
        match self.location {
            Some((line, column)) => {
                writeln!(f, "  --> {}:{line}:{column}", self.file)?;
                if let Some(text) = &self.source_line {
                    let (text, column) = excerpt(text, column);
                    let number = line.to_string();
                    let pad = " ".repeat(number.len());
                    writeln!(f, "{pad} |")?;
                    writeln!(f, "{number} | {text}")?;
                    let caret_pad: String = text
                        .chars()
                        .take(column.saturating_sub(1))
                        .map(|c| if c == '\t' { '\t' } else { ' ' })
                        .collect();
                    writeln!(f, "{pad} | {caret_pad}^")?;
                }
            }
            None => writeln!(f, "  --> {}", self.file)?,
        }
        if let Some(hint) = &self.hint {
            write!(f, "  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// An error at a place in the source, with the key path worked out from the text.
pub(super) fn located(
    source: &str,
    file: &str,
    (line, column): (usize, usize),
    message: String,
    hint: Option<String>,
) -> LoadError {
    LoadError {
        file: file.to_owned(),
        location: Some((line, column)),
        key: key_path_at(source, line),
        message,
        hint,
        source_line: source
            .lines()
            .nth(line.saturating_sub(1))
            .map(str::to_owned),
    }
}

/// The file the checks read, so that an error can point into it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Document<'a> {
    pub source: &'a str,
    pub file: &'a str,
}

impl Document<'_> {
    /// An error at a value's span (`at`), with a hint: what a failed check reports.
    pub(super) fn error(
        &self,
        at: &serde_saphyr::Location,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Box<LoadError> {
        let at = (at.line() as usize, at.column() as usize);
        let hint = Some(hint.into());
        Box::new(located(self.source, self.file, at, message.into(), hint))
    }

    /// An error about the entry at the dotted `key` (or, in a flow mapping, the line that
    /// holds it), for values that carry no span.
    pub(super) fn error_at_key(
        &self,
        key: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Box<LoadError> {
        let lines = self.source.lines().count();
        let mut wanted = key;
        let found = loop {
            let line =
                (1..=lines).find(|l| key_path_at(self.source, *l).as_deref() == Some(wanted));
            match (line, wanted.rsplit_once('.')) {
                (Some(line), _) => break Some(line),
                (None, Some((parent, _))) => wanted = parent,
                (None, None) => break None,
            }
        };
        let line = found.unwrap_or(1);
        let text = self.source.lines().nth(line - 1).unwrap_or_default();
        let leaf = key.rsplit('.').next().unwrap_or(key);
        let column = text
            .find(&format!("{leaf}:"))
            .unwrap_or_else(|| text.len() - text.trim_start().len())
            + 1;
        let mut error = located(
            self.source,
            self.file,
            (line, column),
            message.into(),
            Some(hint.into()),
        );
        error.key = Some(key.to_owned());
        Box::new(error)
    }

    /// As `error`, about `key` rather than the key at the span's line.
    pub(super) fn error_about(
        &self,
        at: &serde_saphyr::Location,
        key: String,
        message: String,
        hint: impl Into<String>,
    ) -> Box<LoadError> {
        let mut error = self.error(at, message, hint);
        error.key = Some(key);
        error
    }
}

pub(super) fn from_yaml_error(err: &YamlError, source: &str, file: &str) -> LoadError {
    let err = err.without_snippet();
    let at = err
        .location()
        .map(|loc| (loc.line() as usize, loc.column() as usize))
        .filter(|(line, _)| *line > 0)
        .unwrap_or_else(|| end_of(source));
    let at = if source.trim().is_empty() { (1, 1) } else { at };
    let (message, hint) = describe(err, source);
    let mut error = located(source, file, at, message, hint);
    if matches!(err, YamlError::SerdeMissingField { .. }) {
        // The location is the mapping's first key; the missing key belongs to its parent.
        error.key = error
            .key
            .and_then(|path| path.rsplit_once('.').map(|(parent, _)| parent.to_owned()));
    }
    error
}

/// The last line and column of the text, for errors at the end of input.
fn end_of(source: &str) -> (usize, usize) {
    let line = source.lines().count().max(1);
    let column = source.lines().last().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Our own wording of serde-saphyr's error, with a hint where one helps.
fn describe(err: &YamlError, source: &str) -> (String, Option<String>) {
    match err {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => (
            format!("unknown key `{field}`"),
            Some(suggest(field, expected).unwrap_or_else(|| valid_keys(expected))),
        ),
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => (
            format!("unknown value `{variant}`"),
            Some(
                suggest(variant, expected)
                    .unwrap_or_else(|| format!("expected one of: {}", quoted_list(expected))),
            ),
        ),
        YamlError::SerdeMissingField { field, .. } => (
            format!("missing key `{field}`"),
            Some(missing_key_hint(field)),
        ),
        YamlError::DuplicateMappingKey { key, .. } => (
            match key {
                Some(key) => format!("duplicate key `{key}`"),
                None => "duplicate key".to_owned(),
            },
            Some("a key may appear only once in a mapping: remove one of them".to_owned()),
        ),
        YamlError::SerdeInvalidType {
            unexpected,
            expected,
            ..
        } => (
            format!("expected {expected}, found {unexpected}"),
            type_hint(expected),
        ),
        YamlError::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => (
            format!("expected {expected}, found {unexpected}"),
            type_hint(expected),
        ),
        YamlError::Eof { .. } if source.trim().is_empty() => (
            "the baseline file is empty".to_owned(),
            Some("start with `version: 1` and an `account:` section".to_owned()),
        ),
        YamlError::Message { msg, .. } | YamlError::ExternalMessage { msg, .. } => {
            match msg.split_once(HINT_SEPARATOR) {
                Some((message, hint)) => (message.to_owned(), Some(hint.trim().to_owned())),
                None => (reword(&strip_position(msg)), syntax_hint(msg)),
            }
        }
        other => {
            let text = other.to_string();
            // serde-saphyr prefixes "error: line L column C: "; the location is shown apart.
            let message = text
                .split_once(": ")
                .filter(|(head, _)| head.contains("line"))
                .map_or(text.as_str(), |(_, rest)| rest)
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned();
            let hint = syntax_hint(&message);
            let message = reword(&strip_position(&message));
            (message, hint)
        }
    }
}

fn type_hint(expected: &str) -> Option<String> {
    syntax_hint(expected)
}

/// Plain words for the reader's type names.
fn reword(message: &str) -> String {
    message
        .replace("invalid i64", "not a whole number")
        .replace("invalid u64", "not a whole number")
        .replace("expected string scalar", "expected a single value")
        .replace("expected mapping start", "expected a mapping")
}

/// serde-saphyr repeats the position inside some messages; it is shown apart.
fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// A hint for the low-level messages of the YAML reader.
fn syntax_hint(message: &str) -> Option<String> {
    let hint = if message.contains("boolean") || message.contains("bool") {
        "write `true` or `false`"
    } else if message.contains("i64") || message.contains("u64") || message.contains("integer") {
        "write a whole number, such as `14`"
    } else if message.contains("string scalar") {
        "write a single value here, not a list or a mapping"
    } else if message.contains("mapping start") || message.contains("struct") {
        "write a mapping here: `key: value` lines, indented under the key"
    } else if message.contains("tab") {
        "YAML indents with spaces, not tabs"
    } else if message.contains("unclosed") {
        "close the bracket, or write the mapping as indented `key: value` lines"
    } else {
        return None;
    };
    Some(hint.to_owned())
}

fn missing_key_hint(field: &str) -> String {
    match field {
        "version" => "add `version: 1` at the top of the file".to_owned(),
        "account" => "add an `account:` section with your 12-digit `id`".to_owned(),
        "id" => "add `id: \"123456789012\"` (your 12-digit account id) under `account:`".to_owned(),
        "ensure" => "write `{ ensure: absent }`".to_owned(),
        other => format!("add `{other}:`"),
    }
}

/// "did you mean `x`?" when a known name is close enough to be the intended one.
pub(super) fn suggest(given: &str, known: &[&str]) -> Option<String> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(given, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!("did you mean `{k}`?"))
}

fn valid_keys(expected: &[&str]) -> String {
    format!("valid keys here: {}", quoted_list(expected))
}

/// The dotted key path of the entry on `line`, found from indentation: the key on that
/// line, then each less-indented key above it. Flow mappings get the path of their line.
pub(super) fn key_path_at(source: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = source.lines().collect();
    let mut index = line.checked_sub(1)?;
    let mut path = Vec::new();
    let mut indent = usize::MAX;
    loop {
        let text = *lines.get(index)?;
        let (this_indent, key) = key_of(text);
        if let Some(key) = key
            && this_indent < indent
        {
            path.push(key);
            indent = this_indent;
        }
        if indent == 0 || index == 0 {
            break;
        }
        index -= 1;
    }
    path.reverse();
    (!path.is_empty()).then(|| path.join("."))
}

/// The indentation of a block-mapping line and its key, if the line starts with one.
/// A `- ` sequence marker counts as indentation.
fn key_of(text: &str) -> (usize, Option<&str>) {
    let trimmed = text.trim_start();
    let mut indent = text.len() - trimmed.len();
    let mut body = trimmed;
    while let Some(rest) = body.strip_prefix("- ") {
        indent += 2;
        body = rest.trim_start();
    }
    if body.starts_with('#') || body.is_empty() {
        return (usize::MAX, None);
    }
    let key = body
        .split_once(':')
        .map(|(key, _)| key.trim().trim_matches(|c| c == '"' || c == '\''))
        .filter(|key| {
            !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        });
    (indent, key)
}
