//! CreateAccount, made safe to repeat. AWS creates an account asynchronously and CreateAccount
//! has no idempotency token: a run cut short while the account was being made, or a
//! CreateAccount whose answer was lost (and that the SDK sent again), must not make a second
//! account or fail the apply. So an unfinished request for the same account name is waited
//! for instead of a new one, and a request AWS refuses because the organization already has
//! an account with the e-mail (the first request's account) adopts that account.

use std::time::{Duration, Instant};

use aws_sdk_organizations::types::{CreateAccountState, CreateAccountStatus};
use baseline_core::{ProviderError, ResourceAddr};

use crate::context::AwsContext;
use crate::error::call;
use crate::organizations::account::{NewAccount, find};

/// How long apply waits for CreateAccount before giving up (AWS usually takes minutes).
const CREATE_TIMEOUT: Duration = Duration::from_secs(15 * 60);

#[allow(clippy::print_stderr)]
fn progress(message: &str) {
    eprintln!("{message}");
}

/// Creates the account (or waits for the request an earlier run left unfinished) and waits
/// for it, with progress on stderr; returns its id.
pub(super) async fn create(
    ctx: &AwsContext,
    address: &ResourceAddr,
    email: &str,
    new: &NewAccount,
) -> Result<String, ProviderError> {
    let mut status = match unfinished(ctx, address, &new.name).await? {
        Some(status) => {
            progress(&format!(
                "{address}: an earlier run's request to create the account is still in progress; waiting for it"
            ));
            Some(status)
        }
        None => call!(
            address,
            "organizations:CreateAccount",
            ctx.organizations()
                .create_account()
                .email(email)
                .account_name(&new.name)
                .role_name(&new.role)
                .send()
        )?
        .create_account_status()
        .cloned(),
    };
    let mut request = status
        .as_ref()
        .and_then(|s| s.id())
        .unwrap_or_default()
        .to_owned();
    let begun = Instant::now();
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
                return adopted_or_failed(ctx, address, email, &reason).await;
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

/// A request to create an account named `name` that is still in progress: an earlier run
/// made it and stopped before it finished.
async fn unfinished(
    ctx: &AwsContext,
    address: &ResourceAddr,
    name: &str,
) -> Result<Option<CreateAccountStatus>, ProviderError> {
    let mut token = None;
    loop {
        let page = call!(
            address,
            "organizations:ListCreateAccountStatus",
            ctx.organizations()
                .list_create_account_status()
                .states(CreateAccountState::InProgress)
                .set_next_token(token.clone())
                .send()
        )?;
        if let Some(status) = page
            .create_account_statuses()
            .iter()
            .find(|s| s.account_name() == Some(name))
        {
            return Ok(Some(status.clone()));
        }
        match page.next_token() {
            Some(next) => token = Some(next.to_owned()),
            None => return Ok(None),
        }
    }
}

/// What a failed request means: when the organization already has an account with the
/// e-mail, it is the account an earlier request made (whose answer was lost), and it is
/// adopted; anything else is the failure, explained.
async fn adopted_or_failed(
    ctx: &AwsContext,
    address: &ResourceAddr,
    email: &str,
    reason: &str,
) -> Result<String, ProviderError> {
    if reason == "EMAIL_ALREADY_EXISTS"
        && let Some(found) = find(ctx, address, Some(email)).await?
    {
        progress(&format!(
            "{address}: account {} already has this e-mail in the organization (an earlier request made it); using it",
            found.id
        ));
        return Ok(found.id);
    }
    Err(ProviderError {
        address: address.clone(),
        operation: "organizations:CreateAccount".to_owned(),
        code: Some(reason.to_owned()),
        message: format!("AWS could not create the account: {reason}"),
        hint: Some(match reason {
            "EMAIL_ALREADY_EXISTS" => {
                "another AWS account has this e-mail: invite it instead, or use another address"
                    .to_owned()
            }
            "ACCOUNT_LIMIT_EXCEEDED" => {
                "the organization has as many accounts as its quota allows: ask AWS Support for more"
                    .to_owned()
            }
            _ => "see the reason in AWS's documentation of CreateAccountStatus".to_owned(),
        }),
    })
}
