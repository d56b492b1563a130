//! Values checked while they are read, used across sections: ids, names, numbers, and the
//! names that may hold `{account_id}` and `{region}`.

use std::fmt;

use serde::{Deserialize, Deserializer, de};

use super::validated::{is_name, validated_string};
use super::with_hint;
use crate::template::{NameContext, NameTemplate};

/// The format version; only `1` exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version;

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = i64::deserialize(deserializer)?;
        if number == 1 {
            Ok(Version)
        } else {
            Err(de::Error::custom(with_hint(
                format!("unsupported format version {number}"),
                "this baseline understands `version: 1`",
            )))
        }
    }
}

/// Whether a declared thing must exist. Absent things are removed by apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Ensure {
    #[default]
    Present,
    Absent,
}

validated_string! {
    /// A 12-digit AWS account id.
    AccountId {
        valid: |text| text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()),
        error: "is not an AWS account id",
        hint: "an account id is exactly 12 digits; quote it (\"012345678901\") so YAML keeps \
               leading zeros",
        description: "A 12-digit AWS account id (quote it to keep leading zeros).",
        schema: { "type": ["string", "integer"], "pattern": "^[0-9]{12}$" },
    }
}

/// An AWS region code such as `ap-northeast-1`, one of the regions baseline knows
/// ([`crate::regions`]). A code it does not know is an error at its line and column, with
/// the region it was most likely meant to be.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Region(pub(in crate::spec) String);

impl Region {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `text` when it is a known region; otherwise the message and hint `load` shows.
    fn checked(text: String) -> Result<Self, String> {
        if crate::regions::find(&text).is_some() {
            Ok(Self(text))
        } else {
            Err(with_hint(
                format!("`{text}` is not an AWS region code"),
                crate::regions::unknown_hint(&text),
            ))
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Region {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Self::checked(text.to_owned())
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::checked(text).map_err(de::Error::custom)
    }
}

impl schemars::JsonSchema for Region {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Region".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let codes: Vec<&str> = crate::regions::REGIONS.iter().map(|r| r.code).collect();
        schemars::json_schema!({
            "description": "An AWS region code, such as ap-northeast-1.",
            "type": "string",
            "enum": codes,
        })
    }
}

/// `all`, or a list of region codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegionsSpec {
    All,
    List(Vec<Region>),
}

impl<'de> Deserialize<'de> for RegionsSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RegionsVisitor;

        impl<'de> de::Visitor<'de> for RegionsVisitor {
            type Value = RegionsSpec;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`all` or a list of region codes")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<RegionsSpec, E> {
                if text == "all" {
                    Ok(RegionsSpec::All)
                } else {
                    let region = Region::deserialize(de::value::StrDeserializer::<E>::new(text))?;
                    Ok(RegionsSpec::List(vec![region]))
                }
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<RegionsSpec, A::Error> {
                let regions =
                    Vec::<Region>::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                if regions.is_empty() {
                    return Err(de::Error::custom(with_hint(
                        "the region list is empty",
                        "list at least one region, or write `all`",
                    )));
                }
                Ok(RegionsSpec::List(regions))
            }
        }

        deserializer.deserialize_any(RegionsVisitor)
    }
}

validated_string! {
    /// A user, group or role name as IAM accepts it: 1 to 64 of `A-Za-z0-9+=,.@_-`.
    IamName {
        valid: |text| is_name(text, 64, b"+=,.@_-"),
        error: "is not a valid IAM name",
        hint: "IAM names are 1 to 64 characters: letters, digits and + = , . @ _ -",
        description: "A user, group, role or policy name.",
        schema: { "type": "string", "pattern": "^[A-Za-z0-9+=,.@_-]{1,64}$" },
    }
}

validated_string! {
    /// An e-mail address (a light check: AWS sends the real test, a confirmation e-mail).
    Email {
        valid: |text| {
            text.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
            }) && !text.contains(char::is_whitespace)
                && text.len() <= 254
        },
        error: "is not an e-mail address",
        hint: "write it as name@example.com",
        description: "An e-mail address.",
        schema: { "type": "string", "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$" },
    }
}

/// An integer that IAM accepts only between `MIN` and `MAX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Bounded<const MIN: i64, const MAX: i64>(i64);

impl<const MIN: i64, const MAX: i64> Bounded<MIN, MAX> {
    pub fn get(self) -> i64 {
        self.0
    }
}

impl<'de, const MIN: i64, const MAX: i64> Deserialize<'de> for Bounded<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = i64::deserialize(deserializer)?;
        if (MIN..=MAX).contains(&number) {
            Ok(Self(number))
        } else {
            Err(de::Error::custom(with_hint(
                format!("{number} is out of range"),
                format!("AWS accepts {MIN} to {MAX} here"),
            )))
        }
    }
}

/// One value or a list of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OneOrMany<T>(pub Vec<T>);

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OneOrManyVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> de::Visitor<'de> for OneOrManyVisitor<T> {
            type Value = OneOrMany<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or a list of values")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<OneOrMany<T>, E> {
                let one = T::deserialize(de::value::StrDeserializer::<E>::new(text))?;
                Ok(OneOrMany(vec![one]))
            }

            /// Unquoted account ids arrive as numbers.
            fn visit_u64<E: de::Error>(self, number: u64) -> Result<OneOrMany<T>, E> {
                self.visit_str(&number.to_string())
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<OneOrMany<T>, A::Error> {
                Vec::<T>::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(OneOrMany)
            }
        }

        deserializer.deserialize_any(OneOrManyVisitor(std::marker::PhantomData))
    }
}

/// `account.alias`: a name for the sign-in URL, or `{ ensure: absent }` to remove it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AliasSpec {
    Name(NameTemplate),
    Absent,
}

/// Checks an alias as IAM does: 3 to 63 characters of a-z, 0-9 and single hyphens inside.
fn check_alias(rendered: &str) -> Result<(), String> {
    let bytes = rendered.as_bytes();
    let charset = bytes
        .iter()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
    let ends = bytes.first() != Some(&b'-') && bytes.last() != Some(&b'-');
    if (3..=63).contains(&bytes.len()) && charset && ends && !rendered.contains("--") {
        Ok(())
    } else {
        Err(with_hint(
            format!("`{rendered}` is not a valid account alias"),
            "an alias is 3 to 63 characters: lowercase letters, digits and single hyphens, \
             starting and ending with a letter or digit",
        ))
    }
}

impl<'de> Deserialize<'de> for AliasSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AliasVisitor;

        impl<'de> de::Visitor<'de> for AliasVisitor {
            type Value = AliasSpec;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an alias name, or `{ ensure: absent }`")
            }

            fn visit_str<E: de::Error>(self, raw: &str) -> Result<AliasSpec, E> {
                let name = NameTemplate::parse(raw).map_err(|err| {
                    E::custom(with_hint(
                        err,
                        "names may use `{account_id}` and `{region}` only",
                    ))
                })?;
                if name.uses_region() {
                    return Err(E::custom(with_hint(
                        "`{region}` cannot appear in the account alias",
                        "the alias is global; use `{account_id}` or a plain name",
                    )));
                }
                let sample = name.render(NameContext {
                    account_id: "123456789012",
                    region: None,
                });
                check_alias(&sample).map_err(E::custom)?;
                Ok(AliasSpec::Name(name))
            }

            /// An all-digit alias is written without quotes; it is still a name.
            fn visit_u64<E: de::Error>(self, number: u64) -> Result<AliasSpec, E> {
                self.visit_str(&number.to_string())
            }

            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<AliasSpec, A::Error> {
                let absent = EnsureAbsent::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let EnsureAbsent {
                    ensure: Ensure::Absent,
                } = absent
                else {
                    return Err(de::Error::custom(with_hint(
                        "`ensure: present` needs an alias name",
                        "write the name itself (`alias: my-company`) to keep an alias",
                    )));
                };
                Ok(AliasSpec::Absent)
            }
        }

        deserializer.deserialize_any(AliasVisitor)
    }
}

/// `{ ensure: absent }` on its own.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnsureAbsent {
    ensure: Ensure,
}

/// An S3 bucket name, checked as S3 does (after `{account_id}`/`{region}` are filled in).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketName(pub NameTemplate);

/// S3's rules for bucket names (general purpose buckets).
pub fn check_bucket_name(name: &str) -> Result<(), String> {
    let bytes = name.as_bytes();
    let charset = bytes
        .iter()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-' || *b == b'.');
    let ends = bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric);
    let ip_like = name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok());
    let reserved = name.starts_with("xn--")
        || name.starts_with("sthree-")
        || name.ends_with("-s3alias")
        || name.ends_with("--ol-s3");
    if (3..=63).contains(&bytes.len())
        && charset
        && ends
        && !name.contains("..")
        && !ip_like
        && !reserved
    {
        Ok(())
    } else {
        Err(with_hint(
            format!("`{name}` is not a valid S3 bucket name"),
            "3 to 63 characters of a-z, 0-9, `-` and `.`, starting and ending with a letter or digit",
        ))
    }
}

impl<'de> Deserialize<'de> for BucketName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = NameTemplate::deserialize(deserializer)?;
        let sample = name.render(NameContext {
            account_id: "123456789012",
            region: Some("ap-northeast-1"),
        });
        check_bucket_name(&sample).map_err(de::Error::custom)?;
        Ok(Self(name))
    }
}
