//! `config_aggregator.NAME`: one view of Config data, in the home region: every region of
//! this account, or (`organization: true`, from the management account) every account of
//! the organization, read through the role `baseline-config-aggregator`.

use aws_sdk_config::types::{AccountAggregationSource, OrganizationAggregationSource};
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::Ensure;
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::{build_error, call, has_code};
use crate::kind::{LegacyKind, name_of, region_of};
use crate::logging::logging;

pub(crate) struct Aggregator;

const KIND: &str = "config_aggregator";
const ROLE: &str = "baseline-config-aggregator";

impl LegacyKind for Aggregator {
    fn kind(&self) -> &'static str {
        KIND
    }

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
            let mut gone = Desired::new(address, json!({}));
            gone.ensure = Ensure::Absent;
            return vec![gone];
        }
        if !aggregator.organization {
            return vec![Desired::new(
                address,
                json!({"source": "account", "accounts": [scope.account_id], "all_regions": true}),
            )];
        }
        let role = scope.arn("iam", "", &format!("role/{ROLE}"));
        let mut needs = vec![ResourceAddr::named("iam_role", ROLE)];
        if spec.organization.is_some() {
            needs.push(ResourceAddr::named(
                "org_service_access",
                "config.amazonaws.com",
            ));
        }
        vec![
            Desired::new(
                ResourceAddr::named("iam_role", ROLE),
                json!({
                    "trust": crate::iam::role::service_trust("config.amazonaws.com", scope, None),
                    "managed_policies": [scope.arn_in(
                        "iam",
                        "",
                        "aws",
                        "policy/service-role/AWSConfigRoleForOrganizations"
                    )],
                    "inline_policies": {},
                }),
            ),
            Desired::new(
                address,
                json!({"source": "organization", "role": role, "all_regions": true}),
            )
            .after(needs),
        ]
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let out = match ctx
                .config(region_of(address))
                .describe_configuration_aggregators()
                .configuration_aggregator_names(name_of(address))
                .send()
                .await
            {
                Ok(out) => out,
                Err(err) if has_code(&err, &["NoSuchConfigurationAggregatorException"]) => {
                    return Ok(None);
                }
                Err(err) => {
                    return Err(crate::error::sdk_error(
                        address,
                        "config:DescribeConfigurationAggregators",
                        &err,
                    ));
                }
            };
            let Some(found) = out.configuration_aggregators().first() else {
                return Ok(None);
            };
            if let Some(org) = found.organization_aggregation_source() {
                return Ok(Some(json!({
                    "source": "organization",
                    "role": org.role_arn(),
                    "all_regions": org.all_aws_regions(),
                })));
            }
            let sources = found.account_aggregation_sources();
            let mut accounts: Vec<&str> = sources
                .iter()
                .flat_map(|s| s.account_ids())
                .map(String::as_str)
                .collect();
            accounts.sort_unstable();
            Ok(Some(json!({
                "source": "account",
                "accounts": accounts,
                "all_regions": sources.iter().all(|s| s.all_aws_regions()),
            })))
        })
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let address = &change.address;
            let config = ctx.config(region_of(address));
            if change.action == Action::Delete {
                call!(
                    address,
                    "config:DeleteConfigurationAggregator",
                    config
                        .delete_configuration_aggregator()
                        .configuration_aggregator_name(name_of(address))
                        .send()
                )?;
                return Ok(());
            }
            let after = change.after.as_ref();
            let mut put = config
                .put_configuration_aggregator()
                .configuration_aggregator_name(name_of(address));
            if after.and_then(|a| a.get("source")) == Some(&json!("organization")) {
                let role = after
                    .and_then(|a| a.get("role"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let source = OrganizationAggregationSource::builder()
                    .role_arn(role)
                    .all_aws_regions(true)
                    .build()
                    .map_err(|e| build_error(address, e))?;
                put = put.organization_aggregation_source(source);
            } else {
                let accounts = after
                    .and_then(|a| a.get("accounts"))
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                let source = AccountAggregationSource::builder()
                    .set_account_ids(Some(accounts))
                    .all_aws_regions(true)
                    .build()
                    .map_err(|e| build_error(address, e))?;
                put = put.account_aggregation_sources(source);
            }
            call!(address, "config:PutConfigurationAggregator", put.send())?;
            Ok(())
        })
    }
}
