//! `org_account.NAME`: a member account, found by its root e-mail (adopted when it exists,
//! created when not) and kept in its OU. `org_account_closure.NAME`: an account the file
//! marks `ensure: absent`, which baseline never closes: a manual item until someone does.

use aws_sdk_organizations::types::AccountStatus;
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::{Ensure, TargetsSpec};
use baseline_core::{ManualStep, ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::error::{build_error, call};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, canonical, declare, name_of};
use crate::organizations::{
    accounts, by_email, creation, email_in, emails, existing_unit_id, in_use, org, organization,
    parent_of, path_of,
};

pub(crate) struct MemberAccount;
pub(crate) struct AccountClosure;

pub(crate) const KIND: &str = "org_account";

pub(crate) fn address(name: &str) -> ResourceAddr {
    ResourceAddr::named(KIND, name)
}

/// A member account: its root e-mail (lower case) and OU path, and once it exists its id
/// and status.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    email: String,
    unit: String,
    id: Option<String>,
    status: Option<String>,
}

/// What only CreateAccount uses: the account's name and the role AWS makes in it.
#[derive(Serialize, Deserialize)]
pub(super) struct NewAccount {
    pub(super) name: String,
    pub(super) role: String,
}

impl Kind for MemberAccount {
    type State = State;
    const KIND: &'static str = KIND;
    /// Accounts are never closed by baseline.
    const KEPT_BY_DESTROY: bool = true;

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        let Some(org) = org(spec) else {
            return Vec::new();
        };
        org.accounts
            .iter()
            .filter(|(_, a)| a.value.ensure == Ensure::Present)
            .map(|(name, member)| {
                let member = &member.value;
                let state = State {
                    email: member.email.as_str().to_ascii_lowercase(),
                    unit: member
                        .unit
                        .as_ref()
                        .map_or_else(|| "/".to_owned(), |u| u.value.to_string()),
                    id: None,
                    status: None,
                };
                let mut desired =
                    declare(address(name.as_str()), &state).after([organization::address()]);
                if let Some(unit) = &member.unit {
                    desired = desired.after([super::unit::address(unit.value.as_str())]);
                }
                desired.write_only = canonical(&NewAccount {
                    name: name.to_string(),
                    role: member
                        .role
                        .as_ref()
                        .map_or(TargetsSpec::DEFAULT_ROLE, |r| r.as_str())
                        .to_owned(),
                });
                desired
            })
            .collect()
    }

    /// Found by the wanted e-mail: without one there is nothing to look for.
    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let address = read.address;
        let email = read.want.map(|w| w.email);
        let Some(found) = find(ctx, address, email.as_deref()).await? else {
            return Ok(None);
        };
        let (parent, _) = parent_of(ctx, address, &found.id).await?;
        let unit = path_of(ctx, address, &parent).await?;
        Ok(Some(State {
            email: found.email.to_ascii_lowercase(),
            unit,
            id: Some(found.id),
            status: Some(found.status),
        }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        let new = NewAccount::deserialize(&change.write_only).map_err(|err| {
            build_error(
                &change.address,
                format!("the plan's write-only settings do not name the new account: {err}"),
            )
        })?;
        let id = creation::create(ctx, &change.address, &after.email, &new).await?;
        place(ctx, &change.address, &id, &after.unit).await
    }

    async fn update(&self, ctx: &AwsContext, change: &Change, old: &State, new: &State) -> Done {
        let Some(id) = &old.id else {
            return Err(build_error(
                &change.address,
                "the plan's `before` state has no account `id`",
            ));
        };
        place(ctx, &change.address, id, &new.unit).await
    }
}

/// Moves account `id` into the OU at `unit` unless it is there already.
async fn place(ctx: &AwsContext, address: &ResourceAddr, id: &str, unit: &str) -> Done {
    let (current, _) = parent_of(ctx, address, id).await?;
    let destination = existing_unit_id(ctx, address, unit).await?;
    if current != destination {
        call!(
            address,
            "organizations:MoveAccount",
            ctx.organizations()
                .move_account()
                .account_id(id)
                .source_parent_id(current)
                .destination_parent_id(destination)
                .send()
        )?;
    }
    Ok(())
}

/// An account found by the e-mail the file gives it.
pub(super) struct Found {
    pub(super) id: String,
    email: String,
    status: String,
}

/// The account with root e-mail `email`; none without an e-mail or an organization.
pub(super) async fn find(
    ctx: &AwsContext,
    address: &ResourceAddr,
    email: Option<&str>,
) -> Live<Found> {
    if !in_use(ctx, address).await? {
        return Ok(None);
    }
    let Some(email) = email else {
        return Ok(None);
    };
    let all = accounts(ctx, address).await?;
    Ok(by_email(&all, email).map(|a| Found {
        id: a.id().unwrap_or_default().to_owned(),
        email: a.email().unwrap_or_default().to_owned(),
        status: a.status().map_or("", AccountStatus::as_str).to_owned(),
    }))
}

/// Whether the account has been closed: the manual step's goal.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Closure {
    closed: bool,
}

impl Kind for AccountClosure {
    type State = Closure;
    const KIND: &'static str = "org_account_closure";

    /// The account is found by its e-mail, which the write-only settings carry.
    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        let Some(org) = org(spec) else {
            return Vec::new();
        };
        org.accounts
            .iter()
            .filter(|(_, a)| a.value.ensure == Ensure::Absent)
            .map(|(name, member)| {
                let mut desired = Desired::manual(
                    ResourceAddr::named(Self::KIND, name.as_str()),
                    canonical(&Closure { closed: true }),
                    ManualStep {
                        reason: format!(
                            "baseline never closes an AWS account ({}): closing loses what is in it",
                            member.value.email
                        ),
                        console: "AWS Organizations > AWS accounts > the account > Close".to_owned(),
                        verified_by: "organizations:ListAccounts (status SUSPENDED or PENDING_CLOSURE, or gone)"
                            .to_owned(),
                    },
                );
                desired.write_only = emails(spec);
                desired
            })
            .collect()
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Closure>) -> Live<Closure> {
        let email = email_in(read.write_only, name_of(read.address));
        let open = find(ctx, read.address, email.as_deref())
            .await?
            .is_some_and(|a| a.status == AccountStatus::Active.as_str());
        Ok(Some(Closure { closed: !open }))
    }
}
