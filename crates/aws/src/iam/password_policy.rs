//! `iam.password_policy` → the account password policy (CIS 1.8, 1.9). One per account:
//! an existing policy is adopted, and only the declared fields are managed.

use aws_sdk_iam::types::PasswordPolicy as LivePolicy;
use baseline_core::plan::Desired;
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Map, Value, json};

use crate::context::AwsContext;
use crate::error::{sdk_error, unsupported};
use crate::kind::Kind;
use baseline_core::scope::Scope;

pub(crate) struct PasswordPolicy;

const KIND: &str = "iam_password_policy";

impl Kind for PasswordPolicy {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        let Some(policy) = spec.iam.as_ref().and_then(|i| i.password_policy.as_ref()) else {
            return Vec::new();
        };
        let mut state = Map::new();
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                state.insert(key.to_owned(), value);
            }
        };
        put(
            "minimum_length",
            policy.minimum_length.map(|v| json!(v.get())),
        );
        put("require_symbols", policy.require_symbols.map(Value::Bool));
        put("require_numbers", policy.require_numbers.map(Value::Bool));
        put(
            "require_uppercase",
            policy.require_uppercase.map(Value::Bool),
        );
        put(
            "require_lowercase",
            policy.require_lowercase.map(Value::Bool),
        );
        put(
            "allow_users_to_change",
            policy.allow_users_to_change.map(Value::Bool),
        );
        put("max_age_days", policy.max_age_days.map(|v| json!(v.get())));
        put(
            "reuse_prevention",
            policy.reuse_prevention.map(|v| json!(v.get())),
        );
        put("hard_expiry", policy.hard_expiry.map(Value::Bool));
        vec![Desired {
            address: ResourceAddr::singleton(KIND),
            ensure: policy.ensure(),
            state: Value::Object(state),
            depends_on: Vec::new(),
            manual: None,
            cis: vec!["1.8".to_owned(), "1.9".to_owned()],
            write_only: Value::Null,
        }]
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            match ctx.iam().get_account_password_policy().send().await {
                Ok(out) => Ok(out.password_policy().map(canonical)),
                Err(err)
                    if err
                        .as_service_error()
                        .is_some_and(|e| e.is_no_such_entity_exception()) =>
                {
                    Ok(None)
                }
                Err(err) => Err(sdk_error(address, "iam:GetAccountPasswordPolicy", &err)),
            }
        })
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let address = &change.address;
            match (change.action, &change.after) {
                (Action::Create | Action::Update, Some(after)) => write(ctx, after)
                    .await
                    .map_err(|err| sdk_error(address, "iam:UpdateAccountPasswordPolicy", &err)),
                (Action::Delete, _) => {
                    match ctx.iam().delete_account_password_policy().send().await {
                        Ok(_) => Ok(()),
                        // Already gone: the goal is reached.
                        Err(err)
                            if err
                                .as_service_error()
                                .is_some_and(|e| e.is_no_such_entity_exception()) =>
                        {
                            Ok(())
                        }
                        Err(err) => {
                            Err(sdk_error(address, "iam:DeleteAccountPasswordPolicy", &err))
                        }
                    }
                }
                (action, _) => Err(unsupported(address, &format!("{action:?}"))),
            }
        })
    }
}

/// The live policy in the spec's terms. IAM leaves out an unset maximum age or reuse
/// count; they read as 0, which is what the spec uses for "no limit".
fn canonical(policy: &LivePolicy) -> Value {
    json!({
        "minimum_length": policy.minimum_password_length().unwrap_or(6),
        "require_symbols": policy.require_symbols(),
        "require_numbers": policy.require_numbers(),
        "require_uppercase": policy.require_uppercase_characters(),
        "require_lowercase": policy.require_lowercase_characters(),
        "allow_users_to_change": policy.allow_users_to_change_password(),
        "max_age_days": policy.max_password_age().unwrap_or(0),
        "reuse_prevention": policy.password_reuse_prevention().unwrap_or(0),
        "hard_expiry": policy.hard_expiry().unwrap_or(false),
    })
}

/// UpdateAccountPasswordPolicy sets every field at once, so `after` holds the whole policy
/// (the live values for the fields the spec leaves out).
async fn write(
    ctx: &AwsContext,
    after: &Value,
) -> Result<
    (),
    aws_sdk_iam::error::SdkError<
        aws_sdk_iam::operation::update_account_password_policy::UpdateAccountPasswordPolicyError,
    >,
> {
    let int = |key: &str| {
        after
            .get(key)
            .and_then(Value::as_i64)
            .and_then(|v| i32::try_from(v).ok())
            .filter(|v| *v > 0)
    };
    let flag = |key: &str| after.get(key).and_then(Value::as_bool);
    ctx.iam()
        .update_account_password_policy()
        .set_minimum_password_length(int("minimum_length"))
        .set_require_symbols(flag("require_symbols"))
        .set_require_numbers(flag("require_numbers"))
        .set_require_uppercase_characters(flag("require_uppercase"))
        .set_require_lowercase_characters(flag("require_lowercase"))
        .set_allow_users_to_change_password(flag("allow_users_to_change"))
        .set_max_password_age(int("max_age_days"))
        .set_password_reuse_prevention(int("reuse_prevention"))
        .set_hard_expiry(flag("hard_expiry"))
        .send()
        .await
        .map(|_| ())
}
