//! `REGION/config_rule.NAME`: AWS managed Config rules, by identifier, with parameters.
//! Rules about global things (IAM, the root user, CloudTrail) run in the home region only;
//! the others in every Config region.

use aws_sdk_config::types::{ConfigRule, Owner, Source};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::Ensure;
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Map, Value, json};

use crate::config::{config_regions, present, recorder};
use crate::context::AwsContext;
use crate::error::{call, sdk_error, unsupported};
use crate::kind::{LegacyKind, name_of, region_of};

pub(crate) struct Rule;

const KIND: &str = "config_rule";

/// Rules that check account-wide things: one evaluation is enough.
fn is_global(identifier: &str) -> bool {
    identifier.starts_with("IAM_")
        || identifier.starts_with("ROOT_ACCOUNT_")
        || identifier.contains("CLOUD_TRAIL")
        || identifier.starts_with("MFA_ENABLED")
}

/// `ENCRYPTED_VOLUMES` → `encrypted-volumes`, the name the console gives.
fn rule_name(identifier: &str) -> String {
    identifier.to_ascii_lowercase().replace('_', "-")
}

impl LegacyKind for Rule {
    fn kind(&self) -> &'static str {
        KIND
    }

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
                let state = if present(config) {
                    json!({"identifier": rule.identifier, "parameters": rule.parameters})
                } else {
                    json!({})
                };
                out.push(Desired {
                    address: ResourceAddr::named(KIND, &rule_name(&rule.identifier))
                        .in_region(region),
                    ensure: if present(config) {
                        Ensure::Present
                    } else {
                        Ensure::Absent
                    },
                    state,
                    depends_on: vec![recorder::address(region)],
                    manual: None,
                    cis: Vec::new(),
                    write_only: Value::Null,
                });
            }
        }
        out
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let region = region_of(address);
            let name = name_of(address);
            let out = match ctx
                .config(region)
                .describe_config_rules()
                .config_rule_names(name)
                .send()
                .await
            {
                Ok(out) => out,
                Err(err) if err.code() == Some("NoSuchConfigRuleException") => return Ok(None),
                Err(err) => return Err(sdk_error(address, "config:DescribeConfigRules", &err)),
            };
            Ok(out.config_rules().first().map(|rule| {
                let parameters: Map<String, Value> = rule
                    .input_parameters()
                    .and_then(|text| serde_json::from_str(text).ok())
                    .unwrap_or_default();
                json!({
                    "identifier": rule.source().map(Source::source_identifier),
                    "parameters": parameters,
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
            let region = region_of(address);
            let name = name_of(address);
            let config = ctx.config(region);
            match (change.action, &change.after) {
                (Action::Create | Action::Update, Some(after)) => {
                    let source = Source::builder()
                        .owner(Owner::Aws)
                        .source_identifier(after["identifier"].as_str().unwrap_or_default())
                        .build()
                        .map_err(|err| unsupported(address, &err.to_string()))?;
                    let parameters = after
                        .get("parameters")
                        .and_then(Value::as_object)
                        .filter(|p| !p.is_empty())
                        .map(|p| Value::Object(p.clone()).to_string());
                    let rule = ConfigRule::builder()
                        .config_rule_name(name)
                        .source(source)
                        .set_input_parameters(parameters)
                        .build();
                    call!(
                        address,
                        "config:PutConfigRule",
                        config.put_config_rule().config_rule(rule).send()
                    )?;
                    Ok(())
                }
                (Action::Delete, _) => {
                    call!(
                        address,
                        "config:DeleteConfigRule",
                        config.delete_config_rule().config_rule_name(name).send()
                    )?;
                    Ok(())
                }
                (action, _) => Err(unsupported(address, &format!("{action:?}"))),
            }
        })
    }
}
