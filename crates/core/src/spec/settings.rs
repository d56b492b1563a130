//! Account settings and guardrails: alternate contacts, account-wide protections, and the
//! steps only a person can take.

use serde::Deserialize;

use super::Email;
use super::validated::validated_string;

/// A step only a person can take. `required`: listed in every plan until done, where an API
/// can see it; `confirmed`: a person says it is done, for steps no API can see (a check that
/// can see the step still decides).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Manual {
    Required,
    Confirmed,
}

/// `account.contacts`: the alternate contacts AWS writes to (CIS 1.2).
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ContactsSpec {
    pub billing: Option<ContactSpec>,
    pub operations: Option<ContactSpec>,
    pub security: Option<ContactSpec>,
}

impl ContactsSpec {
    /// The declared contacts with the Account API's type name.
    pub fn declared(&self) -> Vec<(&'static str, &ContactSpec)> {
        [
            ("billing", &self.billing),
            ("operations", &self.operations),
            ("security", &self.security),
        ]
        .into_iter()
        .filter_map(|(kind, contact)| contact.as_ref().map(|c| (kind, c)))
        .collect()
    }
}

/// One alternate contact; AWS needs all four fields.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactSpec {
    pub name: ContactText,
    pub title: ContactText,
    pub email: Email,
    pub phone: Phone,
}

validated_string! {
    /// A contact's name or title: 1 to 64 characters.
    ContactText {
        valid: |text| (1..=64).contains(&text.chars().count()) && !text.trim().is_empty(),
        error: "is not a contact name or title",
        hint: "write 1 to 64 characters",
        description: "A contact's name or title, 1 to 64 characters.",
        schema: { "type": "string", "minLength": 1, "maxLength": 64 },
    }
}

validated_string! {
    /// A phone number: digits, spaces, `+`, `-`, `(`, `)`.
    Phone {
        valid: |text| {
            (1..=25).contains(&text.len())
                && text.bytes().any(|b| b.is_ascii_digit())
                && text
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b" +-()".contains(&b))
        },
        error: "is not a phone number",
        hint: "write it with the country code, such as \"+81-3-1234-5678\"",
        description: "A phone number with its country code, such as +81-3-1234-5678.",
        schema: { "type": "string", "pattern": "^[0-9 +()-]{1,25}$" },
    }
}

/// `guardrails:` — account-wide protections. `true` turns one on; `false` or leaving it out
/// leaves it as it is (baseline never turns a protection off).
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct GuardrailsSpec {
    /// Block public access to every S3 bucket of the account (all four settings).
    pub s3_public_access_block: bool,
    /// New EBS volumes are encrypted, in every selected region (CIS 2.2.1).
    pub ebs_default_encryption: bool,
    /// An IAM Access Analyzer (account zone of trust) in every selected region (CIS 1.20).
    pub access_analyzer: bool,
    /// An Amazon GuardDuty detector in every selected region (costs money).
    pub guardduty: bool,
    /// AWS Security Hub in every selected region, with these standards (costs money).
    pub security_hub: Option<SecurityHubSpec>,
    /// Trusted Advisor's checks are reviewed (manual; read when the support plan allows).
    pub trusted_advisor: Option<Manual>,
}

/// `guardrails.security_hub`.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityHubSpec {
    pub standards: Vec<Standard>,
}

/// A Security Hub standard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standard {
    /// CIS AWS Foundations Benchmark v1.2.0.
    #[serde(rename = "cis_1.2")]
    Cis12,
    /// CIS AWS Foundations Benchmark v1.4.0.
    #[serde(rename = "cis_1.4")]
    Cis14,
    /// CIS AWS Foundations Benchmark v3.0.0.
    #[serde(rename = "cis_3.0")]
    Cis30,
    /// AWS Foundational Security Best Practices v1.0.0.
    AwsFoundational,
}

impl Standard {
    /// The standard's ARN in `region` of `partition`.
    pub fn arn(self, partition: &str, region: &str) -> String {
        let (region, path) = match self {
            Self::Cis12 => ("", "ruleset/cis-aws-foundations-benchmark/v/1.2.0"),
            Self::Cis14 => (region, "standards/cis-aws-foundations-benchmark/v/1.4.0"),
            Self::Cis30 => (region, "standards/cis-aws-foundations-benchmark/v/3.0.0"),
            Self::AwsFoundational => (
                region,
                "standards/aws-foundational-security-best-practices/v/1.0.0",
            ),
        };
        format!("arn:{partition}:securityhub:{region}::{path}")
    }
}
