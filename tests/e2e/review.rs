//! Plans reviewed in pull requests: saved plans applied exactly or refused when the account
//! changed, JSON and Markdown plans, `show` without AWS, and `destroy`.

use baseline_test_support::{Run, TestAccount};
use serde_json::Value;

use crate::{BIN, auto_apply, baseline, plan_exits};

fn baseline_text(account: &TestAccount, min_length: u32) -> String {
    format!(
        "version: 1\naccount:\n  id: \"{}\"\n  alias: \"review-{{account_id}}\"\niam:\n  password_policy:\n    minimum_length: {min_length}\n    require_symbols: true\n  groups:\n    ops: {{ managed_policies: [ReadOnlyAccess] }}\n",
        account.id
    )
}

async fn min_length(account: &TestAccount) -> Option<i32> {
    account
        .iam()
        .get_account_password_policy()
        .send()
        .await
        .ok()
        .and_then(|o| {
            o.password_policy()
                .and_then(|p| p.minimum_password_length())
        })
}

/// The change of `address` in a plan's JSON, to edit.
fn change_mut<'a>(plan: &'a mut Value, address: &str) -> &'a mut Value {
    let changes = plan["resource_changes"].as_array_mut().expect("changes");
    let change = changes.iter_mut().find(|c| c["address"] == address);
    change.unwrap_or_else(|| panic!("no {address} in the plan"))
}

#[tokio::test]
async fn a_saved_plan_is_applied_exactly() {
    let account = TestAccount::new().await;
    account.write("baseline.yaml", &baseline_text(&account, 16));
    let plan = baseline(
        &account,
        &["plan", "--out", "plan.json", "--detailed-exitcode"],
    )
    .expect_code(2);
    plan.stderr_has("Saved the plan to plan.json");
    // The file changes after the plan: the saved plan, not the file, is applied.
    account.write("baseline.yaml", &baseline_text(&account, 30));
    baseline(&account, &["apply", "plan.json", "--auto-approve"]).expect_code(0);
    assert_eq!(min_length(&account).await, Some(16));
    // Applying it again finds the account changed (by the plan itself): refused.
    let again = baseline(&account, &["apply", "plan.json", "--auto-approve"]).expect_code(1);
    again.stderr_has("the account changed since the plan was made");
}

/// What apply does with a saved plan is what `show` displays: a plan whose `after` was
/// edited (showing `minimum_length = 16`, setting 6) is refused, and so is one edited
/// consistently, by its checksum. Nothing is changed either way.
#[tokio::test]
async fn an_edited_saved_plan_is_refused() {
    let account = TestAccount::new().await;
    account.write("baseline.yaml", &baseline_text(&account, 16));
    baseline(&account, &["plan", "--out", "plan.json"]).expect_code(0);
    let text = std::fs::read_to_string(account.dir().join("plan.json")).expect("plan");
    let mut plan: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(plan["checksum"].as_str().map(str::len), Some(64), "sealed");
    let policy = change_mut(&mut plan, "iam_password_policy");
    policy["change"]["after"]["minimum_length"] = serde_json::json!(6);
    account.write("after-only.json", &plan.to_string());
    for command in [
        vec!["apply", "after-only.json", "--auto-approve"],
        vec!["show", "after-only.json"],
    ] {
        let run = baseline(&account, &command).expect_code(1);
        run.stderr_has("what it shows differs from what it would do at iam_password_policy");
    }

    // Edited so that it shows what it does: the checksum still tells.
    let policy = change_mut(&mut plan, "iam_password_policy");
    for field in policy["fields"].as_array_mut().expect("fields") {
        if field["path"] == "minimum_length" {
            field["after"] = serde_json::json!(6);
        }
    }
    account.write("consistent.json", &plan.to_string());
    let run = baseline(&account, &["apply", "consistent.json", "--auto-approve"]).expect_code(1);
    run.stderr_has("its checksum does not match its content");
    assert_eq!(min_length(&account).await, None, "nothing was changed");
}

#[tokio::test]
async fn a_stale_plan_is_refused_and_nothing_changes() {
    let account = TestAccount::new().await;
    account.write("baseline.yaml", &baseline_text(&account, 16));
    baseline(&account, &["plan", "--out", "plan.json"]).expect_code(0);

    let iam = account.iam();
    iam.create_group()
        .group_name("ops")
        .send()
        .await
        .expect("out of band");
    let run = baseline(&account, &["apply", "plan.json", "--auto-approve"]).expect_code(1);
    run.stderr_has("the account changed since the plan was made: iam_group.ops;");
    run.stderr_has("nothing was changed");
    assert_eq!(
        min_length(&account).await,
        None,
        "the password policy was not created"
    );
    let aliases = iam.list_account_aliases().send().await.expect("aliases");
    assert!(aliases.account_aliases().is_empty());
    let attached = iam
        .list_attached_group_policies()
        .group_name("ops")
        .send()
        .await
        .expect("ops");
    assert!(attached.attached_policies().is_empty());
}

#[tokio::test]
async fn a_plan_for_another_account_or_format_is_refused() {
    let account = TestAccount::new().await;
    account.write("baseline.yaml", &baseline_text(&account, 16));
    baseline(&account, &["plan", "--out", "plan.json"]).expect_code(0);
    let text = std::fs::read_to_string(account.dir().join("plan.json")).expect("plan");

    // A plan made, and sealed, for another account.
    let mut other: baseline_core::Plan =
        serde_json::from_str(&text.replace(&account.id, "111122223333")).expect("plan");
    other.seal();
    account.write("other.json", &serde_json::to_string(&other).expect("JSON"));
    let run = baseline(&account, &["apply", "other.json", "--auto-approve"]).expect_code(1);
    run.stderr_has("pinned to account 111122223333");

    // A plan of a later major format, and one saved by an older baseline (format 2, whose
    // changes had no `change` object): both refused, with what to do.
    for version in ["4.0", "2.1"] {
        let other = text.replace(
            "\"format_version\": \"3.0\"",
            &format!("\"format_version\": \"{version}\""),
        );
        account.write("other-format.json", &other);
        let run =
            baseline(&account, &["apply", "other-format.json", "--auto-approve"]).expect_code(1);
        run.stderr_has(&format!(
            "has plan format {version}, which this baseline ({}) does not read: it reads plans \
             of format 3.0",
            env!("CARGO_PKG_VERSION")
        ));
        run.stderr_has("make the plan again with this version");
    }

    let run = baseline(&account, &["apply", "baseline.yaml", "--auto-approve"]).expect_code(1);
    run.stderr_has("is not a saved baseline plan");
    assert_eq!(min_length(&account).await, None);
}

#[tokio::test]
async fn json_plan_has_the_documented_shape() {
    let account = TestAccount::new().await;
    account.write("baseline.yaml", &baseline_text(&account, 16));
    let run = baseline(&account, &["plan", "--json"]).expect_code(0);
    let plan: Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    assert_eq!(plan["format_version"], "3.0");
    assert_eq!(plan["account_id"], account.id.as_str());
    assert!(
        plan["baseline_sha256"]
            .as_str()
            .is_some_and(|h| h.len() == 64)
    );
    assert!(plan["regions"].is_array());
    assert_eq!(plan["summary"]["create"], 3);
    let changes = plan["resource_changes"]
        .as_array()
        .expect("resource_changes[]");
    assert_eq!(changes.len(), 3);
    for change in changes {
        assert!(change["address"].is_string());
        assert_eq!(change["account"], account.id.as_str());
        let actions = change["change"]["actions"].as_array().expect("actions[]");
        assert_eq!(actions.len(), 1);
        assert!(
            ["create", "update", "delete", "no-op", "manual"]
                .contains(&actions[0].as_str().unwrap_or_default())
        );
        let body = &change["change"];
        assert!(body.get("before").is_some() && body.get("after").is_some());
        assert!(change["fields"].is_array());
    }
    let group = changes
        .iter()
        .find(|c| c["address"] == "iam_group.ops")
        .expect("group");
    assert_eq!(group["type"], "iam_group");
    assert_eq!(group["name"], "ops");
    assert_eq!(group["region"], Value::Null);
    assert_eq!(group["change"]["actions"], serde_json::json!(["create"]));
    assert_eq!(group["change"]["before"], Value::Null);
    assert_eq!(
        group["permissions_broadened"],
        serde_json::json!(["attaches arn:aws:iam::aws:policy/ReadOnlyAccess"])
    );
    let policy = changes
        .iter()
        .find(|c| c["address"] == "iam_password_policy")
        .expect("policy");
    assert_eq!(policy["cis"], serde_json::json!(["1.8", "1.9"]));

    // `show --json` of a saved plan prints the same document, without calling AWS.
    baseline(&account, &["plan", "--out", "plan.json"]).expect_code(0);
    let mut command = account.bare_command(BIN);
    command
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .args(["show", "plan.json", "--json"]);
    let shown = Run::of(command).expect_code(0);
    let saved = std::fs::read_to_string(account.dir().join("plan.json")).expect("saved");
    assert_eq!(shown.stdout, saved);
}

#[tokio::test]
async fn plan_formats_snapshot() {
    let account = TestAccount::new().await;
    account.write("baseline.yaml", &baseline_text(&account, 16));
    baseline(&account, &["plan", "--out", "plan.json"]).expect_code(0);
    let mut filters = vec![(account.id.as_str(), "[ACCOUNT]")];
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(account.dir().join("plan.json")).expect("plan"),
    )
    .expect("json");
    let sha = json["baseline_sha256"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let version = env!("CARGO_PKG_VERSION");
    let checksum = json["checksum"].as_str().unwrap_or_default().to_owned();
    filters.push((checksum.as_str(), "[CHECKSUM]"));
    filters.push((sha.as_str(), "[SHA256]"));
    filters.push((version, "[VERSION]"));
    for format in ["--json", "--markdown"] {
        let shown = baseline(&account, &["show", "plan.json", format]).expect_code(0);
        insta::with_settings!({filters => filters.clone(), snapshot_suffix => format.trim_start_matches('-')}, {
            insta::assert_snapshot!(shown.stdout);
        });
    }
}

#[tokio::test]
async fn markdown_of_a_large_change_set_fits_one_comment() {
    let account = TestAccount::new().await;
    let mut text = format!(
        "version: 1\naccount:\n  id: \"{}\"\niam:\n  groups:\n",
        account.id
    );
    let statements: String = (0..30)
        .map(|i| format!("            - {{ Sid: S{i}, Effect: Allow, Action: \"svc{i}:Get*\", Resource: \"*\" }}\n"))
        .collect();
    for i in 0..150 {
        text.push_str(&format!(
            "    team-{i:03}:\n      inline_policies:\n        access:\n          Version: \"2012-10-17\"\n          Statement:\n{statements}"
        ));
    }
    account.write("baseline.yaml", &text);
    let run = baseline(&account, &["plan", "--markdown"]).expect_code(0);
    assert!(
        run.stdout.len() <= 65_536,
        "{} characters",
        run.stdout.len()
    );
    run.stdout_has("**Plan: 150 to create, 0 to update, 0 to delete, 0 manual.**");
    run.stdout_has("more change(s) not shown");
    // The summary names every broadened group.
    run.stdout_has("`iam_group.team-149`");
}

#[tokio::test]
async fn destroy_removes_what_the_baseline_declares_and_nothing_else() {
    let account = TestAccount::new().await;
    account.write("baseline.yaml", &baseline_text(&account, 16));
    auto_apply(&account);
    let iam = account.iam();
    iam.create_group()
        .group_name("undeclared")
        .send()
        .await
        .expect("group");

    let run = baseline(&account, &["destroy"]).expect_code(1);
    run.stdout_has("- iam_group.ops will be deleted");
    // Destroy asks first.
    run.stderr_has("--auto-approve");
    iam.get_group()
        .group_name("ops")
        .send()
        .await
        .expect("still there");

    baseline(&account, &["destroy", "--auto-approve"]).expect_code(0);
    assert!(iam.get_group().group_name("ops").send().await.is_err());
    assert_eq!(min_length(&account).await, None);
    let aliases = iam.list_account_aliases().send().await.expect("aliases");
    assert!(aliases.account_aliases().is_empty());
    iam.get_group()
        .group_name("undeclared")
        .send()
        .await
        .expect("undeclared kept");
}

#[tokio::test]
async fn init_adopts_an_existing_account_and_the_next_plan_is_empty() {
    let account = TestAccount::new().await;
    let iam = account.iam();
    iam.update_account_password_policy()
        .minimum_password_length(12)
        .send()
        .await
        .expect("policy");
    iam.create_account_alias()
        .account_alias(format!("init-{}", account.id))
        .send()
        .await
        .expect("alias");
    iam.create_group()
        .group_name("devs")
        .path("/teams/")
        .send()
        .await
        .expect("group");
    iam.put_group_policy()
        .group_name("devs")
        .policy_name("logs")
        .policy_document(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"logs:Get*","Resource":"*"}}"#)
        .send()
        .await
        .expect("inline");
    iam.attach_group_policy()
        .group_name("devs")
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .expect("managed");
    iam.create_user()
        .user_name("erin")
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("team")
                .value("dev")
                .build()
                .expect("tag"),
        )
        .send()
        .await
        .expect("user");
    iam.add_user_to_group()
        .group_name("devs")
        .user_name("erin")
        .send()
        .await
        .expect("member");
    iam.create_login_profile()
        .user_name("erin")
        .password("Init-Passw0rd!x")
        .send()
        .await
        .expect("login");
    iam.create_role()
        .role_name("ci")
        .max_session_duration(7200)
        .assume_role_policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::{}:oidc-provider/token.actions.githubusercontent.com"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringLike":{{"token.actions.githubusercontent.com:sub":"repo:org/repo:*"}}}}}}]}}"#,
            account.id
        ))
        .send()
        .await
        .expect("federated role");
    iam.create_role()
        .role_name("ops")
        .assume_role_policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{}:root"}},"Action":"sts:AssumeRole","Condition":{{"Bool":{{"aws:MultiFactorAuthPresent":"true"}}}}}}]}}"#,
            account.id
        ))
        .send()
        .await
        .expect("switch role");

    let run = baseline(&account, &["init"]).expect_code(0);
    run.stderr_has("Wrote baseline.yaml for account");
    let written = std::fs::read_to_string(account.dir().join("baseline.yaml")).expect("written");
    assert!(
        written.contains("trust: { accounts: [self], require_mfa: true }"),
        "{written}"
    );
    assert!(
        written.contains("document:"),
        "a federated trust is kept whole:\n{written}"
    );
    baseline(&account, &["validate"]).expect_code(0);
    // Nothing to apply; the credential report's check finds erin's console without MFA.
    let plan = plan_exits(&account, 0);
    plan.stdout_has("Nothing for apply to change");
    plan.stdout_has("console_users_without_mfa");

    let again = baseline(&account, &["init"]).expect_code(1);
    again.stderr_has("init does not overwrite it");
}
