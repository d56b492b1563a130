//! What each alert of `alerts.events` watches for, where its events arrive, and what its
//! e-mail says.
//!
//! Where events arrive: IAM and the root user's sign-ins are global and arrive in us-east-1;
//! IAM users' console sign-ins arrive in the region of the sign-in page they used; CloudTrail,
//! Config and network changes arrive in their own region.

use baseline_core::scope::Scope;
use baseline_core::spec::AlertKind;
use serde_json::{Value, json};

/// Where an alert's events arrive.
pub(super) enum Arrives {
    /// Global services: us-east-1.
    Global,
    /// Every selected region, and us-east-1 for the global part.
    EveryRegionAndGlobal,
    /// Every selected region.
    EveryRegion,
}

/// One alert: what it watches for and what its e-mail says.
pub(super) struct Alert {
    pub description: &'static str,
    /// CIS AWS Foundations Benchmark ids whose monitoring this alert does (in spirit: CIS
    /// asks for CloudWatch metric filters and alarms; these are EventBridge rules).
    pub cis: &'static [&'static str],
    pub arrives: Arrives,
    pub pattern: fn() -> Value,
    /// The sentence of the e-mail, with `<who>`, `<event>`, `<ip>`, `<account>`, `<region>`,
    /// `<time>` and `<result>` filled in by EventBridge.
    pub sentence: &'static str,
}

fn api_calls(source: &str, event_source: &str, names: &[&str]) -> Value {
    json!({
        "source": [source],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventSource": [event_source], "eventName": names},
    })
}

/// The alert of `kind`.
pub(super) fn alert(kind: AlertKind) -> Alert {
    match kind {
        AlertKind::ConsoleSignIn => Alert {
            description: "Every console sign-in (guide 002)",
            cis: &[],
            arrives: Arrives::EveryRegionAndGlobal,
            pattern: || {
                json!({"source": ["aws.signin"],
                       "detail-type": ["AWS Console Sign In via CloudTrail"]})
            },
            sentence: "Console sign-in (<result>) to account <account> by <who> from <ip> at <time> (<region>).",
        },
        AlertKind::FailedSignIn => Alert {
            description: "Console sign-ins that failed",
            cis: &["4.6"],
            arrives: Arrives::EveryRegionAndGlobal,
            pattern: || {
                json!({"source": ["aws.signin"],
                       "detail-type": ["AWS Console Sign In via CloudTrail"],
                       "detail": {"responseElements": {"ConsoleLogin": ["Failure"]}}})
            },
            sentence: "FAILED console sign-in to account <account> as <who> from <ip> at <time> (<region>).",
        },
        AlertKind::RootActivity => Alert {
            description: "Anything the root user does (CIS 4.3)",
            cis: &["4.3"],
            arrives: Arrives::EveryRegionAndGlobal,
            pattern: || {
                json!({"detail-type": ["AWS API Call via CloudTrail",
                                       "AWS Console Sign In via CloudTrail"],
                       "detail": {"userIdentity": {"type": ["Root"]}}})
            },
            sentence: "The ROOT user of account <account> did <event> from <ip> at <time> (<region>).",
        },
        AlertKind::IamChanges => Alert {
            description: "IAM policy changes (CIS 4.4)",
            cis: &["4.4"],
            arrives: Arrives::Global,
            pattern: || {
                api_calls(
                    "aws.iam",
                    "iam.amazonaws.com",
                    &[
                        "CreatePolicy",
                        "DeletePolicy",
                        "CreatePolicyVersion",
                        "DeletePolicyVersion",
                        "SetDefaultPolicyVersion",
                        "AttachRolePolicy",
                        "DetachRolePolicy",
                        "AttachUserPolicy",
                        "DetachUserPolicy",
                        "AttachGroupPolicy",
                        "DetachGroupPolicy",
                        "PutRolePolicy",
                        "DeleteRolePolicy",
                        "PutUserPolicy",
                        "DeleteUserPolicy",
                        "PutGroupPolicy",
                        "DeleteGroupPolicy",
                    ],
                )
            },
            sentence: "IAM change in account <account>: <who> did <event> from <ip> at <time>.",
        },
        AlertKind::CloudtrailChanges => Alert {
            description: "CloudTrail configuration changes (CIS 4.5)",
            cis: &["4.5"],
            arrives: Arrives::EveryRegion,
            pattern: || {
                api_calls(
                    "aws.cloudtrail",
                    "cloudtrail.amazonaws.com",
                    &[
                        "CreateTrail",
                        "UpdateTrail",
                        "DeleteTrail",
                        "StartLogging",
                        "StopLogging",
                        "PutEventSelectors",
                    ],
                )
            },
            sentence: "CloudTrail change in account <account>: <who> did <event> from <ip> at <time> (<region>).",
        },
        AlertKind::ConfigChanges => Alert {
            description: "AWS Config configuration changes (CIS 4.9)",
            cis: &["4.9"],
            arrives: Arrives::EveryRegion,
            pattern: || {
                api_calls(
                    "aws.config",
                    "config.amazonaws.com",
                    &[
                        "StopConfigurationRecorder",
                        "DeleteDeliveryChannel",
                        "PutDeliveryChannel",
                        "PutConfigurationRecorder",
                        "DeleteConfigurationRecorder",
                    ],
                )
            },
            sentence: "AWS Config change in account <account>: <who> did <event> from <ip> at <time> (<region>).",
        },
        AlertKind::NetworkChanges => Alert {
            description: "Security group, network ACL, gateway and route table changes (CIS 4.10-4.13)",
            cis: &["4.10", "4.11", "4.12", "4.13"],
            arrives: Arrives::EveryRegion,
            pattern: || {
                api_calls(
                    "aws.ec2",
                    "ec2.amazonaws.com",
                    &[
                        "AuthorizeSecurityGroupIngress",
                        "AuthorizeSecurityGroupEgress",
                        "RevokeSecurityGroupIngress",
                        "RevokeSecurityGroupEgress",
                        "CreateSecurityGroup",
                        "DeleteSecurityGroup",
                        "CreateNetworkAcl",
                        "CreateNetworkAclEntry",
                        "DeleteNetworkAcl",
                        "DeleteNetworkAclEntry",
                        "ReplaceNetworkAclEntry",
                        "ReplaceNetworkAclAssociation",
                        "CreateCustomerGateway",
                        "DeleteCustomerGateway",
                        "AttachInternetGateway",
                        "CreateInternetGateway",
                        "DeleteInternetGateway",
                        "DetachInternetGateway",
                        "CreateRoute",
                        "CreateRouteTable",
                        "ReplaceRoute",
                        "ReplaceRouteTableAssociation",
                        "DeleteRouteTable",
                        "DeleteRoute",
                        "DisassociateRouteTable",
                    ],
                )
            },
            sentence: "Network change in account <account>: <who> did <event> from <ip> at <time> (<region>).",
        },
    }
}

/// The regions whose rule catches the alert: where its events arrive, and the home region,
/// which receives what the others forward.
pub(super) fn regions(arrives: &Arrives, scope: &Scope) -> Vec<String> {
    let mut regions = match arrives {
        Arrives::Global => vec!["us-east-1".to_owned()],
        Arrives::EveryRegion => scope.regions.clone(),
        Arrives::EveryRegionAndGlobal => {
            let mut all = scope.regions.clone();
            all.push("us-east-1".to_owned());
            all
        }
    };
    if !regions.contains(&scope.home_region) {
        // The home rule receives what other regions forward.
        regions.push(scope.home_region.clone());
    }
    regions.sort();
    regions.dedup();
    regions
}
