//! `config_aggregator.NAME`: one view of Config data, in the home region: every region of
//! this account, or (`organization: true`, from the management account) every account of
//! the organization, read through the role `baseline-config-aggregator`.

use aws_sdk_config::types::{AccountAggregationSource, OrganizationAggregationSource};
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::Ensure;
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::error::{build_error, call, found};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare, name_of, region_of};
use crate::logging::logging;

pub(crate) struct Aggregator;

const KIND: &str = "config_aggregator";
const ROLE: &str = baseline_core::spec::CONFIG_AGGREGATOR_ROLE;

/// Where the aggregator gathers from, told apart by `source`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "lowercase")]
pub(crate) enum State {
    /// The listed accounts (this one), sorted.
    Account {
        accounts: Vec<String>,
        all_regions: bool,
    },
    /// The whole organization, through `role`.
    Organization { role: String, all_regions: bool },
}

impl Kind for Aggregator {
    type State = State;
    const KIND: &'static str = KIND;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(aggregator) = logging(spec)
            .and_then(|l| l.config.as_ref())
            .and_then(|c| c.aggregator.as_ref())
        else {
            return Vec::new();
        };
        let address =
            ResourceAddr::named(KIND, aggregator.name.as_str()).in_region(&scope.home_region);
        if aggregator.ensure == Ensure::Absent {
            return vec![Desired::absent(address)];
        }
        if !aggregator.organization {
            let state = State::Account {
                accounts: vec![scope.account_id.clone()],
                all_regions: true,
            };
            return vec![declare(address, &state)];
        }
        let state = State::Organization {
            role: scope.arn("iam", "", &format!("role/{ROLE}")),
            all_regions: true,
        };
        let mut needs = vec![ResourceAddr::named("iam_role", ROLE)];
        if spec.organization.is_some() {
            needs.push(ResourceAddr::named(
                "org_service_access",
                "config.amazonaws.com",
            ));
        }
        let role = crate::iam::role::service_role(
            ROLE,
            crate::iam::role::service_trust("config.amazonaws.com", scope, None),
            vec![scope.arn_in(
                "iam",
                "",
                "aws",
                "policy/service-role/AWSConfigRoleForOrganizations",
            )],
            &[],
        );
        vec![role, declare(address, &state).after(needs)]
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let address = read.address;
        let describe = ctx
            .config(region_of(address))
            .describe_configuration_aggregators();
        let answer = describe
            .configuration_aggregator_names(name_of(address))
            .send()
            .await;
        let missing = &["NoSuchConfigurationAggregatorException"];
        let Some(out) = found(
            address,
            "config:DescribeConfigurationAggregators",
            missing,
            answer,
        )?
        else {
            return Ok(None);
        };
        let Some(found) = out.configuration_aggregators().first() else {
            return Ok(None);
        };
        if let Some(org) = found.organization_aggregation_source() {
            return Ok(Some(State::Organization {
                role: org.role_arn().to_owned(),
                all_regions: org.all_aws_regions(),
            }));
        }
        let sources = found.account_aggregation_sources();
        let mut accounts: Vec<String> = sources
            .iter()
            .flat_map(|s| s.account_ids())
            .cloned()
            .collect();
        accounts.sort_unstable();
        Ok(Some(State::Account {
            accounts,
            all_regions: sources.iter().all(|s| s.all_aws_regions()),
        }))
    }

    /// Puts the aggregator whole, always over every region.
    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        let address = &change.address;
        let put = ctx
            .config(region_of(address))
            .put_configuration_aggregator()
            .configuration_aggregator_name(name_of(address));
        let put = match after {
            State::Organization { role, .. } => {
                let source = OrganizationAggregationSource::builder()
                    .role_arn(role)
                    .all_aws_regions(true)
                    .build()
                    .map_err(|e| build_error(address, e))?;
                put.organization_aggregation_source(source)
            }
            State::Account { accounts, .. } => {
                let source = AccountAggregationSource::builder()
                    .set_account_ids(Some(accounts.clone()))
                    .all_aws_regions(true)
                    .build()
                    .map_err(|e| build_error(address, e))?;
                put.account_aggregation_sources(source)
            }
        };
        call!(address, "config:PutConfigurationAggregator", put.send())?;
        Ok(())
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, _before: &State) -> Done {
        let address = &change.address;
        call!(
            address,
            "config:DeleteConfigurationAggregator",
            ctx.config(region_of(address))
                .delete_configuration_aggregator()
                .configuration_aggregator_name(name_of(address))
                .send()
        )?;
        Ok(())
    }
}
