//! `baseline init`: writes a baseline.yaml that describes the live account, or adds some
//! of its sections to one that exists.

use std::path::Path;
use std::sync::Arc;

use baseline_aws::{ContextOptions, Described, InitOptions, InitSection};

use crate::exit;
use crate::output::{error, progress, warning};

pub(crate) async fn init(
    file: &Path,
    options: ContextOptions,
    force: bool,
    sections: &[InitSection],
) -> u8 {
    let existing = if file.exists() {
        if sections.is_empty() && !force {
            error(
                &format!("{} exists; init does not overwrite it", file.display()),
                Some(
                    "pass --force to replace it, --section NAME to add a section to it, \
                     or -f to write another file",
                ),
            );
            return exit::ERROR;
        }
        match std::fs::read_to_string(file) {
            Ok(text) if !sections.is_empty() => Some(text),
            Ok(_) => None,
            Err(err) => {
                error(&format!("cannot read {}: {err}", file.display()), None);
                return exit::ERROR;
            }
        }
    } else {
        None
    };
    // Sections added to a file follow the home region it already has.
    let home_region = existing.as_deref().and_then(home_region_of);
    if let Some(text) = &existing
        && !force
        && let Some(section) = sections.iter().find(|s| block(text, s.key()).is_some())
    {
        error(
            &format!(
                "{} already has a `{}:` section",
                file.display(),
                section.key()
            ),
            Some("pass --force to replace that section with the account's, or edit it by hand"),
        );
        return exit::ERROR;
    }

    let Some(ctx) = super::load_context(&options).await else {
        return exit::ERROR;
    };
    let account_id = match ctx.caller_account().await {
        Ok(id) => id,
        Err(err) => {
            error(&err.to_string(), Some(&err.hint()));
            return exit::ERROR;
        }
    };
    let started = std::time::Instant::now();
    let init_options = InitOptions {
        sections: (!sections.is_empty()).then(|| sections.to_vec()),
        home_region,
    };
    let described =
        match baseline_aws::describe_account(Arc::clone(&ctx), &account_id, &init_options).await {
            Ok(described) => described,
            Err(errors) => {
                for err in &errors {
                    error(&err.to_string(), None);
                }
                return exit::ERROR;
            }
        };
    tracing::info!(
        aws_calls = ctx.calls(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        sections = described.sections.len(),
        "init read the account and planned what it describes"
    );
    let text = match existing {
        Some(text) => merged(&text, &described, sections),
        None => whole(&described),
    };
    if let Err(err) = std::fs::write(file, text) {
        error(&format!("cannot write {}: {err}", file.display()), None);
        return exit::ERROR;
    }
    let written: Vec<&str> = described
        .sections
        .iter()
        .filter(|(s, _)| sections.is_empty() || sections.contains(s))
        .map(|(s, _)| s.key())
        .collect();
    progress(&format!(
        "Wrote {} for account {account_id} (home region {}): {}, as they are now. \
         Lines written as comments are steps a person takes, or what adopting a resource \
         would change: yours to decide. Review it, then `baseline plan` finds nothing to \
         change.",
        file.display(),
        described.home_region,
        written.join(", "),
    ));
    if !described.unread.is_empty() {
        let refused: Vec<String> = described
            .unread
            .iter()
            .map(|(section, why)| format!("`{}` ({why})", section.key()))
            .collect();
        warning(&format!(
            "AWS refused to show {}: written as comments. Give the caller the reads of \
             docs/ci.md's plan policy, then `baseline init --section NAME --force` adds them",
            refused.join(", ")
        ));
    }
    if !described.unsettled.is_empty() {
        warning(&format!(
            "a plan of it would still change: {} (review these before apply)",
            described.unsettled.join(", ")
        ));
    }
    exit::OK
}

/// A new file: the schema line, a header, and every section described.
fn whole(described: &Described) -> String {
    format!(
        "{}\n\
         # Written by `baseline init` from account {} as it was. Offline, point the line\n\
         # above at a local copy: baseline schema > baseline.schema.json\n\
         version: 1\n\n{}",
        baseline_core::schema::MODELINE,
        described.account_id,
        described.yaml()
    )
}

/// `text` with `sections` replaced by (or added as) the described ones.
fn merged(text: &str, described: &Described, sections: &[InitSection]) -> String {
    let mut text = text.to_owned();
    for section in sections {
        let Some(body) = described.section_yaml(*section) else {
            continue;
        };
        match block(&text, section.key()) {
            Some(range) => text.replace_range(range, &body),
            None => {
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                text.push('\n');
                text.push_str(&body);
            }
        }
    }
    text
}

/// The byte range of the top-level `key:` block of a YAML text: from its line to the next
/// top-level key (comment lines just above that key stay with it).
fn block(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    let mut start = None;
    let mut end = text.len();
    let mut last_content = None;
    for line in text.split_inclusive('\n') {
        let top = line
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace() && c != '#');
        if start.is_none() {
            if line.starts_with(&format!("{key}:")) {
                start = Some(offset);
                last_content = Some(offset + line.len());
            }
        } else if top {
            end = last_content.unwrap_or(offset);
            break;
        } else if !line.trim().is_empty() && !line.starts_with('#') {
            last_content = Some(offset + line.len());
        }
        offset += line.len();
    }
    let start = start?;
    if end == text.len() {
        end = last_content.unwrap_or(end).max(start);
        if text[end..].trim().is_empty() {
            end = text.len();
        }
    }
    Some(start..end)
}

/// `account.home_region` of a baseline file, if it says one.
fn home_region_of(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_saphyr::from_str(text).ok()?;
    value
        .pointer("/account/home_region")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_block_ends_before_the_next_key_and_its_comments() {
        let text =
            "version: 1\n\naccount:\n  id: \"1\"\n\n# The logs.\nlogging:\n  bucket: x\n\n# end\n";
        let account = block(text, "account").expect("found");
        assert_eq!(&text[account], "account:\n  id: \"1\"\n");
        let logging = block(text, "logging").expect("found");
        assert_eq!(&text[logging], "logging:\n  bucket: x\n");
        assert_eq!(block(text, "iam"), None);
    }
}
