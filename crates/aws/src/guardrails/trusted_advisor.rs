//! `guardrails.trusted_advisor`: a person reviews Trusted Advisor until its security checks
//! are green, and its weekly e-mail goes to the alternate contacts (guide 000 §5). The AWS
//! Support API reads the checks only on a Business, Enterprise On-Ramp or Enterprise
//! support plan; on the Basic plan it answers SubscriptionRequiredException, and the item
//! stays manual until the file says `confirmed`. Where the API answers, it decides.

use baseline_core::plan::{Desired, ManualStep};
use baseline_core::scope::Scope;
use baseline_core::spec::Manual;
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::error::{call, has_code, sdk_error};
use crate::guardrails::guardrails;
use crate::kind::Live;
use crate::kind::{Kind, Read, canonical};

pub(crate) struct TrustedAdvisor;

const UNREADABLE: &str = "unknown: the support plan does not allow reading Trusted Advisor";

const DONE: &str = "done";

/// The review. `status` is what the checks say, read or not; `checks` is what they say
/// where they can be read, and `done` where they cannot. The file wants one of the two
/// done: `status` for `required`, `checks` for `confirmed`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Review {
    status: Option<String>,
    checks: Option<String>,
}

impl Review {
    /// What the security checks say, where they can be read.
    fn read(status: &str) -> Self {
        Self {
            status: Some(status.to_owned()),
            checks: Some(status.to_owned()),
        }
    }
}

impl Kind for TrustedAdvisor {
    type State = Review;
    const KIND: &'static str = "trusted_advisor";

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        let Some(manual) = guardrails(spec).and_then(|g| g.trusted_advisor) else {
            return Vec::new();
        };
        // `required`: the status must read done. `confirmed`: a person says so; only a
        // readable check that finds red items contradicts it.
        let done = Some(DONE.to_owned());
        let state = match manual {
            Manual::Required => Review {
                status: done,
                checks: None,
            },
            Manual::Confirmed => Review {
                status: None,
                checks: done,
            },
        };
        let step = ManualStep {
            reason: "Trusted Advisor's findings are for a person to act on, and its weekly \
                     e-mail is set in the console only"
                .to_owned(),
            console: "Trusted Advisor → Recommendations: fix every red security check; \
                      Trusted Advisor → Preferences → Notifications: weekly e-mail to the \
                      alternate contacts"
                .to_owned(),
            verified_by: "support:DescribeTrustedAdvisorCheckSummaries (security checks not \
                          red) when the support plan allows; otherwise write `confirmed` once \
                          done"
                .to_owned(),
        };
        vec![Desired::manual(
            ResourceAddr::singleton(Self::KIND),
            canonical(&state),
            step,
        )]
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Review>) -> Live<Review> {
        let support = ctx.support();
        let checks = match support
            .describe_trusted_advisor_checks()
            .language("en")
            .send()
            .await
        {
            Ok(out) => out,
            Err(err) if has_code(&err, &["SubscriptionRequiredException"]) => {
                return Ok(Some(Review {
                    status: Some(UNREADABLE.to_owned()),
                    checks: Some(DONE.to_owned()),
                }));
            }
            Err(err) => {
                return Err(sdk_error(
                    read.address,
                    "support:DescribeTrustedAdvisorChecks",
                    &err,
                ));
            }
        };
        let security: Vec<(String, String)> = checks
            .checks()
            .iter()
            .filter(|c| c.category() == "security")
            .map(|c| (c.id().to_owned(), c.name().to_owned()))
            .collect();
        if security.is_empty() {
            return Ok(Some(Review::read(DONE)));
        }
        let summaries = call!(
            read.address,
            "support:DescribeTrustedAdvisorCheckSummaries",
            support
                .describe_trusted_advisor_check_summaries()
                .set_check_ids(Some(
                    security.iter().map(|(id, _)| Some(id.clone())).collect()
                ))
                .send()
        )?;
        let mut red: Vec<&str> = summaries
            .summaries()
            .iter()
            .filter(|s| s.status() == "error")
            .filter_map(|s| {
                security
                    .iter()
                    .find(|(id, _)| id == s.check_id())
                    .map(|(_, name)| name.as_str())
            })
            .collect();
        red.sort_unstable();
        if red.is_empty() {
            return Ok(Some(Review::read(DONE)));
        }
        let status = format!("{} security check(s) red: {}", red.len(), red.join(", "));
        Ok(Some(Review::read(&status)))
    }
}
