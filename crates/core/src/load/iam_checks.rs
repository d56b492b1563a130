//! Checks across the declared groups, users and roles: trust, group membership, IAM's
//! quotas and lengths, and the partition of attached policies.

use super::LoadError;
use super::diagnostics::Document;
use crate::spec::Ensure;

/// Roles need a trust policy and a name that is not baseline's or AWS's own, and users
/// cannot join a group the file removes.
pub(super) fn check_identities(
    iam: &crate::spec::IamSpec,
    home: Option<&str>,
    doc: Document<'_>,
) -> Result<(), Box<LoadError>> {
    for (name, role) in &iam.roles {
        let owned = crate::spec::SERVICE_ROLES
            .iter()
            .find(|(own, _)| name.as_str() == *own);
        if let Some((_, what)) = owned {
            return Err(doc.error_about(
                &role.referenced,
                format!("iam.roles.{name}"),
                format!("role `{name}` is baseline's own: it makes this role for {what}"),
                "give your role another name; the role baseline makes follows the file's \
                 logging and alerts settings",
            ));
        }
        if name.as_str().starts_with("AWSServiceRoleFor") {
            return Err(doc.error_about(
                &role.referenced,
                format!("iam.roles.{name}"),
                format!("role `{name}` is a service-linked role: AWS makes it for its service"),
                "remove it from `iam.roles`; a service baseline turns on gets its role from AWS",
            ));
        }
    }
    for (name, role) in &iam.roles {
        if role.value.ensure == Ensure::Present && role.value.trust.is_none() {
            return Err(doc.error_about(
                &role.referenced,
                format!("iam.roles.{name}"),
                format!("role `{name}` has no `trust`"),
                "say who may assume it, e.g. `trust: { account: self }`",
            ));
        }
    }
    for (name, role) in &iam.roles {
        let Some(trust) = &role.value.trust else {
            continue;
        };
        let simple = !trust.accounts.0.is_empty() || !trust.services.0.is_empty();
        let problem = if trust.document.is_some() && (simple || trust.require_mfa) {
            Some((
                "has a trust `document` and other trust keys",
                "write either `document:` or `account`/`service`/`require_mfa`",
            ))
        } else if trust.document.is_none() && !simple {
            Some((
                "trusts nobody",
                "name who may assume it: `account: self`, an account id, or `service:`",
            ))
        } else {
            None
        };
        if let Some((problem, hint)) = problem {
            return Err(doc.error_about(
                &role.referenced,
                format!("iam.roles.{name}.trust"),
                format!("role `{name}` {problem}"),
                hint,
            ));
        }
    }
    check_iam_limits(iam, doc)?;
    check_partitions(iam, home, doc)?;
    for (name, user) in &iam.users {
        let groups = user.value.groups.iter().flatten();
        for group in groups {
            let removed = iam
                .groups
                .get(group)
                .is_some_and(|g| g.value.ensure == Ensure::Absent);
            if removed && user.value.ensure == Ensure::Present {
                return Err(doc.error(
                    &user.referenced,
                    format!("user `{name}` is in group `{group}`, which has `ensure: absent`"),
                    format!("remove `{group}` from the user's groups, or keep the group"),
                ));
            }
        }
    }
    Ok(())
}

/// A declared group, user or role, as the checks that span identities see it.
struct Identity<'a> {
    /// `group`, `user` or `role`.
    what: &'static str,
    name: &'a crate::spec::IamName,
    at: &'a serde_saphyr::Location,
    managed: &'a [crate::spec::ManagedPolicy],
    inline:
        Option<&'a std::collections::BTreeMap<crate::spec::IamName, crate::spec::IdentityPolicy>>,
    /// The most characters IAM takes for its inline policies together.
    inline_limit: usize,
}

/// Every declared group, user and role.
fn identities(iam: &crate::spec::IamSpec) -> Vec<Identity<'_>> {
    let groups = iam.groups.iter().map(|(name, g)| Identity {
        what: "group",
        name,
        at: &g.referenced,
        managed: g.value.managed_policies.as_deref().unwrap_or_default(),
        inline: g.value.inline_policies.as_ref(),
        inline_limit: 5_120,
    });
    let users = iam.users.iter().map(|(name, u)| Identity {
        what: "user",
        name,
        at: &u.referenced,
        managed: u.value.managed_policies.as_deref().unwrap_or_default(),
        inline: u.value.inline_policies.as_ref(),
        inline_limit: 2_048,
    });
    let roles = iam.roles.iter().map(|(name, r)| Identity {
        what: "role",
        name,
        at: &r.referenced,
        managed: r.value.managed_policies.as_deref().unwrap_or_default(),
        inline: r.value.inline_policies.as_ref(),
        inline_limit: 10_240,
    });
    groups.chain(users).chain(roles).collect()
}

/// A policy ARN in another partition than the account's (known from the home region) names
/// nothing the account can attach: `arn:aws:` in an aws-cn account, say.
fn check_partitions(
    iam: &crate::spec::IamSpec,
    home: Option<&str>,
    doc: Document<'_>,
) -> Result<(), Box<LoadError>> {
    let Some(home) = home else {
        return Ok(());
    };
    let partition = crate::scope::partition_of(home);
    for Identity {
        name, at, managed, ..
    } in identities(iam)
    {
        for policy in managed {
            if let Some(other) = policy.partition()
                && other != partition
            {
                return Err(doc.error(
                    at,
                    format!(
                        "`{name}` attaches a policy in partition `{other}`, but the account \
                         ({home}) is in `{partition}`"
                    ),
                    format!(
                        "write its ARN as `arn:{partition}:iam::...`, or the policy's name for an AWS managed one"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// IAM's quotas and lengths, checked before any call: a value IAM refuses would otherwise
/// stop an apply half way (the user made, its policy refused).
fn check_iam_limits(iam: &crate::spec::IamSpec, doc: Document<'_>) -> Result<(), Box<LoadError>> {
    let fail = |at: &serde_saphyr::Location, key: String, message: String, hint: &str| {
        Err(doc.error_about(at, key, message, hint))
    };
    for Identity {
        what,
        name,
        at,
        managed,
        inline,
        inline_limit: limit,
    } in identities(iam)
    {
        let managed = managed.len();
        let size: usize = inline
            .iter()
            .flat_map(|m| m.values())
            .map(|p| crate::policy::iam_size(&p.0))
            .sum();
        if size > limit {
            return fail(
                at,
                format!("iam.{what}s.{name}.inline_policies"),
                format!(
                    "the inline policies of {what} `{name}` are {size} characters together; IAM \
                     takes at most {limit} for a {what} (white space not counted)"
                ),
                "move some into a managed policy (`managed_policies`)",
            );
        }
        if managed > 20 {
            return fail(
                at,
                format!("iam.{what}s.{name}.managed_policies"),
                format!("{what} `{name}` has {managed} managed policies; IAM attaches at most 20"),
                "combine some (the default quota is 10, raised to 20 on request)",
            );
        }
    }
    for (name, user) in &iam.users {
        let tags = user.value.tags.iter().flatten();
        let count = user.value.tags.as_ref().map_or(0, |t| t.len());
        if count > 50 {
            return fail(
                &user.referenced,
                format!("iam.users.{name}.tags"),
                format!("user `{name}` has {count} tags; IAM takes at most 50"),
                "keep 50 tags or fewer",
            );
        }
        for (key, value) in tags {
            if key.is_empty() || key.chars().count() > 128 || value.chars().count() > 256 {
                return fail(
                    &user.referenced,
                    format!("iam.users.{name}.tags"),
                    format!("user `{name}` has the tag `{key}`, whose key or value is too long"),
                    "a tag key is 1 to 128 characters, its value at most 256",
                );
            }
        }
    }
    for (name, role) in &iam.roles {
        if let Some(description) = &role.value.description
            && description.chars().count() > 1000
        {
            return fail(
                &role.referenced,
                format!("iam.roles.{name}.description"),
                format!("the description of role `{name}` is longer than 1000 characters"),
                "IAM takes role descriptions of at most 1000 characters",
            );
        }
    }
    Ok(())
}
