//! baseline-core's region table against the regions of the AWS SDK in use: the SDK embeds
//! AWS's partitions file (`PartitionResolver::new_from_json` in each SDK crate's
//! `endpoint_lib.rs`), but not publicly, so this test reads it out of the source of the
//! `aws-sdk-sts` crate that cargo resolved. An SDK update that adds a region fails here.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use baseline_core::regions::REGIONS;

/// The source folder of the `aws-sdk-sts` this workspace builds with (`cargo metadata`).
fn sts_source() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml");
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(["--manifest-path", manifest])
        .output()
        .expect("run cargo metadata");
    assert!(output.status.success(), "cargo metadata: {output:?}");
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    let sts = packages
        .iter()
        .find(|p| p["name"] == "aws-sdk-sts")
        .expect("aws-sdk-sts is a dependency");
    let manifest_path = sts["manifest_path"].as_str().expect("a manifest path");
    PathBuf::from(manifest_path)
        .parent()
        .expect("the crate's folder")
        .join("src")
}

/// The partitions JSON in `endpoint_lib.rs`: the byte string given to `new_from_json`.
fn partitions_json(source: &str) -> serde_json::Value {
    let start = "new_from_json(b\"";
    let at = source
        .rfind(start)
        .expect("endpoint_lib.rs embeds the partitions with new_from_json(b\"...\")")
        + start.len();
    let mut json = String::new();
    let mut chars = source[at..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => match chars.next() {
                Some('n') => json.push('\n'),
                Some('t') => json.push('\t'),
                Some(other) => json.push(other),
                None => break,
            },
            c => json.push(c),
        }
    }
    serde_json::from_str(&json).expect("the embedded partitions are JSON")
}

#[test]
fn the_region_table_is_the_sdks_region_list() {
    let path = sts_source().join("endpoint_lib.rs");
    let source = std::fs::read_to_string(&path).expect("read endpoint_lib.rs");
    let partitions = partitions_json(&source);
    let mut sdk = BTreeSet::new();
    for partition in partitions["partitions"].as_array().expect("partitions") {
        let id = partition["id"].as_str().expect("a partition id");
        for (code, region) in partition["regions"].as_object().expect("regions") {
            if code.ends_with("-global") {
                continue;
            }
            let description = region["description"].as_str().unwrap_or_default();
            sdk.insert((code.clone(), id.to_owned(), description.to_owned()));
        }
    }
    let table: BTreeSet<(String, String, String)> = REGIONS
        .iter()
        .map(|r| {
            (
                r.code.to_owned(),
                r.partition.to_owned(),
                r.description.to_owned(),
            )
        })
        .collect();
    let missing: Vec<String> = sdk
        .difference(&table)
        .map(|(code, partition, description)| {
            format!("    region(\"{code}\", \"{partition}\", \"{description}\"),")
        })
        .collect();
    let extra: Vec<&str> = table
        .difference(&sdk)
        .map(|(code, _, _)| code.as_str())
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "the region table in crates/core/src/regions.rs differs from the AWS SDK's ({}).\n\
         Add these rows to REGIONS, in their partition, by code:\n{}\n\
         and remove (or correct) these codes: {:?}",
        path.display(),
        missing.join("\n"),
        extra
    );
}
