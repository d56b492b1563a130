//! Every example baseline is valid, planned against the emulator, applied, and converges.
//! The GitHub Actions example is well-formed.

use baseline_test_support::TestAccount;

use crate::baseline;

fn example(name: &str, account: &TestAccount) -> String {
    let path = baseline_test_support::repo_root()
        .join("examples")
        .join(name);
    let text = std::fs::read_to_string(path).expect("example");
    assert!(
        text.starts_with("# yaml-language-server: $schema=../docs/baseline.schema.json"),
        "{name} carries the schema modeline"
    );
    text.replace("\"123456789012\"", &format!("\"{}\"", account.id))
}

async fn converges(name: &str) {
    let account = TestAccount::new().await;
    account.write("baseline.yaml", &example(name, &account));
    baseline(&account, &["validate"]).expect_code(0);
    let plan = baseline(&account, &["plan", "--detailed-exitcode"]).expect_code(2);
    assert!(plan.stdout.contains("will be created"), "{}", plan.stdout);
    baseline(
        &account,
        &["apply", "--auto-approve", "--password-file", "pw.txt"],
    )
    .expect_code(0);
    baseline(&account, &["plan", "--detailed-exitcode"]).expect_code(0);
}

#[tokio::test]
async fn jaws_days_2017_converges() {
    converges("jaws-days-2017.yaml").await;
}

#[tokio::test]
async fn jawsug_beginners_2022_converges() {
    converges("jawsug-beginners-2022.yaml").await;
}

#[test]
fn github_actions_example_is_well_formed() {
    let dir = baseline_test_support::repo_root().join("examples/github-actions");
    let text = std::fs::read_to_string(dir.join("baseline.yml")).expect("workflow");
    let workflow: serde_json::Value = serde_saphyr::from_str(&text).expect("valid YAML");
    let jobs = &workflow["jobs"];
    assert!(jobs["plan"]["steps"].is_array() && jobs["apply"]["steps"].is_array());
    assert!(text.contains("baseline plan --out plan.json"));
    assert!(text.contains("baseline show plan.json --markdown"));
    assert!(text.contains("baseline apply plan.json --auto-approve"));
    assert_eq!(workflow["permissions"]["id-token"], "write");
}
