//! Steps only a person can take. Each names why there is no API, where in the console it is
//! done, and how baseline checks it. Where an API can see the result, the check decides and
//! the item leaves the plan once it passes; where none can, the item stays until the file
//! says `confirmed` (a person's word, reviewed in the pull request like any other change).

use std::marker::PhantomData;

use baseline_core::plan::{Desired, ManualStep};
use baseline_core::scope::Scope;
use baseline_core::spec::Manual;
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::kind::Live;
use crate::kind::{Kind, Read, canonical};

/// The live status of a step that no API can see.
const UNSEEN: &str = "unknown: no API can see this";

/// The state of a manual item: `status: done` once it is, else why not. Empty when a
/// person has confirmed a step no API can see: there is nothing to compare.
#[serde_with::skip_serializing_none]
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Status {
    status: Option<String>,
}

impl Status {
    /// `done`, or `otherwise`.
    pub(crate) fn of(done: bool, otherwise: &str) -> Self {
        Self {
            status: Some(if done { "done" } else { otherwise }.to_owned()),
        }
    }

    pub(crate) fn done() -> Self {
        Self::of(true, "")
    }
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
        Status::default()
    } else {
        Status::done()
    };
    Desired::manual(address, canonical(&state), step).cis(cis)
}

/// A step no API can see: what the file says about it, why there is no API, and where in
/// the console a person takes it.
pub(crate) trait Step: Send + Sync + 'static {
    const KIND: &'static str;
    const REASON: &'static str;
    const CONSOLE: &'static str;
    const CIS: &'static [&'static str] = &[];
    fn declared(spec: &Spec) -> Option<Manual>;
}

/// The kind of a step no API can see; it reads as never done, so only `confirmed` in the
/// file takes it out of the plan.
pub(crate) struct Unverifiable<S>(PhantomData<S>);

impl<S: Step> Kind for Unverifiable<S> {
    type State = Status;
    const KIND: &'static str = S::KIND;

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        let Some(manual) = S::declared(spec) else {
            return Vec::new();
        };
        let step = ManualStep {
            reason: S::REASON.to_owned(),
            console: S::CONSOLE.to_owned(),
            verified_by: "nothing: no API reads it; write `confirmed` in baseline.yaml once done"
                .to_owned(),
        };
        vec![manual_item(
            ResourceAddr::singleton(Self::KIND),
            manual,
            false,
            step,
            S::CIS,
        )]
    }

    async fn read(&self, _ctx: &AwsContext, _read: Read<'_, Status>) -> Live<Status> {
        Ok(Some(Status::of(false, UNSEEN)))
    }
}

pub(crate) struct BillingAccess;

impl Step for BillingAccess {
    const KIND: &'static str = "billing_iam_access";
    const REASON: &'static str = "only the root user can let IAM users and roles see billing, \
                                  and no API reads or sets it";
    const CONSOLE: &'static str = "sign in as the root user → account menu (top right) → \
                                   Account → IAM user and role access to Billing information \
                                   → Edit → Activate IAM Access";
    fn declared(spec: &Spec) -> Option<Manual> {
        spec.cost.as_ref().and_then(|c| c.billing_access)
    }
}

pub(crate) static BILLING_ACCESS: Unverifiable<BillingAccess> = Unverifiable(PhantomData);

pub(crate) struct PdfInvoice;

impl Step for PdfInvoice {
    const KIND: &'static str = "billing_pdf_invoice";
    const REASON: &'static str = "invoice delivery preferences have no API";
    const CONSOLE: &'static str = "Billing and Cost Management → Billing preferences → Invoice \
                                   delivery preferences → Edit → PDF invoices delivered by \
                                   email";
    fn declared(spec: &Spec) -> Option<Manual> {
        spec.cost.as_ref().and_then(|c| c.pdf_invoice)
    }
}

pub(crate) static PDF_INVOICE: Unverifiable<PdfInvoice> = Unverifiable(PhantomData);

pub(crate) struct SecurityQuestions;

impl Step for SecurityQuestions {
    const KIND: &'static str = "root_security_questions";
    const REASON: &'static str = "security challenge questions belong to the root user and \
                                  have no API (AWS no longer offers them to accounts that \
                                  never set them; then confirm that the contact information \
                                  is current instead)";
    const CONSOLE: &'static str = "sign in as the root user → account menu (top right) → \
                                   Account → Configure security challenge questions";
    const CIS: &'static [&'static str] = &["1.3"];
    fn declared(spec: &Spec) -> Option<Manual> {
        spec.root.as_ref().and_then(|r| r.security_questions)
    }
}

pub(crate) static SECURITY_QUESTIONS: Unverifiable<SecurityQuestions> = Unverifiable(PhantomData);
