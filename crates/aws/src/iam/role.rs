//! `iam.roles.NAME` → an IAM role: who may assume it (accounts, optionally only with MFA,
//! and AWS services), its managed and inline policies, and its maximum session length.

use std::time::Duration;

use baseline_core::plan::Desired;
use baseline_core::spec::{AccountRef, Ensure, RoleSpec, TrustSpec, keeps_extra};
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec, policy};
use serde_json::{Map, Value, json};

use crate::context::AwsContext;
use crate::error::{call, create};
use crate::error::{sdk_error, unsupported};
use crate::iam::group::policy_fields;
use crate::iam::principal::{Principal, document, is_not_found};
use crate::kind::{LegacyKind, name_of};
use baseline_core::scope::Scope;

pub(crate) struct Role;

const KIND: &str = "iam_role";

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
    let mut state = Map::new();
    if role.ensure == Ensure::Present {
        if let Some(path) = &role.path {
            state.insert("path".to_owned(), json!(path.as_str()));
        }
        if let Some(description) = &role.description {
            state.insert("description".to_owned(), json!(description));
        }
        if let Some(trust) = &role.trust {
            state.insert(
                "trust".to_owned(),
                trust_document(trust, &scope.partition, &scope.account_id),
            );
        }
        policy_fields(
            &mut state,
            scope,
            keeps_extra(role.extra_permissions),
            role.managed_policies.as_ref(),
            role.inline_policies.as_ref(),
        );
        if let Some(seconds) = role.max_session_duration {
            state.insert("max_session_duration".to_owned(), json!(seconds.get()));
        }
    }
    Desired {
        address: ResourceAddr::named(KIND, name),
        ensure: role.ensure,
        state: Value::Object(state),
        depends_on: Vec::new(),
        manual: None,
        cis: if role
            .managed_policies
            .iter()
            .flatten()
            .any(|p| p.arn(scope).ends_with("/AWSSupportAccess"))
        {
            vec!["1.17".to_owned()]
        } else {
            Vec::new()
        },
        write_only: Value::Null,
        grants: &[],
    }
}

impl LegacyKind for Role {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(iam) = &spec.iam else {
            return Vec::new();
        };
        iam.roles
            .iter()
            .map(|(name, role)| desired_role(name.as_str(), &role.value, scope))
            .collect()
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let name = name_of(address);
            let out = match ctx.iam().get_role().role_name(name).send().await {
                Ok(out) => out,
                Err(err) if is_not_found(&err) => return Ok(None),
                Err(err) => return Err(sdk_error(address, "iam:GetRole", &err)),
            };
            let Some(role) = out.role() else {
                return Ok(None);
            };
            let trust = match role.assume_role_policy_document() {
                Some(text) => document(address, text)?,
                None => Value::Null,
            };
            let principal = Principal::Role(name);
            Ok(Some(json!({
                "path": role.path(),
                "description": role.description().unwrap_or_default(),
                "trust": trust,
                "managed_policies": principal.attached(ctx, address).await?,
                "inline_policies": principal.inline(ctx, address).await?,
                "max_session_duration": role.max_session_duration().unwrap_or(3600),
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
            let name = name_of(address);
            let iam = ctx.iam();
            let principal = Principal::Role(name);
            let text = |key: &str| {
                change
                    .after
                    .as_ref()
                    .and_then(|a| a.get(key))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            let seconds = change
                .after
                .as_ref()
                .and_then(|a| a.get("max_session_duration"))
                .and_then(Value::as_i64)
                .and_then(|s| i32::try_from(s).ok());
            match (change.action, &change.after) {
                (Action::Create, Some(after)) => {
                    let trust = after.get("trust").map(policy::to_text).unwrap_or_default();
                    let created = create!(
                        address,
                        "iam:CreateRole",
                        &["EntityAlreadyExists"],
                        iam.create_role()
                            .role_name(name)
                            .assume_role_policy_document(&trust)
                            .set_path(text("path"))
                            .set_description(text("description"))
                            .set_max_session_duration(seconds)
                            .send()
                    )?;
                    // Already there (an earlier try's answer was lost, or a run was cut
                    // short): its trust is made the planned one before anything else.
                    if !created {
                        put_trust(ctx, address, name, trust).await?;
                    }
                    wait_until_exists(ctx, address, name).await?;
                    principal.sync_policies(ctx, address, None, after).await
                }
                (Action::Update, Some(after)) => {
                    let before = change.before.as_ref();
                    let changed = |key: &str| {
                        after.get(key).is_some()
                            && after.get(key) != before.and_then(|b| b.get(key))
                    };
                    if changed("path") {
                        return Err(ProviderError {
                            address: address.clone(),
                            operation: "iam:UpdateRole".to_owned(),
                            code: None,
                            message: "IAM cannot move a role to another path".to_owned(),
                            hint: Some("keep the role's current path, or remove the role and declare it anew".to_owned()),
                        });
                    }
                    if changed("trust") {
                        let trust = after.get("trust").map(policy::to_text).unwrap_or_default();
                        put_trust(ctx, address, name, trust).await?;
                    }
                    if changed("description") || changed("max_session_duration") {
                        call!(
                            address,
                            "iam:UpdateRole",
                            iam.update_role()
                                .role_name(name)
                                .set_description(text("description"))
                                .set_max_session_duration(seconds)
                                .send()
                        )?;
                    }
                    principal.sync_policies(ctx, address, before, after).await
                }
                (Action::Delete, _) => {
                    let profiles = call!(
                        address,
                        "iam:ListInstanceProfilesForRole",
                        iam.list_instance_profiles_for_role()
                            .role_name(name)
                            .into_paginator()
                            .items()
                            .send()
                            .try_collect()
                    )?;
                    for profile in profiles {
                        call!(
                            address,
                            "iam:RemoveRoleFromInstanceProfile",
                            iam.remove_role_from_instance_profile()
                                .role_name(name)
                                .instance_profile_name(profile.instance_profile_name())
                                .send()
                        )?;
                    }
                    principal.strip_policies(ctx, address).await?;
                    call!(
                        address,
                        "iam:DeleteRole",
                        iam.delete_role().role_name(name).send()
                    )?;
                    Ok(())
                }
                (action, _) => Err(unsupported(address, &format!("{action:?}"))),
            }
        })
    }
}

/// Sets a role's trust policy.
async fn put_trust(
    ctx: &AwsContext,
    address: &ResourceAddr,
    name: &str,
    trust: String,
) -> Result<(), ProviderError> {
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
async fn wait_until_exists(
    ctx: &AwsContext,
    address: &ResourceAddr,
    name: &str,
) -> Result<(), ProviderError> {
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
