//! `REGION/config_rule.NAME`: AWS managed Config rules, by identifier, with parameters.
//! Rules about global things (IAM, the root user, CloudTrail) run in the home region only;
//! the others in every Config region.

use aws_sdk_config::types::{ConfigRule, Owner, Source};
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{ProviderError, ResourceAddr, Spec};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::{config_regions, present, recorder};
use crate::context::AwsContext;
use crate::error::{build_error, call, found};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare, name_of, region_of};

pub(crate) struct Rule;

const KIND: &str = "config_rule";

/// The managed rule and its parameters. A rule read with no source (not a managed rule)
/// has a `null` identifier; parameters that are not a JSON object read as none.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    identifier: Option<String>,
    parameters: Map<String, Value>,
}

/// Rules that check account-wide things: one evaluation is enough.
fn is_global(identifier: &str) -> bool {
    identifier.starts_with("IAM_")
        || identifier.starts_with("ROOT_ACCOUNT_")
        || identifier.contains("CLOUD_TRAIL")
        || identifier.starts_with("MFA_ENABLED")
}

/// `ENCRYPTED_VOLUMES` → `encrypted-volumes`, the name the console gives.
pub(crate) fn rule_name(identifier: &str) -> String {
    identifier.to_ascii_lowercase().replace('_', "-")
}

/// Every Config rule the plan wants in the address's region, from DescribeConfigRules with
/// all their names (25 to a call), read once per plan; `None` when one of them does not
/// exist (AWS then answers NoSuchConfigRuleException for the whole call) or the plan's rules
/// are not known.
async fn wanted_rules(
    ctx: &AwsContext,
    address: &ResourceAddr,
) -> Result<std::sync::Arc<Option<Vec<ConfigRule>>>, ProviderError> {
    let region = region_of(address);
    let names = ctx.wanted(KIND, region);
    let key = format!("config:DescribeConfigRules {region} {}", names.join(","));
    ctx.shared(address, key, || async {
        if !names.iter().any(|n| n == name_of(address)) {
            return Ok(None);
        }
        let config = ctx.config(region);
        let mut rules = Vec::new();
        for chunk in names.chunks(25) {
            let answer = config
                .describe_config_rules()
                .set_config_rule_names(Some(chunk.to_vec()))
                .send()
                .await;
            let missing = &["NoSuchConfigRuleException"];
            match found(address, "config:DescribeConfigRules", missing, answer)? {
                Some(out) => rules.extend(out.config_rules().iter().cloned()),
                None => return Ok(None),
            }
        }
        Ok(Some(rules))
    })
    .await
}

impl Kind for Rule {
    type State = State;
    const KIND: &'static str = KIND;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some((config, regions)) = config_regions(spec, scope) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for rule in &config.rules {
            for region in &regions {
                if is_global(&rule.identifier) && *region != scope.home_region {
                    continue;
                }
                let address =
                    ResourceAddr::named(KIND, &rule_name(&rule.identifier)).in_region(region);
                let desired = if present(config) {
                    let state = State {
                        identifier: Some(rule.identifier.clone()),
                        parameters: rule
                            .parameters
                            .iter()
                            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                            .collect(),
                    };
                    declare(address, &state)
                } else {
                    Desired::absent(address)
                };
                out.push(desired.after([recorder::address(region)]));
            }
        }
        out
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let address = read.address;
        let name = name_of(address);
        // The plan's rules of the region in one call when they all exist (a converged
        // account); AWS refuses the whole call when one does not, then each is asked alone.
        let rule = match wanted_rules(ctx, address).await?.as_ref() {
            Some(rules) => rules
                .iter()
                .find(|r| r.config_rule_name() == Some(name))
                .cloned(),
            None => {
                let describe = ctx.config(region_of(address)).describe_config_rules();
                let answer = describe.config_rule_names(name).send().await;
                let missing = &["NoSuchConfigRuleException"];
                found(address, "config:DescribeConfigRules", missing, answer)?
                    .and_then(|out| out.config_rules().first().cloned())
            }
        };
        Ok(rule.as_ref().map(|rule| State {
            identifier: rule
                .source()
                .and_then(Source::source_identifier)
                .map(str::to_owned),
            parameters: rule
                .input_parameters()
                .and_then(|text| serde_json::from_str(text).ok())
                .unwrap_or_else(Map::new),
        }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        let address = &change.address;
        let Some(identifier) = after.identifier.as_deref() else {
            return Err(build_error(
                address,
                "the rule has no `identifier`: only AWS managed rules are made",
            ));
        };
        let source = Source::builder()
            .owner(Owner::Aws)
            .source_identifier(identifier)
            .build()
            .map_err(|err| build_error(address, err))?;
        // No parameters: none sent, as the console does.
        let parameters = (!after.parameters.is_empty())
            .then(|| Value::Object(after.parameters.clone()).to_string());
        let rule = ConfigRule::builder()
            .config_rule_name(name_of(address))
            .source(source)
            .set_input_parameters(parameters)
            .build();
        call!(
            address,
            "config:PutConfigRule",
            ctx.config(region_of(address))
                .put_config_rule()
                .config_rule(rule)
                .send()
        )?;
        Ok(())
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, _before: &State) -> Done {
        let address = &change.address;
        call!(
            address,
            "config:DeleteConfigRule",
            ctx.config(region_of(address))
                .delete_config_rule()
                .config_rule_name(name_of(address))
                .send()
        )?;
        Ok(())
    }
}
