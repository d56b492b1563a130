//! What each example expands to before any AWS call: every desired resource with its
//! canonical state, dependencies, manual step, CIS ids and write-only settings. The
//! snapshots pin the canonical JSON that plans are made of, so a change to a kind's state
//! (a renamed field, a typed state that serialises differently) shows here first.

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use serde_json::json;

use crate::expand;

fn describe(desired: &[Desired]) -> String {
    let mut out = String::new();
    for d in desired {
        let mut entry = json!({
            "address": d.address.to_string(),
            "ensure": format!("{:?}", d.ensure),
            "state": d.state,
        });
        if !d.depends_on.is_empty() {
            entry["depends_on"] = json!(
                d.depends_on
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            );
        }
        if let Some(manual) = &d.manual {
            entry["manual"] = json!(manual);
        }
        if !d.cis.is_empty() {
            entry["cis"] = json!(d.cis);
        }
        if !d.write_only.is_null() {
            entry["write_only"] = d.write_only.clone();
        }
        entry.sort_all_objects();
        out.push_str(&serde_json::to_string_pretty(&entry).expect("JSON"));
        out.push('\n');
    }
    out
}

/// Expands an example in three enabled regions (its home region among them).
fn expanded(file: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let spec = baseline_core::load_file(&root.join(file)).expect("valid example");
    let home = spec
        .account
        .home_region
        .as_ref()
        .map_or("ap-northeast-1", |r| r.as_str())
        .to_owned();
    let mut enabled: Vec<String> = ["ap-northeast-1", "us-east-1", "eu-west-1"]
        .iter()
        .map(|r| (*r).to_owned())
        .collect();
    if !enabled.contains(&home) {
        enabled.push(home.clone());
    }
    let scope = Scope::resolve(&spec, &home, enabled);
    describe(&expand(&spec, &scope))
}

#[test]
fn the_default_baseline_expands_to() {
    insta::assert_snapshot!(expanded("baseline.yaml"));
}

#[test]
fn the_2017_guide_expands_to() {
    insta::assert_snapshot!(expanded("examples/jaws-days-2017.yaml"));
}

#[test]
fn the_2022_guide_expands_to() {
    insta::assert_snapshot!(expanded("examples/jawsug-beginners-2022.yaml"));
}

#[test]
fn the_organization_example_expands_to() {
    insta::assert_snapshot!(expanded("examples/organization.yaml"));
}
