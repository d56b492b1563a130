//! `account:` and `root:` as the account has them.

use baseline_core::{ProviderError, ResourceAddr};
use serde_json::Value;

use super::yaml::Node;
use super::{Survey, flag, text};

const CONTACTS: [&str; 3] = ["billing", "operations", "security"];

pub(super) async fn account(survey: &Survey) -> Result<Node, Vec<ProviderError>> {
    let mut addresses = vec![
        ResourceAddr::singleton("account_alias"),
        ResourceAddr::singleton("account_contact_information"),
    ];
    addresses.extend(
        CONTACTS
            .iter()
            .map(|c| ResourceAddr::named("account_contact", c)),
    );
    let live = survey.read(&addresses).await?;

    let mut node = Node::map();
    node.set("id", Node::str(&survey.account_id))
        .note("the account pin: baseline refuses to touch any other account");
    if let Some(alias) = live[0].as_ref().and_then(|s| text(s, "/alias")) {
        node.set("alias", Node::str(survey.templated(alias)));
    }
    node.set("home_region", Node::str(&survey.home))
        .note(&survey.home_reason);
    if survey.regions.len() > 1 {
        node.set("regions", survey.regions_node(&survey.regions))
            .note("where baseline's recorders, rules and analyzers are");
    }
    let mut contacts = Node::map();
    for (kind, state) in CONTACTS.iter().zip(&live[2..]) {
        if let Some(state) = state {
            contacts.set(kind, contact(state));
        }
    }
    if !contacts.is_empty() {
        node.set("contacts", contacts);
    }
    match live[1].as_ref().and_then(|s| text(s, "/status")) {
        Some("done") => {
            node.set("contact_information", Node::str("required"))
                .note("CIS 1.1: complete now; the plan says when it is not");
        }
        _ => {
            node.set("contact_information", Node::str("required"))
                .note("CIS 1.1: the primary contact is not complete yet")
                .suggest();
        }
    }
    Ok(node)
}

fn contact(state: &Value) -> Node {
    let mut node = Node::map();
    for field in ["name", "title", "email", "phone"] {
        if let Some(value) = text(state, &format!("/{field}")) {
            node.set(field, Node::str(value));
        }
    }
    node
}

pub(super) async fn root(survey: &Survey) -> Result<Node, Vec<ProviderError>> {
    let live = survey
        .read(&[
            ResourceAddr::singleton("root_mfa"),
            ResourceAddr::singleton("root_access_keys"),
        ])
        .await?;
    let mut node = Node::map();
    let mfa = live[0].as_ref().is_some_and(|s| flag(s, "/mfa_enabled"));
    let entry = node.set("mfa", Node::str("required"));
    if mfa {
        entry.note("CIS 1.5");
    } else {
        entry
            .note("CIS 1.5: not enabled yet; a step for the root user in the console")
            .suggest();
    }
    let keys = live[1]
        .as_ref()
        .is_some_and(|s| flag(s, "/access_keys_present"));
    let entry = node.set("access_keys", Node::str("absent"));
    if keys {
        entry
            .note("CIS 1.4: the root user has access keys; delete them, then uncomment")
            .suggest();
    } else {
        entry.note("CIS 1.4");
    }
    node.set("security_questions", Node::str("required"))
        .note("CIS 1.3: no API can see them; write `confirmed` once set")
        .suggest();
    Ok(node)
}
