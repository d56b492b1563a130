//! `REGION/config_recorder`: records every supported resource type; global ones (IAM) only
//! in the home region, so that they are recorded once.

use aws_sdk_config::types::{ConfigurationRecorder, RecordingGroup};
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::config::{DEFAULT_NAME, LiveName, config_regions, existing_name, present};
use crate::context::AwsContext;
use crate::error::call;
use crate::iam::service_linked_role;
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare, region_of};

pub(crate) struct Recorder;

pub(crate) const KIND: &str = "config_recorder";

pub(crate) fn address(region: &str) -> ResourceAddr {
    ResourceAddr::singleton(KIND).in_region(region)
}

/// The recorder: its role and what it records. AWS may leave out the role (`null`).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "::serde_with::rust::double_option"
    )]
    name: LiveName,
    role: Option<String>,
    all_supported: bool,
    include_global_resource_types: bool,
}

impl Kind for Recorder {
    type State = State;
    const KIND: &'static str = KIND;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some((config, regions)) = config_regions(spec, scope) else {
            return Vec::new();
        };
        let role = service_linked_role::arn("config.amazonaws.com", scope);
        regions
            .iter()
            .map(|region| {
                let desired = if present(config) {
                    let state = State {
                        name: None,
                        role: Some(role.clone()),
                        all_supported: true,
                        include_global_resource_types: *region == scope.home_region,
                    };
                    declare(address(region), &state)
                } else {
                    Desired::absent(address(region))
                };
                desired
                    .after([service_linked_role::address("config.amazonaws.com")])
                    .cis(&["3.3"])
            })
            .collect()
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let region = region_of(read.address);
        let out = call!(
            read.address,
            "config:DescribeConfigurationRecorders",
            ctx.config(region).describe_configuration_recorders().send()
        )?;
        Ok(out.configuration_recorders().first().map(|r| {
            let group = r.recording_group();
            State {
                name: Some(r.name().map(str::to_owned)),
                role: r.role_arn().map(str::to_owned),
                all_supported: group.is_some_and(RecordingGroup::all_supported),
                include_global_resource_types: group
                    .is_some_and(RecordingGroup::include_global_resource_types),
            }
        }))
    }

    /// A new recorder gets the default name.
    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        put(ctx, change, DEFAULT_NAME, after).await
    }

    /// The live recorder keeps its name.
    async fn update(&self, ctx: &AwsContext, change: &Change, old: &State, new: &State) -> Done {
        put(ctx, change, existing_name(&old.name), new).await
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, before: &State) -> Done {
        let address = &change.address;
        call!(
            address,
            "config:DeleteConfigurationRecorder",
            ctx.config(region_of(address))
                .delete_configuration_recorder()
                .configuration_recorder_name(existing_name(&before.name))
                .send()
        )?;
        Ok(())
    }
}

/// Writes the recorder called `name` as `after` says.
async fn put(ctx: &AwsContext, change: &Change, name: &str, after: &State) -> Done {
    let address = &change.address;
    let group = RecordingGroup::builder()
        .all_supported(after.all_supported)
        .include_global_resource_types(after.include_global_resource_types)
        .build();
    let recorder = ConfigurationRecorder::builder()
        .name(name)
        .set_role_arn(after.role.clone())
        .recording_group(group)
        .build();
    call!(
        address,
        "config:PutConfigurationRecorder",
        ctx.config(region_of(address))
            .put_configuration_recorder()
            .configuration_recorder(recorder)
            .send()
    )?;
    Ok(())
}
