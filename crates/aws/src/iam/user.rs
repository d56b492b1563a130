//! `iam.users.NAME` → an IAM user per person: path, tags, groups and a console password
//! that must be changed at first sign-in. Console users get no access keys from baseline
//! (CIS 1.11). `ensure: absent` removes the user and everything IAM requires gone first
//! (`user_teardown`).

use std::collections::{BTreeMap, BTreeSet};

use baseline_core::plan::Desired;
use baseline_core::plan::{Grant, Grants};
use baseline_core::scope::Scope;
use baseline_core::spec::{ConsoleSpec, Ensure, UserSpec, keeps_extra};
use baseline_core::{Action, Plan, ProviderError, ResourceAddr, Spec};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::context::AwsContext;
use crate::error::{call, create, found, list_all};
use crate::iam::group::Group;
use crate::iam::principal::{NO_SUCH_ENTITY, Permissions, Principal, changed};
use crate::iam::{password, user_teardown};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, canonical, declare, name_of};

pub(crate) struct User;

/// A user: only the declared fields in the desired state, every field in a read. Nothing
/// secret: the console password is only ever in the password file.
#[serde_with::skip_serializing_none]
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct State {
    path: Option<String>,
    /// Group names, sorted.
    groups: Option<Vec<String>>,
    tags: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    permissions: Permissions,
    /// Whether the user has a console password.
    console: Option<bool>,
}

/// The write-only settings of a new console password: how it is made, never what it is.
#[derive(Debug, Serialize, Deserialize)]
#[serde(default)]
struct FirstPassword {
    password_reset_required: bool,
    password_length: i64,
}

/// What a change without them (a plan edited by hand) gets: a password of 20 characters,
/// to be changed at first sign-in.
impl Default for FirstPassword {
    fn default() -> Self {
        Self {
            password_reset_required: true,
            password_length: 20,
        }
    }
}

fn desired_user(name: &str, user: &UserSpec, spec: &Spec, scope: &Scope) -> Desired {
    let address = ResourceAddr::named(User::KIND, name);
    if user.ensure == Ensure::Absent {
        let mut desired = declare(address, &State::default());
        desired.ensure = Ensure::Absent;
        return desired;
    }
    let iam = spec.iam.as_ref();
    let keep_extra = keeps_extra(user.extra_permissions);
    let groups =
        (user.groups.is_some() || !keep_extra).then(|| user.groups.as_deref().unwrap_or(&[]));
    // Groups that this file declares are made before their members.
    let depends_on = groups
        .into_iter()
        .flatten()
        .filter(|g| iam.is_some_and(|i| i.groups.contains_key(*g)))
        .map(|g| ResourceAddr::named(Group::KIND, g.as_str()));
    let state = State {
        path: user.path.as_ref().map(|p| p.as_str().to_owned()),
        groups: groups.map(|groups| {
            let names: BTreeSet<&str> = groups.iter().map(|g| g.as_str()).collect();
            names.into_iter().map(str::to_owned).collect()
        }),
        tags: user.tags.clone(),
        permissions: Permissions::declared(
            scope,
            keep_extra,
            user.managed_policies.as_deref(),
            user.inline_policies.as_ref(),
        ),
        console: user
            .console
            .map(|c| matches!(c, ConsoleSpec::Enabled { .. })),
    };
    let mut desired = declare(address, &state).after(depends_on);
    if let Some(ConsoleSpec::Enabled {
        password_reset_required,
    }) = user.console
    {
        let policy_length = iam
            .and_then(|i| i.password_policy.as_ref())
            .and_then(|p| p.minimum_length)
            .map_or(0, |l| l.get());
        desired.write_only = canonical(&FirstPassword {
            password_reset_required,
            password_length: policy_length.max(20),
        });
    }
    desired
}

/// The users that apply will give a console password, for which a password file is needed.
pub fn needing_passwords(plan: &Plan) -> Vec<ResourceAddr> {
    plan.changes
        .iter()
        .filter(|c| c.address.kind == User::KIND && gets_password(c))
        .map(|c| c.address.clone())
        .collect()
}

fn gets_password(change: &Change) -> bool {
    let console = |state: Option<&Value>| {
        state
            .and_then(|s| State::deserialize(s).ok())
            .and_then(|s| s.console)
            .unwrap_or(false)
    };
    matches!(change.action, Action::Create | Action::Update)
        && console(change.after.as_ref())
        && !console(change.before.as_ref())
}

impl Kind for User {
    type State = State;
    const KIND: &'static str = "iam_user";
    const GRANTS: Grants = &[
        ("managed_policies", Grant::ManagedPolicies),
        ("inline_policies", Grant::InlinePolicies),
        ("groups", Grant::Memberships),
    ];

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let users = spec.iam.iter().flat_map(|iam| &iam.users);
        users
            .map(|(name, user)| desired_user(name.as_str(), &user.value, spec, scope))
            .collect()
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let address = read.address;
        let name = name_of(address);
        let iam = ctx.iam();
        let answer = iam.get_user().user_name(name).send().await;
        let Some(out) = found(address, "iam:GetUser", NO_SUCH_ENTITY, answer)? else {
            return Ok(None);
        };
        let path = out.user().map(|u| u.path().to_owned()).unwrap_or_default();
        // The user exists: its settings are independent reads, asked at once.
        let tags = async {
            list_all!(
                address,
                "iam:ListUserTags",
                iam.list_user_tags().user_name(name)
            )
        };
        let groups = async {
            list_all!(
                address,
                "iam:ListGroupsForUser",
                iam.list_groups_for_user().user_name(name)
            )
        };
        let console = async {
            let answer = iam.get_login_profile().user_name(name).send().await;
            Ok(found(address, "iam:GetLoginProfile", NO_SUCH_ENTITY, answer)?.is_some())
        };
        let permissions = Principal::User(name).permissions(ctx, address);
        let (tags, groups, console, permissions) =
            tokio::try_join!(tags, groups, console, permissions)?;
        let mut groups: Vec<String> = groups.iter().map(|g| g.group_name().to_owned()).collect();
        groups.sort();
        Ok(Some(State {
            path: Some(path),
            groups: Some(groups),
            tags: Some(
                tags.iter()
                    .map(|t| (t.key().to_owned(), t.value().to_owned()))
                    .collect(),
            ),
            permissions,
            console: Some(console),
        }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        let address = &change.address;
        let name = name_of(address);
        create!(
            address,
            "iam:CreateUser",
            &["EntityAlreadyExists"],
            ctx.iam()
                .create_user()
                .user_name(name)
                .set_path(after.path.clone())
                .set_tags(Some(tag_list(after.tags.as_ref())))
                .send()
        )?;
        sync_groups(ctx, address, name, None, after.groups.as_ref()).await?;
        Principal::User(name)
            .sync_permissions(ctx, address, None, &after.permissions)
            .await?;
        sync_console(ctx, change, name, false, after.console).await
    }

    async fn update(&self, ctx: &AwsContext, change: &Change, old: &State, new: &State) -> Done {
        let address = &change.address;
        let name = name_of(address);
        if let Some(path) = changed(&old.path, &new.path) {
            Principal::User(name).move_to(ctx, address, path).await?;
        }
        if let Some(want) = &new.tags {
            sync_tags(ctx, address, name, old.tags.as_ref(), want).await?;
        }
        sync_groups(ctx, address, name, old.groups.as_ref(), new.groups.as_ref()).await?;
        Principal::User(name)
            .sync_permissions(ctx, address, Some(&old.permissions), &new.permissions)
            .await?;
        let have = old.console.unwrap_or(false);
        sync_console(ctx, change, name, have, new.console).await
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, _before: &State) -> Done {
        user_teardown::remove_user(ctx, &change.address, name_of(&change.address)).await
    }
}

/// The SDK's tags for `tags` (none when they are not declared).
fn tag_list(tags: Option<&BTreeMap<String, String>>) -> Vec<aws_sdk_iam::types::Tag> {
    tags.into_iter()
        .flatten()
        .filter_map(|(key, value)| {
            aws_sdk_iam::types::Tag::builder()
                .key(key)
                .value(value)
                .build()
                .ok()
        })
        .collect()
}

/// Makes the user's tags `want`: removes the keys it lacks, sets the values that differ
/// from `have` (the live tags).
async fn sync_tags(
    ctx: &AwsContext,
    address: &ResourceAddr,
    name: &str,
    have: Option<&BTreeMap<String, String>>,
    want: &BTreeMap<String, String>,
) -> Done {
    let empty = BTreeMap::new();
    let have = have.unwrap_or(&empty);
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
    let changed: BTreeMap<String, String> = want
        .iter()
        .filter(|(k, v)| have.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !changed.is_empty() {
        call!(
            address,
            "iam:TagUser",
            ctx.iam()
                .tag_user()
                .user_name(name)
                .set_tags(Some(tag_list(Some(&changed))))
                .send()
        )?;
    }
    Ok(())
}

/// Adds the user to the groups `want` names and removes it from the others it is in
/// (`have`; `None` for a new user). Undeclared groups are left alone.
async fn sync_groups(
    ctx: &AwsContext,
    address: &ResourceAddr,
    name: &str,
    have: Option<&Vec<String>>,
    want: Option<&Vec<String>>,
) -> Done {
    let Some(want) = want else {
        return Ok(());
    };
    let want: BTreeSet<&String> = want.iter().collect();
    let have: BTreeSet<&String> = have.into_iter().flatten().collect();
    for group in want.difference(&have) {
        call!(
            address,
            "iam:AddUserToGroup",
            ctx.iam()
                .add_user_to_group()
                .user_name(name)
                .group_name(*group)
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
                .group_name(*group)
                .send()
        )?;
    }
    Ok(())
}

/// Gives the user a console password, or takes it away, when `console` is declared (`want`)
/// and differs from `have`. An existing password is never reset: only a user without one
/// gets a new one, made as the change's write-only settings say.
async fn sync_console(
    ctx: &AwsContext,
    change: &Change,
    name: &str,
    have: bool,
    want: Option<bool>,
) -> Done {
    let address = &change.address;
    let Some(want) = want else {
        return Ok(());
    };
    if want && !have {
        let first = FirstPassword::deserialize(&change.write_only).unwrap_or_default();
        let length = usize::try_from(first.password_length).unwrap_or(20);
        let reset = first.password_reset_required;
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
        let secret = password::generate(length).map_err(|err| {
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

#[cfg(test)]
mod tests {
    use baseline_core::plan::diff;
    use serde_json::json;

    use super::*;

    fn desired(yaml: &str) -> Vec<Desired> {
        let text = format!("version: 1\naccount:\n  id: \"123456789012\"\n{yaml}");
        let spec = baseline_core::load_str(&text, "baseline.yaml").expect("valid spec");
        let scope = Scope::resolve(&spec, "us-east-1", vec!["us-east-1".to_owned()]);
        User.desired(&spec, &scope)
    }

    /// How a console user's first password is made travels as write-only settings, never
    /// in the state; the state is the JSON it always was.
    #[test]
    fn a_console_user_declares_how_its_first_password_is_made() {
        let users = desired(
            "iam:\n  password_policy:\n    minimum_length: 24\n  groups:\n    admins: {}\n  users:\n    alice:\n      groups: [admins]\n      console: { password_reset_required: false }\n    bob:\n      console: disabled\n      extra_permissions: keep\n",
        );
        let [alice, bob] = users.as_slice() else {
            panic!("two users: {users:?}");
        };
        assert_eq!(
            alice.state,
            json!({"groups": ["admins"], "managed_policies": [], "inline_policies": {},
                   "console": true})
        );
        assert_eq!(
            alice.write_only,
            json!({"password_reset_required": false, "password_length": 24})
        );
        assert_eq!(
            alice.depends_on,
            vec![ResourceAddr::named("iam_group", "admins")]
        );
        assert_eq!(bob.state, json!({"console": false}));
        assert!(bob.write_only.is_null());
        let first = FirstPassword::deserialize(&Value::Null).unwrap_or_default();
        assert_eq!(
            (first.password_reset_required, first.password_length),
            (true, 20)
        );
    }

    /// Only a user without a console password gets one: a new user, or one whose
    /// password was taken away.
    #[test]
    fn only_a_user_without_a_console_password_gets_one() {
        let users = desired(
            "iam:\n  users:\n    alice:\n      console: { password_reset_required: true }\n",
        );
        let live = |console: bool| {
            json!({"path": "/", "groups": [], "tags": {}, "managed_policies": [],
                   "inline_policies": {}, "console": console})
        };
        assert!(gets_password(&diff(&users[0], None)));
        assert!(gets_password(&diff(&users[0], Some(&live(false)))));
        assert!(!gets_password(&diff(&users[0], Some(&live(true)))));
        let read = State::deserialize(&live(true)).expect("a read user fits the state");
        assert_eq!(canonical(&read), live(true));
    }
}
