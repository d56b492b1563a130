//! `REGION/config_recorder`: records every supported resource type; global ones (IAM) only
//! in the home region, so that they are recorded once.

use aws_sdk_config::types::{ConfigurationRecorder, RecordingGroup};
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;

use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Value, json};

use crate::config::{config_regions, existing_name, present};
use crate::context::AwsContext;
use crate::error::{call, unsupported};
use crate::iam::service_linked_role;
use crate::kind::{LegacyKind, region_of};

pub(crate) struct Recorder;

pub(crate) const KIND: &str = "config_recorder";

pub(crate) fn address(region: &str) -> ResourceAddr {
    ResourceAddr::singleton(KIND).in_region(region)
}

impl LegacyKind for Recorder {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some((config, regions)) = config_regions(spec, scope) else {
            return Vec::new();
        };
        let role = service_linked_role::arn("config.amazonaws.com", scope);
        regions
            .iter()
            .map(|region| Desired {
                address: address(region),
                ensure: config.ensure,
                state: if present(config) {
                    json!({
                        "role": role,
                        "all_supported": true,
                        "include_global_resource_types": *region == scope.home_region,
                    })
                } else {
                    json!({})
                },
                depends_on: vec![service_linked_role::address("config.amazonaws.com")],
                manual: None,
                cis: vec!["3.3".to_owned()],
                write_only: Value::Null,
            })
            .collect()
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let region = region_of(address);
            let out = call!(
                address,
                "config:DescribeConfigurationRecorders",
                ctx.config(region).describe_configuration_recorders().send()
            )?;
            Ok(out.configuration_recorders().first().map(|r| {
                let group = r.recording_group();
                json!({
                    "name": r.name(),
                    "role": r.role_arn(),
                    "all_supported": group.is_some_and(RecordingGroup::all_supported),
                    "include_global_resource_types":
                        group.is_some_and(RecordingGroup::include_global_resource_types),
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
            let config = ctx.config(region);
            let name = existing_name(change);
            match (change.action, &change.after) {
                (Action::Create | Action::Update, Some(after)) => {
                    let group = RecordingGroup::builder()
                        .all_supported(after["all_supported"].as_bool().unwrap_or(true))
                        .include_global_resource_types(
                            after["include_global_resource_types"]
                                .as_bool()
                                .unwrap_or(false),
                        )
                        .build();
                    let recorder = ConfigurationRecorder::builder()
                        .name(&name)
                        .set_role_arn(after["role"].as_str().map(str::to_owned))
                        .recording_group(group)
                        .build();
                    call!(
                        address,
                        "config:PutConfigurationRecorder",
                        config
                            .put_configuration_recorder()
                            .configuration_recorder(recorder)
                            .send()
                    )?;
                    Ok(())
                }
                (Action::Delete, _) => {
                    call!(
                        address,
                        "config:DeleteConfigurationRecorder",
                        config
                            .delete_configuration_recorder()
                            .configuration_recorder_name(&name)
                            .send()
                    )?;
                    Ok(())
                }
                (action, _) => Err(unsupported(address, &format!("{action:?}"))),
            }
        })
    }
}
