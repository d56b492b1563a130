//! `init` checks what it wrote by planning it, as `baseline plan` will. A described entry
//! whose plan would change the account (a hand-made bucket without baseline's policy, a
//! budget whose notifications differ) is written as a comment instead, saying what adopting
//! it would change: the file then plans no change, and each decision is in front of the
//! person who reads it. An entry the file cannot hold (it names a topic that became a
//! comment) follows the same way.

use std::collections::BTreeMap;
use std::sync::Arc;

use baseline_core::{Action, ResourceChange};
use baseline_core::{ProviderError, load_str};
use baseline_engine::Goal;

use super::yaml::{Entry, Node};
use super::{Described, InitSection};
use crate::context::AwsContext;

/// Rounds of plan and demote (then one more plan to check the last); each round only
/// comments entries out, so two or three settle it.
const ROUNDS: usize = 5;

/// Plans `described` and comments out what would change, until nothing would. Returns the
/// addresses that still would change (none, unless an entry could not be found for one).
pub(super) async fn settle(
    ctx: &Arc<AwsContext>,
    described: &mut Described,
) -> Result<Vec<String>, Vec<ProviderError>> {
    let mut left = Vec::new();
    for round in 0..=ROUNDS {
        let text = format!("version: 1\n{}", described.yaml());
        let spec = match load_str(&text, "init") {
            Ok(spec) => spec,
            Err(err) => {
                let path: Vec<&str> = err.key.as_deref().unwrap_or("").split('.').collect();
                let note = format!("cannot be kept: {}", err.message);
                if round == ROUNDS || !demote(described, &path[..path.len().min(2)], &note) {
                    left = vec![format!("{err}")];
                    break;
                }
                continue;
            }
        };
        // Declared member accounts by id, as `plan` finds them.
        let known = crate::survey(ctx, &spec).await.map_err(|e| vec![e])?.known;
        let (_, changes) =
            baseline_engine::plan_account(ctx, &spec, &known, Goal::Baseline, &|_| {})
                .await
                .map_err(|errors| {
                    errors
                        .into_iter()
                        .map(|message| {
                            crate::error::build_error(
                                &baseline_core::ResourceAddr::singleton("init"),
                                message,
                            )
                        })
                        .collect::<Vec<_>>()
                })?;
        let changed: Vec<&ResourceChange> = changes
            .iter()
            .filter(|c| matches!(c.action, Action::Create | Action::Update | Action::Delete))
            .collect();
        if changed.is_empty() {
            return Ok(Vec::new());
        }
        if round == ROUNDS {
            // Still changes after the last round: say which, rather than guess on.
            return Ok(changed.iter().map(|c| c.address.to_string()).collect());
        }
        left.clear();
        let mut notes: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
        for change in changed {
            match entry_of(described, change) {
                Some(path) => notes.entry(path).or_default().push(said(change)),
                None => left.push(change.address.to_string()),
            }
        }
        if notes.is_empty() {
            break;
        }
        for (path, changes) in notes {
            let note = format!("adopting it would change {}", changes.join("; "));
            // An alert kept as a comment keeps its rule's adoption with it.
            if path.len() >= 2 && path[0] == "alerts" && path[1] == "events" {
                let mut adopt = path.clone();
                adopt[1] = "adopt".to_owned();
                let adopt: Vec<&str> = adopt.iter().map(String::as_str).collect();
                demote(described, &adopt, &note);
            }
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            demote(described, &path, &note);
        }
    }
    Ok(left)
}

/// The alert `alerts.adopt` adopts rule `name` for.
fn adopted_for(described: &Described, name: &str) -> Option<String> {
    let Node::Map(adopted) = described.node(InitSection::Alerts)?.get("adopt")? else {
        return None;
    };
    adopted
        .iter()
        .find(|e| e.value.as_str() == Some(name))
        .map(|e| e.key.clone())
}

/// `s3_bucket.NAME (update: policy, versioning)`.
fn said(change: &ResourceChange) -> String {
    let verb = match change.action {
        Action::Create => "create",
        Action::Delete => "delete",
        _ => "update",
    };
    let fields: Vec<&str> = change.fields.iter().map(|f| f.path.as_str()).collect();
    if fields.is_empty() || change.action != Action::Update {
        format!("{} ({verb})", change.address)
    } else {
        format!("{} ({verb}: {})", change.address, fields.join(", "))
    }
}

/// The entry of `described` that declared the changed resource: its path of keys.
fn entry_of(described: &Described, change: &ResourceChange) -> Option<Vec<String>> {
    let address = &change.address;
    let name = address.name.clone().unwrap_or_default();
    let path: Vec<String> = match address.kind.as_str() {
        "account_alias" => vec!["account".into(), "alias".into()],
        "account_contact" => vec!["account".into(), "contacts".into(), name],
        "account_region" => vec!["account".into(), "regions".into()],
        "iam_password_policy" => vec!["iam".into(), "password_policy".into()],
        "iam_group" => vec!["iam".into(), "groups".into(), name],
        "iam_user" => vec!["iam".into(), "users".into(), name],
        "iam_role" => match name.as_str() {
            baseline_core::spec::TRAIL_LOGS_ROLE => vec!["logging".into(), "cloudtrail".into()],
            baseline_core::spec::EVENTS_FORWARD_ROLE => vec!["alerts".into(), "events".into()],
            baseline_core::spec::CONFIG_AGGREGATOR_ROLE => {
                vec!["logging".into(), "config".into()]
            }
            _ => vec!["iam".into(), "roles".into(), name],
        },
        "iam_service_linked_role"
        | "config_recorder"
        | "config_delivery_channel"
        | "config_recording"
        | "config_rule"
        | "config_aggregator" => {
            vec!["logging".into(), "config".into()]
        }
        "cloudtrail_trail"
        | "cloudtrail_other_trails"
        | "kms_key"
        | "kms_key_orphans"
        | "logs_group" => vec!["logging".into(), "cloudtrail".into()],
        "s3_bucket" => {
            let athena = described
                .node(InitSection::Logging)
                .and_then(|l| l.get("athena"))
                .and_then(|a| a.get("results_bucket"))
                .and_then(Node::as_str)
                .is_some_and(|b| b == described.templated(&name));
            let part = if athena { "athena" } else { "bucket" };
            vec!["logging".into(), part.into()]
        }
        "athena_workgroup" | "glue_database" | "glue_table" => {
            vec!["logging".into(), "athena".into()]
        }
        "sns_topic" => vec!["alerts".into(), "topics".into(), name],
        "sns_subscription" => {
            let topic = name.split('/').next().unwrap_or_default().to_owned();
            vec!["alerts".into(), "topics".into(), topic]
        }
        "events_rule" => {
            let key = match name.strip_prefix("baseline-") {
                Some(own) => own.replace('-', "_"),
                // An adopted rule: the alert it is adopted for.
                None => adopted_for(described, &name)?,
            };
            vec!["alerts".into(), "events".into(), key]
        }
        "budget" => vec!["cost".into(), "budgets".into(), name],
        "cost_explorer" => vec!["cost".into(), "cost_explorer".into()],
        "s3_account_public_access_block" => {
            vec!["guardrails".into(), "s3_public_access_block".into()]
        }
        "ebs_encryption_by_default" => vec!["guardrails".into(), "ebs_default_encryption".into()],
        "access_analyzer" => vec!["guardrails".into(), "access_analyzer".into()],
        "guardduty_detector" => vec!["guardrails".into(), "guardduty".into()],
        "securityhub" => vec!["guardrails".into(), "security_hub".into()],
        "org_unit" => vec!["organization".into(), "units".into(), name],
        "org_policy" => vec!["organization".into(), "policies".into(), name],
        "org_account" | "org_account_closure" => {
            vec!["organization".into(), "accounts".into(), name]
        }
        "org_service_access" => vec!["organization".into(), "service_access".into()],
        "org_delegated_admin" => vec!["organization".into(), "delegated_admins".into()],
        "organization" => vec!["organization".into()],
        _ => return None,
    };
    Some(path)
}

/// Writes the entry at `path` as a comment with `note`; a whole section when the path
/// names only the section. Whether there was such an entry.
fn demote(described: &mut Described, path: &[&str], note: &str) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let Some((_, node)) = described
        .sections
        .iter_mut()
        .find(|(s, _)| s.key() == *first)
    else {
        return false;
    };
    if rest.is_empty() {
        // The whole section: every entry of it.
        let Node::Map(entries) = node else {
            return false;
        };
        for entry in entries.iter_mut() {
            mark(entry, note);
        }
        return true;
    }
    let Some(entry) = entry_at(node, rest) else {
        return false;
    };
    mark(entry, note);
    // A mapping whose entries are all comments becomes a comment itself (an empty one
    // would not load).
    for depth in (1..rest.len()).rev() {
        if let Some(parent) = entry_at(node, &rest[..depth])
            && let Node::Map(entries) = &parent.value
            && entries.iter().all(|e| e.suggested)
        {
            mark(parent, "each entry of it is a comment");
        }
    }
    true
}

/// The entry at `path` below `node`.
fn entry_at<'a>(node: &'a mut Node, path: &[&str]) -> Option<&'a mut Entry> {
    let (last, parents) = path.split_last()?;
    let mut current = node;
    for key in parents {
        let Node::Map(entries) = current else {
            return None;
        };
        current = &mut entries.iter_mut().find(|e| e.key == *key)?.value;
    }
    let Node::Map(entries) = current else {
        return None;
    };
    entries.iter_mut().find(|e| e.key == *last)
}

fn mark(entry: &mut Entry, note: &str) {
    if entry.suggested {
        return;
    }
    let comment = match entry.comment.take() {
        Some(old) => format!("{old}; {note}"),
        None => note.to_owned(),
    };
    entry.note(comment).suggest();
}
