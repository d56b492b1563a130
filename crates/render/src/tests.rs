//! Tests of every writer. The snapshots are named after this module: they stay where they
//! were when the writers were split.

use baseline_core::ResourceAddr;
use baseline_core::exec::{ApplyReport, Outcome};
use baseline_core::plan::AccountPlan;
use baseline_core::provider::ProviderError;
use baseline_core::{Action, Plan, ResourceChange};
use serde_json::{Value, json};

use crate::lines::{self, Line};
use crate::{MARKDOWN_LIMIT, Style, View, plan_json, plan_markdown, plan_text, report_text};

mod fixtures;

use fixtures::{
    change, field, limited_plan, manual_only_plan, multi_account_plan, rich_plan, sample_plan,
};

/// One test per snapshot: the test's name names the snapshot, the expression is what it
/// holds.
macro_rules! snapshot_tests {
    ($($name:ident: $text:expr,)*) => {
        $(
            #[test]
            fn $name() {
                insta::assert_snapshot!($text);
            }
        )*
    };
}

snapshot_tests! {
    plan_text_snapshot: plan_text(&sample_plan(), View::default()),
    markdown_snapshot: plan_markdown(&sample_plan(), View::default(), MARKDOWN_LIMIT),
    sample_plan_colored_snapshot: colored_text(&sample_plan()),
    rich_plan_text_snapshot: plan_text(&rich_plan(), View::default()),
    rich_plan_colored_snapshot: colored_text(&rich_plan()),
    rich_plan_markdown_snapshot: plan_markdown(&rich_plan(), View::default(), MARKDOWN_LIMIT),
    manual_only_plan_text_snapshot: plan_text(&manual_only_plan(), View::default()),
    manual_only_plan_verbose_text_snapshot: plan_text(&manual_only_plan(), View {
        verbose: true,
        ..View::default()
    }),
    manual_only_plan_markdown_snapshot: plan_markdown(&manual_only_plan(), View::default(), MARKDOWN_LIMIT),
    multi_account_text_snapshot: plan_text(&multi_account_plan(), View::default()),
    multi_account_colored_snapshot: colored_text(&multi_account_plan()),
    multi_account_markdown_snapshot: plan_markdown(&multi_account_plan(), View::default(), MARKDOWN_LIMIT),
    multi_account_markdown_shares_a_small_limit_snapshot:
        plan_markdown(&multi_account_plan(), View::default(), 2_500),
    limited_plan_text_snapshot: plan_text(&limited_plan(), View::default()),
    limited_plan_markdown_snapshot: plan_markdown(&limited_plan(), View::default(), MARKDOWN_LIMIT),
    markdown_leaves_out_blocks_that_do_not_fit_snapshot: plan_markdown(&sample_plan(), View::default(), 1_000),
    markdown_cuts_a_summary_that_does_not_fit_snapshot: plan_markdown(&rich_plan(), View::default(), 300),
}

#[test]
fn empty_plan_says_no_changes() {
    let plan = Plan::new("123456789012", vec![], vec![]);
    insta::assert_snapshot!(plan_text(&plan, View::default()));
}

#[test]
fn color_only_repeats_symbols() {
    let plain = plan_text(&sample_plan(), View::default());
    let colored = plan_text(&sample_plan(), colored());
    assert!(colored.contains("\x1b["));
    let stripped = strip_ansi(&colored);
    assert_eq!(stripped, plain);
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn markdown_of_a_large_plan_stays_within_the_limit_and_keeps_the_summary() {
    let big = json!({"Statement": (0..40).map(|i| json!({"Sid": format!("S{i}"), "Effect": "Allow", "Action": [format!("svc{i}:Get")], "Resource": ["*"]})).collect::<Vec<_>>()});
    let changes = (0..300)
        .map(|i| {
            let mut c = change(
                ResourceAddr::named("iam_group", &format!("g{i:03}")),
                Action::Create,
                vec![field(
                    "inline_policies",
                    None,
                    Some(json!({"p": big.clone()})),
                )],
                &[],
            );
            c.permissions_broadened = vec!["attaches something".into()];
            c
        })
        .collect();
    let plan = Plan::new("123456789012", vec![], changes);
    let text = plan_markdown(&plan, View::default(), MARKDOWN_LIMIT);
    assert!(text.len() <= MARKDOWN_LIMIT, "{} characters", text.len());
    assert!(text.contains("Plan: 300 to create, 0 to update, 0 to delete, 0 manual."));
    assert!(
        text.contains("`iam_group.g299`"),
        "the summary names every broadened resource"
    );
    assert!(text.contains("more change(s) not shown"));
    assert_eq!(
        text.matches("<details>").count(),
        text.matches("</details>").count()
    );
}

/// An organization of 20 accounts, each with 10 changes in each of 17 regions that do not fold
/// and three changes that broaden permissions, all with documents: far more than a comment
/// holds. The comment stays within GitHub's limit, every broadening change keeps its
/// details, and each account names what is left out.
#[test]
fn markdown_of_an_organization_keeps_every_broadening_change() {
    let regions: Vec<String> = (1..=17).map(|i| format!("xx-test-{i}")).collect();
    let doc = |n: usize| json!({"Statement": (0..n).map(|i| json!({"Sid": format!("S{i}"), "Effect": "Allow", "Action": [format!("svc{i}:Get")], "Resource": ["*"]})).collect::<Vec<_>>()});
    let account = |n: usize| {
        let mut changes = Vec::new();
        for region in &regions {
            for rule in 0..10 {
                // Each region's own value: the changes do not fold.
                let arn = format!("arn:aws:events:{region}:{n:012}:rule/r{rule}-{n}-{region}x");
                changes.push(change(
                    ResourceAddr::named("events_rule", &format!("r{rule}")).in_region(region),
                    Action::Create,
                    vec![
                        field("arn", None, Some(json!(arn))),
                        field("pattern", None, Some(doc(20))),
                    ],
                    &[],
                ));
            }
        }
        for group in ["admins", "ops", "audit"] {
            let mut c = change(
                ResourceAddr::named("iam_group", group),
                Action::Update,
                vec![field(
                    "inline_policies",
                    Some(json!({})),
                    Some(json!({"p": doc(3)})),
                )],
                &[],
            );
            c.permissions_broadened = vec![format!("inline policy `p` of {group} in {n}")];
            changes.push(c);
        }
        let id = format!("{:012}", 100_000_000_000 + n);
        AccountPlan::new(
            &id,
            Some(format!("team-{n}")),
            format!("arn:aws:iam::{id}:role/r"),
            regions.clone(),
            changes,
        )
    };
    let plan = Plan::new("123456789012", regions.clone(), vec![])
        .with_accounts((0..20).map(account).collect());
    let text = plan_markdown(&plan, View::default(), MARKDOWN_LIMIT);
    assert!(
        text.chars().count() <= MARKDOWN_LIMIT,
        "{} characters",
        text.len()
    );
    for n in 0..20 {
        assert!(text.contains(&format!(
            "### Account team-{n} (`{:012}`)",
            100_000_000_000_usize + n
        )));
        for group in ["admins", "ops", "audit"] {
            let note = format!("permissions broadened: inline policy `p` of {group} in {n}");
            assert!(text.contains(&note), "{note} is shown");
        }
    }
    assert_eq!(text.matches("more change(s) not shown").count(), 20);
    assert_eq!(
        text.matches("<details>").count(),
        text.matches("</details>").count()
    );
}

#[test]
fn json_round_trips() {
    let plan = sample_plan();
    let back: Plan = serde_json::from_str(&plan_json(&plan)).expect("parses");
    assert_eq!(back.changes, plan.changes);
    let value: Value = serde_json::from_str(&plan_json(&plan)).expect("json");
    assert_eq!(value["format_version"], "3.0");
    let first = &value["resource_changes"][0];
    assert_eq!(first["change"]["actions"], json!(["update"]));
    assert_eq!(first["address"], "account_alias");
    assert_eq!(first["type"], "account_alias");
    assert_eq!(first["name"], Value::Null);
    assert_eq!(first["region"], Value::Null);
    assert_eq!(first["account"], "123456789012");
}

#[test]
fn report_snapshot() {
    let plan = sample_plan();
    let mut report = failed_password_policy(
        Some("AccessDenied"),
        "not allowed",
        Some("the caller needs the `iam:UpdateAccountPasswordPolicy` permission"),
    );
    report
        .outcomes
        .insert(ResourceAddr::singleton("account_alias"), Outcome::Applied);
    insta::assert_snapshot!(report_text(&report, &plan, Style::default()));
}

/// A report in which the password policy failed (with `code`, `message` and `hint`), and
/// the user that waits for it was skipped.
fn failed_password_policy(code: Option<&str>, message: &str, hint: Option<&str>) -> ApplyReport {
    let policy = ResourceAddr::singleton("iam_password_policy");
    let mut report = ApplyReport::default();
    report.outcomes.insert(
        policy.clone(),
        Outcome::Failed {
            error: ProviderError {
                address: policy.clone(),
                operation: "iam:UpdateAccountPasswordPolicy".into(),
                code: code.map(str::to_owned),
                message: message.into(),
                hint: hint.map(str::to_owned),
            },
        },
    );
    report.outcomes.insert(
        ResourceAddr::named("iam_user", "old-user"),
        Outcome::Skipped { because: policy },
    );
    report
}

/// Colour codes made visible, so a snapshot shows which text gets which colour.
/// The default view, in colour.
fn colored() -> View {
    View {
        style: Style { color: true },
        ..View::default()
    }
}

fn visible_ansi(text: &str) -> String {
    text.replace('\x1b', "<ESC>")
}

/// A plan as coloured text, its colour codes made visible.
fn colored_text(plan: &Plan) -> String {
    visible_ansi(&plan_text(plan, colored()))
}

/// A report as coloured text, its colour codes made visible.
fn colored_report(report: &ApplyReport, plan: &Plan) -> String {
    visible_ansi(&report_text(report, plan, Style { color: true }))
}

#[test]
fn empty_plan_markdown_snapshot() {
    let plan = Plan::new("123456789012", vec![], vec![]);
    insta::assert_snapshot!(plan_markdown(&plan, View::default(), MARKDOWN_LIMIT));
}

#[test]
fn report_of_a_complete_apply_snapshot() {
    let plan = Plan::new("123456789012", vec![], sample_plan().changes[..2].to_vec());
    let mut report = ApplyReport::default();
    for change in &plan.changes {
        report
            .outcomes
            .insert(change.address.clone(), Outcome::Applied);
    }
    insta::assert_snapshot!(colored_report(&report, &plan));
}

#[test]
fn report_colored_snapshot() {
    let plan = sample_plan();
    let report = failed_password_policy(None, "throttled", None);
    insta::assert_snapshot!(colored_report(&report, &plan));
}

#[test]
fn a_change_says_its_header_notes_fields_then_manual_step() {
    let kinds = |change: &ResourceChange| -> Vec<&'static str> {
        lines::of(change, "")
            .iter()
            .map(|line| match line {
                Line::Header { .. } => "header",
                Line::Note { .. } => "note",
                Line::Field { .. } => "field",
                Line::Document { .. } => "document",
                Line::Manual { .. } => "manual",
            })
            .collect()
    };
    let plan = rich_plan();
    let find = |address: &str| {
        plan.changes
            .iter()
            .find(|c| c.address.to_string() == address)
            .expect("in the plan")
    };
    assert_eq!(
        kinds(find("iam_group.ops")),
        // The new tags fit on a line: a plain field.
        [
            "header", "note", "note", "note", "field", "document", "field"
        ]
    );
    assert_eq!(
        kinds(find("us-east-1/s3_account_public_access_block")),
        [
            "header", "document", "field", "field", "manual", "manual", "manual"
        ]
    );
}
