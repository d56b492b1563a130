//! `REGION/config_recording`: the recorder is started (CIS 3.3). A stopped recorder is
//! drift. Comes after the recorder and its channel; goes before them.

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{ProviderError, ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::config::{DEFAULT_NAME, Named, channel, per_region, recorder};
use crate::context::AwsContext;
use crate::error::call;
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, region_of};

pub(crate) struct Recording;

const KIND: &str = "config_recording";

/// Whether the recorder records.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Status {
    recording: bool,
}

type State = Named<Status>;

impl Kind for Recording {
    type State = State;
    const KIND: &'static str = KIND;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        per_region(spec, scope, KIND, |region| {
            let depends_on = vec![recorder::address(region), channel::address(region)];
            (Named::declared(Status { recording: true }), depends_on)
        })
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
        Ok(out.configuration_recorders_status().first().map(|s| {
            Named::read(
                s.name(),
                Status {
                    recording: s.recording(),
                },
            )
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
        .and_then(|r| r.name());
    Ok(name.unwrap_or(DEFAULT_NAME).to_owned())
}
