//! Tests of loading: where an error points, its key path and its hint.

use super::diagnostics::key_path_at;
use super::*;

fn error(source: &str) -> LoadError {
    *load_str(source, "b.yaml").expect_err("must fail")
}

#[test]
fn unknown_key_has_location_path_and_suggestion() {
    let err = error(
        "version: 1\naccount:\n  id: \"123456789012\"\niam:\n  password_policy:\n    minimum_lenght: 3\n",
    );
    assert_eq!(err.location, Some((6, 5)));
    assert_eq!(
        err.key.as_deref(),
        Some("iam.password_policy.minimum_lenght")
    );
    assert_eq!(err.message, "unknown key `minimum_lenght`");
    assert_eq!(err.hint.as_deref(), Some("did you mean `minimum_length`?"));
    insta::assert_snapshot!(err.to_string());
}

#[test]
fn out_of_range_value_points_at_value() {
    let err = error(
        "version: 1\naccount:\n  id: \"123456789012\"\niam:\n  password_policy:\n    minimum_length: 200\n",
    );
    assert_eq!(err.location, Some((6, 21)));
    assert_eq!(err.message, "200 is out of range");
    assert_eq!(err.hint.as_deref(), Some("AWS accepts 6 to 128 here"));
    assert_eq!(
        err.key.as_deref(),
        Some("iam.password_policy.minimum_length")
    );
}

#[test]
fn valid_file_loads() {
    let spec = load_str(
        "version: 1\naccount:\n  id: 012345678901\n  alias: \"{account_id}-main\"\nroot: { mfa: required }\n",
        "b.yaml",
    )
    .expect("valid");
    assert_eq!(spec.account.id.as_str(), "012345678901");
}

#[test]
fn key_path_follows_indentation() {
    let src = "a:\n  b:\n    - c: 1\n      d: 2\n  e: 3\n";
    assert_eq!(key_path_at(src, 4).as_deref(), Some("a.b.d"));
    assert_eq!(key_path_at(src, 5).as_deref(), Some("a.e"));
}
