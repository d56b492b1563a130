//! `iam.users.NAME` → an IAM user per person: path, tags, groups and a console password
//! that must be changed at first sign-in. Console users get no access keys from baseline
//! (CIS 1.11). `ensure: absent` removes the user and everything IAM requires gone first.

use std::collections::BTreeMap;

use baseline_core::plan::Desired;
use baseline_core::spec::{ConsoleSpec, Ensure, UserSpec, keeps_extra};
use baseline_core::{Action, BoxFuture, Plan, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Map, Value, json};

use crate::context::AwsContext;
use crate::error::{call, create};
use crate::error::{sdk_error, unsupported};
use crate::iam::principal::{Principal, is_not_found, strings};
use crate::iam::{group, password};
use crate::kind::{LegacyKind, name_of};
use baseline_core::scope::Scope;

pub(crate) struct User;

const KIND: &str = "iam_user";

fn desired_user(name: &str, user: &UserSpec, spec: &Spec, scope: &Scope) -> Desired {
    let mut state = Map::new();
    let mut depends_on = Vec::new();
    let mut write_only = Value::Null;
    let iam = spec.iam.as_ref();
    if user.ensure == Ensure::Present {
        if let Some(path) = &user.path {
            state.insert("path".to_owned(), json!(path.as_str()));
        }
        let keep_extra = keeps_extra(user.extra_permissions);
        if user.groups.is_some() || !keep_extra {
            let groups = user.groups.as_deref().unwrap_or_default();
            let mut names: Vec<&str> = groups.iter().map(|g| g.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            state.insert("groups".to_owned(), json!(names));
            // Groups that this file declares are made before their members.
            depends_on = groups
                .iter()
                .filter(|g| iam.is_some_and(|i| i.groups.contains_key(*g)))
                .map(|g| ResourceAddr::named(group::KIND, g.as_str()))
                .collect();
        }
        if let Some(tags) = &user.tags {
            state.insert("tags".to_owned(), json!(tags));
        }
        group::policy_fields(
            &mut state,
            scope,
            keep_extra,
            user.managed_policies.as_ref(),
            user.inline_policies.as_ref(),
        );
        if let Some(console) = user.console {
            let enabled = matches!(console, ConsoleSpec::Enabled { .. });
            state.insert("console".to_owned(), json!(enabled));
            if let ConsoleSpec::Enabled {
                password_reset_required,
            } = console
            {
                let policy_length = iam
                    .and_then(|i| i.password_policy.as_ref())
                    .and_then(|p| p.minimum_length)
                    .map_or(0, |l| l.get());
                write_only = json!({
                    "password_reset_required": password_reset_required,
                    "password_length": policy_length.max(20),
                });
            }
        }
    }
    Desired {
        address: ResourceAddr::named(KIND, name),
        ensure: user.ensure,
        state: Value::Object(state),
        depends_on,
        manual: None,
        cis: Vec::new(),
        write_only,
        grants: &[],
    }
}

/// The users that apply will give a console password, for which a password file is needed.
pub fn needing_passwords(plan: &Plan) -> Vec<ResourceAddr> {
    plan.changes
        .iter()
        .filter(|c| c.address.kind == KIND && gets_password(c))
        .map(|c| c.address.clone())
        .collect()
}

fn console(state: Option<&Value>) -> bool {
    state
        .and_then(|s| s.get("console"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn gets_password(change: &ResourceChange) -> bool {
    matches!(change.action, Action::Create | Action::Update)
        && console(change.after.as_ref())
        && !console(change.before.as_ref())
}

impl LegacyKind for User {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(iam) = &spec.iam else {
            return Vec::new();
        };
        iam.users
            .iter()
            .map(|(name, user)| desired_user(name.as_str(), &user.value, spec, scope))
            .collect()
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let name = name_of(address);
            let iam = ctx.iam();
            let out = match iam.get_user().user_name(name).send().await {
                Ok(out) => out,
                Err(err) if is_not_found(&err) => return Ok(None),
                Err(err) => return Err(sdk_error(address, "iam:GetUser", &err)),
            };
            let path = out.user().map(|u| u.path().to_owned()).unwrap_or_default();
            let tags = call!(
                address,
                "iam:ListUserTags",
                iam.list_user_tags()
                    .user_name(name)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
            )?;
            let tags: BTreeMap<String, String> = tags
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned()))
                .collect();
            let groups = call!(
                address,
                "iam:ListGroupsForUser",
                iam.list_groups_for_user()
                    .user_name(name)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
            )?;
            let mut groups: Vec<String> =
                groups.iter().map(|g| g.group_name().to_owned()).collect();
            groups.sort();
            let console = match iam.get_login_profile().user_name(name).send().await {
                Ok(_) => true,
                Err(err) if is_not_found(&err) => false,
                Err(err) => return Err(sdk_error(address, "iam:GetLoginProfile", &err)),
            };
            let principal = Principal::User(name);
            Ok(Some(json!({
                "path": path,
                "tags": tags,
                "groups": groups,
                "console": console,
                "managed_policies": principal.attached(ctx, address).await?,
                "inline_policies": principal.inline(ctx, address).await?,
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
            let before = change.before.as_ref();
            match (change.action, &change.after) {
                (Action::Create, Some(after)) => {
                    let path = after.get("path").and_then(Value::as_str).map(str::to_owned);
                    let tags = tag_list(after.get("tags"));
                    create!(
                        address,
                        "iam:CreateUser",
                        &["EntityAlreadyExists"],
                        iam.create_user()
                            .user_name(name)
                            .set_path(path)
                            .set_tags(Some(tags))
                            .send()
                    )?;
                    sync_groups(ctx, address, name, None, after).await?;
                    Principal::User(name)
                        .sync_policies(ctx, address, None, after)
                        .await?;
                    sync_console(ctx, change, name).await
                }
                (Action::Update, Some(after)) => {
                    let new_path = after.get("path").and_then(Value::as_str);
                    if new_path.is_some()
                        && new_path != before.and_then(|b| b.get("path")).and_then(Value::as_str)
                    {
                        call!(
                            address,
                            "iam:UpdateUser",
                            iam.update_user()
                                .user_name(name)
                                .set_new_path(new_path.map(str::to_owned))
                                .send()
                        )?;
                    }
                    sync_tags(ctx, address, name, before, after).await?;
                    sync_groups(ctx, address, name, before, after).await?;
                    Principal::User(name)
                        .sync_policies(ctx, address, before, after)
                        .await?;
                    sync_console(ctx, change, name).await
                }
                (Action::Delete, _) => remove_user(ctx, address, name).await,
                (action, _) => Err(unsupported(address, &format!("{action:?}"))),
            }
        })
    }
}

fn tag_list(tags: Option<&Value>) -> Vec<aws_sdk_iam::types::Tag> {
    tags.and_then(Value::as_object)
        .map(|tags| {
            tags.iter()
                .filter_map(|(key, value)| {
                    aws_sdk_iam::types::Tag::builder()
                        .key(key)
                        .value(value.as_str().unwrap_or_default())
                        .build()
                        .ok()
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn sync_tags(
    ctx: &AwsContext,
    address: &ResourceAddr,
    name: &str,
    before: Option<&Value>,
    after: &Value,
) -> Result<(), ProviderError> {
    let Some(Value::Object(want)) = after.get("tags") else {
        return Ok(());
    };
    let empty = Map::new();
    let have = before
        .and_then(|b| b.get("tags"))
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let stale: Vec<String> = have
        .keys()
        .filter(|k| !want.contains_key(*k))
        .cloned()
        .collect();
    if !stale.is_empty() {
        call!(
            address,
            "iam:UntagUser",
            ctx.iam()
                .untag_user()
                .user_name(name)
                .set_tag_keys(Some(stale))
                .send()
        )?;
    }
    let changed: Map<String, Value> = want
        .iter()
        .filter(|(k, v)| have.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !changed.is_empty() {
        let tags = tag_list(Some(&Value::Object(changed)));
        call!(
            address,
            "iam:TagUser",
            ctx.iam()
                .tag_user()
                .user_name(name)
                .set_tags(Some(tags))
                .send()
        )?;
    }
    Ok(())
}

async fn sync_groups(
    ctx: &AwsContext,
    address: &ResourceAddr,
    name: &str,
    before: Option<&Value>,
    after: &Value,
) -> Result<(), ProviderError> {
    let Some(want) = after.get("groups") else {
        return Ok(());
    };
    let want = strings(Some(want));
    let have = strings(before.and_then(|b| b.get("groups")));
    for group in want.difference(&have) {
        call!(
            address,
            "iam:AddUserToGroup",
            ctx.iam()
                .add_user_to_group()
                .user_name(name)
                .group_name(group)
                .send()
        )?;
    }
    for group in have.difference(&want) {
        call!(
            address,
            "iam:RemoveUserFromGroup",
            ctx.iam()
                .remove_user_from_group()
                .user_name(name)
                .group_name(group)
                .send()
        )?;
    }
    Ok(())
}

/// Gives the user a console password, or takes it away. An existing password is never
/// reset: only a user without one gets a new one.
async fn sync_console(
    ctx: &AwsContext,
    change: &ResourceChange,
    name: &str,
) -> Result<(), ProviderError> {
    let address = &change.address;
    let Some(want) = change
        .after
        .as_ref()
        .and_then(|a| a.get("console"))
        .and_then(Value::as_bool)
    else {
        return Ok(());
    };
    let have = console(change.before.as_ref());
    if want && !have {
        let length = change
            .write_only
            .get("password_length")
            .and_then(Value::as_u64)
            .unwrap_or(20);
        let reset = change
            .write_only
            .get("password_reset_required")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let failure = |message: String, hint: &str| ProviderError {
            address: address.clone(),
            operation: "iam:CreateLoginProfile".to_owned(),
            code: None,
            message,
            hint: Some(hint.to_owned()),
        };
        let Some(file) = ctx.password_file() else {
            return Err(failure(
                "a new console user needs a file for the initial password".to_owned(),
                "pass --password-file FILE; the password is written there (mode 0600), never printed",
            ));
        };
        let secret = password::generate(length as usize).map_err(|err| {
            failure(
                format!("cannot generate a password: {err}"),
                "the system has no random source",
            )
        })?;
        // The file first: a password that only AWS knows would be lost.
        // Users of member accounts are written `ACCOUNT_ID/user`: one file serves a fan-out.
        let who = ctx
            .member()
            .map_or_else(|| name.to_owned(), |account| format!("{account}/{name}"));
        ctx.with_password_file_lock(|| password::record(file, &who, &secret, true))
            .map_err(|err| {
                failure(
                    format!("cannot write {}: {err}", file.display()),
                    "check the folder exists and is writable",
                )
            })?;
        let created = create!(
            address,
            "iam:CreateLoginProfile",
            &["EntityAlreadyExists"],
            ctx.iam()
                .create_login_profile()
                .user_name(name)
                .password(&secret)
                .password_reset_required(reset)
                .send()
        )?;
        // A profile an interrupted run made has a password that may not be the one just
        // written: set this one, so the file's newest line for the user is the password.
        if !created {
            call!(
                address,
                "iam:UpdateLoginProfile",
                ctx.iam()
                    .update_login_profile()
                    .user_name(name)
                    .password(&secret)
                    .password_reset_required(reset)
                    .send()
            )?;
        }
        // IAM has it now: the line again, without the mark.
        ctx.with_password_file_lock(|| password::record(file, &who, &secret, false))
            .map_err(|err| {
                failure(
                    format!(
                        "the password of {who} is set, but {} could not be written again: {err}",
                        file.display()
                    ),
                    "its line marked (not yet set) in the file is the password; hand it over",
                )
            })?;
    } else if !want && have {
        call!(
            address,
            "iam:DeleteLoginProfile",
            ctx.iam().delete_login_profile().user_name(name).send()
        )?;
    }
    Ok(())
}

/// Removes a user in the order IAM requires: console password, access keys, MFA devices,
/// signing certificates, SSH keys, service-specific credentials, group memberships,
/// policies, then the user.
async fn remove_user(
    ctx: &AwsContext,
    address: &ResourceAddr,
    name: &str,
) -> Result<(), ProviderError> {
    let iam = ctx.iam();
    match iam.delete_login_profile().user_name(name).send().await {
        Ok(_) => {}
        Err(err) if is_not_found(&err) => {}
        Err(err) => return Err(sdk_error(address, "iam:DeleteLoginProfile", &err)),
    }
    let keys = call!(
        address,
        "iam:ListAccessKeys",
        iam.list_access_keys()
            .user_name(name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
    )?;
    for key in keys {
        if let Some(id) = key.access_key_id() {
            call!(
                address,
                "iam:DeleteAccessKey",
                iam.delete_access_key()
                    .user_name(name)
                    .access_key_id(id)
                    .send()
            )?;
        }
    }
    let devices = call!(
        address,
        "iam:ListMFADevices",
        iam.list_mfa_devices()
            .user_name(name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
    )?;
    for device in devices {
        let serial = device.serial_number();
        call!(
            address,
            "iam:DeactivateMFADevice",
            iam.deactivate_mfa_device()
                .user_name(name)
                .serial_number(serial)
                .send()
        )?;
        if serial.starts_with("arn:") {
            call!(
                address,
                "iam:DeleteVirtualMFADevice",
                iam.delete_virtual_mfa_device().serial_number(serial).send()
            )?;
        }
    }
    let certificates = call!(
        address,
        "iam:ListSigningCertificates",
        iam.list_signing_certificates()
            .user_name(name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
    )?;
    for certificate in certificates {
        call!(
            address,
            "iam:DeleteSigningCertificate",
            iam.delete_signing_certificate()
                .user_name(name)
                .certificate_id(certificate.certificate_id())
                .send()
        )?;
    }
    let ssh_keys = call!(
        address,
        "iam:ListSSHPublicKeys",
        iam.list_ssh_public_keys()
            .user_name(name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
    )?;
    for key in ssh_keys {
        call!(
            address,
            "iam:DeleteSSHPublicKey",
            iam.delete_ssh_public_key()
                .user_name(name)
                .ssh_public_key_id(key.ssh_public_key_id())
                .send()
        )?;
    }
    remove_service_credentials(ctx, address, name).await?;
    let groups = call!(
        address,
        "iam:ListGroupsForUser",
        iam.list_groups_for_user()
            .user_name(name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
    )?;
    for group in groups {
        call!(
            address,
            "iam:RemoveUserFromGroup",
            iam.remove_user_from_group()
                .user_name(name)
                .group_name(group.group_name())
                .send()
        )?;
    }
    Principal::User(name).strip_policies(ctx, address).await?;
    call!(
        address,
        "iam:DeleteUser",
        iam.delete_user().user_name(name).send()
    )?;
    Ok(())
}

/// CodeCommit and similar credentials: IAM refuses to delete a user that has any.
async fn remove_service_credentials(
    ctx: &AwsContext,
    address: &ResourceAddr,
    name: &str,
) -> Result<(), ProviderError> {
    let iam = ctx.iam();
    let listed = iam
        .list_service_specific_credentials()
        .user_name(name)
        .send()
        .await;
    let credentials = match listed {
        Ok(out) => out.service_specific_credentials.unwrap_or_default(),
        Err(err) => {
            return Err(sdk_error(
                address,
                "iam:ListServiceSpecificCredentials",
                &err,
            ));
        }
    };
    for credential in credentials {
        call!(
            address,
            "iam:DeleteServiceSpecificCredential",
            iam.delete_service_specific_credential()
                .user_name(name)
                .service_specific_credential_id(credential.service_specific_credential_id())
                .send()
        )?;
    }
    Ok(())
}
