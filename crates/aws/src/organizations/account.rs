//! `org_account.NAME`: a member account, found by its root e-mail (adopted when it exists,
//! created when not) and kept in its OU. `org_account_closure.NAME`: an account the file
//! marks `ensure: absent`, which baseline never closes: a manual item until someone does.

use std::time::{Duration, Instant};

use aws_sdk_organizations::types::{AccountStatus, CreateAccountState};
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::{Ensure, TargetsSpec};
use baseline_core::{
    Action, BoxFuture, ManualStep, ProviderError, ResourceAddr, ResourceChange, Spec,
};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::call;
use crate::kind::{LegacyKind, name_of};
use crate::organizations::{accounts, by_email, in_use, org, organization, parent_of, path_of};

pub(crate) struct MemberAccount;
pub(crate) struct AccountClosure;

pub(crate) const KIND: &str = "org_account";
const CLOSURE: &str = "org_account_closure";

/// How long apply waits for CreateAccount before giving up (AWS usually takes minutes).
const CREATE_TIMEOUT: Duration = Duration::from_secs(15 * 60);

pub(crate) fn address(name: &str) -> ResourceAddr {
    ResourceAddr::named(KIND, name)
}

#[allow(clippy::print_stderr)]
fn progress(message: &str) {
    eprintln!("{message}");
}

impl LegacyKind for MemberAccount {
    fn kind(&self) -> &'static str {
        KIND
    }

    /// Accounts are never closed by baseline.
    fn kept_by_destroy(&self) -> bool {
        true
    }

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        let Some(org) = org(spec) else {
            return Vec::new();
        };
        org.accounts
            .iter()
            .filter(|(_, a)| a.value.ensure == Ensure::Present)
            .map(|(name, member)| {
                let member = &member.value;
                let unit = member
                    .unit
                    .as_ref()
                    .map_or_else(|| "/".to_owned(), |u| u.value.to_string());
                let mut desired = Desired::new(
                    address(name.as_str()),
                    json!({
                        "email": member.email.as_str().to_ascii_lowercase(),
                        "unit": unit,
                    }),
                )
                .after([organization::address()]);
                if let Some(unit) = &member.unit {
                    desired = desired.after([super::unit::address(unit.value.as_str())]);
                }
                desired.write_only = json!({
                    "name": name.as_str(),
                    "role": member.role.as_ref().map_or(TargetsSpec::DEFAULT_ROLE, |r| r.as_str()),
                });
                desired
            })
            .collect()
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let Some(found) = find(ctx, address).await? else {
                return Ok(None);
            };
            let (parent, _) = parent_of(ctx, address, &found.id).await?;
            let unit = path_of(ctx, address, &parent).await?;
            Ok(Some(json!({
                "email": found.email.to_ascii_lowercase(),
                "unit": unit,
                "id": found.id,
                "status": found.status,
            })))
        })
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let address = &change.address;
            let wanted = change.after.as_ref();
            let text = |key: &str| {
                wanted
                    .and_then(|w| w.get(key))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let unit = text("unit");
            let id = match change.action {
                Action::Create => create(ctx, change, &text("email")).await?,
                Action::Update => change
                    .before
                    .as_ref()
                    .and_then(|b| b.get("id"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                _ => return Ok(()),
            };
            let (current, _) = parent_of(ctx, address, &id).await?;
            let destination = super::unit_id(ctx, address, &unit).await?.ok_or_else(|| {
                crate::error::unsupported(
                    address,
                    &format!("moving to OU {unit}, which is missing,"),
                )
            })?;
            if current != destination {
                call!(
                    address,
                    "organizations:MoveAccount",
                    ctx.organizations()
                        .move_account()
                        .account_id(&id)
                        .source_parent_id(current)
                        .destination_parent_id(destination)
                        .send()
                )?;
            }
            Ok(())
        })
    }
}

/// Creates the account and waits for it, with progress on stderr; returns its id.
async fn create(
    ctx: &AwsContext,
    change: &ResourceChange,
    email: &str,
) -> Result<String, ProviderError> {
    let address = &change.address;
    let write = |key: &str| {
        change
            .write_only
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let started = call!(
        address,
        "organizations:CreateAccount",
        ctx.organizations()
            .create_account()
            .email(email)
            .account_name(write("name"))
            .role_name(write("role"))
            .send()
    )?;
    let mut request = started
        .create_account_status()
        .and_then(|s| s.id())
        .unwrap_or_default()
        .to_owned();
    let begun = Instant::now();
    let mut status = started.create_account_status().cloned();
    loop {
        let state = status.as_ref().and_then(|s| s.state());
        match state {
            Some(CreateAccountState::Succeeded) => {
                let id = status
                    .as_ref()
                    .and_then(|s| s.account_id())
                    .unwrap_or_default()
                    .to_owned();
                progress(&format!(
                    "{address}: account {id} created after {}s",
                    begun.elapsed().as_secs()
                ));
                return Ok(id);
            }
            Some(CreateAccountState::Failed) => {
                let reason = status
                    .as_ref()
                    .and_then(|s| s.failure_reason())
                    .map_or("unknown", |r| r.as_str())
                    .to_owned();
                return Err(ProviderError {
                    address: address.clone(),
                    operation: "organizations:CreateAccount".to_owned(),
                    code: Some(reason.clone()),
                    message: format!("AWS could not create the account: {reason}"),
                    hint: Some(match reason.as_str() {
                        "EMAIL_ALREADY_EXISTS" => {
                            "another AWS account has this e-mail: invite it instead, or use another address".to_owned()
                        }
                        "ACCOUNT_LIMIT_EXCEEDED" => {
                            "the organization has as many accounts as its quota allows: ask AWS Support for more".to_owned()
                        }
                        _ => "see the reason in AWS's documentation of CreateAccountStatus".to_owned(),
                    }),
                });
            }
            _ => {}
        }
        if begun.elapsed() > CREATE_TIMEOUT {
            return Err(ProviderError {
                address: address.clone(),
                operation: "organizations:DescribeCreateAccountStatus".to_owned(),
                code: None,
                message: format!(
                    "the account was still being created after {} minutes (request {request})",
                    CREATE_TIMEOUT.as_secs() / 60
                ),
                hint: Some(
                    "run apply again later: the account is adopted by its e-mail".to_owned(),
                ),
            });
        }
        progress(&format!(
            "{address}: creating the account ({}s, {})...",
            begun.elapsed().as_secs(),
            state.map_or("requested", |s| s.as_str())
        ));
        tokio::time::sleep(Duration::from_secs(if begun.elapsed().as_secs() < 10 {
            1
        } else {
            5
        }))
        .await;
        let out = call!(
            address,
            "organizations:DescribeCreateAccountStatus",
            ctx.organizations()
                .describe_create_account_status()
                .create_account_request_id(&request)
                .send()
        )?;
        status = out.create_account_status().cloned();
        if let Some(id) = status.as_ref().and_then(|s| s.id()) {
            id.clone_into(&mut request);
        }
    }
}

/// An account found by the e-mail the file gives it.
struct Found {
    id: String,
    email: String,
    status: String,
}

/// The account whose e-mail the plan names (from the desired state of the change, or the
/// write-only e-mail of a closure).
async fn find(ctx: &AwsContext, address: &ResourceAddr) -> Result<Option<Found>, ProviderError> {
    if !in_use(ctx, address).await? {
        return Ok(None);
    }
    let email = ctx.org_email(name_of(address));
    let Some(email) = email else {
        return Ok(None);
    };
    let all = accounts(ctx, address).await?;
    Ok(by_email(&all, &email).map(|a| Found {
        id: a.id().unwrap_or_default().to_owned(),
        email: a.email().unwrap_or_default().to_owned(),
        status: a.status().map_or("", AccountStatus::as_str).to_owned(),
    }))
}

impl LegacyKind for AccountClosure {
    fn kind(&self) -> &'static str {
        CLOSURE
    }

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        let Some(org) = org(spec) else {
            return Vec::new();
        };
        org.accounts
            .iter()
            .filter(|(_, a)| a.value.ensure == Ensure::Absent)
            .map(|(name, member)| {
                Desired::manual(
                    ResourceAddr::named(CLOSURE, name.as_str()),
                    json!({"closed": true}),
                    ManualStep {
                        reason: format!(
                            "baseline never closes an AWS account ({}): closing loses what is in it",
                            member.value.email
                        ),
                        console: "AWS Organizations > AWS accounts > the account > Close".to_owned(),
                        verified_by: "organizations:ListAccounts (status SUSPENDED or PENDING_CLOSURE, or gone)"
                            .to_owned(),
                    },
                )
            })
            .collect()
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let open = find(ctx, address)
                .await?
                .is_some_and(|a| a.status == AccountStatus::Active.as_str());
            Ok(Some(json!({"closed": !open})))
        })
    }
}
