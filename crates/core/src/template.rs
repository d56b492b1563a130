//! Names may contain `{account_id}` and `{region}`; nothing else is templated.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// A name as written in baseline.yaml, possibly with placeholders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct NameTemplate(String);

/// What a placeholder may stand for when a name is rendered.
#[derive(Clone, Copy, Debug)]
pub struct NameContext<'a> {
    pub account_id: &'a str,
    pub region: Option<&'a str>,
}

/// A placeholder that baseline does not know, or `{region}` in a global name.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("unknown placeholder `{{{0}}}` (only `{{account_id}}` and `{{region}}` exist)")]
    Unknown(String),
    #[error("unclosed `{{` in a name")]
    Unclosed,
}

impl NameTemplate {
    pub fn parse(raw: &str) -> Result<Self, TemplateError> {
        let mut rest = raw;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let close = after.find('}').ok_or(TemplateError::Unclosed)?;
            let placeholder = &after[..close];
            if !matches!(placeholder, "account_id" | "region") {
                return Err(TemplateError::Unknown(placeholder.to_owned()));
            }
            rest = &after[close + 1..];
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn raw(&self) -> &str {
        &self.0
    }

    pub fn uses_region(&self) -> bool {
        self.0.contains("{region}")
    }

    /// The name with its placeholders filled in. `{region}` stays as written when the
    /// context has no region; validation rejects that case before anything renders it.
    pub fn render(&self, ctx: NameContext<'_>) -> String {
        let named = self.0.replace("{account_id}", ctx.account_id);
        match ctx.region {
            Some(region) => named.replace("{region}", region),
            None => named,
        }
    }
}

impl fmt::Display for NameTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for NameTemplate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_both_placeholders() {
        let name = NameTemplate::parse("{account_id}-logs-{region}").expect("valid");
        let ctx = NameContext {
            account_id: "123456789012",
            region: Some("ap-northeast-1"),
        };
        assert_eq!(name.render(ctx), "123456789012-logs-ap-northeast-1");
        assert!(name.uses_region());
    }

    #[test]
    fn rejects_unknown_and_unclosed() {
        assert_eq!(
            NameTemplate::parse("x-{acount_id}"),
            Err(TemplateError::Unknown("acount_id".into()))
        );
        assert_eq!(
            NameTemplate::parse("x-{region"),
            Err(TemplateError::Unclosed)
        );
    }
}
