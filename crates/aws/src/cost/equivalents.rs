//! `budget_equivalents.NAME`: a finding, not a resource. When the file declares a budget
//! that does not exist yet and the account already has a cost budget with the same limit
//! and period (made by hand, or by another tool), creating baseline's would send every
//! alert twice. The plan names the existing budgets; the person decides: `adopt: NAME` to
//! manage the existing one under this entry, or apply to keep both. Once the declared
//! budget exists the decision is made and the finding is done.

use aws_sdk_budgets::types::Budget;
use baseline_core::plan::{Desired, ManualStep};
use baseline_core::scope::Scope;
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::error::found;
use crate::kind::{Kind, Live, Read, canonical, name_of};

pub(crate) struct BudgetEquivalents;

const KIND: &str = "budget_equivalents";

/// What is compared, and what was found.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Alike {
    /// The declared budget's limit and period, as `100.00 USD MONTHLY`.
    limit: String,
    /// `done`, or the budgets that already have that limit.
    status: String,
}

fn limit(amount: f64, currency: &str, time_unit: &str) -> String {
    format!("{amount:.2} {currency} {time_unit}")
}

/// Every budget of the account (DescribeBudgets, by pages), read once per plan.
pub(crate) async fn all_budgets(
    ctx: &AwsContext,
    address: &ResourceAddr,
) -> Result<std::sync::Arc<Vec<Budget>>, baseline_core::ProviderError> {
    let account = ctx.account_id().await?.to_owned();
    ctx.shared(address, "budgets:DescribeBudgets".to_owned(), || async {
        let mut budgets = Vec::new();
        let mut token = None;
        loop {
            let answer = ctx
                .budgets()
                .describe_budgets()
                .account_id(&account)
                .set_next_token(token)
                .send()
                .await;
            let missing = &["NotFoundException"];
            let Some(out) = found(address, "budgets:DescribeBudgets", missing, answer)? else {
                return Ok(budgets);
            };
            budgets.extend(out.budgets().iter().cloned());
            token = out.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(budgets);
            }
        }
    })
    .await
}

impl Kind for BudgetEquivalents {
    type State = Alike;
    const KIND: &'static str = KIND;

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        spec.cost
            .iter()
            .flat_map(|c| &c.budgets)
            .filter(|(_, budget)| budget.adopt.is_none())
            .map(|(name, budget)| {
                let state = Alike {
                    limit: limit(
                        budget.amount.get(),
                        budget.currency.as_ref().map_or("USD", |c| c.as_str()),
                        budget.time_unit.api(),
                    ),
                    status: "done".to_owned(),
                };
                let step = ManualStep {
                    reason: "the account already has a cost budget with the same limit and \
                             period; a second one sends each alert twice"
                        .to_owned(),
                    console: format!(
                        "decide in baseline.yaml: `adopt: NAME` under `cost.budgets.{name}` \
                         manages the existing budget instead of creating `{name}`; or apply \
                         to keep both"
                    ),
                    verified_by: "budgets:DescribeBudgets".to_owned(),
                };
                Desired::manual(
                    ResourceAddr::named(KIND, name.as_str()),
                    canonical(&state),
                    step,
                )
            })
            .collect()
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Alike>) -> Live<Alike> {
        let address = read.address;
        let own = name_of(address);
        let Some(want) = read.want else {
            return Ok(None);
        };
        let budgets = all_budgets(ctx, address).await?;
        let exists = budgets.iter().any(|b| b.budget_name() == own);
        let mut alike: Vec<String> = budgets
            .iter()
            .filter(|b| b.budget_name() != own && b.budget_type().as_str() == "COST")
            .filter(|b| {
                b.budget_limit().is_some_and(|l| {
                    let amount: f64 = l.amount().parse().unwrap_or_default();
                    limit(amount, l.unit(), b.time_unit().as_str()) == want.limit
                })
            })
            .map(|b| format!("`{}`", b.budget_name()))
            .collect();
        alike.sort();
        let status = if exists || alike.is_empty() {
            "done".to_owned()
        } else {
            format!("already limited the same by budget {}", alike.join(", "))
        };
        Ok(Some(Alike {
            limit: want.limit,
            status,
        }))
    }
}
