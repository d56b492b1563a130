//! `REGION/config_recording`: the recorder is started (CIS 3.3). A stopped recorder is
//! drift. Comes after the recorder and its channel; goes before them.

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{ProviderError, ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::config::{LiveName, channel, config_regions, existing_name, present, recorder};
use crate::context::AwsContext;
use crate::error::call;
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare, region_of};

pub(crate) struct Recording;

const KIND: &str = "config_recording";

/// Whether the recorder records.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "::serde_with::rust::double_option"
    )]
    name: LiveName,
    recording: bool,
}

impl Kind for Recording {
    type State = State;
    const KIND: &'static str = KIND;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some((config, regions)) = config_regions(spec, scope) else {
            return Vec::new();
        };
        regions
            .iter()
            .map(|region| {
                let address = ResourceAddr::singleton(KIND).in_region(region);
                let desired = if present(config) {
                    let state = State {
                        name: None,
                        recording: true,
                    };
                    declare(address, &state)
                } else {
                    Desired::absent(address)
                };
                desired
                    .after([recorder::address(region), channel::address(region)])
                    .cis(&["3.3"])
            })
            .collect()
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let region = region_of(read.address);
        let out = call!(
            read.address,
            "config:DescribeConfigurationRecorderStatus",
            ctx.config(region)
                .describe_configuration_recorder_status()
                .send()
        )?;
        // No recorder: nothing records, and nothing is there to stop.
        Ok(out.configuration_recorders_status().first().map(|s| State {
            name: Some(s.name().map(str::to_owned)),
            recording: s.recording(),
        }))
    }

    /// Starts the recorder (an update only ever starts it too: `recording` is all there
    /// is to change).
    async fn create(&self, ctx: &AwsContext, change: &Change, _after: &State) -> Done {
        let address = &change.address;
        let name = recorder_name(ctx, address).await?;
        call!(
            address,
            "config:StartConfigurationRecorder",
            ctx.config(region_of(address))
                .start_configuration_recorder()
                .configuration_recorder_name(&name)
                .send()
        )?;
        Ok(())
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, _before: &State) -> Done {
        let address = &change.address;
        let name = recorder_name(ctx, address).await?;
        call!(
            address,
            "config:StopConfigurationRecorder",
            ctx.config(region_of(address))
                .stop_configuration_recorder()
                .configuration_recorder_name(&name)
                .send()
        )?;
        Ok(())
    }
}

/// The name of the region's recorder. It may have been made in this apply: ask for it now.
async fn recorder_name(ctx: &AwsContext, address: &ResourceAddr) -> Result<String, ProviderError> {
    let recorders = call!(
        address,
        "config:DescribeConfigurationRecorders",
        ctx.config(region_of(address))
            .describe_configuration_recorders()
            .send()
    )?;
    let name = recorders
        .configuration_recorders()
        .first()
        .map(|r| r.name().map(str::to_owned));
    Ok(existing_name(&name).to_owned())
}
