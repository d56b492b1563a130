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
use crate::kind::Done;

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

/// Sends the group's, the user's or the role's form of one IAM request, whichever
/// `$principal` is. Each form names its operation right after `address,` (where the CI
/// policy check finds it) and its client method; the name setter follows from the form, and
/// the rest of the request, the same for all three, follows `=>`. The three answers are of
/// three types: `then` makes them one (`drop` when only success matters).
macro_rules! per_principal {
    ($principal:expr, $iam:expr, $(then $then:expr,)?
     Group($group_address:expr, $group_op:literal, $group:ident),
     User($user_address:expr, $user_op:literal, $user:ident),
     Role($role_address:expr, $role_op:literal, $role:ident)
     => $($rest:tt)*) => {
        match $principal {
            Principal::Group(name) => {
                call!($group_address, $group_op, $iam.$group().group_name(name)$($rest)*)
                    $(.map($then))?
            }
            Principal::User(name) => {
                call!($user_address, $user_op, $iam.$user().user_name(name)$($rest)*)
                    $(.map($then))?
            }
            Principal::Role(name) => {
                call!($role_address, $role_op, $iam.$role().role_name(name)$($rest)*)
                    $(.map($then))?
            }
        }
    };
}

/// Lists what hangs off an identity and removes each item, as IAM requires before the
/// identity goes. Both requests get the identity's name with `$by(name)`; the removal also
/// gets the item's id with `$id(...)`, read from `$item`. Each request names its operation
/// right after `address,` (where the CI policy check finds it).
macro_rules! remove_listed {
    ($iam:expr, $by:ident($name:expr),
     list($list_address:expr, $list_op:literal, $list:ident),
     remove($remove_address:expr, $remove_op:literal, $remove:ident),
     for $item:ident => $id:ident($value:expr)) => {
        let listed = $crate::error::list_all!($list_address, $list_op, $iam.$list().$by($name))?;
        for $item in listed {
            $crate::error::call!(
                $remove_address,
                $remove_op,
                $iam.$remove().$by($name).$id($value).send()
            )?;
        }
    };
}
pub(crate) use remove_listed;

impl Principal<'_> {
    /// ARNs of the attached managed policies, sorted.
    pub(crate) async fn attached(
        self,
        ctx: &AwsContext,
        address: &ResourceAddr,
    ) -> Result<Vec<String>, ProviderError> {
        let policies = per_principal!(self, ctx.iam(),
            Group(address, "iam:ListAttachedGroupPolicies", list_attached_group_policies),
            User(address, "iam:ListAttachedUserPolicies", list_attached_user_policies),
            Role(address, "iam:ListAttachedRolePolicies", list_attached_role_policies)
            => .into_paginator().items().send().try_collect()
        )?;
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
        let names: Vec<String> = per_principal!(self, iam,
            Group(address, "iam:ListGroupPolicies", list_group_policies),
            User(address, "iam:ListUserPolicies", list_user_policies),
            Role(address, "iam:ListRolePolicies", list_role_policies)
            => .into_paginator().items().send().try_collect()
        )?;
        let mut documents = BTreeMap::new();
        for policy_name in names {
            let text = per_principal!(self, iam, then |out| out.policy_document,
                Group(address, "iam:GetGroupPolicy", get_group_policy),
                User(address, "iam:GetUserPolicy", get_user_policy),
                Role(address, "iam:GetRolePolicy", get_role_policy)
                => .policy_name(&policy_name).send()
            )?;
            documents.insert(policy_name, document(address, &text)?);
        }
        Ok(documents)
    }

    pub(crate) async fn attach(self, ctx: &AwsContext, address: &ResourceAddr, arn: &str) -> Done {
        per_principal!(self, ctx.iam(), then drop,
            Group(address, "iam:AttachGroupPolicy", attach_group_policy),
            User(address, "iam:AttachUserPolicy", attach_user_policy),
            Role(address, "iam:AttachRolePolicy", attach_role_policy)
            => .policy_arn(arn).send()
        )
    }

    pub(crate) async fn detach(self, ctx: &AwsContext, address: &ResourceAddr, arn: &str) -> Done {
        per_principal!(self, ctx.iam(), then drop,
            Group(address, "iam:DetachGroupPolicy", detach_group_policy),
            User(address, "iam:DetachUserPolicy", detach_user_policy),
            Role(address, "iam:DetachRolePolicy", detach_role_policy)
            => .policy_arn(arn).send()
        )
    }

    pub(crate) async fn put_inline(
        self,
        ctx: &AwsContext,
        address: &ResourceAddr,
        policy_name: &str,
        document: &Value,
    ) -> Done {
        let text = policy::to_text(document);
        per_principal!(self, ctx.iam(), then drop,
            Group(address, "iam:PutGroupPolicy", put_group_policy),
            User(address, "iam:PutUserPolicy", put_user_policy),
            Role(address, "iam:PutRolePolicy", put_role_policy)
            => .policy_name(policy_name).policy_document(text).send()
        )
    }

    pub(crate) async fn delete_inline(
        self,
        ctx: &AwsContext,
        address: &ResourceAddr,
        policy_name: &str,
    ) -> Done {
        per_principal!(self, ctx.iam(), then drop,
            Group(address, "iam:DeleteGroupPolicy", delete_group_policy),
            User(address, "iam:DeleteUserPolicy", delete_user_policy),
            Role(address, "iam:DeleteRolePolicy", delete_role_policy)
            => .policy_name(policy_name).send()
        )
    }

    /// Moves the group or user to `path`. IAM cannot move a role: that is an error.
    pub(crate) async fn move_to(
        self,
        ctx: &AwsContext,
        address: &ResourceAddr,
        path: &str,
    ) -> Done {
        let iam = ctx.iam();
        match self {
            Principal::Group(name) => call!(
                address,
                "iam:UpdateGroup",
                iam.update_group().group_name(name).new_path(path).send()
            )
            .map(drop),
            Principal::User(name) => call!(
                address,
                "iam:UpdateUser",
                iam.update_user().user_name(name).new_path(path).send()
            )
            .map(drop),
            Principal::Role(_) => Err(ProviderError {
                address: address.clone(),
                operation: "iam:UpdateRole".to_owned(),
                code: None,
                message: "IAM cannot move a role to another path".to_owned(),
                hint: Some(
                    "keep the role's current path, or remove the role and declare it anew"
                        .to_owned(),
                ),
            }),
        }
    }

    /// The permissions the identity has: every managed and inline policy.
    pub(crate) async fn permissions(
        self,
        ctx: &AwsContext,
        address: &ResourceAddr,
    ) -> Result<Permissions, ProviderError> {
        // Asked at once: the two lists do not depend on each other.
        let (managed, inline) =
            tokio::try_join!(self.attached(ctx, address), self.inline(ctx, address))?;
        Ok(Permissions {
            managed_policies: Some(managed),
            inline_policies: Some(inline),
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

    /// Deletes the identity, after its managed policies are detached and its inline ones
    /// deleted (IAM refuses while it has any).
    pub(crate) async fn delete(self, ctx: &AwsContext, address: &ResourceAddr) -> Done {
        for arn in self.attached(ctx, address).await? {
            self.detach(ctx, address, &arn).await?;
        }
        for name in self.inline(ctx, address).await?.keys() {
            self.delete_inline(ctx, address, name).await?;
        }
        per_principal!(self, ctx.iam(), then drop,
            Group(address, "iam:DeleteGroup", delete_group),
            User(address, "iam:DeleteUser", delete_user),
            Role(address, "iam:DeleteRole", delete_role)
            => .send()
        )
    }
}

/// IAM's answer when the thing asked for is not there.
pub(crate) const NO_SUCH_ENTITY: &[&str] = &["NoSuchEntity"];
