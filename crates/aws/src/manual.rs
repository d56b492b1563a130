//! Steps only a person can take. Each names why there is no API, where in the console it is
//! done, and how baseline checks it. Where an API can see the result, the check decides and
//! the item leaves the plan once it passes; where none can, the item stays until the file
//! says `confirmed` (a person's word, reviewed in the pull request like any other change).

use baseline_core::plan::{Desired, ManualStep};
use baseline_core::scope::Scope;
use baseline_core::spec::Manual;
use baseline_core::{BoxFuture, ProviderError, ResourceAddr, Spec};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::kind::LegacyKind;

/// The live status of a step that no API can see.
const UNSEEN: &str = "unknown: no API can see this";

/// A step no API can see.
pub(crate) struct Unverifiable {
    pub kind: &'static str,
    pub declared: fn(&Spec) -> Option<Manual>,
    pub reason: &'static str,
    pub console: &'static str,
    pub cis: &'static [&'static str],
}

/// The desired state of a manual item: `status: done`, or nothing to compare once a person
/// has confirmed an unverifiable step.
pub(crate) fn manual_item(
    address: ResourceAddr,
    manual: Manual,
    verifiable: bool,
    step: ManualStep,
    cis: &[&str],
) -> Desired {
    let state = if manual == Manual::Confirmed && !verifiable {
        json!({})
    } else {
        json!({ "status": "done" })
    };
    Desired::manual(address, state, step).cis(cis)
}

/// `{"status": "done"}` or `{"status": why not}`.
pub(crate) fn status(done: bool, otherwise: &str) -> Value {
    json!({ "status": if done { "done" } else { otherwise } })
}

impl LegacyKind for Unverifiable {
    fn kind(&self) -> &'static str {
        self.kind
    }

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        let Some(manual) = (self.declared)(spec) else {
            return Vec::new();
        };
        let step = ManualStep {
            reason: self.reason.to_owned(),
            console: self.console.to_owned(),
            verified_by: "nothing: no API reads it; write `confirmed` in baseline.yaml once done"
                .to_owned(),
        };
        vec![manual_item(
            ResourceAddr::singleton(self.kind),
            manual,
            false,
            step,
            self.cis,
        )]
    }

    fn read<'a>(
        &'a self,
        _ctx: &'a AwsContext,
        _address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async { Ok(Some(json!({ "status": UNSEEN }))) })
    }
}

pub(crate) static BILLING_ACCESS: Unverifiable = Unverifiable {
    kind: "billing_iam_access",
    declared: |spec| spec.cost.as_ref().and_then(|c| c.billing_access),
    reason: "only the root user can let IAM users and roles see billing, and no API reads or \
             sets it",
    console: "sign in as the root user → account menu (top right) → Account → IAM user and \
              role access to Billing information → Edit → Activate IAM Access",
    cis: &[],
};

pub(crate) static PDF_INVOICE: Unverifiable = Unverifiable {
    kind: "billing_pdf_invoice",
    declared: |spec| spec.cost.as_ref().and_then(|c| c.pdf_invoice),
    reason: "invoice delivery preferences have no API",
    console: "Billing and Cost Management → Billing preferences → Invoice delivery \
              preferences → Edit → PDF invoices delivered by email",
    cis: &[],
};

pub(crate) static SECURITY_QUESTIONS: Unverifiable = Unverifiable {
    kind: "root_security_questions",
    declared: |spec| spec.root.as_ref().and_then(|r| r.security_questions),
    reason: "security challenge questions belong to the root user and have no API (AWS no \
             longer offers them to accounts that never set them; then confirm that the \
             contact information is current instead)",
    console: "sign in as the root user → account menu (top right) → Account → Configure \
              security challenge questions",
    cis: &["1.3"],
};
