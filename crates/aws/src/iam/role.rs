//! `iam.roles.NAME` → an IAM role: who may assume it (accounts, optionally only with MFA,
//! and AWS services), its managed and inline policies, and its maximum session length.

use std::time::Duration;

use baseline_core::plan::Desired;
use baseline_core::plan::{Grant, Grants};
use baseline_core::scope::Scope;
use baseline_core::spec::{AccountRef, Ensure, RoleSpec, TrustSpec, keeps_extra};
use baseline_core::{ProviderError, ResourceAddr, Spec, policy};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::{call, create, found};
use crate::iam::principal::{
    NO_SUCH_ENTITY, Permissions, Principal, changed, document, remove_listed,
};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare, name_of};

pub(crate) struct Role;

/// A role: only the declared fields in the desired state, every field in a read (an unset
/// description reads as empty, an unset maximum session as IAM's default, one hour).
#[serde_with::skip_serializing_none]
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct State {
    path: Option<String>,
    description: Option<String>,
    /// The trust policy, canonical.
    trust: Option<Value>,
    #[serde(flatten)]
    permissions: Permissions,
    /// Seconds.
    max_session_duration: Option<i64>,
}

/// The trust policy of a role that an AWS service assumes for baseline: only on behalf of
/// this account (`aws:SourceAccount`) and, where the caller is known, of that resource
/// (`aws:SourceArn`, a pattern), as AWS's confused-deputy guidance asks.
pub(crate) fn service_trust(service: &str, scope: &Scope, source_arn: Option<&str>) -> Value {
    let mut condition = json!({"StringEquals": {"aws:SourceAccount": scope.account_id}});
    if let Some(arn) = source_arn {
        condition["ArnLike"] = json!({"aws:SourceArn": arn});
    }
    policy::normalize(&json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service},
                       "Action": "sts:AssumeRole", "Condition": condition}]
    }))
}

/// A role baseline itself declares for an AWS service (CloudTrail's logs role, the
/// EventBridge forward role, Config's aggregator role), in the `iam_role` kind's state:
/// the service's trust, the managed policies by ARN and the inline policies by name, and
/// no others.
pub(crate) fn service_role(
    name: &str,
    trust: Value,
    managed: Vec<String>,
    inline: &[(&str, Value)],
) -> Desired {
    let state = State {
        trust: Some(trust),
        permissions: Permissions {
            managed_policies: Some(managed),
            inline_policies: Some(
                inline
                    .iter()
                    .map(|(name, document)| ((*name).to_owned(), document.clone()))
                    .collect(),
            ),
        },
        ..State::default()
    };
    declare(ResourceAddr::named(Role::KIND, name), &state)
}

/// The trust policy the spec describes, canonical.
pub(crate) fn trust_document(trust: &TrustSpec, partition: &str, account_id: &str) -> Value {
    if let Some(document) = &trust.document {
        return policy::normalize(&document.0);
    }
    let mut statements = Vec::new();
    if !trust.accounts.0.is_empty() {
        let mut arns: Vec<String> = trust
            .accounts
            .0
            .iter()
            .map(|account| {
                let id = match account {
                    AccountRef::SelfAccount => account_id,
                    AccountRef::Id(id) => id.as_str(),
                };
                format!("arn:{partition}:iam::{id}:root")
            })
            .collect();
        arns.sort();
        arns.dedup();
        let mut statement = json!({
            "Effect": "Allow",
            "Principal": {"AWS": arns},
            "Action": "sts:AssumeRole",
        });
        if trust.require_mfa {
            statement["Condition"] = json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}});
        }
        statements.push(statement);
    }
    if !trust.services.0.is_empty() {
        statements.push(json!({
            "Effect": "Allow",
            "Principal": {"Service": trust.services.0},
            "Action": "sts:AssumeRole",
        }));
    }
    policy::normalize(&json!({"Version": "2012-10-17", "Statement": statements}))
}

fn desired_role(name: &str, role: &RoleSpec, scope: &Scope) -> Desired {
    let state = if role.ensure == Ensure::Present {
        State {
            path: role.path.as_ref().map(|p| p.as_str().to_owned()),
            description: role.description.clone(),
            trust: role
                .trust
                .as_ref()
                .map(|trust| trust_document(trust, &scope.partition, &scope.account_id)),
            permissions: Permissions::declared(
                scope,
                keeps_extra(role.extra_permissions),
                role.managed_policies.as_deref(),
                role.inline_policies.as_ref(),
            ),
            max_session_duration: role.max_session_duration.map(|s| s.get()),
        }
    } else {
        State::default()
    };
    let mut desired = declare(ResourceAddr::named(Role::KIND, name), &state);
    desired.ensure = role.ensure;
    if role
        .managed_policies
        .iter()
        .flatten()
        .any(|p| p.arn(scope).ends_with("/AWSSupportAccess"))
    {
        desired = desired.cis(&["1.17"]);
    }
    desired
}

impl State {
    /// The maximum session as IAM takes it.
    fn seconds(&self) -> Option<i32> {
        self.max_session_duration
            .and_then(|s| i32::try_from(s).ok())
    }
}

impl Kind for Role {
    type State = State;
    const KIND: &'static str = "iam_role";
    const GRANTS: Grants = &[
        ("managed_policies", Grant::ManagedPolicies),
        ("inline_policies", Grant::InlinePolicies),
        ("trust", Grant::Trust),
    ];

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let roles = spec.iam.iter().flat_map(|iam| &iam.roles);
        roles
            .map(|(name, role)| desired_role(name.as_str(), &role.value, scope))
            .collect()
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let address = read.address;
        let name = name_of(address);
        let answer = ctx.iam().get_role().role_name(name).send().await;
        let Some(out) = found(address, "iam:GetRole", NO_SUCH_ENTITY, answer)? else {
            return Ok(None);
        };
        let Some(role) = out.role() else {
            return Ok(None);
        };
        // A role without a trust policy (IAM always gives one) reads as `null`.
        let trust = match role.assume_role_policy_document() {
            Some(text) => document(address, text)?,
            None => Value::Null,
        };
        Ok(Some(State {
            path: Some(role.path().to_owned()),
            description: Some(role.description().unwrap_or_default().to_owned()),
            trust: Some(trust),
            permissions: Principal::Role(name).permissions(ctx, address).await?,
            max_session_duration: Some(i64::from(role.max_session_duration().unwrap_or(3600))),
        }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        let address = &change.address;
        let name = name_of(address);
        // The spec requires `trust` of every role, and the kinds that declare roles give one:
        // only a plan edited by hand lacks it.
        let Some(trust) = &after.trust else {
            return Err(ProviderError {
                address: address.clone(),
                operation: "iam:CreateRole".to_owned(),
                code: None,
                message: "the plan gives the new role no trust policy (`trust`)".to_owned(),
                hint: Some("make the plan again from the baseline file".to_owned()),
            });
        };
        let trust = policy::to_text(trust);
        let created = create!(
            address,
            "iam:CreateRole",
            &["EntityAlreadyExists"],
            ctx.iam()
                .create_role()
                .role_name(name)
                .assume_role_policy_document(&trust)
                .set_path(after.path.clone())
                .set_description(after.description.clone())
                .set_max_session_duration(after.seconds())
                .send()
        )?;
        // Already there (an earlier try's answer was lost, or a run was cut short): its
        // trust is made the planned one before anything else.
        if !created {
            put_trust(ctx, address, name, trust).await?;
        }
        wait_until_exists(ctx, address, name).await?;
        Principal::Role(name)
            .sync_permissions(ctx, address, None, &after.permissions)
            .await
    }

    async fn update(&self, ctx: &AwsContext, change: &Change, old: &State, new: &State) -> Done {
        let address = &change.address;
        let name = name_of(address);
        if let Some(path) = changed(&old.path, &new.path) {
            Principal::Role(name).move_to(ctx, address, path).await?;
        }
        if let Some(trust) = changed(&old.trust, &new.trust) {
            put_trust(ctx, address, name, policy::to_text(trust)).await?;
        }
        if changed(&old.description, &new.description).is_some()
            || changed(&old.max_session_duration, &new.max_session_duration).is_some()
        {
            call!(
                address,
                "iam:UpdateRole",
                ctx.iam()
                    .update_role()
                    .role_name(name)
                    .set_description(new.description.clone())
                    .set_max_session_duration(new.seconds())
                    .send()
            )?;
        }
        Principal::Role(name)
            .sync_permissions(ctx, address, Some(&old.permissions), &new.permissions)
            .await
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, _before: &State) -> Done {
        let address = &change.address;
        let name = name_of(address);
        let iam = ctx.iam();
        remove_listed!(iam, role_name(name),
            list(address, "iam:ListInstanceProfilesForRole", list_instance_profiles_for_role),
            remove(address, "iam:RemoveRoleFromInstanceProfile", remove_role_from_instance_profile),
            for profile => instance_profile_name(profile.instance_profile_name()));
        Principal::Role(name).delete(ctx, address).await
    }
}

/// Sets a role's trust policy.
async fn put_trust(ctx: &AwsContext, address: &ResourceAddr, name: &str, trust: String) -> Done {
    call!(
        address,
        "iam:UpdateAssumeRolePolicy",
        ctx.iam()
            .update_assume_role_policy()
            .role_name(name)
            .policy_document(trust)
            .send()
    )?;
    Ok(())
}

/// IAM is eventually consistent: a new role is awaited with the SDK's `RoleExists` waiter
/// until IAM answers for it. Reaching other services takes longer; the calls that check a
/// role at the API (CloudTrail's, for one) try again while AWS says it is not usable yet
/// (`error::retry_while_propagating`), so no fixed sleep is needed here.
async fn wait_until_exists(ctx: &AwsContext, address: &ResourceAddr, name: &str) -> Done {
    use aws_sdk_iam::client::Waiters;
    ctx.iam()
        .wait_until_role_exists()
        .role_name(name)
        .wait(Duration::from_secs(60))
        .await
        .map(|_| ())
        .map_err(|err| ProviderError {
            address: address.clone(),
            operation: "iam:GetRole".to_owned(),
            code: None,
            message: format!("the new role did not appear in IAM: {err}"),
            hint: Some("IAM may be slow to answer; run apply again".to_owned()),
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The roles CloudTrail, Config and the alerts declare, and a read role, keep their
    /// JSON through the typed state: plans made from them apply as before.
    #[test]
    fn roles_keep_their_json_through_the_state() {
        let declared = json!({
            "trust": {"Version": "2012-10-17", "Statement": []},
            "managed_policies": [],
            "inline_policies": {"write-trail-events": {"Version": "2012-10-17"}},
        });
        let read = json!({
            "path": "/", "description": "", "trust": null, "managed_policies": ["arn"],
            "inline_policies": {}, "max_session_duration": 3600,
        });
        let state = State::deserialize(&declared).expect("fits");
        assert_eq!(crate::kind::canonical(&state), declared);
        let state = State::deserialize(&read).expect("fits");
        assert_eq!(state.seconds(), Some(3600));
        let live = State {
            trust: Some(Value::Null),
            ..state
        };
        assert_eq!(crate::kind::canonical(&live), read);
    }
}
