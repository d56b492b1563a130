//! `account.contacts`: the billing, operations and security alternate contacts (CIS 1.2;
//! guide 000 §5, where Trusted Advisor's weekly e-mail goes to them). And
//! `account.contact_information`: the primary contact is current (CIS 1.1), a manual item
//! checked with account:GetContactInformation.

use aws_sdk_account::types::AlternateContactType;
use baseline_core::plan::{Desired, ManualStep};
use baseline_core::scope::Scope;
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::{call, has_code, sdk_error};
use crate::kind::{LegacyKind, name_of};
use crate::manual::{manual_item, status};

pub(crate) struct AlternateContact;

const KIND: &str = "account_contact";

fn contact_type(address: &ResourceAddr) -> AlternateContactType {
    AlternateContactType::from(name_of(address).to_uppercase().as_str())
}

impl LegacyKind for AlternateContact {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        let Some(contacts) = &spec.account.contacts else {
            return Vec::new();
        };
        contacts
            .declared()
            .into_iter()
            .map(|(kind, contact)| {
                let desired = Desired::new(
                    ResourceAddr::named(KIND, kind),
                    json!({
                        "name": contact.name.as_str(),
                        "title": contact.title.as_str(),
                        "email": contact.email.as_str(),
                        "phone": contact.phone.as_str(),
                    }),
                );
                if kind == "security" {
                    desired.cis(&["1.2"])
                } else {
                    desired
                }
            })
            .collect()
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let answer = ctx
                .account()
                .get_alternate_contact()
                .alternate_contact_type(contact_type(address))
                .send()
                .await;
            let out = match answer {
                Ok(out) => out,
                Err(err) if has_code(&err, &["ResourceNotFoundException"]) => return Ok(None),
                Err(err) => return Err(sdk_error(address, "account:GetAlternateContact", &err)),
            };
            Ok(out.alternate_contact().map(|c| {
                json!({
                    "name": c.name(),
                    "title": c.title(),
                    "email": c.email_address(),
                    "phone": c.phone_number(),
                })
            }))
        })
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let address = &change.address;
            let account = ctx.account();
            if change.action == Action::Delete {
                call!(
                    address,
                    "account:DeleteAlternateContact",
                    account
                        .delete_alternate_contact()
                        .alternate_contact_type(contact_type(address))
                        .send()
                )?;
                return Ok(());
            }
            let Some(after) = &change.after else {
                return Ok(());
            };
            let text = |key: &str| after[key].as_str().unwrap_or_default().to_owned();
            call!(
                address,
                "account:PutAlternateContact",
                account
                    .put_alternate_contact()
                    .alternate_contact_type(contact_type(address))
                    .name(text("name"))
                    .title(text("title"))
                    .email_address(text("email"))
                    .phone_number(text("phone"))
                    .send()
            )?;
            Ok(())
        })
    }
}

/// `account.contact_information`: a person keeps the primary contact current; baseline
/// checks that it is complete.
pub(crate) struct ContactInformation;

const INFORMATION: &str = "account_contact_information";

impl LegacyKind for ContactInformation {
    fn kind(&self) -> &'static str {
        INFORMATION
    }

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
            ResourceAddr::singleton(INFORMATION),
            manual,
            true,
            step,
            &["1.1"],
        )]
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let answer = ctx.account().get_contact_information().send().await;
            let info = match answer {
                Ok(out) => out.contact_information().cloned(),
                Err(err) if has_code(&err, &["ResourceNotFoundException"]) => None,
                Err(err) => {
                    return Err(sdk_error(address, "account:GetContactInformation", &err));
                }
            };
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
            Ok(Some(status(complete, "incomplete")))
        })
    }
}
