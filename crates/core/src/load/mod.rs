//! Reads baseline.yaml into a `Spec`. Every error names the file, line and column, the key it
//! concerns and, where one helps, a hint ("did you mean `minimum_length`?").
//!
//! `diagnostics` turns what went wrong into such an error; `checks` and `iam_checks` are
//! the checks that span more than one value, run once the file is parsed.

use std::path::Path;

use crate::spec::Spec;

mod checks;
mod diagnostics;
mod iam_checks;

pub use diagnostics::LoadError;

/// The largest baseline file read: far beyond any real one, small enough that a wrong path
/// (`/dev/zero`, a log file) cannot exhaust memory.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads and checks a baseline file: a regular file (never a device or a pipe, which could
/// block or never end) of at most [`MAX_FILE_BYTES`], in UTF-8.
pub fn load_file(path: &Path) -> Result<Spec, Box<LoadError>> {
    load_str(&read_source(path)?, &path.display().to_string())
}

/// The text of a baseline file, read with the checks of [`load_file`], for a caller that
/// needs the very text the spec was parsed from (its checksum, its lines).
pub fn read_source(path: &Path) -> Result<String, Box<LoadError>> {
    use std::io::Read;
    let file = path.display().to_string();
    let refuse = |message: String, hint: &str| {
        Box::new(LoadError {
            file: file.clone(),
            location: None,
            key: None,
            message,
            hint: Some(hint.to_owned()),
            source_line: None,
        })
    };
    let cannot_read = |err: std::io::Error| {
        refuse(
            format!("cannot read {file}: {err}"),
            if err.kind() == std::io::ErrorKind::NotFound {
                "pass the file with `-f FILE`, or run baseline in the folder that holds baseline.yaml"
            } else {
                "check the file's permissions"
            },
        )
    };
    let meta = std::fs::metadata(path).map_err(cannot_read)?;
    if !meta.is_file() {
        return Err(refuse(
            format!("{file} is not a regular file (a folder, device, pipe or socket)"),
            "pass the path of a baseline.yaml with `-f FILE`",
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(refuse(
            format!(
                "{file} is larger than {} MiB",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            "a baseline file is a few kilobytes: is this the right file?",
        ));
    }
    match String::from_utf8(bytes) {
        Ok(source) => Ok(source),
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let valid = &err.as_bytes()[..offset];
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            let start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
            let before = String::from_utf8_lossy(&valid[start..]).into_owned();
            Err(Box::new(LoadError {
                file: file.clone(),
                location: Some((line, before.chars().count() + 1)),
                key: None,
                message: format!("{file} is not UTF-8 text: the byte at offset {offset} is not"),
                hint: Some("save the file as UTF-8".to_owned()),
                source_line: Some(before),
            }))
        }
    }
}

/// Parses and checks baseline text; `file` is only used in error messages.
pub fn load_str(source: &str, file: &str) -> Result<Spec, Box<LoadError>> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        with_snippet: false,
    };
    let spec: Spec = serde_saphyr::from_str_with_options(source, options)
        .map_err(|err| Box::new(diagnostics::from_yaml_error(&err, source, file)))?;
    checks::check(&spec, source, file)?;
    Ok(spec)
}

#[cfg(test)]
mod tests;
