//! `iam.groups.NAME` → an IAM group: path, managed and inline policies, and `require_mfa`,
//! the policy that denies everything but MFA self-management until the user signs in with
//! MFA (CIS 1.10 in practice; the AWS tutorial "users manage their own MFA").

use baseline_core::plan::Desired;
use baseline_core::plan::Grants;
use baseline_core::scope::Scope;
use baseline_core::spec::{Ensure, GroupSpec, keeps_extra};
use baseline_core::{ResourceAddr, Spec, policy};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::{call, create, found};
use crate::iam::principal::{NO_SUCH_ENTITY, Permissions, Principal, changed};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare, name_of};

pub(crate) struct Group;

/// A group: only the declared fields in the desired state, every field in a read. The MFA
/// policy is `require_mfa`, never one of the inline policies.
#[serde_with::skip_serializing_none]
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct State {
    path: Option<String>,
    #[serde(flatten)]
    permissions: Permissions,
    require_mfa: Option<bool>,
}

/// The inline policy that `require_mfa: true` puts on a group.
pub(crate) const MFA_POLICY_NAME: &str = "BaselineRequireMFA";

/// Allow a user to see the account's password rules, change their own password and manage
/// their own MFA device; deny everything else unless they signed in with MFA.
pub(crate) fn mfa_policy(partition: &str) -> Value {
    let own_user = format!("arn:{partition}:iam::*:user/${{aws:username}}");
    policy::normalize(&json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AllowViewAccountInfo", "Effect": "Allow",
             "Action": ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"],
             "Resource": "*"},
            {"Sid": "AllowManageOwnPasswords", "Effect": "Allow",
             "Action": ["iam:ChangePassword", "iam:GetUser"], "Resource": own_user},
            {"Sid": "AllowManageOwnVirtualMFADevice", "Effect": "Allow",
             "Action": "iam:CreateVirtualMFADevice", "Resource": format!("arn:{partition}:iam::*:mfa/*")},
            {"Sid": "AllowManageOwnUserMFA", "Effect": "Allow",
             "Action": ["iam:DeactivateMFADevice", "iam:EnableMFADevice",
                        "iam:ListMFADevices", "iam:ResyncMFADevice"],
             "Resource": own_user},
            {"Sid": "DenyAllExceptListedIfNoMFA", "Effect": "Deny",
             "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser",
                           "iam:ListMFADevices", "iam:ListVirtualMFADevices",
                           "iam:ResyncMFADevice", "sts:GetSessionToken", "iam:ChangePassword",
                           "iam:GetAccountPasswordPolicy"],
             "Resource": "*",
             "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
        ]
    }))
}

fn desired_group(name: &str, group: &GroupSpec, scope: &Scope) -> Desired {
    let state = if group.ensure == Ensure::Present {
        State {
            path: group.path.as_ref().map(|p| p.as_str().to_owned()),
            permissions: Permissions::declared(
                scope,
                keeps_extra(group.extra_permissions),
                group.managed_policies.as_deref(),
                group.inline_policies.as_ref(),
            ),
            require_mfa: group.require_mfa,
        }
    } else {
        State::default()
    };
    let mut desired = declare(ResourceAddr::named(Group::KIND, name), &state);
    desired.ensure = group.ensure;
    desired
}

impl Kind for Group {
    type State = State;
    const KIND: &'static str = "iam_group";
    const GRANTS: Grants = crate::iam::principal::POLICIES;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let groups = spec.iam.iter().flat_map(|iam| &iam.groups);
        groups
            .map(|(name, group)| desired_group(name.as_str(), &group.value, scope))
            .collect()
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let address = read.address;
        let name = name_of(address);
        let answer = ctx.iam().get_group().group_name(name).send().await;
        let Some(group) = found(address, "iam:GetGroup", NO_SUCH_ENTITY, answer)? else {
            return Ok(None);
        };
        let path = group
            .group()
            .map(|g| g.path().to_owned())
            .unwrap_or_default();
        let mut permissions = Principal::Group(name).permissions(ctx, address).await?;
        let mfa = permissions
            .inline_policies
            .as_mut()
            .and_then(|inline| inline.remove(MFA_POLICY_NAME));
        Ok(Some(State {
            path: Some(path),
            permissions,
            require_mfa: Some(mfa == Some(mfa_policy(ctx.partition()))),
        }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        let address = &change.address;
        let name = name_of(address);
        create!(
            address,
            "iam:CreateGroup",
            &["EntityAlreadyExists"],
            ctx.iam()
                .create_group()
                .group_name(name)
                .set_path(after.path.clone())
                .send()
        )?;
        Principal::Group(name)
            .sync_permissions(ctx, address, None, &after.permissions)
            .await?;
        sync_mfa(ctx, address, name, None, after.require_mfa).await
    }

    async fn update(&self, ctx: &AwsContext, change: &Change, old: &State, new: &State) -> Done {
        let address = &change.address;
        let name = name_of(address);
        if let Some(path) = changed(&old.path, &new.path) {
            Principal::Group(name).move_to(ctx, address, path).await?;
        }
        Principal::Group(name)
            .sync_permissions(ctx, address, Some(&old.permissions), &new.permissions)
            .await?;
        sync_mfa(ctx, address, name, old.require_mfa, new.require_mfa).await
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, _before: &State) -> Done {
        let address = &change.address;
        let name = name_of(address);
        let iam = ctx.iam();
        let group = call!(
            address,
            "iam:GetGroup",
            iam.get_group().group_name(name).send()
        )?;
        for user in group.users() {
            call!(
                address,
                "iam:RemoveUserFromGroup",
                iam.remove_user_from_group()
                    .group_name(name)
                    .user_name(user.user_name())
                    .send()
            )?;
        }
        Principal::Group(name).delete(ctx, address).await
    }
}

/// Puts or deletes the MFA policy when `require_mfa` is declared and differs from `have`
/// (the live setting; `None` for a new group).
async fn sync_mfa(
    ctx: &AwsContext,
    address: &ResourceAddr,
    name: &str,
    have: Option<bool>,
    want: Option<bool>,
) -> Done {
    let have = have.unwrap_or(false);
    match want {
        Some(true) if !have => {
            Principal::Group(name)
                .put_inline(ctx, address, MFA_POLICY_NAME, &mfa_policy(ctx.partition()))
                .await
        }
        Some(false) if have => {
            Principal::Group(name)
                .delete_inline(ctx, address, MFA_POLICY_NAME)
                .await
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A read group, and the empty state a removal plans, keep their JSON through the
    /// typed state.
    #[test]
    fn groups_keep_their_json_through_the_state() {
        let read = json!({"path": "/", "managed_policies": ["arn"],
                          "inline_policies": {"extra": {"Version": "2012-10-17"}},
                          "require_mfa": true});
        let state = State::deserialize(&read).expect("fits");
        assert_eq!(crate::kind::canonical(&state), read);
        let gone = State::deserialize(&json!({})).expect("fits");
        assert_eq!(crate::kind::canonical(&gone), json!({}));
    }
}
