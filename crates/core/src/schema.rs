//! The JSON Schema of baseline.yaml, generated from the spec's types, so that editors
//! (yaml-language-server) complete and check keys. Validated strings carry their schema in
//! their definition (`validated_string!`); the other values that validate while they are
//! read (numbers, and values written in more than one shape) describe their rules here by
//! hand.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::spec::{
    AccountRef, AliasSpec, Amount, Bounded, BucketName, ConfigRuleSpec, ConsoleSpec,
    IdentityPolicy, OneOrMany, PolicyDocument, RegionsSpec, Spec, TrustSpec, Version,
};

/// Where the schema of this version is published: the repository's copy at the version's
/// tag, so a modeline that names it works from any repository and does not move.
pub const SCHEMA_URL: &str = concat!(
    "https://raw.githubusercontent.com/baseline-aws/baseline/v",
    env!("CARGO_PKG_VERSION"),
    "/docs/baseline.schema.json"
);

/// The modeline that points an editor (yaml-language-server) at the schema.
pub const MODELINE: &str = concat!(
    "# yaml-language-server: $schema=https://raw.githubusercontent.com/baseline-aws/baseline/v",
    env!("CARGO_PKG_VERSION"),
    "/docs/baseline.schema.json"
);

/// The schema of the whole file, as published in docs/baseline.schema.json.
pub fn baseline_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(Spec);
    schema.insert("$id".to_owned(), SCHEMA_URL.into());
    schema.insert("title".to_owned(), "baseline.yaml".into());
    let mut value = serde_json::to_value(schema).unwrap_or_default();
    // Keys in sorted order whatever map serde_json is built with (a dev-dependency turns on
    // `preserve_order` in workspace test builds): the committed file is the same either way.
    value.sort_all_objects();
    value
}

/// A schema written by hand, under `$name`.
macro_rules! hand_schema {
    ($ty:ty, $name:literal, $schema:tt) => {
        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    };
}

hand_schema!(Amount, "Amount", {
    "description": "A positive amount of money, at most two decimals.",
    "type": "number",
    "exclusiveMinimum": 0
});
hand_schema!(Version, "Version", {
    "description": "The format version; only 1 exists.",
    "const": 1
});
hand_schema!(AliasSpec, "AccountAlias", {
    "description": "The sign-in URL alias ({account_id} allowed), or { ensure: absent } to remove it.",
    "anyOf": [
        {"type": "string", "minLength": 3, "maxLength": 63},
        {"type": "object", "properties": {"ensure": {"const": "absent"}},
         "required": ["ensure"], "additionalProperties": false}
    ]
});
hand_schema!(PolicyDocument, "PolicyDocument", {
    "description": "An IAM policy document, in YAML or as JSON text.",
    "anyOf": [
        {"type": "object", "required": ["Statement"]},
        {"type": "string"}
    ]
});
hand_schema!(IdentityPolicy, "IdentityPolicy", {
    "description": "An IAM identity policy (no Principal; a Resource in every statement), in YAML or as JSON text.",
    "anyOf": [
        {"type": "object", "required": ["Statement"]},
        {"type": "string"}
    ]
});
hand_schema!(ConsoleSpec, "Console", {
    "description": "A console password that must be changed at first sign-in, or `disabled`.",
    "anyOf": [
        {"const": "disabled"},
        {"type": "object", "properties": {"password_reset_required": {"type": "boolean"}},
         "additionalProperties": false}
    ]
});
hand_schema!(AccountRef, "AccountRef", {
    "description": "`self`, or a 12-digit account id.",
    "type": ["string", "integer"],
    "pattern": "^(self|[0-9]{12})$"
});
hand_schema!(RegionsSpec, "Regions", {
    "description": "`all` enabled regions, or a list of region codes.",
    "anyOf": [
        {"const": "all"},
        {"type": "array", "items": {"type": "string", "pattern": "^[a-z]{2}(-[a-z0-9]+)+-[0-9]+$"}, "minItems": 1}
    ]
});
hand_schema!(BucketName, "BucketName", {
    "description": "An S3 bucket name; `{account_id}` and `{region}` are filled in.",
    "type": "string",
    "minLength": 3
});
hand_schema!(ConfigRuleSpec, "ConfigRule", {
    "description": "An AWS managed Config rule: its identifier, or { identifier, parameters }.",
    "anyOf": [
        {"type": "string", "pattern": "^[A-Z0-9_]+$"},
        {"type": "object", "required": ["identifier"], "additionalProperties": false,
         "properties": {"identifier": {"type": "string", "pattern": "^[A-Z0-9_]+$"},
                        "parameters": {"type": "object", "additionalProperties": {"type": "string"}}}}
    ]
});

impl JsonSchema for TrustSpec {
    fn schema_name() -> Cow<'static, str> {
        "Trust".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let accounts = generator.subschema_for::<OneOrMany<AccountRef>>();
        let services = generator.subschema_for::<OneOrMany<String>>();
        json_schema!({
            "description": "Who may assume the role.",
            "type": "object",
            "properties": {
                "account": accounts,
                "accounts": accounts,
                "service": services,
                "services": services,
                "require_mfa": {"type": "boolean",
                    "description": "Accounts may assume the role only when signed in with MFA."},
                "document": generator.subschema_for::<PolicyDocument>()
            },
            "additionalProperties": false
        })
    }
}

impl<T: JsonSchema> JsonSchema for OneOrMany<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("OneOrMany_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let one = generator.subschema_for::<T>();
        json_schema!({"anyOf": [one.clone(), {"type": "array", "items": one}]})
    }
}

impl<const MIN: i64, const MAX: i64> JsonSchema for Bounded<MIN, MAX> {
    fn schema_name() -> Cow<'static, str> {
        format!("Integer_{MIN}_to_{MAX}").into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "integer", "minimum": MIN, "maximum": MAX})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/baseline.schema.json is what `baseline schema` prints; regenerate it with
    /// `cargo run -q --bin baseline -- schema > docs/baseline.schema.json`.
    /// The shipped baseline and every example point editors at the published schema of
    /// this version, which is the schema's own `$id`.
    #[test]
    fn baselines_carry_the_modeline_of_this_version() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        for file in [
            "baseline.yaml",
            "examples/jaws-days-2017.yaml",
            "examples/jawsug-beginners-2022.yaml",
            "examples/organization.yaml",
        ] {
            let text = std::fs::read_to_string(format!("{root}/{file}")).unwrap_or_default();
            assert_eq!(text.lines().next(), Some(MODELINE), "{file}");
        }
        assert_eq!(baseline_schema()["$id"], SCHEMA_URL);
        assert!(MODELINE.ends_with(SCHEMA_URL));
    }

    #[test]
    fn committed_schema_is_up_to_date() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/baseline.schema.json"
        );
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        let generated = format!(
            "{}\n",
            serde_json::to_string_pretty(&baseline_schema()).unwrap_or_default()
        );
        assert!(
            committed == generated,
            "docs/baseline.schema.json is out of date: run \
             `cargo run -q --bin baseline -- schema > docs/baseline.schema.json`"
        );
    }
}
