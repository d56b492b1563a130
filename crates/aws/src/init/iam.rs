//! `iam:` as the account has it.

use baseline_core::policy::documented;
use baseline_core::spec::{AccountRef, OneOrMany, TrustSpec};
use baseline_core::{ProviderError, ResourceAddr};
use serde_json::{Map, Value, json};

use super::Survey;
use super::yaml::Node;
use crate::context::AwsContext;
use crate::error::list_all;
use crate::iam::role::trust_document;

/// Roles that AWS makes and owns; a baseline must not claim them.
fn aws_owned(path: &str) -> bool {
    path.starts_with("/aws-service-role/") || path.starts_with("/aws-reserved/")
}

/// `iam:` as the account has it: the password policy, groups, users and roles, and the
/// credential report's checks (read-only; they never change anything).
pub(super) async fn iam(survey: &Survey) -> Result<Node, Vec<ProviderError>> {
    let ctx = &survey.ctx;
    let account_id = survey.account_id.as_str();
    let listing = ResourceAddr::singleton("iam_listing");
    let names = list_identities(ctx, &listing).await.map_err(|e| vec![e])?;
    let mut addresses = vec![ResourceAddr::singleton("iam_password_policy")];
    for (kind, list) in [
        ("iam_group", &names.groups),
        ("iam_user", &names.users),
        ("iam_role", &names.roles),
    ] {
        addresses.extend(list.iter().map(|n| ResourceAddr::named(kind, n)));
    }
    let live = survey.read(&addresses).await?;

    let mut iam = Node::map();
    let mut groups = Map::new();
    let mut users = Map::new();
    let mut roles = Map::new();
    for (address, state) in addresses.iter().zip(live) {
        let Some(state) = state else { continue };
        let name = address.name.clone().unwrap_or_default();
        match address.kind.as_str() {
            "iam_password_policy" => {
                iam.set("password_policy", Node::from_json(&state))
                    .note("CIS 1.8, 1.9");
            }
            "iam_group" => {
                groups.insert(name, group_spec(&state));
            }
            "iam_user" => {
                users.insert(name, user_spec(&state));
            }
            "iam_role" => {
                roles.insert(name, role_spec(&state, ctx.partition(), account_id));
            }
            _ => {}
        }
    }
    iam.set("credential_checks", credential_checks())
        .note("read-only checks of the credential report; they change nothing");
    for (key, map) in [("groups", groups), ("users", users), ("roles", roles)] {
        if !map.is_empty() {
            iam.set(key, Node::from_json(&Value::Object(map)));
        }
    }
    Ok(iam)
}

/// The CIS checks of the credential report, each with its benchmark number.
fn credential_checks() -> Node {
    let mut checks = Node::map();
    checks
        .set("console_mfa", Node::Scalar(json!(true)))
        .note("CIS 1.10: console users have an MFA device");
    checks
        .set("unused_days", Node::Scalar(json!(45)))
        .note("CIS 1.12");
    checks
        .set("single_active_key", Node::Scalar(json!(true)))
        .note("CIS 1.13");
    checks
        .set("key_max_age_days", Node::Scalar(json!(90)))
        .note("CIS 1.14");
    checks
}

struct Identities {
    groups: Vec<String>,
    users: Vec<String>,
    roles: Vec<String>,
}

async fn list_identities(
    ctx: &AwsContext,
    address: &ResourceAddr,
) -> Result<Identities, ProviderError> {
    let iam = ctx.iam();
    let groups = list_all!(address, "iam:ListGroups", iam.list_groups())?;
    let users = list_all!(address, "iam:ListUsers", iam.list_users())?;
    let roles = list_all!(address, "iam:ListRoles", iam.list_roles())?;
    Ok(Identities {
        groups: groups.iter().map(|g| g.group_name().to_owned()).collect(),
        users: users.iter().map(|u| u.user_name().to_owned()).collect(),
        roles: roles
            .iter()
            .filter(|r| !aws_owned(r.path()))
            // baseline's own roles follow the file's logging and alerts settings.
            .filter(|r| {
                !baseline_core::spec::SERVICE_ROLES
                    .iter()
                    .any(|(own, _)| r.role_name() == *own)
            })
            .map(|r| r.role_name().to_owned())
            .collect(),
    })
}

/// AWS managed policies by their short name, the others by ARN.
fn managed_names(state: &Value) -> Option<Value> {
    let arns = state.get("managed_policies")?.as_array()?;
    Some(Value::Array(
        arns.iter()
            .filter_map(Value::as_str)
            .map(|arn| {
                let short = arn
                    .strip_prefix("arn:")
                    .and_then(|rest| rest.split_once(":iam::aws:policy/"))
                    .map_or(arn, |(_, name)| name);
                json!(short)
            })
            .collect(),
    ))
}

fn common(state: &Value, spec: &mut Map<String, Value>) {
    if let Some(path) = state.get("path").and_then(Value::as_str)
        && path != "/"
    {
        spec.insert("path".to_owned(), json!(path));
    }
    if let Some(managed) =
        managed_names(state).filter(|m| m.as_array().is_some_and(|a| !a.is_empty()))
    {
        spec.insert("managed_policies".to_owned(), managed);
    }
    if let Some(inline) = state.get("inline_policies").and_then(Value::as_object)
        && !inline.is_empty()
    {
        // Policies as AWS documents them: a list of one value is that value.
        let documented = inline
            .iter()
            .map(|(name, doc)| (name.clone(), documented(doc)))
            .collect();
        spec.insert("inline_policies".to_owned(), Value::Object(documented));
    }
}

fn group_spec(state: &Value) -> Value {
    let mut spec = Map::new();
    common(state, &mut spec);
    if state.get("require_mfa") == Some(&Value::Bool(true)) {
        spec.insert("require_mfa".to_owned(), json!(true));
    }
    Value::Object(spec)
}

fn user_spec(state: &Value) -> Value {
    let mut spec = Map::new();
    common(state, &mut spec);
    if let Some(groups) = state.get("groups") {
        spec.insert("groups".to_owned(), groups.clone());
    }
    if let Some(tags) = state.get("tags").and_then(Value::as_object)
        && !tags.is_empty()
    {
        spec.insert("tags".to_owned(), Value::Object(tags.clone()));
    }
    let console = if state.get("console") == Some(&Value::Bool(true)) {
        json!({"password_reset_required": true})
    } else {
        json!("disabled")
    };
    spec.insert("console".to_owned(), console);
    Value::Object(spec)
}

fn role_spec(state: &Value, partition: &str, account_id: &str) -> Value {
    let mut spec = Map::new();
    common(state, &mut spec);
    if let Some(description) = state.get("description").and_then(Value::as_str)
        && !description.is_empty()
    {
        spec.insert("description".to_owned(), json!(description));
    }
    if let Some(seconds) = state.get("max_session_duration").and_then(Value::as_i64)
        && seconds != 3600
    {
        spec.insert("max_session_duration".to_owned(), json!(seconds));
    }
    let trust = state.get("trust").cloned().unwrap_or(Value::Null);
    spec.insert(
        "trust".to_owned(),
        trust_spec(&trust, partition, account_id),
    );
    Value::Object(spec)
}

/// The short form (`account: self`, `service: …`, `require_mfa`) when it says exactly the
/// same as the live trust policy; the whole document otherwise.
fn trust_spec(trust: &Value, partition: &str, account_id: &str) -> Value {
    let statements = trust
        .get("Statement")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let strings = |value: Option<&Value>| -> Vec<String> {
        value
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut accounts = Vec::new();
    let mut services = Vec::new();
    let mut require_mfa = false;
    for statement in &statements {
        for arn in strings(statement.pointer("/Principal/AWS")) {
            let id = arn
                .strip_prefix(&format!("arn:{partition}:iam::"))
                .and_then(|rest| rest.strip_suffix(":root"))
                .unwrap_or(&arn)
                .to_owned();
            accounts.push(id);
        }
        services.extend(strings(statement.pointer("/Principal/Service")));
        require_mfa |= statement.get("Condition").is_some();
    }
    let short = TrustSpec {
        accounts: OneOrMany(
            accounts
                .iter()
                .map(|id| match id.parse::<baseline_core::spec::AccountId>() {
                    Ok(id) if id.to_string() != account_id => AccountRef::Id(id),
                    _ => AccountRef::SelfAccount,
                })
                .collect(),
        ),
        services: OneOrMany(services.clone()),
        require_mfa,
        document: None,
    };
    if !statements.is_empty() && trust_document(&short, partition, account_id) == *trust {
        let mut spec = Map::new();
        if !accounts.is_empty() {
            let names: Vec<Value> = accounts
                .iter()
                .map(|id| {
                    if id == account_id {
                        json!("self")
                    } else {
                        json!(id)
                    }
                })
                .collect();
            spec.insert("accounts".to_owned(), Value::Array(names));
        }
        if !services.is_empty() {
            spec.insert("services".to_owned(), json!(services));
        }
        if require_mfa {
            spec.insert("require_mfa".to_owned(), json!(true));
        }
        Value::Object(spec)
    } else {
        json!({ "document": documented(trust) })
    }
}
