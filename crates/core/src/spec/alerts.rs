//! `alerts:` and `cost:` — who hears about sign-ins, risky changes and spending.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, de};
use serde_saphyr::Spanned;

use super::validated::{is_name, validated_string};
use super::{Bounded, Email, Manual, with_hint};

validated_string! {
    /// An SNS topic name: 1 to 256 of `A-Za-z0-9_-`.
    TopicName {
        valid: |text| is_name(text, 256, b"-_"),
        error: "is not an SNS topic name",
        hint: "topic names are 1 to 256 letters, digits, `-` and `_`",
        description: "An SNS topic name.",
        schema: { "type": "string", "pattern": "^[A-Za-z0-9_-]{1,256}$" },
    }
}

validated_string! {
    /// An https URL that SNS posts to.
    HttpsUrl {
        valid: |text| {
            text.strip_prefix("https://").is_some_and(|rest| {
                !rest.is_empty() && !rest.starts_with('/') && !text.contains(char::is_whitespace)
            })
        },
        error: "is not an https URL",
        hint: "SNS delivers only to https://host/path endpoints here",
        description: "An https:// URL.",
        schema: { "type": "string", "pattern": "^https://[^/\\s]" },
    }
}

validated_string! {
    /// A budget name: 1 to 100 characters without `:` or `\`.
    BudgetName {
        valid: |text| {
            (1..=100).contains(&text.chars().count())
                && !text.contains([':', '\\'])
                && !text.contains(char::is_control)
        },
        error: "is not a budget name",
        hint: "budget names are 1 to 100 characters, without `:` or `\\`",
        description: "A budget name: 1 to 100 characters without : or \\.",
        schema: { "type": "string", "pattern": "^[^:\\\\]{1,100}$" },
    }
}

validated_string! {
    /// A KMS key for a topic: `alias/NAME`, a key id or a key ARN.
    KmsKeyRef {
        valid: |text| {
            let shape = text.starts_with("alias/")
                || text.starts_with("arn:")
                || (text.len() == 36 && text.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'));
            shape && text.len() > "alias/".len()
        },
        error: "is not a KMS key",
        hint: "write `alias/NAME`, a key id or a key ARN",
        description: "A KMS key: alias/NAME, a key id or a key ARN.",
        schema: { "type": "string" },
    }
}

/// `alerts:` — SNS topics and the EventBridge rules that feed them.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AlertsSpec {
    /// Topics in the home region, by name.
    pub topics: BTreeMap<TopicName, TopicSpec>,
    /// Which alert goes to which topic (a name under `alerts.topics`).
    #[schemars(with = "BTreeMap<AlertKind, TopicName>")]
    pub events: BTreeMap<AlertKind, Spanned<TopicName>>,
    /// An EventBridge rule of the home region that already raises one of `events`, to be
    /// managed as baseline's rule for it (its pattern and target become baseline's) instead
    /// of making another: `console_sign_in: my-signin-alert`. The plan names such rules.
    #[schemars(with = "BTreeMap<AlertKind, RuleName>")]
    pub adopt: BTreeMap<AlertKind, Spanned<RuleName>>,
}

validated_string! {
    /// An EventBridge rule name: 1 to 64 of `A-Za-z0-9._-`.
    RuleName {
        valid: |text| is_name(text, 64, b"-_."),
        error: "is not an EventBridge rule name",
        hint: "rule names are 1 to 64 letters, digits, `.`, `-` and `_`",
        description: "An EventBridge rule name.",
        schema: { "type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$" },
    }
}

/// One SNS topic: who may publish is baseline's (EventBridge and Budgets, from this account).
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TopicSpec {
    /// Encrypt messages at rest with this key. Its key policy must let
    /// events.amazonaws.com and budgets.amazonaws.com use it.
    pub kms_key: Option<KmsKeyRef>,
    /// Who receives the alerts. The list is complete: other subscriptions are removed.
    pub subscriptions: Vec<SubscriptionSpec>,
}

/// `{ email: ADDRESS }` or `{ https: URL }`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SubscriptionSpec {
    Email(Email),
    Https(HttpsUrl),
}

impl SubscriptionSpec {
    /// SNS's protocol name.
    pub fn protocol(&self) -> &'static str {
        match self {
            Self::Email(_) => "email",
            Self::Https(_) => "https",
        }
    }

    pub fn endpoint(&self) -> &str {
        match self {
            Self::Email(email) => email.as_str(),
            Self::Https(url) => url.as_str(),
        }
    }
}

/// The alerts baseline knows how to raise; each is an EventBridge rule whose pattern
/// baseline owns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Every console sign-in (the 2022 guide's alert).
    ConsoleSignIn,
    /// Console sign-ins that failed (CIS 4.6 in spirit).
    FailedSignIn,
    /// Anything the root user does (CIS 4.3 in spirit).
    RootActivity,
    /// IAM policy changes: policies created, changed, attached or detached (CIS 4.4).
    IamChanges,
    /// CloudTrail configuration changes (CIS 4.5).
    CloudtrailChanges,
    /// AWS Config configuration changes (CIS 4.9).
    ConfigChanges,
    /// Security group, network ACL, gateway and route table changes (CIS 4.10-4.13).
    NetworkChanges,
}

impl BudgetSpec {
    /// The name of the budget in AWS: the adopted one's, else the entry's.
    pub fn aws_name<'a>(&'a self, key: &'a BudgetName) -> &'a str {
        self.adopt
            .as_ref()
            .map_or(key.as_str(), |a| a.value.as_str())
    }
}

impl AlertKind {
    pub const ALL: [AlertKind; 7] = [
        Self::ConsoleSignIn,
        Self::FailedSignIn,
        Self::RootActivity,
        Self::IamChanges,
        Self::CloudtrailChanges,
        Self::ConfigChanges,
        Self::NetworkChanges,
    ];

    /// The name used in YAML and in rule names (`console-sign-in`).
    pub fn key(self) -> &'static str {
        match self {
            Self::ConsoleSignIn => "console_sign_in",
            Self::FailedSignIn => "failed_sign_in",
            Self::RootActivity => "root_activity",
            Self::IamChanges => "iam_changes",
            Self::CloudtrailChanges => "cloudtrail_changes",
            Self::ConfigChanges => "config_changes",
            Self::NetworkChanges => "network_changes",
        }
    }
}

/// `cost:` — budgets, and the billing settings only the root user can change.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CostSpec {
    pub budgets: BTreeMap<BudgetName, BudgetSpec>,
    /// Cost Explorer is turned on (manual; checked with a Cost Explorer read).
    pub cost_explorer: Option<Manual>,
    /// IAM users and roles may see billing (manual; root only, no API reads it).
    pub billing_access: Option<Manual>,
    /// Invoices arrive as PDF by e-mail (manual; no API reads it).
    pub pdf_invoice: Option<Manual>,
}

/// A cost budget.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetSpec {
    /// The budgeted amount per period.
    pub amount: Amount,
    /// Default: USD.
    #[serde(default)]
    pub currency: Option<Currency>,
    /// Default: monthly.
    #[serde(default)]
    pub time_unit: TimeUnit,
    /// An existing budget to manage under this entry instead of creating one named after
    /// it (the plan names budgets with the same limit).
    #[serde(default)]
    #[schemars(with = "Option<BudgetName>")]
    pub adopt: Option<Spanned<BudgetName>>,
    /// E-mails and topics told when spending passes a percentage of the amount.
    #[serde(default)]
    #[schemars(with = "Vec<BudgetNotificationSpec>")]
    pub notifications: Vec<Spanned<BudgetNotificationSpec>>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    Daily,
    #[default]
    Monthly,
    Quarterly,
    Annually,
}

impl TimeUnit {
    /// The Budgets API's name.
    pub fn api(self) -> &'static str {
        match self {
            Self::Daily => "DAILY",
            Self::Monthly => "MONTHLY",
            Self::Quarterly => "QUARTERLY",
            Self::Annually => "ANNUALLY",
        }
    }
}

/// One threshold of a budget.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetNotificationSpec {
    /// `actual` spending, or the `forecasted` spending of the period.
    pub when: BudgetWhen,
    /// Percent of the budgeted amount, e.g. 80.
    pub percent: Bounded<1, 1000>,
    /// Up to 10 e-mail addresses.
    #[serde(default)]
    pub emails: Vec<Email>,
    /// A topic under `alerts.topics`.
    #[serde(default)]
    #[schemars(with = "Option<TopicName>")]
    pub topic: Option<Spanned<TopicName>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BudgetWhen {
    Actual,
    Forecasted,
}

impl BudgetWhen {
    pub fn api(self) -> &'static str {
        match self {
            Self::Actual => "ACTUAL",
            Self::Forecasted => "FORECASTED",
        }
    }
}

/// A positive amount of money with at most two decimals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Amount(f64);

impl Amount {
    pub fn get(self) -> f64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = f64::deserialize(deserializer)?;
        let cents = number * 100.0;
        if number > 0.0 && number < 1e12 && (cents - cents.round()).abs() < 1e-6 {
            Ok(Self(number))
        } else {
            Err(de::Error::custom(with_hint(
                format!("{number} is not an amount of money"),
                "write a positive amount with at most two decimals, such as 100 or 19.99",
            )))
        }
    }
}

validated_string! {
    /// A currency code that Budgets accepts (USD, or JPY where billing is in yen).
    Currency {
        valid: |text| text.len() == 3 && text.bytes().all(|b| b.is_ascii_uppercase()),
        error: "is not a currency code",
        hint: "write a three-letter code such as USD",
        description: "A three-letter currency code, such as USD.",
        schema: { "type": "string", "pattern": "^[A-Z]{3}$" },
    }
}
