//! `baseline init`: a baseline.yaml that describes a live account as it is, so that an
//! existing account can be adopted. Every section is read back by the same kinds that plan
//! it, so a plan right after `init` finds nothing to change in what was described; what
//! only a person can decide (a step not done yet, a value AWS cannot show) is written as a
//! comment that says so.
//!
//! Each section has its module; they share a [`Survey`]: the account, its enabled regions,
//! the home region and the regions where baseline's resources are.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use baseline_core::exec::{ReadLimits, read_all};
use baseline_core::{Provider, ProviderError, ReadRequest, ResourceAddr};
use serde_json::{Value, json};

use crate::AwsProvider;
use crate::context::{AwsContext, is_enabled};
use crate::error::{call, list_all};

mod account;
mod alerts;
mod guardrails;
mod iam;
mod logging;
mod organization;
mod verify;
pub mod yaml;

use yaml::{Entry, Node};

/// A top-level section `init` can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum InitSection {
    Account,
    Root,
    Iam,
    Logging,
    Alerts,
    Cost,
    Guardrails,
    Organization,
}

impl InitSection {
    pub const ALL: [InitSection; 8] = [
        Self::Account,
        Self::Root,
        Self::Iam,
        Self::Logging,
        Self::Alerts,
        Self::Cost,
        Self::Guardrails,
        Self::Organization,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Account => "account",
            Self::Root => "root",
            Self::Iam => "iam",
            Self::Logging => "logging",
            Self::Alerts => "alerts",
            Self::Cost => "cost",
            Self::Guardrails => "guardrails",
            Self::Organization => "organization",
        }
    }
}

/// What `init` found: the sections in the file's order, each a YAML mapping.
#[derive(Debug)]
pub struct Described {
    pub account_id: String,
    pub home_region: String,
    pub sections: Vec<(InitSection, Node)>,
    /// Sections AWS refused to show, with why (written as comments).
    pub unread: Vec<(InitSection, String)>,
    /// Changes a plan of the described file would still make (none when every entry that
    /// would change something became a comment).
    pub unsettled: Vec<String>,
}

impl Described {
    /// The described section.
    pub fn node(&self, section: InitSection) -> Option<&Node> {
        self.sections
            .iter()
            .find(|(s, _)| *s == section)
            .map(|(_, n)| n)
    }

    /// `name` with the account id written `{account_id}`.
    pub fn templated(&self, name: &str) -> String {
        templated(name, &self.account_id)
    }

    /// The sections as YAML text (no header), in the file's order.
    pub fn yaml(&self) -> String {
        let parts: Vec<String> = InitSection::ALL
            .iter()
            .filter_map(|section| self.section_yaml(*section))
            .collect();
        parts.join("\n")
    }

    /// One section as YAML text, if it was described, or a comment saying why it was not.
    pub fn section_yaml(&self, section: InitSection) -> Option<String> {
        if let Some((_, why)) = self.unread.iter().find(|(s, _)| *s == section) {
            return Some(format!("# {}: not read: {why}\n", section.key()));
        }
        let (_, node) = self.sections.iter().find(|(s, _)| *s == section)?;
        Some(yaml::write(&[Entry::new(section.key(), node.clone())]))
    }
}

/// What the sections share: the account, where it runs, and one way to read any address
/// through the kind that plans it.
pub(crate) struct Survey {
    pub ctx: Arc<AwsContext>,
    provider: Arc<dyn Provider>,
    pub account_id: String,
    /// Enabled regions, sorted.
    pub enabled: Vec<String>,
    pub home: String,
    /// Where the home region came from, said in a comment.
    pub home_reason: String,
    /// The regions baseline's regional resources are in (the home region among them).
    pub regions: BTreeSet<String>,
    /// The regions with a Config recorder.
    pub recorders: BTreeSet<String>,
    /// The account's own multi-region trail, read once (or why it could not be).
    trail: Result<Option<logging::OwnTrail>, Vec<ProviderError>>,
}

impl Survey {
    pub fn partition(&self) -> &str {
        self.ctx.partition()
    }

    /// The live state at each address, as the kind that owns it reads it (`None`: absent).
    pub async fn read(
        &self,
        addresses: &[ResourceAddr],
    ) -> Result<Vec<Option<Value>>, Vec<ProviderError>> {
        self.ctx.want(addresses);
        let requests = addresses.iter().cloned().map(ReadRequest::at).collect();
        read_all(Arc::clone(&self.provider), requests, ReadLimits::flat(16)).await
    }

    /// One address's live state.
    pub async fn read_one(
        &self,
        address: ResourceAddr,
    ) -> Result<Option<Value>, Vec<ProviderError>> {
        Ok(self.read(&[address]).await?.pop().flatten())
    }

    /// `name` with the account id written `{account_id}`, as the examples write it, so the
    /// file can serve other accounts.
    pub fn templated(&self, name: &str) -> String {
        templated(name, &self.account_id)
    }

    /// The regions as `account.regions` says them: `all` when every enabled region.
    pub fn regions_node(&self, regions: &BTreeSet<String>) -> Node {
        if self.enabled.iter().all(|r| regions.contains(r)) {
            Node::str("all")
        } else {
            Node::strs(regions.iter().cloned())
        }
    }
}

/// What the caller may fix: only these sections, and the home region (from a file that
/// already says it).
#[derive(Debug, Default)]
pub struct InitOptions {
    pub sections: Option<Vec<InitSection>>,
    pub home_region: Option<String>,
}

/// Describes the account behind `ctx` (whose id is `account_id`).
pub async fn describe(
    ctx: Arc<AwsContext>,
    account_id: &str,
    options: &InitOptions,
) -> Result<Described, Vec<ProviderError>> {
    let provider: Arc<dyn Provider> = Arc::new(AwsProvider::new(Arc::clone(&ctx)));
    let wanted = |section: InitSection| {
        section == InitSection::Account
            || options
                .sections
                .as_ref()
                .is_none_or(|s| s.contains(&section))
    };
    let survey = survey(ctx, provider, account_id, options.home_region.clone()).await?;

    // A section AWS refuses to show (the caller's policy lacks a read) is written as a
    // comment that says so; the others are still described.
    let mut sections = Vec::new();
    let mut unread = Vec::new();
    let mut keep = |section: InitSection, read: Result<Option<Node>, Vec<ProviderError>>| match read
    {
        Ok(Some(node)) => sections.push((section, node)),
        Ok(None) => {}
        Err(errors) => unread.push((section, refused(&errors))),
    };
    // The sections are read at once; each is independent of the others.
    let when = |section: InitSection| wanted(section).then_some(());
    let (account, root, iam, logging, alerts_cost, guardrails, organization) = tokio::join!(
        account::account(&survey),
        async {
            when(InitSection::Root)?;
            Some(account::root(&survey).await)
        },
        async {
            when(InitSection::Iam)?;
            Some(iam::iam(&survey).await)
        },
        async {
            when(InitSection::Logging)?;
            Some(logging::logging(&survey).await)
        },
        alerts::alerts_and_cost(&survey),
        async {
            when(InitSection::Guardrails)?;
            Some(guardrails::guardrails(&survey).await)
        },
        async {
            when(InitSection::Organization)?;
            Some(organization::organization(&survey).await)
        },
    );
    if let Err(errors) = &account {
        return Err(errors.clone());
    }
    keep(InitSection::Account, account.map(Some));
    for (section, read) in [
        (InitSection::Root, root),
        (InitSection::Iam, iam),
        (InitSection::Logging, logging),
        (InitSection::Guardrails, guardrails),
    ] {
        if let Some(read) = read {
            keep(section, read.map(Some));
        }
    }
    // Budgets may notify a topic: the topics of both sections are written under `alerts`.
    let (alerts, cost) = match alerts_cost {
        Ok((alerts, cost)) => (Ok(Some(alerts)), Ok(Some(cost))),
        Err(errors) => (Err(errors.clone()), Err(errors)),
    };
    for (section, read) in [(InitSection::Alerts, alerts), (InitSection::Cost, cost)] {
        if wanted(section) {
            keep(section, read);
        }
    }
    if let Some(read) = organization {
        keep(InitSection::Organization, read);
    }
    // In the file's order.
    sections.sort_by_key(|(section, _)| *section);
    sections.retain(|(section, node)| *section == InitSection::Account || !node.is_empty());
    let mut described = Described {
        account_id: survey.account_id.clone(),
        home_region: survey.home.clone(),
        sections,
        unread,
        unsettled: Vec::new(),
    };
    described.unsettled = match verify::settle(&survey.ctx, &mut described).await {
        Ok(left) => left,
        Err(errors) => vec![format!("not checked by a plan: {}", refused(&errors))],
    };
    Ok(described)
}

/// `name` with `account_id` written `{account_id}`.
fn templated(name: &str, account_id: &str) -> String {
    name.replace(account_id, "{account_id}")
}

/// Why a read failed, in one line: the operation and AWS's error code of the first failure.
fn refused(errors: &[ProviderError]) -> String {
    errors.first().map_or_else(String::new, |err| {
        let code = err.code.as_deref().unwrap_or("an error");
        format!("{} answered {code}", err.operation)
    })
}

/// The home region and the regions baseline's resources are in.
async fn survey(
    ctx: Arc<AwsContext>,
    provider: Arc<dyn Provider>,
    account_id: &str,
    home_region: Option<String>,
) -> Result<Survey, Vec<ProviderError>> {
    let start = ctx.region().unwrap_or("us-east-1").to_owned();
    let statuses = ctx.region_statuses(&start).await.map_err(|e| vec![e])?;
    let enabled: Vec<String> = statuses
        .iter()
        .filter(|(_, status)| is_enabled(status))
        .map(|(name, _)| name.clone())
        .collect();
    let trail = logging::own_trail(&ctx, account_id).await;
    let mut survey = Survey {
        ctx,
        provider,
        account_id: account_id.to_owned(),
        enabled,
        home: start.clone(),
        home_reason: String::new(),
        regions: BTreeSet::new(),
        recorders: BTreeSet::new(),
        trail,
    };
    let per_region = regional_counts(&survey).await?;
    for (region, counts) in &per_region {
        if counts.recorder {
            survey.recorders.insert(region.clone());
        }
        if counts.recorder || counts.baseline_rules > 0 || counts.analyzer {
            survey.regions.insert(region.clone());
        }
    }
    let (home, reason) = match home_region {
        Some(home) => (home, "as the file already says".to_owned()),
        None => match &survey.trail {
            Ok(Some(trail)) => (
                trail.home_region.clone(),
                format!("the home region of the trail {}", trail.name),
            ),
            Ok(None) => busiest(&per_region, &start),
            Err(errors) => {
                let (home, reason) = busiest(&per_region, &start);
                (
                    home,
                    format!("{reason} (trails not read: {})", refused(errors)),
                )
            }
        },
    };
    survey.home = home;
    survey.home_reason = reason;
    survey.regions.insert(survey.home.clone());
    Ok(survey)
}

/// What one region holds of what baseline manages there.
#[derive(Debug, Default)]
struct RegionCounts {
    recorder: bool,
    analyzer: bool,
    /// EventBridge rules named `baseline-…`.
    baseline_rules: usize,
    /// Every topic and rule: how busy the region is.
    resources: usize,
}

async fn regional_counts(
    survey: &Survey,
) -> Result<BTreeMap<String, RegionCounts>, Vec<ProviderError>> {
    let mut tasks = tokio::task::JoinSet::new();
    for region in &survey.enabled {
        let ctx = Arc::clone(&survey.ctx);
        let region = region.clone();
        tasks.spawn(async move {
            let counts = region_counts(&ctx, &region).await;
            (region, counts)
        });
    }
    let mut counts = BTreeMap::new();
    let mut errors = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((region, Ok(c))) => {
                counts.insert(region, c);
            }
            Ok((_, Err(err))) => errors.push(err),
            Err(err) => errors.push(crate::error::build_error(
                &ResourceAddr::singleton("init"),
                err,
            )),
        }
    }
    if errors.is_empty() {
        Ok(counts)
    } else {
        Err(errors)
    }
}

async fn region_counts(ctx: &AwsContext, region: &str) -> Result<RegionCounts, ProviderError> {
    let address = ResourceAddr::singleton("init").in_region(region);
    let recorders = call!(
        &address,
        "config:DescribeConfigurationRecorders",
        ctx.config(region).describe_configuration_recorders().send()
    )?;
    let rules = crate::alerts::rule::rules_in(ctx, &address, region, None).await?;
    let topics = list_all!(&address, "sns:ListTopics", ctx.sns(region).list_topics())?;
    let analyzers = list_all!(
        &address,
        "access-analyzer:ListAnalyzers",
        ctx.access_analyzer(region).list_analyzers()
    )
    .unwrap_or_default();
    let baseline_rules = rules
        .iter()
        .filter(|r| r.name().is_some_and(|n| n.starts_with("baseline-")))
        .count();
    Ok(RegionCounts {
        recorder: !recorders.configuration_recorders().is_empty(),
        analyzer: analyzers.iter().any(|a| a.r#type().as_str() == "ACCOUNT"),
        baseline_rules,
        resources: rules.len() + topics.len() + recorders.configuration_recorders().len(),
    })
}

/// Without a trail: the region with the most topics, rules and recorders; the SDK's region
/// when it ties or nothing is anywhere.
fn busiest(per_region: &BTreeMap<String, RegionCounts>, start: &str) -> (String, String) {
    let most = per_region.values().map(|c| c.resources).max().unwrap_or(0);
    let here = per_region.get(start).map_or(0, |c| c.resources);
    if most == 0 {
        return (
            start.to_owned(),
            "the SDK's region: no trail, topic, rule or recorder says where the account lives"
                .to_owned(),
        );
    }
    if here == most {
        return (
            start.to_owned(),
            format!("the region with the most topics, rules and recorders ({most})"),
        );
    }
    let region = per_region
        .iter()
        .find(|(_, c)| c.resources == most)
        .map_or(start, |(r, _)| r.as_str());
    (
        region.to_owned(),
        format!("the region with the most topics, rules and recorders ({most}); no trail"),
    )
}

/// A JSON number from a state as a YAML number.
pub(crate) fn number(value: &Value) -> Node {
    Node::Scalar(value.clone())
}

/// The string at `pointer` in `state`.
pub(crate) fn text<'a>(state: &'a Value, pointer: &str) -> Option<&'a str> {
    state.pointer(pointer).and_then(Value::as_str)
}

/// `true` at `pointer` in `state`.
pub(crate) fn flag(state: &Value, pointer: &str) -> bool {
    state.pointer(pointer) == Some(&json!(true))
}
