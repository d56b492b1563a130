//! `guardrails:` as the account has them. A protection is written `true` when it is on
//! everywhere baseline would keep it (every region of `account.regions`); on in some
//! regions only, it is written as a suggestion that says where.

use baseline_core::spec::Standard;
use baseline_core::{ProviderError, ResourceAddr};
use serde_json::{Value, json};

use super::yaml::Node;
use super::{Survey, flag, text};

pub(super) async fn guardrails(survey: &Survey) -> Result<Node, Vec<ProviderError>> {
    let mut node = Node::map();
    let block = survey
        .read_one(ResourceAddr::singleton("s3_account_public_access_block"))
        .await?
        .unwrap_or(Value::Null);
    let settings = [
        "block_public_acls",
        "ignore_public_acls",
        "block_public_policy",
        "restrict_public_buckets",
    ];
    let on = settings
        .iter()
        .filter(|s| flag(&block, &format!("/{s}")))
        .count();
    let entry = node.set("s3_public_access_block", Node::Scalar(json!(true)));
    if on == settings.len() {
        entry.note("CIS 2.1.4");
    } else {
        entry
            .note(format!("CIS 2.1.4: {on} of the 4 settings are on now"))
            .suggest();
    }

    let regions: Vec<String> = survey.regions.iter().cloned().collect();
    // (kind, key, comment, the field that says it is on, suggested when off everywhere:
    // GuardDuty costs money, so an account without it is not nudged towards it.)
    for (kind, key, cis, on, suggest_when_off) in [
        (
            "ebs_encryption_by_default",
            "ebs_default_encryption",
            "CIS 2.2.1",
            "/enabled",
            true,
        ),
        (
            "access_analyzer",
            "access_analyzer",
            "CIS 1.20",
            "/active",
            true,
        ),
        (
            "guardduty_detector",
            "guardduty",
            "costs money",
            "/enabled",
            false,
        ),
    ] {
        let live = read_regions(survey, kind, &regions).await?;
        let count = live.iter().filter(|s| flag(s, on)).count();
        if count > 0 || suggest_when_off {
            regional(&mut node, key, cis, count, regions.len());
        }
    }

    let hubs = read_regions(survey, "securityhub", &regions).await?;
    if hubs.iter().any(|h| flag(h, "/enabled")) {
        let partition = survey.partition();
        let standards: Vec<Node> = [
            (Standard::Cis12, "cis_1.2"),
            (Standard::Cis14, "cis_1.4"),
            (Standard::Cis30, "cis_3.0"),
            (Standard::AwsFoundational, "aws_foundational"),
        ]
        .into_iter()
        .filter(|(standard, _)| {
            regions.iter().zip(&hubs).all(|(region, hub)| {
                let arn = standard.arn(partition, region);
                let key = arn.split_once("::").map_or("", |(_, k)| k);
                hub.get(key).and_then(Value::as_str) == Some("enabled")
            })
        })
        .map(|(_, name)| Node::str(name))
        .collect();
        let mut hub = Node::map();
        hub.set("standards", Node::List(standards));
        let everywhere = hubs.iter().all(|h| flag(h, "/enabled"));
        let entry = node.set("security_hub", hub);
        entry.note("costs money");
        if !everywhere {
            entry.suggest();
        }
    }

    let advisor = survey
        .read_one(ResourceAddr::singleton("trusted_advisor"))
        .await?;
    let entry = node.set("trusted_advisor", Node::str("required"));
    if advisor.as_ref().and_then(|s| text(s, "/status")) == Some("done") {
        entry.note("its security checks are green now");
    } else {
        entry
            .note("review Trusted Advisor's checks; read when the support plan allows")
            .suggest();
    }
    Ok(node)
}

async fn read_regions(
    survey: &Survey,
    kind: &str,
    regions: &[String],
) -> Result<Vec<Value>, Vec<ProviderError>> {
    let addresses: Vec<ResourceAddr> = regions
        .iter()
        .map(|r| ResourceAddr::singleton(kind).in_region(r))
        .collect();
    Ok(survey
        .read(&addresses)
        .await?
        .into_iter()
        .map(|s| s.unwrap_or(Value::Null))
        .collect())
}

/// `key: true` when on in all `total` regions, a suggestion saying how many otherwise.
fn regional(node: &mut Node, key: &str, cis: &str, count: usize, total: usize) {
    let entry = node.set(key, Node::Scalar(json!(true)));
    if count == total {
        entry.note(cis);
    } else {
        entry
            .note(format!("{cis}: on in {count} of the {total} regions now"))
            .suggest();
    }
}
