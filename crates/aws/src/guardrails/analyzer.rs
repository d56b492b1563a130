//! `guardrails.access_analyzer`: an IAM Access Analyzer with the account as zone of trust,
//! in every selected region (CIS 1.20). Any account analyzer counts: one made by hand
//! before baseline is adopted, not duplicated.

use aws_sdk_accessanalyzer::types::{AnalyzerStatus, Type};
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::{call, create};
use crate::guardrails::{guardrails, per_region};
use crate::kind::{LegacyKind, region_of};

pub(crate) struct AccessAnalyzer;

const KIND: &str = "access_analyzer";

/// The name of the analyzer baseline creates.
const NAME: &str = "baseline";

impl LegacyKind for AccessAnalyzer {
    fn kept_by_destroy(&self) -> bool {
        true
    }

    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        if !guardrails(spec).is_some_and(|g| g.access_analyzer) {
            return Vec::new();
        }
        per_region(
            KIND,
            scope,
            &json!({"type": "ACCOUNT", "active": true}),
            &["1.20"],
        )
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let out = call!(
                address,
                "access-analyzer:ListAnalyzers",
                ctx.access_analyzer(region_of(address))
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
            Ok(chosen.map(|a| {
                json!({
                    "name": a.name(),
                    "type": a.r#type().as_str(),
                    "active": a.status() == &AnalyzerStatus::Active,
                })
            }))
        })
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let address = &change.address;
            if change.before.is_some() {
                // An analyzer that exists but is not active (creating, or failed) is AWS's
                // to finish; creating a second one would not help.
                return Err(crate::error::unsupported(
                    address,
                    "re-activating an existing analyzer",
                ));
            }
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
        })
    }
}
