//! What the person sees when the AWS settings cannot be used: no credentials, a profile the
//! config files do not define, an expired SSO session, a region AWS does not have. Each is
//! one paragraph and a hint, before any call, never the SDK's debug dump.

use baseline_test_support::{Run, TestAccount};

use crate::{BIN, account_with, pinned};

/// A baseline with nothing to change but the account's alias.
fn small(account: &TestAccount) -> String {
    pinned(account, "  alias: \"{account_id}-main\"\n")
}

/// Runs `baseline ARGS` with no credentials in the environment, HOME the test's folder.
fn bare(account: &TestAccount, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = account.bare_command(BIN);
    command.envs(env.iter().copied()).args(args);
    Run::of(command)
}

/// Writes `$HOME/.aws/config` (HOME is the test's folder).
fn aws_config(account: &TestAccount, text: &str) {
    std::fs::create_dir_all(account.dir().join(".aws/sso/cache")).expect("make ~/.aws");
    account.write(".aws/config", text);
}

/// An error run: exit code 1, nothing on stdout, and a short stderr without the SDK's
/// debug output.
#[track_caller]
fn refused(run: Run) -> String {
    let run = run.expect_code(1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    for dump in ["DispatchFailure", "ConnectorError", "{ source", "Some("] {
        assert!(!run.stderr.contains(dump), "a debug dump:\n{}", run.stderr);
    }
    assert!(
        run.stderr.len() < 600,
        "{} characters:\n{}",
        run.stderr.len(),
        run.stderr
    );
    assert_eq!(
        run.stderr.matches("error:").count(),
        1,
        "one error:\n{}",
        run.stderr
    );
    run.stderr
}

#[tokio::test]
async fn no_credentials_at_all_is_one_paragraph_that_says_how_to_sign_in() {
    let account = account_with(small).await;
    let stderr = refused(bare(&account, &[], &["plan"]));
    assert!(
        stderr.starts_with("error: no AWS credentials were found"),
        "{stderr}"
    );
    assert!(stderr.contains("AWS_ACCESS_KEY_ID"), "{stderr}");
    assert!(stderr.contains("= hint: sign in"), "{stderr}");
    assert!(!stderr.contains("could not be reached"), "{stderr}");
}

#[tokio::test]
async fn an_unknown_profile_names_it_and_lists_the_profiles_defined() {
    let account = account_with(small).await;
    aws_config(
        &account,
        "[profile dev]\nregion = eu-west-1\n\n[profile prod]\nregion = us-east-1\n",
    );
    let stderr = refused(bare(&account, &[], &["--profile", "nosuch", "plan"]));
    assert!(
        stderr.starts_with("error: profile `nosuch` (--profile) is not defined in `~/.aws/config`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("= hint: the profiles defined: `dev`, `prod`"),
        "{stderr}"
    );
    let stderr = refused(bare(&account, &[("AWS_PROFILE", "prd")], &["plan"]));
    assert!(
        stderr.starts_with("error: profile `prd` (AWS_PROFILE) is not defined"),
        "{stderr}"
    );
    assert!(
        stderr.contains("did you mean `prod`? The profiles defined: `dev`, `prod`"),
        "{stderr}"
    );
}

/// The SSO session `corp-sso`'s token, cached by `aws sso login` under the SHA-1 of the
/// session's name (`printf corp-sso | sha1sum`), expired a day ago.
#[tokio::test]
async fn an_expired_sso_session_says_to_sign_in_again() {
    let account = account_with(small).await;
    aws_config(
        &account,
        &format!(
            "[profile work]\nsso_session = corp-sso\nsso_account_id = {}\n\
             sso_role_name = Administrator\nregion = us-east-1\n\n\
             [sso-session corp-sso]\nsso_start_url = https://corp.example.com/start\n\
             sso_region = us-east-1\n",
            account.id
        ),
    );
    let yesterday = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    let expired = aws_smithy_types::DateTime::from(yesterday)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .expect("an RFC 3339 time");
    account.write(
        ".aws/sso/cache/6f41fd3fbc69a076873a4656707fd9925e5c1f07.json",
        &format!(
            r#"{{"accessToken": "expired-token", "expiresAt": "{expired}", "region": "us-east-1", "startUrl": "https://corp.example.com/start"}}"#
        ),
    );
    let stderr = refused(bare(&account, &[], &["--profile", "work", "plan"]));
    assert!(
        stderr.starts_with("error: profile `work` signs in through AWS SSO"),
        "{stderr}"
    );
    assert!(stderr.contains("expired"), "{stderr}");
    assert!(
        stderr.contains("= hint: sign in again with `aws sso login --profile work`"),
        "{stderr}"
    );
}

#[tokio::test]
async fn an_unknown_region_on_the_command_line_suggests_the_closest() {
    let account = account_with(small).await;
    let mut command = account.command(BIN);
    command.args(["--region", "ap-northeast-9", "plan"]);
    let stderr = refused(Run::of(command));
    assert!(
        stderr.starts_with("error: `ap-northeast-9` (--region) is not an AWS region code"),
        "{stderr}"
    );
    assert!(
        stderr.contains("= hint: did you mean `ap-northeast-1` (Asia Pacific (Tokyo))?"),
        "{stderr}"
    );
    assert!(stderr.contains("upgrade baseline"), "{stderr}");
    let mut command = account.command(BIN);
    command.env("AWS_REGION", "eu-west-9").arg("plan");
    let stderr = refused(Run::of(command));
    assert!(
        stderr.starts_with("error: `eu-west-9` (AWS_REGION) is not an AWS region code"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `eu-west-1`"), "{stderr}");
}

#[tokio::test]
async fn an_unknown_region_in_the_file_is_refused_at_its_line_and_column() {
    let account = account_with(|account| pinned(account, "  home_region: ap-northeast-9\n")).await;
    let mut command = account.command(BIN);
    command.arg("plan");
    let stderr = refused(Run::of(command));
    assert!(
        stderr.starts_with("error: `ap-northeast-9` is not an AWS region code"),
        "{stderr}"
    );
    assert!(stderr.contains("baseline.yaml:4:16"), "{stderr}");
    assert!(
        stderr.contains("= hint: did you mean `ap-northeast-1` (Asia Pacific (Tokyo))?"),
        "{stderr}"
    );
    account.write(
        "baseline.yaml",
        &pinned(&account, "  regions: [eu-west-1, us-east-7]\n"),
    );
    let mut command = account.command(BIN);
    command.arg("validate");
    let stderr = refused(Run::of(command));
    assert!(
        stderr.contains("`us-east-7` is not an AWS region code"),
        "{stderr}"
    );
    assert!(stderr.contains("baseline.yaml:4:"), "{stderr}");
    assert!(stderr.contains("did you mean `us-east-1`"), "{stderr}");
}
