//! `iam.password_policy` → the account password policy (CIS 1.8, 1.9). One per account:
//! an existing policy is adopted, and only the declared fields are managed.

use aws_sdk_iam::types::PasswordPolicy as LivePolicy;
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::Bounded;
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::error::{deleted, found, sdk_error};
use crate::iam::principal::NO_SUCH_ENTITY;
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare};

pub(crate) struct PasswordPolicy;

/// The policy in the spec's terms. IAM leaves out an unset maximum age or reuse count;
/// they read as 0, which is what the spec uses for "no limit".
#[serde_with::skip_serializing_none]
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct State {
    minimum_length: Option<i32>,
    require_symbols: Option<bool>,
    require_numbers: Option<bool>,
    require_uppercase: Option<bool>,
    require_lowercase: Option<bool>,
    allow_users_to_change: Option<bool>,
    max_age_days: Option<i32>,
    reuse_prevention: Option<i32>,
    hard_expiry: Option<bool>,
}

impl Kind for PasswordPolicy {
    type State = State;
    const KIND: &'static str = "iam_password_policy";

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        let Some(policy) = spec.iam.as_ref().and_then(|i| i.password_policy.as_ref()) else {
            return Vec::new();
        };
        let state = State {
            minimum_length: number(policy.minimum_length),
            require_symbols: policy.require_symbols,
            require_numbers: policy.require_numbers,
            require_uppercase: policy.require_uppercase,
            require_lowercase: policy.require_lowercase,
            allow_users_to_change: policy.allow_users_to_change,
            max_age_days: number(policy.max_age_days),
            reuse_prevention: number(policy.reuse_prevention),
            hard_expiry: policy.hard_expiry,
        };
        let mut desired = declare(ResourceAddr::singleton(Self::KIND), &state).cis(&["1.8", "1.9"]);
        desired.ensure = policy.ensure();
        vec![desired]
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let answer = ctx.iam().get_account_password_policy().send().await;
        let out = found(
            read.address,
            "iam:GetAccountPasswordPolicy",
            NO_SUCH_ENTITY,
            answer,
        )?;
        Ok(out.and_then(|out| out.password_policy().map(State::of)))
    }

    /// UpdateAccountPasswordPolicy sets every field at once, so `after` holds the whole
    /// policy (the live values for the fields the spec leaves out).
    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        let limit = |v: Option<i32>| v.filter(|v| *v > 0);
        ctx.iam()
            .update_account_password_policy()
            .set_minimum_password_length(limit(after.minimum_length))
            .set_require_symbols(after.require_symbols)
            .set_require_numbers(after.require_numbers)
            .set_require_uppercase_characters(after.require_uppercase)
            .set_require_lowercase_characters(after.require_lowercase)
            .set_allow_users_to_change_password(after.allow_users_to_change)
            .set_max_password_age(limit(after.max_age_days))
            .set_password_reuse_prevention(limit(after.reuse_prevention))
            .set_hard_expiry(after.hard_expiry)
            .send()
            .await
            .map(|_| ())
            .map_err(|err| sdk_error(&change.address, "iam:UpdateAccountPasswordPolicy", &err))
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, _before: &State) -> Done {
        let answer = ctx.iam().delete_account_password_policy().send().await;
        deleted(
            &change.address,
            "iam:DeleteAccountPasswordPolicy",
            NO_SUCH_ENTITY,
            answer,
        )
    }
}

/// A bounded number of the spec as IAM's `i32` (the bounds are far inside it).
fn number<const MIN: i64, const MAX: i64>(value: Option<Bounded<MIN, MAX>>) -> Option<i32> {
    value.and_then(|v| i32::try_from(v.get()).ok())
}

impl State {
    fn of(policy: &LivePolicy) -> Self {
        Self {
            minimum_length: Some(policy.minimum_password_length().unwrap_or(6)),
            require_symbols: Some(policy.require_symbols()),
            require_numbers: Some(policy.require_numbers()),
            require_uppercase: Some(policy.require_uppercase_characters()),
            require_lowercase: Some(policy.require_lowercase_characters()),
            allow_users_to_change: Some(policy.allow_users_to_change_password()),
            max_age_days: Some(policy.max_password_age().unwrap_or(0)),
            reuse_prevention: Some(policy.password_reuse_prevention().unwrap_or(0)),
            hard_expiry: Some(policy.hard_expiry().unwrap_or(false)),
        }
    }
}
