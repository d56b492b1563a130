//! `iam.groups.NAME` → an IAM group: path, managed and inline policies, and `require_mfa`,
//! the policy that denies everything but MFA self-management until the user signs in with
//! MFA (CIS 1.10 in practice; the AWS tutorial "users manage their own MFA").

use baseline_core::plan::Desired;
use baseline_core::spec::{Ensure, GroupSpec, keeps_extra};
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec, policy};
use serde_json::{Map, Value, json};

use crate::context::AwsContext;
use crate::error::{call, create};
use crate::error::{sdk_error, unsupported};
use crate::iam::principal::{Principal, is_not_found};
use crate::kind::{LegacyKind, name_of};
use baseline_core::scope::Scope;

pub(crate) struct Group;

pub(crate) const KIND: &str = "iam_group";

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

/// The policy fields of a group, user or role, in canonical JSON. They are authoritative:
/// an identity the file declares has the policies the file gives it and no others (none
/// when it names none), unless it keeps extra permissions (`extra_permissions: keep`), and
/// then only what is declared is compared.
pub(crate) fn policy_fields(
    state: &mut Map<String, Value>,
    scope: &Scope,
    keep_extra: bool,
    managed: Option<&Vec<baseline_core::spec::ManagedPolicy>>,
    inline: Option<
        &std::collections::BTreeMap<
            baseline_core::spec::IamName,
            baseline_core::spec::IdentityPolicy,
        >,
    >,
) {
    if managed.is_some() || !keep_extra {
        let mut arns: Vec<String> = managed
            .into_iter()
            .flatten()
            .map(|m| m.arn(scope))
            .collect();
        arns.sort();
        arns.dedup();
        state.insert("managed_policies".to_owned(), json!(arns));
    }
    if inline.is_some() || !keep_extra {
        let documents: Map<String, Value> = inline
            .into_iter()
            .flatten()
            .map(|(name, doc)| (name.to_string(), policy::normalize(&doc.0)))
            .collect();
        state.insert("inline_policies".to_owned(), Value::Object(documents));
    }
}

fn desired_group(name: &str, group: &GroupSpec, scope: &Scope) -> Desired {
    let mut state = Map::new();
    if group.ensure == Ensure::Present {
        if let Some(path) = &group.path {
            state.insert("path".to_owned(), json!(path.as_str()));
        }
        policy_fields(
            &mut state,
            scope,
            keeps_extra(group.extra_permissions),
            group.managed_policies.as_ref(),
            group.inline_policies.as_ref(),
        );
        if let Some(require) = group.require_mfa {
            state.insert("require_mfa".to_owned(), json!(require));
        }
    }
    Desired {
        address: ResourceAddr::named(KIND, name),
        ensure: group.ensure,
        state: Value::Object(state),
        depends_on: Vec::new(),
        manual: None,
        cis: Vec::new(),
        write_only: Value::Null,
        grants: &[],
    }
}

impl LegacyKind for Group {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(iam) = &spec.iam else {
            return Vec::new();
        };
        iam.groups
            .iter()
            .map(|(name, group)| desired_group(name.as_str(), &group.value, scope))
            .collect()
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let name = name_of(address);
            let group = match ctx.iam().get_group().group_name(name).send().await {
                Ok(out) => out,
                Err(err) if is_not_found(&err) => return Ok(None),
                Err(err) => return Err(sdk_error(address, "iam:GetGroup", &err)),
            };
            let path = group
                .group()
                .map(|g| g.path().to_owned())
                .unwrap_or_default();
            let principal = Principal::Group(name);
            let managed = principal.attached(ctx, address).await?;
            let mut inline = principal.inline(ctx, address).await?;
            let mfa = inline.remove(MFA_POLICY_NAME);
            Ok(Some(json!({
                "path": path,
                "managed_policies": managed,
                "inline_policies": inline,
                "require_mfa": mfa == Some(mfa_policy(ctx.partition())),
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
            let principal = Principal::Group(name);
            let iam = ctx.iam();
            match (change.action, &change.after) {
                (Action::Create, Some(after)) => {
                    let path = after.get("path").and_then(Value::as_str);
                    create!(
                        address,
                        "iam:CreateGroup",
                        &["EntityAlreadyExists"],
                        iam.create_group()
                            .group_name(name)
                            .set_path(path.map(str::to_owned))
                            .send()
                    )?;
                    principal.sync_policies(ctx, address, None, after).await?;
                    sync_mfa(ctx, address, name, None, after).await
                }
                (Action::Update, Some(after)) => {
                    let before = change.before.as_ref();
                    let new_path = after.get("path").and_then(Value::as_str);
                    if new_path.is_some()
                        && new_path != before.and_then(|b| b.get("path")).and_then(Value::as_str)
                    {
                        call!(
                            address,
                            "iam:UpdateGroup",
                            iam.update_group()
                                .group_name(name)
                                .set_new_path(new_path.map(str::to_owned))
                                .send()
                        )?;
                    }
                    principal.sync_policies(ctx, address, before, after).await?;
                    sync_mfa(ctx, address, name, before, after).await
                }
                (Action::Delete, _) => {
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
                    principal.strip_policies(ctx, address).await?;
                    call!(
                        address,
                        "iam:DeleteGroup",
                        iam.delete_group().group_name(name).send()
                    )?;
                    Ok(())
                }
                (action, _) => Err(unsupported(address, &format!("{action:?}"))),
            }
        })
    }
}

async fn sync_mfa(
    ctx: &AwsContext,
    address: &ResourceAddr,
    name: &str,
    before: Option<&Value>,
    after: &Value,
) -> Result<(), ProviderError> {
    let want = after.get("require_mfa").and_then(Value::as_bool);
    let have = before
        .and_then(|b| b.get("require_mfa"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
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
