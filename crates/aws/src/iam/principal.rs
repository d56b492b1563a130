//! What groups, users and roles share: their managed and inline policies, declared from
//! the spec, read from IAM and brought in line with a change.

use std::collections::{BTreeMap, BTreeSet};

use baseline_core::plan::Grant;
use baseline_core::scope::Scope;
use baseline_core::spec::{IamName, IdentityPolicy, ManagedPolicy};
use baseline_core::{ProviderError, ResourceAddr, policy};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::context::AwsContext;
use crate::error::call;

/// The fields of [`Permissions`] that grant, for a group's or role's `GRANTS`.
pub(crate) const POLICIES: &[(&str, Grant)] = &[
    ("managed_policies", Grant::ManagedPolicies),
    ("inline_policies", Grant::InlinePolicies),
];

/// The permission fields of a group, user or role, flattened into each one's state:
/// managed policy ARNs (sorted) and inline policy documents by name (canonical).
#[serde_with::skip_serializing_none]
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Permissions {
    pub managed_policies: Option<Vec<String>>,
    pub inline_policies: Option<BTreeMap<String, Value>>,
}

impl Permissions {
    /// The permissions the file declares. They are authoritative: an identity the file
    /// declares has the policies the file gives it and no others (none when it names none),
    /// unless it keeps extra permissions (`extra_permissions: keep`), and then only what is
    /// declared is compared.
    pub(crate) fn declared(
        scope: &Scope,
        keep_extra: bool,
        managed: Option<&[ManagedPolicy]>,
        inline: Option<&BTreeMap<IamName, IdentityPolicy>>,
    ) -> Self {
        let managed_policies = (managed.is_some() || !keep_extra).then(|| {
            let mut arns: Vec<String> = managed
                .into_iter()
                .flatten()
                .map(|m| m.arn(scope))
                .collect();
            arns.sort();
            arns.dedup();
            arns
        });
        let inline_policies = (inline.is_some() || !keep_extra).then(|| {
            inline
                .into_iter()
                .flatten()
                .map(|(name, doc)| (name.to_string(), policy::normalize(&doc.0)))
                .collect()
        });
        Self {
            managed_policies,
            inline_policies,
        }
    }
}

/// The new value of a declared field that differs from the live one; `None` when the field
/// is not declared or already has it.
pub(crate) fn changed<'a, T: PartialEq>(before: &Option<T>, after: &'a Option<T>) -> Option<&'a T> {
    after.as_ref().filter(|_| after != before)
}

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

    /// The permissions the identity has: every managed and inline policy.
    pub(crate) async fn permissions(
        self,
        ctx: &AwsContext,
        address: &ResourceAddr,
    ) -> Result<Permissions, ProviderError> {
        Ok(Permissions {
            managed_policies: Some(self.attached(ctx, address).await?),
            inline_policies: Some(self.inline(ctx, address).await?),
        })
    }

    /// Brings the declared permissions of `after` in line with `before` (the live ones;
    /// `None` for a new identity). Fields `after` does not hold are left alone.
    pub(crate) async fn sync_permissions(
        self,
        ctx: &AwsContext,
        address: &ResourceAddr,
        before: Option<&Permissions>,
        after: &Permissions,
    ) -> Result<(), ProviderError> {
        if let Some(want) = &after.managed_policies {
            let have: BTreeSet<&String> = before
                .and_then(|b| b.managed_policies.as_ref())
                .into_iter()
                .flatten()
                .collect();
            let want: BTreeSet<&String> = want.iter().collect();
            for arn in want.difference(&have) {
                self.attach(ctx, address, arn).await?;
            }
            for arn in have.difference(&want) {
                self.detach(ctx, address, arn).await?;
            }
        }
        if let Some(want) = &after.inline_policies {
            let have = before.and_then(|b| b.inline_policies.as_ref());
            for (name, document) in want {
                if have.and_then(|h| h.get(name)) != Some(document) {
                    self.put_inline(ctx, address, name, document).await?;
                }
            }
            for name in have.into_iter().flat_map(BTreeMap::keys) {
                if !want.contains_key(name) {
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
