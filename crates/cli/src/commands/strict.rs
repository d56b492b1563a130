//! `baseline validate --strict`: the file's checks, then every policy document the baseline
//! writes put to AWS's own policy validator (IAM Access Analyzer's ValidatePolicy), in the
//! pinned account's home region. Nothing is read or changed otherwise.

use std::path::Path;

use baseline_aws::ContextOptions;
use baseline_core::scope::Scope;

use super::{connect, load_with_source, validate};
use crate::exit;
use crate::output::{error, print, warning};

pub(crate) async fn validate_strict(file: &Path, options: ContextOptions) -> u8 {
    let code = validate(file);
    if code != exit::OK {
        return code;
    }
    let Some((spec, _)) = load_with_source(file) else {
        return exit::ERROR;
    };
    let home = spec
        .account
        .home_region
        .as_ref()
        .map_or("us-east-1", |r| r.as_str());
    let desired = baseline_aws::expand(&spec, &Scope::assumed(&spec, home));
    let Some(ctx) = connect(&options, spec.account.id.as_str()).await else {
        return exit::ERROR;
    };
    let (checked, findings) = match baseline_aws::validate_policies(&ctx, &desired, home).await {
        Ok(answer) => answer,
        Err(err) => {
            error(&err.to_string(), err.hint.as_deref());
            return exit::ERROR;
        }
    };
    let mut failed = 0;
    for finding in &findings {
        let what = format!(
            "{} {}: {} ({} {}{})",
            finding.address,
            finding.policy,
            finding.details,
            finding.severity,
            finding.code,
            if finding.path.is_empty() {
                String::new()
            } else {
                format!(" at {}", finding.path)
            }
        );
        if finding.fails() {
            failed += 1;
            error(&what, Some(&format!("see {}", finding.learn_more)));
        } else {
            warning(&what);
        }
    }
    print(&format!(
        "AWS's policy validator checked {checked} policy document(s): {failed} error(s) or \
         security warning(s), {} warning(s) or suggestion(s).\n",
        findings.len() - failed
    ));
    if failed > 0 { exit::ERROR } else { exit::OK }
}
