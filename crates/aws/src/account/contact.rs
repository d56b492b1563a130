//! `account.contacts`: the billing, operations and security alternate contacts (CIS 1.2;
//! guide 000 §5, where Trusted Advisor's weekly e-mail goes to them). And
//! `account.contact_information`: the primary contact is current (CIS 1.1), a manual item
//! checked with account:GetContactInformation.

use aws_sdk_account::types::AlternateContactType;
use baseline_core::plan::{Desired, ManualStep};
use baseline_core::scope::Scope;
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::error::{build_error, call, found};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare, name_of};
use crate::manual::{Status, manual_item};

pub(crate) struct AlternateContact;

fn contact_type(address: &ResourceAddr) -> AlternateContactType {
    AlternateContactType::from(name_of(address).to_uppercase().as_str())
}

/// An alternate contact. The file gives all four fields; a contact AWS holds may lack one,
/// which reads as `null`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Contact {
    name: Option<String>,
    title: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

impl Kind for AlternateContact {
    type State = Contact;
    const KIND: &'static str = "account_contact";

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        let Some(contacts) = &spec.account.contacts else {
            return Vec::new();
        };
        contacts
            .declared()
            .into_iter()
            .map(|(kind, contact)| {
                let state = Contact {
                    name: Some(contact.name.as_str().to_owned()),
                    title: Some(contact.title.as_str().to_owned()),
                    email: Some(contact.email.as_str().to_owned()),
                    phone: Some(contact.phone.as_str().to_owned()),
                };
                let desired = declare(ResourceAddr::named(Self::KIND, kind), &state);
                if kind == "security" {
                    desired.cis(&["1.2"])
                } else {
                    desired
                }
            })
            .collect()
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Contact>) -> Live<Contact> {
        let answer = ctx
            .account()
            .get_alternate_contact()
            .alternate_contact_type(contact_type(read.address))
            .send()
            .await;
        let missing = &["ResourceNotFoundException"];
        let Some(out) = found(read.address, "account:GetAlternateContact", missing, answer)? else {
            return Ok(None);
        };
        let text = |field: Option<&str>| field.map(str::to_owned);
        Ok(out.alternate_contact().map(|c| Contact {
            name: text(c.name()),
            title: text(c.title()),
            email: text(c.email_address()),
            phone: text(c.phone_number()),
        }))
    }

    /// PutAlternateContact sets all four fields; a plan whose contact lacks one is refused.
    async fn create(&self, ctx: &AwsContext, change: &Change, after: &Contact) -> Done {
        let address = &change.address;
        let field = |value: &Option<String>, name: &str| {
            value
                .clone()
                .ok_or_else(|| build_error(address, format!("the contact has no `{name}`")))
        };
        call!(
            address,
            "account:PutAlternateContact",
            ctx.account()
                .put_alternate_contact()
                .alternate_contact_type(contact_type(address))
                .name(field(&after.name, "name")?)
                .title(field(&after.title, "title")?)
                .email_address(field(&after.email, "email")?)
                .phone_number(field(&after.phone, "phone")?)
                .send()
        )?;
        Ok(())
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, _before: &Contact) -> Done {
        let address = &change.address;
        call!(
            address,
            "account:DeleteAlternateContact",
            ctx.account()
                .delete_alternate_contact()
                .alternate_contact_type(contact_type(address))
                .send()
        )?;
        Ok(())
    }
}

/// `account.contact_information`: a person keeps the primary contact current; baseline
/// checks that it is complete.
pub(crate) struct ContactInformation;

impl Kind for ContactInformation {
    type State = Status;
    const KIND: &'static str = "account_contact_information";

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        let Some(manual) = spec.account.contact_information else {
            return Vec::new();
        };
        let step = ManualStep {
            reason: "the primary contact is the account owner's name, address and phone number; \
                     baseline does not keep personal details in a file"
                .to_owned(),
            console: "account menu (top right) → Account → Contact information → Edit".to_owned(),
            verified_by: "account:GetContactInformation (name, address, phone and country are \
                          filled in; whether they are current, only a person knows)"
                .to_owned(),
        };
        vec![manual_item(
            ResourceAddr::singleton(Self::KIND),
            manual,
            true,
            step,
            &["1.1"],
        )]
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Status>) -> Live<Status> {
        let answer = ctx.account().get_contact_information().send().await;
        let missing = &["ResourceNotFoundException"];
        let out = found(
            read.address,
            "account:GetContactInformation",
            missing,
            answer,
        )?;
        let info = out.and_then(|out| out.contact_information().cloned());
        let complete = info.is_some_and(|c| {
            [
                c.full_name(),
                c.address_line1(),
                c.city(),
                c.country_code(),
                c.phone_number(),
            ]
            .iter()
            .all(|field| !field.trim().is_empty())
        });
        Ok(Some(Status::of(complete, "incomplete")))
    }
}
