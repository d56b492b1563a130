//! Checks that span more than one value, run once the file is parsed: the password policy,
//! alerts and budgets, the Config channel, and the organization and `targets`, which name
//! OUs, accounts and topics the file must declare.

use super::LoadError;
use super::diagnostics::{Document, located, suggest};
use super::iam_checks::check_identities;
use crate::spec::{Ensure, Spec};

/// Checks that span more than one value, after the file has been read.
pub(super) fn check(spec: &Spec, source: &str, file: &str) -> Result<(), Box<LoadError>> {
    let doc = Document { source, file };
    let policy = spec
        .iam
        .as_ref()
        .and_then(|iam| iam.password_policy.as_ref());
    if let Some(policy) = policy
        && let Some(ensure) = &policy.ensure
        && ensure.value == Ensure::Absent
        && policy.declares_fields()
    {
        return Err(doc.error(
            &ensure.referenced,
            "`ensure: absent` removes the password policy, so it cannot also set its fields",
            "keep either `ensure: absent` or the policy's fields",
        ));
    }
    if let Some(iam) = &spec.iam {
        let home = spec.account.home_region.as_ref().map(|r| r.as_str());
        check_identities(iam, home, doc)?;
    }
    check_alerts(spec, doc)?;
    check_buckets(spec, doc)?;
    check_config_topic(spec, doc)?;
    check_organization(spec, doc)
}

/// The buckets baseline makes for different jobs have different settings (the log
/// bucket's policy lets CloudTrail and Config write, the access-log bucket takes S3's server
/// logs, query results must not land among the logs they read): one name for two of them
/// would have two resources fight over one bucket.
fn check_buckets(spec: &Spec, doc: Document<'_>) -> Result<(), Box<LoadError>> {
    let Some(logging) = &spec.logging else {
        return Ok(());
    };
    let context = crate::template::NameContext {
        account_id: spec.account.id.as_str(),
        region: spec.account.home_region.as_ref().map(|r| r.as_str()),
    };
    let mut named: Vec<(&str, String)> = Vec::new();
    if let Some(bucket) = &logging.bucket {
        named.push(("logging.bucket.name", bucket.name.0.render(context)));
        if let Some(access) = &bucket.access_logging {
            named.push((
                "logging.bucket.access_logging.bucket",
                access.bucket.0.render(context),
            ));
        }
    }
    if let Some(athena) = &logging.athena {
        named.push((
            "logging.athena.results_bucket",
            athena.results_bucket.0.render(context),
        ));
    }
    for (i, (path, name)) in named.iter().enumerate() {
        if let Some((first, _)) = named[..i].iter().find(|(_, other)| other == name) {
            return Err(doc.error_at_key(
                path,
                format!("bucket `{name}` is also `{first}`"),
                "each bucket baseline makes has a job and settings of its own: give this one \
                 another name",
            ));
        }
    }
    Ok(())
}

/// AWS Config publishes only to a topic in the channel's own region and not to an
/// encrypted topic: `logging.config.sns_topic_arn` must fit every region Config runs in.
fn check_config_topic(spec: &Spec, doc: Document<'_>) -> Result<(), Box<LoadError>> {
    use crate::spec::RegionsSpec;
    let Some(config) = spec.logging.as_ref().and_then(|l| l.config.as_ref()) else {
        return Ok(());
    };
    let Some(arn) = &config.sns_topic_arn else {
        return Ok(());
    };
    let error = |message: String, hint: &str| Err(doc.error(&arn.referenced, message, hint));
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
fn check_organization(spec: &Spec, doc: Document<'_>) -> Result<(), Box<LoadError>> {
    use crate::spec::{OrgTarget, TargetAccounts};
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
        Some(doc.error(&target.referenced, message, hint))
    };
    if let Some(org) = org {
        for (name, policy) in &org.policies {
            if policy.value.ensure == Ensure::Present && policy.value.document.is_none() {
                return Err(doc.error(
                    &policy.referenced,
                    format!("policy `{name}` has no `document`"),
                    "give it a `document:` with `Statement`s",
                ));
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
                return Err(doc.error(
                    &admin.referenced,
                    format!("the delegated administrator of `{service}` must be one account"),
                    "name a member account, or give its 12-digit id",
                ));
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
            let line = doc
                .source
                .lines()
                .position(|l| l.contains(needle))
                .map_or(1, |i| i + 1);
            let column = doc
                .source
                .lines()
                .nth(line - 1)
                .and_then(|l| l.find(needle))
                .map_or(1, |c| c + 1);
            return Err(Box::new(located(
                doc.source,
                doc.file,
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

/// A rule adopted for an alert: the alert is declared, the rule is not one baseline names
/// itself, and no rule is adopted twice.
fn check_adopted_rules(
    alerts: &crate::spec::AlertsSpec,
    doc: Document<'_>,
) -> Result<(), Box<LoadError>> {
    let mut adopted: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
    for (kind, rule) in &alerts.adopt {
        let name = rule.value.as_str();
        let key = kind.key();
        if !alerts.events.contains_key(kind) {
            return Err(doc.error(
                &rule.referenced,
                format!(
                    "rule `{name}` is adopted for `{key}`, which `alerts.events` does not declare"
                ),
                format!("declare `{key}: TOPIC` under `alerts.events`, or remove this line"),
            ));
        }
        if name.starts_with("baseline-") {
            return Err(doc.error(
                &rule.referenced,
                format!("rule `{name}` is named as baseline's own rules are"),
                "adopt a rule made outside baseline; baseline's own need no `adopt`",
            ));
        }
        if let Some(other) = adopted.insert(name, key) {
            return Err(doc.error(
                &rule.referenced,
                format!("rule `{name}` is adopted for both `{other}` and `{key}`"),
                "one rule raises one alert: adopt another rule, or let baseline make one",
            ));
        }
    }
    Ok(())
}

/// Alerts and budgets name topics that the file declares; budget thresholds tell someone.
fn check_alerts(spec: &Spec, doc: Document<'_>) -> Result<(), Box<LoadError>> {
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
        doc.error(
            &topic.referenced,
            format!("topic `{}` is not declared", topic.value),
            hint,
        )
    };
    if let Some(alerts) = &spec.alerts {
        for topic in alerts.events.values() {
            if !declared(&topic.value) {
                return Err(undeclared(topic));
            }
        }
        check_adopted_rules(alerts, doc)?;
    }
    let mut names: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
    let budgets = spec.cost.iter().flat_map(|c| &c.budgets);
    for (name, budget) in budgets {
        if let Some(other) = names.insert(budget.aws_name(name), name.as_str()) {
            let key = if budget.adopt.is_some() {
                format!("cost.budgets.{name}.adopt")
            } else {
                format!("cost.budgets.{name}")
            };
            return Err(doc.error_at_key(
                &key,
                format!(
                    "budget `{}` would be both `cost.budgets.{other}` and `cost.budgets.{name}`",
                    budget.aws_name(name)
                ),
                "adopt a budget under one entry only, and not one another entry is named after",
            ));
        }
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
                return Err(doc.error(
                    &notification.referenced,
                    format!("a notification of budget `{name}` {problem}"),
                    "give it `emails:` (1 to 10) and/or a `topic:`",
                ));
            }
        }
    }
    Ok(())
}
