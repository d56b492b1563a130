//! Tests of parsing, the canonical and documented forms, and broadened permissions.

use serde_json::json;

use super::*;

#[test]
fn sent_in_the_documented_form_and_reads_back_equal() {
    let canonical = normalize(&json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "Write", "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": ["arn:aws:s3:::b/AWSLogs/1/*", "arn:aws:s3:::b/x/*"],
            "Condition": {"StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:r:1:trail/t"}}
        }]
    }));
    let text = to_text(&canonical);
    assert_eq!(
        text,
        concat!(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"Write","Effect":"Allow","#,
            r#""Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","#,
            r#""Resource":["arn:aws:s3:::b/AWSLogs/1/*","arn:aws:s3:::b/x/*"],"#,
            r#""Condition":{"StringEquals":{"aws:SourceArn":"arn:aws:cloudtrail:r:1:trail/t"}}}]}"#
        )
    );
    let back: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(normalize(&back), canonical);
}

#[test]
fn url_encoded_and_reordered_documents_are_equal() {
    let ours = json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:*", "Resource": ["*"]}
        ]
    });
    let from_aws = "%7B%22Statement%22%3A%20%5B%7B%22Resource%22%3A%20%5B%22%2A%22%5D%2C%20%22Action%22%3A%20%22iam%3A%2A%22%2C%20%22Effect%22%3A%20%22Deny%22%7D%2C%20%7B%22Effect%22%3A%20%22Allow%22%2C%20%22Resource%22%3A%20%22%2A%22%2C%20%22Action%22%3A%20%5B%22s3%3AListBucket%22%2C%20%22s3%3AGetObject%22%5D%7D%5D%2C%20%22Version%22%3A%20%222012-10-17%22%7D";
    let parsed = parse(from_aws).expect("decodes");
    assert_eq!(normalize(&parsed), normalize(&ours));
    assert!(broadened(Some(&parsed), &ours).is_empty());
}

#[test]
fn a_single_statement_object_equals_a_one_element_list() {
    let object = json!({"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}});
    let list = json!({"Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": ["*"]}]});
    assert_eq!(normalize(&object), normalize(&list));
}

#[test]
fn added_action_is_broadened() {
    let before = json!({"Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
    let after = json!({"Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:*"], "Resource": "*"}]});
    assert_eq!(
        broadened(Some(&before), &after),
        vec!["`Read` adds action `s3:*`"]
    );
    assert!(
        broadened(Some(&after), &before).is_empty(),
        "narrowing is not broadening"
    );
}

#[test]
fn new_allow_and_removed_deny_are_broadened() {
    let before = json!({"Statement": [{"Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*"}]});
    let after = json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]});
    assert_eq!(
        broadened(Some(&before), &after),
        vec![
            "new Allow statement on `s3:*` (with a wildcard)",
            "removes Deny statement `NoIam`",
        ]
    );
}

#[test]
fn dropped_condition_is_broadened() {
    let with = json!({"Statement": [{"Sid": "Mfa", "Effect": "Allow", "Action": "ec2:*", "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]});
    let without = json!({"Statement": [{"Sid": "Mfa", "Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]});
    assert_eq!(
        broadened(Some(&with), &without),
        vec!["`Mfa` drops or changes its Condition"]
    );
}

#[test]
fn full_admin_is_detected_only_without_conditions() {
    let admin = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    let guarded = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]});
    assert!(grants_full_admin(&admin));
    assert!(!grants_full_admin(&guarded));
}

#[test]
fn garbage_is_refused() {
    assert!(parse("not json").is_err());
    assert!(parse("{\"Version\": \"2012-10-17\"}").is_err());
}
