//! Every AWS region baseline knows: its code, its partition and AWS's name for it. The table
//! is AWS's partitions file as the AWS SDK in use embeds it (its `*-global` pseudo-regions
//! left out); a test in `baseline-aws` fails when the SDK lists a region this table lacks.

/// One AWS region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// Its code, such as `ap-northeast-1`.
    pub code: &'static str,
    /// The partition it belongs to (`aws`, `aws-cn`, `aws-us-gov`, ...).
    pub partition: &'static str,
    /// AWS's description, such as `Asia Pacific (Tokyo)`.
    pub description: &'static str,
}

/// A row of [`REGIONS`].
const fn region(code: &'static str, partition: &'static str, description: &'static str) -> Region {
    Region {
        code,
        partition,
        description,
    }
}

/// Every region, partition by partition in the SDK's order, by code within a partition.
pub const REGIONS: &[Region] = &[
    region("af-south-1", "aws", "Africa (Cape Town)"),
    region("ap-east-1", "aws", "Asia Pacific (Hong Kong)"),
    region("ap-east-2", "aws", "Asia Pacific (Taipei)"),
    region("ap-northeast-1", "aws", "Asia Pacific (Tokyo)"),
    region("ap-northeast-2", "aws", "Asia Pacific (Seoul)"),
    region("ap-northeast-3", "aws", "Asia Pacific (Osaka)"),
    region("ap-south-1", "aws", "Asia Pacific (Mumbai)"),
    region("ap-south-2", "aws", "Asia Pacific (Hyderabad)"),
    region("ap-southeast-1", "aws", "Asia Pacific (Singapore)"),
    region("ap-southeast-2", "aws", "Asia Pacific (Sydney)"),
    region("ap-southeast-3", "aws", "Asia Pacific (Jakarta)"),
    region("ap-southeast-4", "aws", "Asia Pacific (Melbourne)"),
    region("ap-southeast-5", "aws", "Asia Pacific (Malaysia)"),
    region("ap-southeast-6", "aws", "Asia Pacific (New Zealand)"),
    region("ap-southeast-7", "aws", "Asia Pacific (Thailand)"),
    region("ca-central-1", "aws", "Canada (Central)"),
    region("ca-west-1", "aws", "Canada West (Calgary)"),
    region("eu-central-1", "aws", "Europe (Frankfurt)"),
    region("eu-central-2", "aws", "Europe (Zurich)"),
    region("eu-north-1", "aws", "Europe (Stockholm)"),
    region("eu-south-1", "aws", "Europe (Milan)"),
    region("eu-south-2", "aws", "Europe (Spain)"),
    region("eu-west-1", "aws", "Europe (Ireland)"),
    region("eu-west-2", "aws", "Europe (London)"),
    region("eu-west-3", "aws", "Europe (Paris)"),
    region("il-central-1", "aws", "Israel (Tel Aviv)"),
    region("me-central-1", "aws", "Middle East (UAE)"),
    region("me-south-1", "aws", "Middle East (Bahrain)"),
    region("mx-central-1", "aws", "Mexico (Central)"),
    region("sa-east-1", "aws", "South America (Sao Paulo)"),
    region("us-east-1", "aws", "US East (N. Virginia)"),
    region("us-east-2", "aws", "US East (Ohio)"),
    region("us-west-1", "aws", "US West (N. California)"),
    region("us-west-2", "aws", "US West (Oregon)"),
    region("cn-north-1", "aws-cn", "China (Beijing)"),
    region("cn-northwest-1", "aws-cn", "China (Ningxia)"),
    region(
        "eusc-de-east-1",
        "aws-eusc",
        "AWS European Sovereign Cloud (Germany)",
    ),
    region("us-iso-east-1", "aws-iso", "US ISO East"),
    region("us-iso-west-1", "aws-iso", "US ISO WEST"),
    region("us-isob-east-1", "aws-iso-b", "US ISOB East (Ohio)"),
    region("us-isob-west-1", "aws-iso-b", "US ISOB West"),
    region("eu-isoe-west-1", "aws-iso-e", "EU ISOE West"),
    region("us-isof-east-1", "aws-iso-f", "US ISOF EAST"),
    region("us-isof-south-1", "aws-iso-f", "US ISOF SOUTH"),
    region("us-gov-east-1", "aws-us-gov", "AWS GovCloud (US-East)"),
    region("us-gov-west-1", "aws-us-gov", "AWS GovCloud (US-West)"),
];

/// The region with this code, if baseline knows it.
pub fn find(code: &str) -> Option<&'static Region> {
    REGIONS.iter().find(|r| r.code == code)
}

/// The known region `given` was most likely meant to be: a code a typo away
/// (`ap-northeast-9` → `ap-northeast-1`; among equally close codes, the first in the table),
/// or the region whose description names it (`tokyo` → `ap-northeast-1`).
pub fn closest(given: &str) -> Option<&'static Region> {
    let lower = given.trim().to_ascii_lowercase();
    let a_name = lower.len() >= 3 && lower.chars().all(|c| c.is_ascii_lowercase() || c == ' ');
    if a_name
        && let Some(named) = REGIONS
            .iter()
            .find(|r| r.description.to_ascii_lowercase().contains(&lower))
    {
        return Some(named);
    }
    let mut best: Option<(f64, &'static Region)> = None;
    for region in REGIONS {
        let score = strsim::jaro_winkler(&lower, region.code);
        if score > 0.85 && best.is_none_or(|(top, _)| score > top) {
            best = Some((score, region));
        }
    }
    best.map(|(_, region)| region)
}

/// What to do about a region code baseline does not know: the region it was most likely
/// meant to be, and, for a code shaped like a region's, that a region AWS opened after this
/// table was written needs a newer baseline.
pub fn unknown_hint(given: &str) -> String {
    let suggestion =
        closest(given).map(|r| format!("did you mean `{}` ({})?", r.code, r.description));
    let shaped = given.split('-').count() >= 3
        && given
            .rsplit('-')
            .next()
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let newer = format!(
        "if AWS opened `{given}` after this version of baseline was released, upgrade baseline"
    );
    match (suggestion, shaped) {
        (Some(suggestion), true) => format!("{suggestion} Or, {newer}"),
        (Some(suggestion), false) => suggestion,
        (None, true) => format!("region codes look like `ap-northeast-1`; {newer}"),
        (None, false) => "region codes look like `ap-northeast-1` or `us-east-1`".to_owned(),
    }
}

/// The partition of a region that is not in the table, from the shapes of codes AWS gives
/// each partition (its `regionRegex`): a region newer than this version still gets the
/// right ARNs.
pub fn partition_by_shape(code: &str) -> &'static str {
    const PREFIXES: &[(&str, &str)] = &[
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-isof-", "aws-iso-f"),
        ("us-iso-", "aws-iso"),
        ("eu-isoe-", "aws-iso-e"),
        ("eusc-", "aws-eusc"),
    ];
    PREFIXES
        .iter()
        .find(|(prefix, _)| code.starts_with(prefix))
        .map_or("aws", |(_, partition)| partition)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_each_partition_matches_its_shape() {
        let mut codes: Vec<&str> = REGIONS.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), REGIONS.len(), "a code is listed twice");
        for region in REGIONS {
            assert_eq!(
                partition_by_shape(region.code),
                region.partition,
                "{}",
                region.code
            );
        }
    }

    #[test]
    fn a_typo_or_a_city_suggests_the_region() {
        let code = |given: &str| closest(given).map(|r| r.code);
        assert_eq!(code("ap-northeast-9"), Some("ap-northeast-1"));
        assert_eq!(code("ap-northest-1"), Some("ap-northeast-1"));
        assert_eq!(code("us-east-3"), Some("us-east-1"));
        assert_eq!(code("eu-west-4"), Some("eu-west-1"));
        assert_eq!(code("Tokyo"), Some("ap-northeast-1"));
        assert_eq!(code("frankfurt"), Some("eu-central-1"));
        assert_eq!(code("us-west"), Some("us-west-1"));
        assert_eq!(code("mars"), None);
        assert_eq!(code("xyz-qqq-42"), None);
    }

    #[test]
    fn the_hint_names_the_suggestion_and_the_upgrade() {
        let hint = unknown_hint("ap-northeast-9");
        assert!(
            hint.starts_with("did you mean `ap-northeast-1` (Asia Pacific (Tokyo))?"),
            "{hint}"
        );
        assert!(hint.contains("upgrade baseline"), "{hint}");
        assert_eq!(
            unknown_hint("tokyo"),
            "did you mean `ap-northeast-1` (Asia Pacific (Tokyo))?"
        );
        assert!(unknown_hint("xx-mars-1").contains("upgrade baseline"));
        assert!(!unknown_hint("mars").contains("upgrade"));
    }
}
