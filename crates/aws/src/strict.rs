//! `baseline validate --strict`: every policy document the baseline would write, checked by
//! AWS's own policy validator (IAM Access Analyzer's ValidatePolicy) before anything is
//! applied. It knows what baseline's own grammar checks cannot: whether each action exists,
//! whether a condition key fits the action, and AWS's security warnings. Errors and security
//! warnings fail validation; warnings and suggestions are shown.

use aws_sdk_accessanalyzer::types::{
    PathElement, PolicyType, ValidatePolicyFinding, ValidatePolicyResourceType,
};
use baseline_core::plan::{Desired, Grant};
use baseline_core::{ProviderError, ResourceAddr, policy};
use serde_json::Value;

use crate::context::AwsContext;
use crate::error::call;

/// What the validator said of one policy document.
#[derive(Debug)]
pub struct PolicyFinding {
    /// The resource whose policy it is.
    pub address: ResourceAddr,
    /// Which policy: `policy`, `trust`, `inline policy `NAME``.
    pub policy: String,
    /// `ERROR`, `SECURITY_WARNING`, `WARNING` or `SUGGESTION`.
    pub severity: String,
    /// AWS's issue code, e.g. `INVALID_ACTION`.
    pub code: String,
    pub details: String,
    /// Where in the document: `Statement[0].Action[1]`.
    pub path: String,
    pub learn_more: String,
}

impl PolicyFinding {
    /// Errors and security warnings fail `validate --strict`.
    pub fn fails(&self) -> bool {
        matches!(self.severity.as_str(), "ERROR" | "SECURITY_WARNING")
    }
}

/// One document to validate, and how AWS should read it.
struct Document<'a> {
    address: &'a ResourceAddr,
    policy: String,
    text: String,
    kind: PolicyType,
    resource_type: Option<ValidatePolicyResourceType>,
}

/// Every policy document in `desired`, by the fields each kind says carry permissions.
fn documents(desired: &[Desired]) -> Vec<Document<'_>> {
    let mut out = Vec::new();
    for resource in desired {
        for (field, grant) in resource.grants {
            let Some(value) = resource.state.get(*field).filter(|v| !v.is_null()) else {
                continue;
            };
            let mut add = |policy: String, doc: &Value, kind, resource_type| {
                out.push(Document {
                    address: &resource.address,
                    policy,
                    text: policy::to_text(doc),
                    kind,
                    resource_type,
                });
            };
            match grant {
                Grant::InlinePolicies => {
                    for (name, doc) in value.as_object().into_iter().flatten() {
                        add(
                            format!("inline policy `{name}`"),
                            doc,
                            PolicyType::IdentityPolicy,
                            None,
                        );
                    }
                }
                Grant::Trust => add(
                    (*field).to_owned(),
                    value,
                    PolicyType::ResourcePolicy,
                    Some(ValidatePolicyResourceType::RoleTrust),
                ),
                Grant::ResourcePolicy => add(
                    (*field).to_owned(),
                    value,
                    PolicyType::ResourcePolicy,
                    (resource.address.kind == "s3_bucket")
                        .then_some(ValidatePolicyResourceType::S3Bucket),
                ),
                Grant::ControlPolicy => add(
                    (*field).to_owned(),
                    value,
                    PolicyType::ServiceControlPolicy,
                    None,
                ),
                Grant::ManagedPolicies | Grant::Memberships | Grant::ControlTargets => {}
            }
        }
    }
    out
}

/// How many policy documents `desired` holds, and what AWS's validator says of them, asked
/// in `region`.
pub async fn validate_policies(
    ctx: &AwsContext,
    desired: &[Desired],
    region: &str,
) -> Result<(usize, Vec<PolicyFinding>), ProviderError> {
    let analyzer = ctx.access_analyzer(region);
    let mut findings = Vec::new();
    let documents = documents(desired);
    let count = documents.len();
    for document in documents {
        let answer = call!(
            document.address,
            "access-analyzer:ValidatePolicy",
            analyzer
                .validate_policy()
                .policy_document(&document.text)
                .policy_type(document.kind.clone())
                .set_validate_policy_resource_type(document.resource_type.clone())
                .send()
        )?;
        findings.extend(answer.findings().iter().map(|f| finding(&document, f)));
    }
    Ok((count, findings))
}

fn finding(document: &Document<'_>, found: &ValidatePolicyFinding) -> PolicyFinding {
    let path = found
        .locations()
        .first()
        .map(|l| path_text(l.path()))
        .unwrap_or_default();
    PolicyFinding {
        address: document.address.clone(),
        policy: document.policy.clone(),
        severity: found.finding_type().as_str().to_owned(),
        code: found.issue_code().to_owned(),
        details: found.finding_details().to_owned(),
        path,
        learn_more: found.learn_more_link().to_owned(),
    }
}

/// `Statement[0].Action[1]` from Access Analyzer's path elements.
fn path_text(path: &[PathElement]) -> String {
    let mut text = String::new();
    for element in path {
        match element {
            PathElement::Index(i) => text.push_str(&format!("[{i}]")),
            PathElement::Key(k) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(k);
            }
            PathElement::Value(v) => text.push_str(&format!("={v}")),
            PathElement::Substring(s) => {
                text.push_str(&format!("[{}..{}]", s.start(), s.start() + s.length()));
            }
            _ => {}
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_reads_as_in_the_documentation() {
        let path = [
            PathElement::Key("Statement".into()),
            PathElement::Index(0),
            PathElement::Key("Action".into()),
            PathElement::Index(1),
        ];
        assert_eq!(path_text(&path), "Statement[0].Action[1]");
    }
}
