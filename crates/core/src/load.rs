//! Reads baseline.yaml into a `Spec`. Every error names the file, line and column, the key it
//! concerns and, where one helps, a hint ("did you mean `minimum_length`?").

use std::fmt;
use std::path::Path;

use serde_saphyr::Error as YamlError;

use crate::spec::{Ensure, HINT_SEPARATOR, Spec};

/// Why a baseline file could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    /// 1-based line and column; `None` when the file could not be read at all.
    pub location: Option<(usize, usize)>,
    /// The dotted key path the error concerns (`iam.password_policy.minimum_length`).
    pub key: Option<String>,
    pub message: String,
    pub hint: Option<String>,
    /// The offending source line, shown under the message.
    pub source_line: Option<String>,
}

impl std::error::Error for LoadError {}

/// The longest message and source excerpt an error prints, in characters: a value of
/// megabytes must not become megabytes of error output.
const MESSAGE_CHARS: usize = 400;
const EXCERPT_CHARS: usize = 120;

/// `text` cut to `limit` characters, with `…` where it was cut.
fn shortened(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(limit).collect();
        out.push('…');
        out
    }
}

/// The part of a long source line around `column` (1-based), and the column in it.
fn excerpt(text: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= EXCERPT_CHARS {
        return (text.to_owned(), column);
    }
    let at = column.saturating_sub(1).min(chars.len());
    let start = at.saturating_sub(EXCERPT_CHARS / 2);
    let end = (start + EXCERPT_CHARS).min(chars.len());
    let mut out = String::new();
    let mut column = at - start + 1;
    if start > 0 {
        out.push('…');
        column += 1;
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    (out, column)
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = shortened(&self.message, MESSAGE_CHARS);
        match &self.key {
            Some(key) => writeln!(f, "{message} (at `{}`)", shortened(key, MESSAGE_CHARS))?,
            None => writeln!(f, "{message}")?,
        }
        match self.location {
            Some((line, column)) => {
                writeln!(f, "  --> {}:{line}:{column}", self.file)?;
                if let Some(text) = &self.source_line {
                    let (text, column) = excerpt(text, column);
                    let number = line.to_string();
                    let pad = " ".repeat(number.len());
                    writeln!(f, "{pad} |")?;
                    writeln!(f, "{number} | {text}")?;
                    let caret_pad: String = text
                        .chars()
                        .take(column.saturating_sub(1))
                        .map(|c| if c == '\t' { '\t' } else { ' ' })
                        .collect();
                    writeln!(f, "{pad} | {caret_pad}^")?;
                }
            }
            None => writeln!(f, "  --> {}", self.file)?,
        }
        if let Some(hint) = &self.hint {
            write!(f, "  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// The largest baseline file read: far beyond any real one, small enough that a wrong path
/// (`/dev/zero`, a log file) cannot exhaust memory.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads and checks a baseline file: a regular file (never a device or a pipe, which could
/// block or never end) of at most [`MAX_FILE_BYTES`], in UTF-8.
pub fn load_file(path: &Path) -> Result<Spec, Box<LoadError>> {
    use std::io::Read;
    let file = path.display().to_string();
    let refuse = |message: String, hint: &str| {
        Box::new(LoadError {
            file: file.clone(),
            location: None,
            key: None,
            message,
            hint: Some(hint.to_owned()),
            source_line: None,
        })
    };
    let cannot_read = |err: std::io::Error| {
        refuse(
            format!("cannot read {file}: {err}"),
            if err.kind() == std::io::ErrorKind::NotFound {
                "pass the file with `-f FILE`, or run baseline in the folder that holds baseline.yaml"
            } else {
                "check the file's permissions"
            },
        )
    };
    let meta = std::fs::metadata(path).map_err(cannot_read)?;
    if !meta.is_file() {
        return Err(refuse(
            format!("{file} is not a regular file (a folder, device, pipe or socket)"),
            "pass the path of a baseline.yaml with `-f FILE`",
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(refuse(
            format!(
                "{file} is larger than {} MiB",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            "a baseline file is a few kilobytes: is this the right file?",
        ));
    }
    let source = match String::from_utf8(bytes) {
        Ok(source) => source,
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let valid = &err.as_bytes()[..offset];
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            let start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
            let before = String::from_utf8_lossy(&valid[start..]).into_owned();
            return Err(Box::new(LoadError {
                file: file.clone(),
                location: Some((line, before.chars().count() + 1)),
                key: None,
                message: format!("{file} is not UTF-8 text: the byte at offset {offset} is not"),
                hint: Some("save the file as UTF-8".to_owned()),
                source_line: Some(before),
            }));
        }
    };
    load_str(&source, &file)
}

/// Parses and checks baseline text; `file` is only used in error messages.
pub fn load_str(source: &str, file: &str) -> Result<Spec, Box<LoadError>> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        with_snippet: false,
    };
    let spec: Spec = serde_saphyr::from_str_with_options(source, options)
        .map_err(|err| Box::new(from_yaml_error(&err, source, file)))?;
    check(&spec, source, file)?;
    Ok(spec)
}

/// Checks that span more than one value, after the file has been read.
fn check(spec: &Spec, source: &str, file: &str) -> Result<(), Box<LoadError>> {
    let policy = spec
        .iam
        .as_ref()
        .and_then(|iam| iam.password_policy.as_ref());
    if let Some(policy) = policy
        && let Some(ensure) = &policy.ensure
        && ensure.value == Ensure::Absent
        && policy.declares_fields()
    {
        let at = (
            ensure.referenced.line() as usize,
            ensure.referenced.column() as usize,
        );
        return Err(Box::new(located(
            source,
            file,
            at,
            "`ensure: absent` removes the password policy, so it cannot also set its fields"
                .to_owned(),
            Some("keep either `ensure: absent` or the policy's fields".to_owned()),
        )));
    }
    if let Some(iam) = &spec.iam {
        let home = spec.account.home_region.as_ref().map(|r| r.as_str());
        check_identities(iam, home, source, file)?;
    }
    check_alerts(spec, source, file)?;
    check_config_topic(spec, source, file)?;
    check_organization(spec, source, file)
}

/// AWS Config publishes only to a topic in the channel's own region and not to an
/// encrypted topic: `logging.config.sns_topic_arn` must fit every region Config runs in.
fn check_config_topic(spec: &Spec, source: &str, file: &str) -> Result<(), Box<LoadError>> {
    use crate::spec::RegionsSpec;
    let Some(config) = spec.logging.as_ref().and_then(|l| l.config.as_ref()) else {
        return Ok(());
    };
    let Some(arn) = &config.sns_topic_arn else {
        return Ok(());
    };
    let at = (
        arn.referenced.line() as usize,
        arn.referenced.column() as usize,
    );
    let error = |message: String, hint: &str| {
        Err(Box::new(located(
            source,
            file,
            at,
            message,
            Some(hint.to_owned()),
        )))
    };
    let parts: Vec<&str> = arn.value.split(':').collect();
    let ["arn", _, "sns", region, _, name] = parts.as_slice() else {
        return error(
            format!("`{}` is not an SNS topic ARN", arn.value),
            "write it as `arn:aws:sns:REGION:{account_id}:TOPIC`",
        );
    };
    let elsewhere = |regions: String| {
        error(
            format!(
                "AWS Config publishes only to a topic in the channel's own region; this topic \
                 is in {region}, but Config runs in {regions}"
            ),
            &format!(
                "to hear of Config changes in every region, drop `sns_topic_arn` and use \
                 `alerts.events.config_changes`; or set `logging.config.regions: [{region}]`"
            ),
        )
    };
    match config.regions.as_ref().or(spec.account.regions.as_ref()) {
        Some(RegionsSpec::All) => return elsewhere("every enabled region".to_owned()),
        Some(RegionsSpec::List(list)) if list.iter().any(|r| r.as_str() != *region) => {
            let names: Vec<&str> = list.iter().map(|r| r.as_str()).collect();
            return elsewhere(names.join(", "));
        }
        Some(RegionsSpec::List(_)) => {}
        None => {
            if let Some(home) = &spec.account.home_region
                && home.as_str() != *region
            {
                return elsewhere(home.as_str().to_owned());
            }
        }
    }
    let own = spec.alerts.as_ref().and_then(|a| {
        a.topics
            .iter()
            .find(|(topic, _)| topic.as_str() == *name)
            .map(|(_, topic)| topic)
    });
    if let Some(topic) = own
        && topic.kms_key.is_some()
    {
        return error(
            format!(
                "topic `{name}` is encrypted, and AWS Config does not publish to encrypted topics"
            ),
            "give Config a topic without `kms_key`, or drop `sns_topic_arn`",
        );
    }
    Ok(())
}

/// Policies, accounts and targets name OUs and accounts the file declares; what fans out to
/// many accounts has names that differ per account.
fn check_organization(spec: &Spec, source: &str, file: &str) -> Result<(), Box<LoadError>> {
    use crate::spec::{OrgTarget, TargetAccounts};
    let at = |loc: &serde_saphyr::Location| (loc.line() as usize, loc.column() as usize);
    let org = spec.organization.as_ref();
    let units: Vec<String> = org
        .iter()
        .flat_map(|o| o.units.keys())
        .flat_map(|path| path.with_ancestors())
        .map(|p| p.to_string())
        .collect();
    let names: Vec<&str> = org
        .iter()
        .flat_map(|o| o.accounts.keys())
        .map(|n| n.as_str())
        .collect();
    let unknown = |target: &serde_saphyr::Spanned<OrgTarget>,
                   what: &str|
     -> Option<Box<LoadError>> {
        let (message, known, section) = match &target.value {
            OrgTarget::Unit(path) if org.is_some() && !units.contains(&path.to_string()) => (
                format!("{what} OU `{path}`, which `organization.units` does not declare"),
                units.iter().map(String::as_str).collect::<Vec<_>>(),
                "organization.units",
            ),
            OrgTarget::Account(name) if !names.contains(&name.as_str()) => (
                format!("{what} account `{name}`, which `organization.accounts` does not declare"),
                names.clone(),
                "organization.accounts",
            ),
            _ => return None,
        };
        let hint = match suggest(&target.value.to_string(), &known) {
            Some(close) => format!("{close} Or declare it under `{section}`"),
            None => format!("declare it under `{section}`, or use a 12-digit account id"),
        };
        Some(Box::new(located(
            source,
            file,
            at(&target.referenced),
            message,
            Some(hint),
        )))
    };
    if let Some(org) = org {
        for (name, policy) in &org.policies {
            if policy.value.ensure == Ensure::Present && policy.value.document.is_none() {
                return Err(Box::new(located(
                    source,
                    file,
                    at(&policy.referenced),
                    format!("policy `{name}` has no `document`"),
                    Some("give it a `document:` with `Statement`s".to_owned()),
                )));
            }
            for target in &policy.value.attach {
                if let Some(err) = unknown(target, &format!("policy `{name}` is attached to")) {
                    return Err(err);
                }
            }
        }
        for (name, account) in &org.accounts {
            if let Some(unit) = &account.value.unit
                && !units.contains(&unit.value.to_string())
            {
                let target = serde_saphyr::Spanned {
                    value: OrgTarget::Unit(unit.value.clone()),
                    referenced: unit.referenced,
                    defined: unit.defined,
                };
                if let Some(err) = unknown(&target, &format!("account `{name}` is placed in")) {
                    return Err(err);
                }
            }
        }
        for (service, admin) in &org.delegated_admins {
            if matches!(admin.value, OrgTarget::Root | OrgTarget::Unit(_)) {
                return Err(Box::new(located(
                    source,
                    file,
                    at(&admin.referenced),
                    format!("the delegated administrator of `{service}` must be one account"),
                    Some("name a member account, or give its 12-digit id".to_owned()),
                )));
            }
            if let Some(err) = unknown(admin, &format!("`{service}` is delegated to")) {
                return Err(err);
            }
        }
    }
    let Some(targets) = &spec.targets else {
        return Ok(());
    };
    if let TargetAccounts::List(list) = &targets.accounts {
        for target in list {
            if let Some(err) = unknown(target, "`targets` names") {
                return Err(err);
            }
        }
    }
    // Bucket names are unique across AWS: what every member account gets needs its own.
    let logging = spec.logging.as_ref();
    let buckets = logging
        .and_then(|l| l.bucket.as_ref())
        .map(|b| &b.name)
        .into_iter()
        .chain(
            logging
                .and_then(|l| l.athena.as_ref())
                .map(|a| &a.results_bucket),
        );
    for bucket in buckets {
        if !bucket.0.raw().contains("{account_id}") {
            let needle = bucket.0.raw();
            let line = source
                .lines()
                .position(|l| l.contains(needle))
                .map_or(1, |i| i + 1);
            let column = source
                .lines()
                .nth(line - 1)
                .and_then(|l| l.find(needle))
                .map_or(1, |c| c + 1);
            return Err(Box::new(located(
                source,
                file,
                (line, column),
                format!(
                    "bucket `{needle}` would be made in every target account, but S3 bucket names are unique across AWS"
                ),
                Some("put `{account_id}` in the name, e.g. `logs-{account_id}`".to_owned()),
            )));
        }
    }
    Ok(())
}

/// Alerts and budgets name topics that the file declares; budget thresholds tell someone.
fn check_alerts(spec: &Spec, source: &str, file: &str) -> Result<(), Box<LoadError>> {
    let at = |loc: &serde_saphyr::Location| (loc.line() as usize, loc.column() as usize);
    let topics = spec.alerts.as_ref().map(|a| &a.topics);
    let declared = |name: &crate::spec::TopicName| topics.is_some_and(|t| t.contains_key(name));
    let undeclared = |topic: &serde_saphyr::Spanned<crate::spec::TopicName>| {
        let known: Vec<&str> = topics
            .iter()
            .flat_map(|t| t.keys())
            .map(|k| k.as_str())
            .collect();
        let hint = match suggest(topic.value.as_str(), &known) {
            Some(close) => format!("{close} Topics are declared under `alerts.topics`"),
            None => "declare it under `alerts.topics`".to_owned(),
        };
        Box::new(located(
            source,
            file,
            at(&topic.referenced),
            format!("topic `{}` is not declared", topic.value),
            Some(hint),
        ))
    };
    if let Some(alerts) = &spec.alerts {
        for topic in alerts.events.values() {
            if !declared(&topic.value) {
                return Err(undeclared(topic));
            }
        }
    }
    let budgets = spec.cost.iter().flat_map(|c| &c.budgets);
    for (name, budget) in budgets {
        for notification in &budget.notifications {
            if let Some(topic) = &notification.value.topic
                && !declared(&topic.value)
            {
                return Err(undeclared(topic));
            }
            let emails = notification.value.emails.len();
            let problem = if emails == 0 && notification.value.topic.is_none() {
                Some("tells no one")
            } else if emails > 10 {
                Some("has more than 10 e-mail addresses")
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(Box::new(located(
                    source,
                    file,
                    at(&notification.referenced),
                    format!("a notification of budget `{name}` {problem}"),
                    Some("give it `emails:` (1 to 10) and/or a `topic:`".to_owned()),
                )));
            }
        }
    }
    Ok(())
}

/// Roles need a trust policy, and users cannot join a group the file removes.
fn check_identities(
    iam: &crate::spec::IamSpec,
    home: Option<&str>,
    source: &str,
    file: &str,
) -> Result<(), Box<LoadError>> {
    let at = |loc: &serde_saphyr::Location| (loc.line() as usize, loc.column() as usize);
    for (name, role) in &iam.roles {
        if role.value.ensure == Ensure::Present && role.value.trust.is_none() {
            let mut error = located(
                source,
                file,
                at(&role.referenced),
                format!("role `{name}` has no `trust`"),
                Some("say who may assume it, e.g. `trust: { account: self }`".to_owned()),
            );
            error.key = Some(format!("iam.roles.{name}"));
            return Err(Box::new(error));
        }
    }
    for (name, role) in &iam.roles {
        let Some(trust) = &role.value.trust else {
            continue;
        };
        let simple = !trust.accounts.0.is_empty() || !trust.services.0.is_empty();
        if trust.document.is_some() && (simple || trust.require_mfa) {
            let mut error = located(
                source,
                file,
                at(&role.referenced),
                format!("role `{name}` has a trust `document` and other trust keys"),
                Some("write either `document:` or `account`/`service`/`require_mfa`".to_owned()),
            );
            error.key = Some(format!("iam.roles.{name}.trust"));
            return Err(Box::new(error));
        }
        if trust.document.is_none() && !simple {
            let mut error = located(
                source,
                file,
                at(&role.referenced),
                format!("role `{name}` trusts nobody"),
                Some(
                    "name who may assume it: `account: self`, an account id, or `service:`"
                        .to_owned(),
                ),
            );
            error.key = Some(format!("iam.roles.{name}.trust"));
            return Err(Box::new(error));
        }
    }
    check_iam_limits(iam, source, file)?;
    check_partitions(iam, home, source, file)?;
    for (name, user) in &iam.users {
        let groups = user.value.groups.iter().flatten();
        for group in groups {
            let removed = iam
                .groups
                .get(group)
                .is_some_and(|g| g.value.ensure == Ensure::Absent);
            if removed && user.value.ensure == Ensure::Present {
                return Err(Box::new(located(
                    source,
                    file,
                    at(&user.referenced),
                    format!("user `{name}` is in group `{group}`, which has `ensure: absent`"),
                    Some(format!(
                        "remove `{group}` from the user's groups, or keep the group"
                    )),
                )));
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
    source: &str,
    file: &str,
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
                return Err(Box::new(located(
                    source,
                    file,
                    (at.line() as usize, at.column() as usize),
                    format!(
                        "`{name}` attaches a policy in partition `{other}`, but the account \
                         ({home}) is in `{partition}`"
                    ),
                    Some(format!(
                        "write its ARN as `arn:{partition}:iam::...`, or the policy's name for an AWS managed one"
                    )),
                )));
            }
        }
    }
    Ok(())
}

/// IAM's quotas and lengths, checked before any call: a value IAM refuses would otherwise
/// stop an apply half way (the user made, its policy refused).
fn check_iam_limits(
    iam: &crate::spec::IamSpec,
    source: &str,
    file: &str,
) -> Result<(), Box<LoadError>> {
    let fail = |at: &serde_saphyr::Location, key: String, message: String, hint: &str| {
        let mut error = located(
            source,
            file,
            (at.line() as usize, at.column() as usize),
            message,
            Some(hint.to_owned()),
        );
        error.key = Some(key);
        Err(Box::new(error))
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

/// An error at a place in the source, with the key path worked out from the text.
fn located(
    source: &str,
    file: &str,
    (line, column): (usize, usize),
    message: String,
    hint: Option<String>,
) -> LoadError {
    LoadError {
        file: file.to_owned(),
        location: Some((line, column)),
        key: key_path_at(source, line),
        message,
        hint,
        source_line: source
            .lines()
            .nth(line.saturating_sub(1))
            .map(str::to_owned),
    }
}

fn from_yaml_error(err: &YamlError, source: &str, file: &str) -> LoadError {
    let err = err.without_snippet();
    let at = err
        .location()
        .map(|loc| (loc.line() as usize, loc.column() as usize))
        .filter(|(line, _)| *line > 0)
        .unwrap_or_else(|| end_of(source));
    let at = if source.trim().is_empty() { (1, 1) } else { at };
    let (message, hint) = describe(err, source);
    let mut error = located(source, file, at, message, hint);
    if matches!(err, YamlError::SerdeMissingField { .. }) {
        // The location is the mapping's first key; the missing key belongs to its parent.
        error.key = error
            .key
            .and_then(|path| path.rsplit_once('.').map(|(parent, _)| parent.to_owned()));
    }
    error
}

/// The last line and column of the text, for errors at the end of input.
fn end_of(source: &str) -> (usize, usize) {
    let line = source.lines().count().max(1);
    let column = source.lines().last().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Our own wording of serde-saphyr's error, with a hint where one helps.
fn describe(err: &YamlError, source: &str) -> (String, Option<String>) {
    match err {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => (
            format!("unknown key `{field}`"),
            Some(suggest(field, expected).unwrap_or_else(|| valid_keys(expected))),
        ),
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => (
            format!("unknown value `{variant}`"),
            Some(
                suggest(variant, expected)
                    .unwrap_or_else(|| format!("expected one of: {}", quoted_list(expected))),
            ),
        ),
        YamlError::SerdeMissingField { field, .. } => (
            format!("missing key `{field}`"),
            Some(missing_key_hint(field)),
        ),
        YamlError::DuplicateMappingKey { key, .. } => (
            match key {
                Some(key) => format!("duplicate key `{key}`"),
                None => "duplicate key".to_owned(),
            },
            Some("a key may appear only once in a mapping: remove one of them".to_owned()),
        ),
        YamlError::SerdeInvalidType {
            unexpected,
            expected,
            ..
        } => (
            format!("expected {expected}, found {unexpected}"),
            type_hint(expected),
        ),
        YamlError::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => (
            format!("expected {expected}, found {unexpected}"),
            type_hint(expected),
        ),
        YamlError::Eof { .. } if source.trim().is_empty() => (
            "the baseline file is empty".to_owned(),
            Some("start with `version: 1` and an `account:` section".to_owned()),
        ),
        YamlError::Message { msg, .. } | YamlError::ExternalMessage { msg, .. } => {
            match msg.split_once(HINT_SEPARATOR) {
                Some((message, hint)) => (message.to_owned(), Some(hint.trim().to_owned())),
                None => (reword(&strip_position(msg)), syntax_hint(msg)),
            }
        }
        other => {
            let text = other.to_string();
            // serde-saphyr prefixes "error: line L column C: "; the location is shown apart.
            let message = text
                .split_once(": ")
                .filter(|(head, _)| head.contains("line"))
                .map_or(text.as_str(), |(_, rest)| rest)
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned();
            let hint = syntax_hint(&message);
            let message = reword(&strip_position(&message));
            (message, hint)
        }
    }
}

fn type_hint(expected: &str) -> Option<String> {
    syntax_hint(expected)
}

/// Plain words for the reader's type names.
fn reword(message: &str) -> String {
    message
        .replace("invalid i64", "not a whole number")
        .replace("invalid u64", "not a whole number")
        .replace("expected string scalar", "expected a single value")
        .replace("expected mapping start", "expected a mapping")
}

/// serde-saphyr repeats the position inside some messages; it is shown apart.
fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// A hint for the low-level messages of the YAML reader.
fn syntax_hint(message: &str) -> Option<String> {
    let hint = if message.contains("boolean") || message.contains("bool") {
        "write `true` or `false`"
    } else if message.contains("i64") || message.contains("u64") || message.contains("integer") {
        "write a whole number, such as `14`"
    } else if message.contains("string scalar") {
        "write a single value here, not a list or a mapping"
    } else if message.contains("mapping start") || message.contains("struct") {
        "write a mapping here: `key: value` lines, indented under the key"
    } else if message.contains("tab") {
        "YAML indents with spaces, not tabs"
    } else if message.contains("unclosed") {
        "close the bracket, or write the mapping as indented `key: value` lines"
    } else {
        return None;
    };
    Some(hint.to_owned())
}

fn missing_key_hint(field: &str) -> String {
    match field {
        "version" => "add `version: 1` at the top of the file".to_owned(),
        "account" => "add an `account:` section with your 12-digit `id`".to_owned(),
        "id" => "add `id: \"123456789012\"` (your 12-digit account id) under `account:`".to_owned(),
        "ensure" => "write `{ ensure: absent }`".to_owned(),
        other => format!("add `{other}:`"),
    }
}

/// "did you mean `x`?" when a known name is close enough to be the intended one.
fn suggest(given: &str, known: &[&str]) -> Option<String> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(given, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!("did you mean `{k}`?"))
}

fn valid_keys(expected: &[&str]) -> String {
    format!("valid keys here: {}", quoted_list(expected))
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The dotted key path of the entry on `line`, found from indentation: the key on that
/// line, then each less-indented key above it. Flow mappings get the path of their line.
fn key_path_at(source: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = source.lines().collect();
    let mut index = line.checked_sub(1)?;
    let mut path = Vec::new();
    let mut indent = usize::MAX;
    loop {
        let text = *lines.get(index)?;
        let (this_indent, key) = key_of(text);
        if let Some(key) = key
            && this_indent < indent
        {
            path.push(key);
            indent = this_indent;
        }
        if indent == 0 || index == 0 {
            break;
        }
        index -= 1;
    }
    path.reverse();
    (!path.is_empty()).then(|| path.join("."))
}

/// The indentation of a block-mapping line and its key, if the line starts with one.
/// A `- ` sequence marker counts as indentation.
fn key_of(text: &str) -> (usize, Option<&str>) {
    let trimmed = text.trim_start();
    let mut indent = text.len() - trimmed.len();
    let mut body = trimmed;
    while let Some(rest) = body.strip_prefix("- ") {
        indent += 2;
        body = rest.trim_start();
    }
    if body.starts_with('#') || body.is_empty() {
        return (usize::MAX, None);
    }
    let key = body
        .split_once(':')
        .map(|(key, _)| key.trim().trim_matches(|c| c == '"' || c == '\''))
        .filter(|key| {
            !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        });
    (indent, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(source: &str) -> LoadError {
        *load_str(source, "b.yaml").expect_err("must fail")
    }

    #[test]
    fn unknown_key_has_location_path_and_suggestion() {
        let err = error(
            "version: 1\naccount:\n  id: \"123456789012\"\niam:\n  password_policy:\n    minimum_lenght: 3\n",
        );
        assert_eq!(err.location, Some((6, 5)));
        assert_eq!(
            err.key.as_deref(),
            Some("iam.password_policy.minimum_lenght")
        );
        assert_eq!(err.message, "unknown key `minimum_lenght`");
        assert_eq!(err.hint.as_deref(), Some("did you mean `minimum_length`?"));
        insta::assert_snapshot!(err.to_string());
    }

    #[test]
    fn out_of_range_value_points_at_value() {
        let err = error(
            "version: 1\naccount:\n  id: \"123456789012\"\niam:\n  password_policy:\n    minimum_length: 200\n",
        );
        assert_eq!(err.location, Some((6, 21)));
        assert_eq!(err.message, "200 is out of range");
        assert_eq!(err.hint.as_deref(), Some("AWS accepts 6 to 128 here"));
        assert_eq!(
            err.key.as_deref(),
            Some("iam.password_policy.minimum_length")
        );
    }

    #[test]
    fn valid_file_loads() {
        let spec = load_str(
            "version: 1\naccount:\n  id: 012345678901\n  alias: \"{account_id}-main\"\nroot: { mfa: required }\n",
            "b.yaml",
        )
        .expect("valid");
        assert_eq!(spec.account.id.as_str(), "012345678901");
    }

    #[test]
    fn key_path_follows_indentation() {
        let src = "a:\n  b:\n    - c: 1\n      d: 2\n  e: 3\n";
        assert_eq!(key_path_at(src, 4).as_deref(), Some("a.b.d"));
        assert_eq!(key_path_at(src, 5).as_deref(), Some("a.e"));
    }
}
