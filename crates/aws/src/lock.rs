//! The apply lock: one apply (or destroy) at a time per account. It is held in the account
//! itself, so it works across machines and CI runners: an SSM parameter in the home region,
//! made with a create that fails when the parameter exists (PutParameter without
//! `Overwrite` is atomic). Plans take no lock. A run that was killed leaves its lock behind:
//! the next run of the same machine takes it over when that process is gone, and
//! `baseline force-unlock` removes any other after a person has checked the run is gone.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_ssm::types::ParameterType;
use baseline_core::{ProviderError, ResourceAddr};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::{call, deleted, found, has_code, sdk_error};

/// Where the lock is kept.
pub const LOCK_PARAMETER: &str = "/baseline/apply-lock";

/// SSM's answer when there is no lock parameter: nobody holds the lock.
const NOT_HELD: &[&str] = &["ParameterNotFound"];

/// Another run holds the lock, or the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "account {account} is being changed by another run: locked by {holder} {age} \
         (SSM parameter {LOCK_PARAMETER} in {region}); nothing was changed"
    )]
    Held {
        account: String,
        region: String,
        holder: String,
        age: String,
    },
    #[error("{0}")]
    Aws(ProviderError),
}

impl LockError {
    pub fn hint(&self) -> String {
        match self {
            LockError::Held { .. } => "wait for that run to end and try again; if it is gone \
                 (killed, or its machine lost), remove the lock with `baseline force-unlock`"
                .to_owned(),
            LockError::Aws(err) => err.hint.clone().unwrap_or_else(|| {
                "the apply role needs ssm:PutParameter, ssm:GetParameter and \
                 ssm:DeleteParameter on the parameter /baseline/apply-lock"
                    .to_owned()
            }),
        }
    }
}

/// A held lock; `release` gives it back.
#[derive(Debug)]
pub struct Lock {
    region: String,
    token: String,
}

fn address() -> ResourceAddr {
    ResourceAddr::singleton("apply_lock")
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Who holds the lock, for the message another run shows.
fn holder(ctx: &AwsContext) -> Value {
    json!({
        "by": ctx.caller_arn().unwrap_or("unknown caller"),
        "host": hostname(),
        "pid": std::process::id(),
        "since": now(),
        "token": format!("{}-{}-{}", std::process::id(), now(), rand_suffix()),
    })
}

/// A few random bytes, so two runs of one process id never share a token.
fn rand_suffix() -> String {
    let mut bytes = [0_u8; 6];
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn describe(value: &Value) -> (String, String) {
    let by = value["by"].as_str().unwrap_or("an unknown run");
    let host = value["host"].as_str().filter(|h| !h.is_empty());
    let pid = value["pid"].as_u64();
    let holder = match (host, pid) {
        (Some(host), Some(pid)) => format!("{by} (process {pid} on {host})"),
        (None, Some(pid)) => format!("{by} (process {pid})"),
        _ => by.to_owned(),
    };
    let age = value["since"].as_u64().map_or_else(String::new, |since| {
        let minutes = now().saturating_sub(since) / 60;
        format!("since {minutes} minute(s) ago")
    });
    (holder, age)
}

/// This machine's name, as the lock records it.
fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
        })
        .unwrap_or_default()
}

/// Whether the holder is a process of this machine that is gone (killed, crashed): its lock
/// can be taken over safely. Only where the machine shows its processes (`/proc`); a lock
/// of another machine is never taken over.
fn holder_is_gone(value: &Value) -> bool {
    let this_host = hostname();
    let same_host = !this_host.is_empty() && value["host"].as_str() == Some(this_host.as_str());
    let Some(pid) = value["pid"].as_u64() else {
        return false;
    };
    same_host
        && std::path::Path::new("/proc/self").exists()
        && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Takes the account's apply lock in `region`, or says who holds it.
pub async fn acquire(ctx: &AwsContext, account: &str, region: &str) -> Result<Lock, LockError> {
    let address = address();
    let ssm = ctx.ssm(region);
    let value = holder(ctx);
    let token = value["token"].as_str().unwrap_or_default().to_owned();
    let put = ssm
        .put_parameter()
        .name(LOCK_PARAMETER)
        .value(value.to_string())
        .r#type(ParameterType::String)
        .description(
            "baseline: an apply is changing this account; `baseline force-unlock` removes a stale lock",
        )
        .overwrite(false);
    let held_by = |value: &Value| {
        let (holder, age) = describe(value);
        LockError::Held {
            account: account.to_owned(),
            region: region.to_owned(),
            holder,
            age,
        }
    };
    let mut taken_over = false;
    loop {
        match put.clone().send().await {
            Ok(_) => break,
            Err(err) if has_code(&err, &["ParameterAlreadyExists"]) => {}
            Err(err) => {
                return Err(LockError::Aws(sdk_error(
                    &address,
                    "ssm:PutParameter",
                    &err,
                )));
            }
        }
        let held = call!(
            &address,
            "ssm:GetParameter",
            ssm.get_parameter().name(LOCK_PARAMETER).send()
        )
        .map_err(LockError::Aws)?;
        let text = held.parameter().and_then(|p| p.value()).unwrap_or_default();
        let value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        // Ours: the first PutParameter made it, and its answer was lost (the SDK retried).
        if value["token"].as_str() == Some(token.as_str()) {
            break;
        }
        if taken_over || !holder_is_gone(&value) {
            return Err(held_by(&value));
        }
        let (holder, _) = describe(&value);
        tracing::warn!(%holder, "the run that held the apply lock is gone; taking the lock over");
        taken_over = true;
        let answer = ssm.delete_parameter().name(LOCK_PARAMETER).send().await;
        deleted(&address, "ssm:DeleteParameter", NOT_HELD, answer).map_err(LockError::Aws)?;
    }
    Ok(Lock {
        region: region.to_owned(),
        token,
    })
}

/// The lock as it is held: its record, or `None` when nobody holds it.
async fn read(ssm: &aws_sdk_ssm::Client) -> Result<Option<Value>, ProviderError> {
    let answer = ssm.get_parameter().name(LOCK_PARAMETER).send().await;
    let Some(held) = found(&address(), "ssm:GetParameter", NOT_HELD, answer)? else {
        return Ok(None);
    };
    Ok(Some(
        held.parameter()
            .and_then(|p| p.value())
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or(Value::Null),
    ))
}

/// Deletes the lock; one already gone is fine.
async fn remove(ssm: &aws_sdk_ssm::Client) -> Result<(), ProviderError> {
    let answer = ssm.delete_parameter().name(LOCK_PARAMETER).send().await;
    deleted(&address(), "ssm:DeleteParameter", NOT_HELD, answer)
}

impl Lock {
    /// Gives the lock back, if it is still this run's (a force-unlock and another run's lock
    /// in between are left alone).
    pub async fn release(self, ctx: &AwsContext) -> Result<(), ProviderError> {
        let ssm = ctx.ssm(&self.region);
        match read(&ssm).await? {
            Some(value) if value["token"].as_str() == Some(self.token.as_str()) => {
                remove(&ssm).await
            }
            _ => Ok(()),
        }
    }
}

/// Removes the account's apply lock, whoever holds it; says who held it, or `None`.
pub async fn force_unlock(ctx: &AwsContext, region: &str) -> Result<Option<String>, ProviderError> {
    let ssm = ctx.ssm(region);
    let Some(value) = read(&ssm).await? else {
        return Ok(None);
    };
    let (holder, age) = describe(&value);
    remove(&ssm).await?;
    Ok(Some(format!("{holder} {age}")))
}
