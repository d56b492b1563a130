//! `iam.credential_checks` → findings read from the IAM credential report: console users
//! without MFA (CIS 1.10), credentials unused for N days (1.12), more than one active
//! access key (1.13), access keys older than N days (1.14). They are manual items: people's
//! credentials are theirs to fix, and baseline never deletes them on its own.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use baseline_core::plan::{Desired, ManualStep};
use baseline_core::scope::Scope;
use baseline_core::spec::CredentialChecks;
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::kind::Live;
use crate::kind::{Kind, Read, canonical, name_of};

pub(crate) struct CredentialFindings;

/// One row of the credential report, by column name.
pub(crate) struct Row<'a> {
    header: &'a [&'a str],
    cells: Vec<&'a str>,
}

impl Row<'_> {
    fn get(&self, column: &str) -> &str {
        self.header
            .iter()
            .position(|h| *h == column)
            .and_then(|i| self.cells.get(i).copied())
            .unwrap_or("")
    }

    fn is_true(&self, column: &str) -> bool {
        self.get(column) == "true"
    }
}

/// Seconds since the epoch of a report date, or `None` for "N/A", "no_information"...
fn seconds(text: &str) -> Option<i64> {
    DateTime::from_str(&text.replace("+00:00", "Z"), Format::DateTime)
        .ok()
        .map(|t| t.secs())
}

/// A finding, with the users it names.
#[derive(Clone, Copy)]
struct Check {
    name: &'static str,
    cis: &'static str,
    what: &'static str,
}

const CHECKS: [Check; 4] = [
    Check {
        name: "console_users_without_mfa",
        cis: "1.10",
        what: "console users without an MFA device",
    },
    Check {
        name: "unused_credentials",
        cis: "1.12",
        what: "passwords or access keys unused for too long",
    },
    Check {
        name: "multiple_active_keys",
        cis: "1.13",
        what: "users with more than one active access key",
    },
    Check {
        name: "old_access_keys",
        cis: "1.14",
        what: "active access keys older than allowed",
    },
];

/// The users a check names, from the report's rows, as of `now` (seconds). Checks with a
/// limit carry it in their name (`unused_credentials_45d`), so a plan says what it checked.
fn offenders(check: &str, rows: &[Row<'_>], now: i64) -> Vec<String> {
    let day = 86_400;
    let (base, days) = split_limit(check);
    let older = |date: &str, fallback: &str| {
        seconds(date)
            .or_else(|| seconds(fallback))
            .is_some_and(|t| now - t > days * day)
    };
    let mut users: Vec<String> = rows
        .iter()
        .filter(|row| match base {
            "console_users_without_mfa" => {
                row.is_true("password_enabled") && !row.is_true("mfa_active")
            }
            "unused_credentials" => {
                let password = row.is_true("password_enabled")
                    && older(
                        row.get("password_last_used"),
                        row.get("password_last_changed"),
                    );
                let key = |n: u8| {
                    row.is_true(&format!("access_key_{n}_active"))
                        && older(
                            row.get(&format!("access_key_{n}_last_used_date")),
                            row.get(&format!("access_key_{n}_last_rotated")),
                        )
                };
                password || key(1) || key(2)
            }
            "multiple_active_keys" => {
                row.is_true("access_key_1_active") && row.is_true("access_key_2_active")
            }
            "old_access_keys" => (1..=2).any(|n| {
                row.is_true(&format!("access_key_{n}_active"))
                    && older(row.get(&format!("access_key_{n}_last_rotated")), "")
            }),
            _ => false,
        })
        .map(|row| row.get("user").to_owned())
        .collect();
    users.sort();
    users
}

/// `unused_credentials_45d` → (`unused_credentials`, 45).
fn split_limit(name: &str) -> (&str, i64) {
    name.rsplit_once('_')
        .and_then(|(base, limit)| {
            let days = limit.strip_suffix('d')?.parse().ok()?;
            Some((base, days))
        })
        .unwrap_or((name, 0))
}

/// The address names of the declared checks.
fn enabled(checks: &CredentialChecks) -> Vec<(Check, String)> {
    CHECKS
        .iter()
        .filter_map(|c| {
            let name = match c.name {
                "console_users_without_mfa" => checks.console_mfa.then(|| c.name.to_owned()),
                "unused_credentials" => checks
                    .unused_days
                    .map(|d| format!("{}_{}d", c.name, d.get())),
                "multiple_active_keys" => checks.single_active_key.then(|| c.name.to_owned()),
                "old_access_keys" => checks
                    .key_max_age_days
                    .map(|d| format!("{}_{}d", c.name, d.get())),
                _ => None,
            }?;
            Some((*c, name))
        })
        .collect()
}

/// The users a check names: none is what the file wants.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Users {
    users: Vec<String>,
}

impl Kind for CredentialFindings {
    type State = Users;
    const KIND: &'static str = "iam_finding";

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        let Some(checks) = spec.iam.as_ref().and_then(|i| i.credential_checks.as_ref()) else {
            return Vec::new();
        };
        enabled(checks)
            .into_iter()
            .map(|(check, name)| {
                let step = ManualStep {
                    reason: format!(
                        "{}: credentials belong to people, so baseline reports them and never removes them itself",
                        check.what
                    ),
                    console: "IAM → Users → (user) → Security credentials".to_owned(),
                    verified_by: "iam:GenerateCredentialReport, iam:GetCredentialReport".to_owned(),
                };
                let none = Users { users: Vec::new() };
                Desired::manual(ResourceAddr::named(Self::KIND, &name), canonical(&none), step)
                    .cis(&[check.cis])
            })
            .collect()
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Users>) -> Live<Users> {
        let report = ctx.credential_report(read.address).await?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs() as i64;
        let users = named(name_of(read.address), report, now);
        Ok(Some(Users { users }))
    }
}

/// The users a check names in a credential report (CSV, a header line first), leaving out
/// the root user.
fn named(check: &str, report: &str, now: i64) -> Vec<String> {
    let mut lines = report.lines();
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let header: Vec<&str> = header.split(',').collect();
    let rows: Vec<Row<'_>> = lines
        .map(|line| Row {
            header: &header,
            cells: line.split(',').collect(),
        })
        .filter(|row| row.get("user") != "<root_account>")
        .collect();
    offenders(check, &rows, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "user,arn,password_enabled,password_last_used,password_last_changed,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date
<root_account>,arn,not_supported,2026-01-01T00:00:00+00:00,not_supported,false,false,N/A,N/A,false,N/A,N/A
fresh,arn,true,no_information,2026-11-20T00:00:00+00:00,true,true,2026-11-20T00:00:00+00:00,N/A,false,N/A,N/A
nomfa,arn,true,2026-11-22T00:00:00+00:00,2026-11-01T00:00:00+00:00,false,false,N/A,N/A,false,N/A,N/A
stale,arn,true,2026-08-01T00:00:00+00:00,2026-01-01T00:00:00+00:00,true,true,2026-01-01T00:00:00+00:00,2026-11-22T00:00:00+00:00,true,2026-11-01T00:00:00+00:00,N/A";

    fn check(name: &str) -> Vec<String> {
        let now = seconds("2026-11-23T00:00:00+00:00").expect("a report date");
        named(name, REPORT, now)
    }

    #[test]
    fn each_check_names_its_users() {
        assert_eq!(check("console_users_without_mfa"), vec!["nomfa"]);
        assert_eq!(check("unused_credentials_45d"), vec!["stale"]);
        assert_eq!(check("multiple_active_keys"), vec!["stale"]);
        assert_eq!(check("old_access_keys_90d"), vec!["stale"]);
        assert!(check("old_access_keys_365d").is_empty());
    }
}
