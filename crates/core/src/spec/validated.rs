//! The one rule for strings the spec checks while it reads them: `validated_string!`.

/// Defines a string that is checked when it is read. One definition gives the type its
/// check, the error `load` shows (the value quoted, then `error`; and the hint), and its JSON
/// Schema; from it come `as_str`, `Display`, `FromStr` (the error joins message and hint, as
/// `with_hint` does) and `Deserialize` (the error is raised at the value, so it points at its
/// line and column).
///
/// ```ignore
/// validated_string! {
///     /// A 12-digit AWS account id.
///     AccountId {
///         valid: |text| text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()),
///         error: "is not an AWS account id",
///         hint: "an account id is exactly 12 digits",
///         description: "A 12-digit AWS account id.",
///         schema: { "type": "string", "pattern": "^[0-9]{12}$" },
///     }
/// }
/// ```
macro_rules! validated_string {
    (
        $(#[$doc:meta])*
        $name:ident {
            valid: $valid:expr,
            error: $error:literal,
            hint: $hint:expr,
            description: $description:literal,
            schema: { $($schema:tt)* } $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub(in crate::spec) String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// `text` when it passes the check; otherwise the message and hint `load` shows.
            fn checked(text: String) -> Result<Self, String> {
                let valid: fn(&str) -> bool = $valid;
                if valid(&text) {
                    Ok(Self(text))
                } else {
                    Err($crate::spec::with_hint(format!("`{text}` {}", $error), $hint))
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, String> {
                Self::checked(text.to_owned())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                Self::checked(text).map_err(serde::de::Error::custom)
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "description": $description, $($schema)* })
            }
        }
    };
}
pub(crate) use validated_string;

/// Whether `text` is 1 to `max` bytes, each an ASCII letter, a digit or one of `extra`: how
/// AWS spells most names.
pub(super) fn is_name(text: &str, max: usize, extra: &[u8]) -> bool {
    (1..=max).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
}

#[cfg(test)]
mod tests {
    use crate::spec::{AccountId, HINT_SEPARATOR};

    #[test]
    fn one_definition_gives_check_error_text_and_schema() {
        let id: AccountId = serde_json::from_str("\"012345678901\"").expect("valid");
        assert_eq!(id.as_str(), "012345678901");
        assert_eq!(id.to_string(), "012345678901");
        assert_eq!("012345678901".parse::<AccountId>(), Ok(id));

        let error = "12345".parse::<AccountId>().expect_err("too short");
        let (message, hint) = error.split_once(HINT_SEPARATOR).expect("a hint");
        assert_eq!(message, "`12345` is not an AWS account id");
        assert!(
            hint.starts_with("an account id is exactly 12 digits"),
            "{hint}"
        );
        let from_serde = serde_json::from_str::<AccountId>("\"12345\"").expect_err("too short");
        assert!(from_serde.to_string().starts_with(&error), "{from_serde}");

        let schema = schemars::schema_for!(AccountId);
        assert_eq!(schema.get("pattern"), Some(&"^[0-9]{12}$".into()));
        assert!(schema.get("description").is_some());
    }
}
