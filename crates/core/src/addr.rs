//! Resource addresses: what a plan entry is about, shown one way everywhere.
//! `iam_password_policy`, `iam_group.admins`, `ap-northeast-1/config_recorder.default`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A typed, ordered resource address. Global resources have no region; account-wide
/// singletons (the password policy, the alias) have no name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceAddr {
    pub region: Option<String>,
    pub kind: String,
    pub name: Option<String>,
}

impl ResourceAddr {
    /// An account-wide singleton, such as `iam_password_policy`.
    pub fn singleton(kind: &str) -> Self {
        Self {
            region: None,
            kind: kind.to_owned(),
            name: None,
        }
    }

    /// A named global resource, such as `iam_group.admins`.
    pub fn named(kind: &str, name: &str) -> Self {
        Self {
            region: None,
            kind: kind.to_owned(),
            name: Some(name.to_owned()),
        }
    }

    /// The same address placed in a region.
    pub fn in_region(mut self, region: &str) -> Self {
        self.region = Some(region.to_owned());
        self
    }
}

impl fmt::Display for ResourceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(region) = &self.region {
            write!(f, "{region}/")?;
        }
        f.write_str(&self.kind)?;
        if let Some(name) = &self.name {
            write!(f, ".{name}")?;
        }
        Ok(())
    }
}

/// The text is not a resource address.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a resource address (expected `[region/]kind[.name]`)")]
pub struct AddrParseError(String);

impl FromStr for ResourceAddr {
    type Err = AddrParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // A region has no dot; a name may hold slashes (`logs_group./aws/cloudtrail/x`).
        let (region, rest) = match s.split_once('/') {
            Some((region, rest)) if !region.contains('.') => (Some(region.to_owned()), rest),
            _ => (None, s),
        };
        let (kind, name) = match rest.split_once('.') {
            Some((kind, name)) => (kind, Some(name.to_owned())),
            None => (rest, None),
        };
        let valid_kind = !kind.is_empty()
            && kind
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid_kind || name.as_deref() == Some("") || region.as_deref() == Some("") {
            return Err(AddrParseError(s.to_owned()));
        }
        Ok(Self {
            region,
            kind: kind.to_owned(),
            name,
        })
    }
}

impl Serialize for ResourceAddr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ResourceAddr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip() {
        for text in [
            "iam_password_policy",
            "iam_group.admins",
            "ap-northeast-1/config_recorder.default",
            "iam_policy.job-function.Billing",
            "logs_group./aws/cloudtrail/main",
            "ap-northeast-1/logs_group./aws/cloudtrail/main",
        ] {
            let addr: ResourceAddr = text.parse().expect("parses");
            assert_eq!(addr.to_string(), text);
        }
    }

    #[test]
    fn global_sorts_before_regional() {
        let global = ResourceAddr::named("iam_group", "z");
        let regional = ResourceAddr::named("config_recorder", "a").in_region("ap-northeast-1");
        assert!(global < regional);
    }

    #[test]
    fn rejects_malformed() {
        for text in ["", "Kind.x", "a.", "/a", "a b"] {
            assert!(text.parse::<ResourceAddr>().is_err(), "{text:?}");
        }
    }
}
