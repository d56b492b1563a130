//! `guardrails.access_analyzer`: an IAM Access Analyzer with the account as zone of trust,
//! in every selected region (CIS 1.20). Any account analyzer counts: one made by hand
//! before baseline is adopted, not duplicated.

use aws_sdk_accessanalyzer::types::{AnalyzerStatus, AnalyzerSummary, Type};
use baseline_core::Spec;
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::error::{call, create, unsupported};
use crate::guardrails::{guardrails, per_region};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, region_of};

pub(crate) struct AccessAnalyzer;

/// The name of the analyzer baseline creates.
const NAME: &str = "baseline";

/// An analyzer: its zone of trust (`ACCOUNT`), whether it is active, and, once read, its
/// name (the file does not name it: any account analyzer counts).
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Analyzer {
    name: Option<String>,
    #[serde(rename = "type")]
    zone: String,
    active: bool,
}

impl Analyzer {
    fn of(analyzer: &AnalyzerSummary) -> Self {
        Self {
            name: Some(analyzer.name().to_owned()),
            zone: analyzer.r#type().as_str().to_owned(),
            active: analyzer.status() == &AnalyzerStatus::Active,
        }
    }
}

impl Kind for AccessAnalyzer {
    type State = Analyzer;
    const KIND: &'static str = "access_analyzer";
    const KEPT_BY_DESTROY: bool = true;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        if !guardrails(spec).is_some_and(|g| g.access_analyzer) {
            return Vec::new();
        }
        per_region(Self::KIND, scope, &["1.20"], |_| Analyzer {
            name: None,
            zone: Type::Account.as_str().to_owned(),
            active: true,
        })
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Analyzer>) -> Live<Analyzer> {
        let out = call!(
            read.address,
            "access-analyzer:ListAnalyzers",
            ctx.access_analyzer(region_of(read.address))
                .list_analyzers()
                .r#type(Type::Account)
                .send()
        )?;
        let analyzers = out.analyzers();
        // An active one wins; else the one baseline would make; else any.
        let chosen = analyzers
            .iter()
            .find(|a| a.status() == &AnalyzerStatus::Active)
            .or_else(|| analyzers.iter().find(|a| a.name() == NAME))
            .or_else(|| analyzers.first());
        Ok(chosen.map(Analyzer::of))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, _after: &Analyzer) -> Done {
        let address = &change.address;
        create!(
            address,
            "access-analyzer:CreateAnalyzer",
            &["ConflictException"],
            ctx.access_analyzer(region_of(address))
                .create_analyzer()
                .analyzer_name(NAME)
                .r#type(Type::Account)
                .send()
        )?;
        Ok(())
    }

    /// An analyzer that exists but is not active (creating, or failed) is AWS's to finish;
    /// creating a second one would not help.
    async fn update(
        &self,
        _ctx: &AwsContext,
        change: &Change,
        _old: &Analyzer,
        _new: &Analyzer,
    ) -> Done {
        Err(unsupported(
            &change.address,
            "re-activating an existing analyzer",
        ))
    }
}
