//! `REGION/config_recorder`: records every supported resource type; global ones (IAM) only
//! in the home region, so that they are recorded once.

use aws_sdk_config::types::{ConfigurationRecorder, RecordingGroup};
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::config::{Named, per_region};
use crate::context::AwsContext;
use crate::error::call;
use crate::iam::service_linked_role;
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, region_of};

pub(crate) struct Recorder;

pub(crate) const KIND: &str = "config_recorder";

pub(crate) fn address(region: &str) -> ResourceAddr {
    ResourceAddr::singleton(KIND).in_region(region)
}

/// The recorder's role and what it records. AWS may leave out the role (`null`).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Settings {
    role: Option<String>,
    all_supported: bool,
    include_global_resource_types: bool,
}

type State = Named<Settings>;

impl Kind for Recorder {
    type State = State;
    const KIND: &'static str = KIND;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let role = service_linked_role::arn("config.amazonaws.com", scope);
        per_region(spec, scope, KIND, |region| {
            let settings = Settings {
                role: Some(role.clone()),
                all_supported: true,
                include_global_resource_types: region == scope.home_region,
            };
            let depends_on = vec![service_linked_role::address("config.amazonaws.com")];
            (Named::declared(settings), depends_on)
        })
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
            let settings = Settings {
                role: r.role_arn().map(str::to_owned),
                all_supported: group.is_some_and(RecordingGroup::all_supported),
                include_global_resource_types: group
                    .is_some_and(RecordingGroup::include_global_resource_types),
            };
            Named::read(r.name(), settings)
        }))
    }

    /// A new recorder gets the default name. The default update writes `new` this way too,
    /// and `new` carries the live name: the live recorder keeps it.
    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        put(ctx, &change.address, after).await
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, before: &State) -> Done {
        let address = &change.address;
        call!(
            address,
            "config:DeleteConfigurationRecorder",
            ctx.config(region_of(address))
                .delete_configuration_recorder()
                .configuration_recorder_name(before.existing_name())
                .send()
        )?;
        Ok(())
    }
}

/// Writes the recorder as `state` says, under its name.
async fn put(ctx: &AwsContext, address: &ResourceAddr, state: &State) -> Done {
    let group = RecordingGroup::builder()
        .all_supported(state.settings.all_supported)
        .include_global_resource_types(state.settings.include_global_resource_types)
        .build();
    let recorder = ConfigurationRecorder::builder()
        .name(state.existing_name())
        .set_role_arn(state.settings.role.clone())
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
