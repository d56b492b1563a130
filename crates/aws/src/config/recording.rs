//! `REGION/config_recording`: the recorder is started (CIS 3.3). A stopped recorder is
//! drift. Comes after the recorder and its channel; goes before them.

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Value, json};

use crate::config::{channel, config_regions, present, recorder};
use crate::context::AwsContext;
use crate::error::{call, unsupported};
use crate::kind::{LegacyKind, region_of};

pub(crate) struct Recording;

const KIND: &str = "config_recording";

impl LegacyKind for Recording {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some((config, regions)) = config_regions(spec, scope) else {
            return Vec::new();
        };
        regions
            .iter()
            .map(|region| Desired {
                address: ResourceAddr::singleton(KIND).in_region(region),
                ensure: config.ensure,
                state: if present(config) {
                    json!({"recording": true})
                } else {
                    json!({})
                },
                depends_on: vec![recorder::address(region), channel::address(region)],
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
                "config:DescribeConfigurationRecorderStatus",
                ctx.config(region)
                    .describe_configuration_recorder_status()
                    .send()
            )?;
            // No recorder: nothing records, and nothing is there to stop.
            Ok(out
                .configuration_recorders_status()
                .first()
                .map(|s| json!({"name": s.name(), "recording": s.recording()})))
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
            // The recorder may have been made in this apply: ask for its name now.
            let recorders = call!(
                address,
                "config:DescribeConfigurationRecorders",
                config.describe_configuration_recorders().send()
            )?;
            let name = recorders
                .configuration_recorders()
                .first()
                .and_then(|r| r.name())
                .unwrap_or(crate::config::DEFAULT_NAME)
                .to_owned();
            match change.action {
                Action::Create | Action::Update => {
                    call!(
                        address,
                        "config:StartConfigurationRecorder",
                        config
                            .start_configuration_recorder()
                            .configuration_recorder_name(&name)
                            .send()
                    )?;
                    Ok(())
                }
                Action::Delete => {
                    call!(
                        address,
                        "config:StopConfigurationRecorder",
                        config
                            .stop_configuration_recorder()
                            .configuration_recorder_name(&name)
                            .send()
                    )?;
                    Ok(())
                }
                action => Err(unsupported(address, &format!("{action:?}"))),
            }
        })
    }
}
