//! Turns SDK errors into `ProviderError`s that name the address, the operation, the AWS error
//! code and what to do next.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use baseline_core::{ProviderError, ResourceAddr};

/// An SDK error on `operation` (`iam:CreateAccountAlias`) for `address`.
pub(crate) fn sdk_error<E>(
    address: &ResourceAddr,
    operation: &str,
    err: &SdkError<E, HttpResponse>,
) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let code = err.code().map(str::to_owned);
    // An answer that is not an AWS error at all (an HTML page, an empty 404) is named by its
    // status, not dumped whole.
    let foreign = match err {
        SdkError::ServiceError(service) if code.is_none() && err.message().is_none() => {
            Some(service.raw().status().as_u16())
        }
        _ => None,
    };
    // The SDK's full description ends in a debug dump: it goes to the log (`-v`), the
    // message says each of its causes once.
    tracing::info!(operation, error = %DisplayErrorContext(err), "AWS call failed");
    let message = match (err.message(), foreign) {
        (Some(message), _) => message.to_owned(),
        (None, Some(status)) => {
            format!("the endpoint answered HTTP {status}, which is not an AWS answer")
        }
        (None, None) => crate::settings::describe(err),
    };
    let hint = match (code.as_deref(), err) {
        _ if foreign.is_some() => Some(
            "an emulator or proxy that does not implement this API (AWS_ENDPOINT_URL is set?)"
                .to_owned(),
        ),
        (Some("AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation"), _) => {
            Some(format!("the caller needs the `{operation}` permission"))
        }
        (Some("ExpiredToken" | "ExpiredTokenException" | "InvalidClientTokenId"), _) => Some(
            "the credentials are expired or invalid: sign in again (e.g. `aws sso login`)"
                .to_owned(),
        ),
        (Some("InsufficientDeliveryPolicyException"), _) => Some(
            "AWS Config writes to the bucket as config.amazonaws.com: the bucket policy, and \
             the key policy of the bucket's default KMS key, must let it in"
                .to_owned(),
        ),
        (
            Some(
                "InsufficientS3BucketPolicyException"
                | "InsufficientEncryptionPolicyException"
                | "InvalidCloudWatchLogsRoleArnException",
            ),
            _,
        ) => Some(
            "CloudTrail checks that the bucket policy, the key policy and the CloudWatch Logs \
             role's trust let this trail in (aws:SourceArn is the trail's ARN)"
                .to_owned(),
        ),
        (Some("Throttling" | "ThrottlingException"), _) => {
            Some("AWS is throttling requests; run again in a minute".to_owned())
        }
        (_, SdkError::TimeoutError(_)) => Some(
            "AWS did not answer in time (60 s a try, 5 minutes a call): the network or the \
             service is slow; run again"
                .to_owned(),
        ),
        _ if crate::settings::is_sign_in_failure(err) => Some(
            "the credentials could not be loaded: check the profile (--profile, AWS_PROFILE) \
             or sign in again (`aws sso login`)"
                .to_owned(),
        ),
        (_, SdkError::DispatchFailure(_)) => Some(
            "AWS could not be reached: check the network, and AWS_ENDPOINT_URL if it is set"
                .to_owned(),
        ),
        _ => None,
    };
    ProviderError {
        address: address.clone(),
        operation: operation.to_owned(),
        code,
        message,
        hint,
    }
}

/// An answer that may be "not there": `None` when AWS answers with one of the error codes
/// `missing`, an error named as [`sdk_error`] names it on any other failure.
pub(crate) fn found<T, E>(
    address: &ResourceAddr,
    operation: &str,
    missing: &[&str],
    answer: Result<T, SdkError<E, HttpResponse>>,
) -> Result<Option<T>, ProviderError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match answer {
        Ok(out) => Ok(Some(out)),
        Err(err) if has_code(&err, missing) => Ok(None),
        Err(err) => Err(sdk_error(address, operation, &err)),
    }
}

/// A delete's answer: done, also when AWS answers with one of `missing` (already gone: the
/// goal is reached).
pub(crate) fn deleted<T, E>(
    address: &ResourceAddr,
    operation: &str,
    missing: &[&str],
    answer: Result<T, SdkError<E, HttpResponse>>,
) -> Result<(), ProviderError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    found(address, operation, missing, answer).map(drop)
}

/// A change that this kind cannot make (a manual item, or an action it does not support).
pub(crate) fn unsupported(address: &ResourceAddr, what: &str) -> ProviderError {
    ProviderError {
        address: address.clone(),
        operation: "baseline:Apply".to_owned(),
        code: None,
        message: format!("{what} is not something baseline can apply"),
        hint: None,
    }
}

/// A request that could not be built from the plan's values.
pub(crate) fn build_error(address: &ResourceAddr, err: impl std::fmt::Display) -> ProviderError {
    ProviderError {
        address: address.clone(),
        operation: "baseline:BuildRequest".to_owned(),
        code: None,
        message: err.to_string(),
        hint: None,
    }
}

/// Whether AWS answered with one of these error codes (an `SdkError` or a service error).
pub(crate) fn has_code<E: ProvideErrorMetadata>(err: &E, codes: &[&str]) -> bool {
    err.code().is_some_and(|code| codes.contains(&code))
}

/// Sends a request and turns its SDK error into a `ProviderError` naming the address and the
/// operation: `call!(address, "iam:GetGroup", iam.get_group().group_name(n).send())?`.
macro_rules! call {
    ($address:expr, $op:literal, $send:expr) => {
        $send
            .await
            .map_err(|err| $crate::error::sdk_error($address, $op, &err))
    };
}
pub(crate) use call;

/// Sends a paginated list request and gathers the items of every page, as [`call!`] does:
/// `list_all!(address, "iam:ListAccessKeys", iam.list_access_keys().user_name(n))?`.
macro_rules! list_all {
    ($address:expr, $op:literal, $request:expr) => {
        $crate::error::call!(
            $address,
            $op,
            $request.into_paginator().items().send().try_collect()
        )
    };
}
pub(crate) use list_all;

/// Sends a paginated list request and gathers its pages, for the lists whose pages the SDK
/// does not flatten into items: `list_pages!(address, "organizations:ListAccounts", req)?`.
macro_rules! list_pages {
    ($address:expr, $op:literal, $request:expr) => {
        $crate::error::call!(
            $address,
            $op,
            $request.into_paginator().send().try_collect()
        )
    };
}
pub(crate) use list_pages;

/// How long a call refused because something it names has not reached the service yet is
/// tried again. IAM roles, bucket policies and key policies are eventually consistent: a
/// service that checks them at the API (CloudTrail, Config) can refuse for seconds after
/// they were written. Terraform's AWS provider waits up to two minutes for IAM.
const PROPAGATION: std::time::Duration = std::time::Duration::from_secs(90);

/// Sends a request, and sends it again while AWS refuses it with one of `codes` (the codes
/// that mean "the role or policy is not usable yet"), waiting 1, 2, 4, ... up to 10 s
/// between tries, for at most [`PROPAGATION`]. Any other error, or the last refusal, is the
/// call's error. On a service where the change already arrived, the first try succeeds.
pub(crate) async fn retry_while_propagating<T, E, F, Fut>(
    address: &ResourceAddr,
    operation: &str,
    codes: &[&str],
    mut send: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let deadline = tokio::time::Instant::now() + PROPAGATION;
    let mut wait = std::time::Duration::from_secs(1);
    loop {
        match send().await {
            Ok(out) => return Ok(out),
            Err(err) if has_code(&err, codes) && tokio::time::Instant::now() + wait < deadline => {
                tracing::info!(
                    address = %address,
                    operation,
                    code = err.code().unwrap_or_default(),
                    "refused while a role or policy propagates; trying again in {} s",
                    wait.as_secs()
                );
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(10));
            }
            Err(err) => return Err(sdk_error(address, operation, &err)),
        }
    }
}

/// Whether an error is one of `answers`: an error code (`EntityAlreadyExists`), or, for the
/// services that say "exists" only in the message, `CODE: words of the message`
/// (`InvalidInput: has been taken`).
pub(crate) fn says_exists<E: ProvideErrorMetadata>(err: &E, answers: &[&str]) -> bool {
    answers.iter().any(|answer| match answer.split_once(": ") {
        Some((code, words)) => {
            err.code() == Some(code) && err.message().is_some_and(|m| m.contains(words))
        }
        None => err.code() == Some(*answer),
    })
}

/// Sends a create that may already have happened. When an earlier try's answer was lost (the
/// SDK sent it again, or a run was interrupted after AWS acted), AWS answers that the thing
/// exists: that is the outcome the change wants, so it goes on with what is there rather than
/// failing every change that depends on it. Evaluates to `Ok(true)` when this call created
/// it, `Ok(false)` when it was already there. `$exists` lists the answers that mean so
/// (see [`says_exists`]).
macro_rules! create {
    ($address:expr, $op:literal, $exists:expr, $send:expr) => {
        match $send.await {
            Ok(_) => Ok(true),
            Err(err) if $crate::error::says_exists(&err, $exists) => {
                tracing::info!(address = %$address, operation = $op, "it already exists; carrying on with it");
                Ok(false)
            }
            Err(err) => Err($crate::error::sdk_error($address, $op, &err)),
        }
    };
}
pub(crate) use create;

#[cfg(test)]
mod tests {
    use aws_smithy_types::error::ErrorMetadata;

    use super::says_exists;

    #[test]
    fn an_exists_answer_is_a_code_or_a_code_with_words() {
        let taken = ErrorMetadata::builder()
            .code("InvalidInput")
            .message("Service role name AWSServiceRoleForConfig has been taken in this account")
            .build();
        let invalid = ErrorMetadata::builder()
            .code("InvalidInput")
            .message("Invalid service name")
            .build();
        let exists = ErrorMetadata::builder().code("EntityAlreadyExists").build();
        let answers = &["EntityAlreadyExists", "InvalidInput: has been taken"];
        assert!(says_exists(&taken, answers));
        assert!(says_exists(&exists, answers));
        assert!(
            !says_exists(&invalid, answers),
            "other invalid input is an error"
        );
    }
}
