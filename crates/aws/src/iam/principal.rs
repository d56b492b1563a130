//! What groups, users and roles share: their managed and inline policies, read into
//! canonical JSON and brought in line with a change.

use std::collections::{BTreeMap, BTreeSet};

use baseline_core::{ProviderError, ResourceAddr, policy};
use serde_json::Value;

use crate::context::AwsContext;
use crate::error::call;

/// The IAM identity that policies are attached to.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Principal<'a> {
    Group(&'a str),
    User(&'a str),
    Role(&'a str),
}

/// A policy document as IAM returns it (URL-encoded JSON), in canonical form.
pub(crate) fn document(address: &ResourceAddr, text: &str) -> Result<Value, ProviderError> {
    policy::parse(text)
        .map(|doc| policy::normalize(&doc))
        .map_err(|err| ProviderError {
            address: address.clone(),
            operation: "baseline:ParsePolicy".to_owned(),
            code: None,
            message: err.to_string(),
            hint: None,
        })
}

impl Principal<'_> {
    /// ARNs of the attached managed policies, sorted.
    pub(crate) async fn attached(
        self,
        ctx: &AwsContext,
        address: &ResourceAddr,
    ) -> Result<Vec<String>, ProviderError> {
        let iam = ctx.iam();
        let policies = match self {
            Principal::Group(name) => call!(
                address,
                "iam:ListAttachedGroupPolicies",
                iam.list_attached_group_policies()
                    .group_name(name)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
            )?,
            Principal::User(name) => call!(
                address,
                "iam:ListAttachedUserPolicies",
                iam.list_attached_user_policies()
                    .user_name(name)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
            )?,
            Principal::Role(name) => call!(
                address,
                "iam:ListAttachedRolePolicies",
                iam.list_attached_role_policies()
                    .role_name(name)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
            )?,
        };
        let mut arns: Vec<String> = policies
            .iter()
            .filter_map(|p| p.policy_arn().map(str::to_owned))
            .collect();
        arns.sort();
        Ok(arns)
    }

    /// Inline policies by name, canonical.
    pub(crate) async fn inline(
        self,
        ctx: &AwsContext,
        address: &ResourceAddr,
    ) -> Result<BTreeMap<String, Value>, ProviderError> {
        let iam = ctx.iam();
        let names: Vec<String> = match self {
            Principal::Group(name) => call!(
                address,
                "iam:ListGroupPolicies",
                iam.list_group_policies()
                    .group_name(name)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
            )?,
            Principal::User(name) => call!(
                address,
                "iam:ListUserPolicies",
                iam.list_user_policies()
                    .user_name(name)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
            )?,
            Principal::Role(name) => call!(
                address,
                "iam:ListRolePolicies",
                iam.list_role_policies()
                    .role_name(name)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
            )?,
        };
        let mut documents = BTreeMap::new();
        for policy_name in names {
            let text = match self {
                Principal::Group(name) => {
                    call!(
                        address,
                        "iam:GetGroupPolicy",
                        iam.get_group_policy()
                            .group_name(name)
                            .policy_name(&policy_name)
                            .send()
                    )?
                    .policy_document
                }
                Principal::User(name) => {
                    call!(
                        address,
                        "iam:GetUserPolicy",
                        iam.get_user_policy()
                            .user_name(name)
                            .policy_name(&policy_name)
                            .send()
                    )?
                    .policy_document
                }
                Principal::Role(name) => {
                    call!(
                        address,
                        "iam:GetRolePolicy",
                        iam.get_role_policy()
                            .role_name(name)
                            .policy_name(&policy_name)
                            .send()
                    )?
                    .policy_document
                }
            };
            documents.insert(policy_name, document(address, &text)?);
        }
        Ok(documents)
    }

    pub(crate) async fn attach(
        self,
        ctx: &AwsContext,
        address: &ResourceAddr,
        arn: &str,
    ) -> Result<(), ProviderError> {
        let iam = ctx.iam();
        match self {
            Principal::Group(name) => {
                call!(
                    address,
                    "iam:AttachGroupPolicy",
                    iam.attach_group_policy()
                        .group_name(name)
                        .policy_arn(arn)
                        .send()
                )?;
            }
            Principal::User(name) => {
                call!(
                    address,
                    "iam:AttachUserPolicy",
                    iam.attach_user_policy()
                        .user_name(name)
                        .policy_arn(arn)
                        .send()
                )?;
            }
            Principal::Role(name) => {
                call!(
                    address,
                    "iam:AttachRolePolicy",
                    iam.attach_role_policy()
                        .role_name(name)
                        .policy_arn(arn)
                        .send()
                )?;
            }
        }
        Ok(())
    }

    pub(crate) async fn detach(
        self,
        ctx: &AwsContext,
        address: &ResourceAddr,
        arn: &str,
    ) -> Result<(), ProviderError> {
        let iam = ctx.iam();
        match self {
            Principal::Group(name) => {
                call!(
                    address,
                    "iam:DetachGroupPolicy",
                    iam.detach_group_policy()
                        .group_name(name)
                        .policy_arn(arn)
                        .send()
                )?;
            }
            Principal::User(name) => {
                call!(
                    address,
                    "iam:DetachUserPolicy",
                    iam.detach_user_policy()
                        .user_name(name)
                        .policy_arn(arn)
                        .send()
                )?;
            }
            Principal::Role(name) => {
                call!(
                    address,
                    "iam:DetachRolePolicy",
                    iam.detach_role_policy()
                        .role_name(name)
                        .policy_arn(arn)
                        .send()
                )?;
            }
        }
        Ok(())
    }

    pub(crate) async fn put_inline(
        self,
        ctx: &AwsContext,
        address: &ResourceAddr,
        policy_name: &str,
        document: &Value,
    ) -> Result<(), ProviderError> {
        let iam = ctx.iam();
        let text = policy::to_text(document);
        match self {
            Principal::Group(name) => {
                call!(
                    address,
                    "iam:PutGroupPolicy",
                    iam.put_group_policy()
                        .group_name(name)
                        .policy_name(policy_name)
                        .policy_document(text)
                        .send()
                )?;
            }
            Principal::User(name) => {
                call!(
                    address,
                    "iam:PutUserPolicy",
                    iam.put_user_policy()
                        .user_name(name)
                        .policy_name(policy_name)
                        .policy_document(text)
                        .send()
                )?;
            }
            Principal::Role(name) => {
                call!(
                    address,
                    "iam:PutRolePolicy",
                    iam.put_role_policy()
                        .role_name(name)
                        .policy_name(policy_name)
                        .policy_document(text)
                        .send()
                )?;
            }
        }
        Ok(())
    }

    pub(crate) async fn delete_inline(
        self,
        ctx: &AwsContext,
        address: &ResourceAddr,
        policy_name: &str,
    ) -> Result<(), ProviderError> {
        let iam = ctx.iam();
        match self {
            Principal::Group(name) => {
                call!(
                    address,
                    "iam:DeleteGroupPolicy",
                    iam.delete_group_policy()
                        .group_name(name)
                        .policy_name(policy_name)
                        .send()
                )?;
            }
            Principal::User(name) => {
                call!(
                    address,
                    "iam:DeleteUserPolicy",
                    iam.delete_user_policy()
                        .user_name(name)
                        .policy_name(policy_name)
                        .send()
                )?;
            }
            Principal::Role(name) => {
                call!(
                    address,
                    "iam:DeleteRolePolicy",
                    iam.delete_role_policy()
                        .role_name(name)
                        .policy_name(policy_name)
                        .send()
                )?;
            }
        }
        Ok(())
    }

    /// Brings the declared policy fields of `after` in line with `before` (the live state;
    /// `None` for a new identity). Fields `after` does not hold are left alone.
    pub(crate) async fn sync_policies(
        self,
        ctx: &AwsContext,
        address: &ResourceAddr,
        before: Option<&Value>,
        after: &Value,
    ) -> Result<(), ProviderError> {
        if let Some(want) = after.get("managed_policies") {
            let have = strings(before.and_then(|b| b.get("managed_policies")));
            let want = strings(Some(want));
            for arn in want.difference(&have) {
                self.attach(ctx, address, arn).await?;
            }
            for arn in have.difference(&want) {
                self.detach(ctx, address, arn).await?;
            }
        }
        if let Some(Value::Object(want)) = after.get("inline_policies") {
            let have = before.and_then(|b| b.get("inline_policies"));
            for (name, document) in want {
                if have.and_then(|h| h.get(name)) != Some(document) {
                    self.put_inline(ctx, address, name, document).await?;
                }
            }
            if let Some(Value::Object(have)) = have {
                for name in have.keys().filter(|n| !want.contains_key(*n)) {
                    self.delete_inline(ctx, address, name).await?;
                }
            }
        }
        Ok(())
    }

    /// Detaches every managed policy and deletes every inline one, before a delete.
    pub(crate) async fn strip_policies(
        self,
        ctx: &AwsContext,
        address: &ResourceAddr,
    ) -> Result<(), ProviderError> {
        for arn in self.attached(ctx, address).await? {
            self.detach(ctx, address, &arn).await?;
        }
        for name in self.inline(ctx, address).await?.keys() {
            self.delete_inline(ctx, address, name).await?;
        }
        Ok(())
    }
}

/// A JSON list of strings as a set.
pub(crate) fn strings(value: Option<&Value>) -> BTreeSet<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether an SDK error is IAM's NoSuchEntity.
pub(crate) fn is_not_found<E, R>(
    err: &aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> bool
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata,
{
    err.as_service_error()
        .is_some_and(|e| crate::error::has_code(e, &["NoSuchEntity"]))
}
