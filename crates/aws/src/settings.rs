//! The AWS settings a run starts from (the profile, the region, the credentials) and, when
//! they cannot be used, what is wrong in one paragraph with what to do next. Problems are
//! recognised by the SDK's error types, found by walking an error's sources; the SDK's own
//! description of them (a long debug dump) goes to the logs (`-v`), never to the person.

use std::error::Error;

use aws_credential_types::provider::error::{CredentialsError, TokenError};
use aws_types::os_shim_internal::{Env, Fs};
use baseline_core::regions;

/// What is wrong with the AWS settings, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SettingsError {
    pub message: String,
    pub hint: String,
}

/// Said after every settings error: it is raised before anything is read.
const NOTHING_DONE: &str = "nothing was read or changed";

/// The profiles of the AWS config files, as far as the messages about them need them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Profiles {
    /// The profile in use: `--profile`, else AWS_PROFILE, else `default`.
    selected: String,
    /// What chose it (`--profile`, `AWS_PROFILE`); `None` for the default.
    chosen_by: Option<&'static str>,
    /// Every profile the files define, sorted.
    names: Vec<String>,
    /// Whether the selected profile is defined.
    exists: bool,
    /// Whether the selected profile signs in through IAM Identity Center (AWS SSO).
    sso: bool,
    /// The files looked in, as a person would write them (`~/.aws/config`).
    files: [String; 2],
    /// Why the files could not be read, if they could not (the SDK fails the same way at
    /// the first call, when it needs them).
    unreadable: Option<String>,
}

impl Profiles {
    /// Reads the AWS config and credentials files as the SDK does (AWS_CONFIG_FILE and
    /// AWS_SHARED_CREDENTIALS_FILE move them); `flag` is `--profile`.
    pub(crate) async fn load(flag: Option<&str>) -> Self {
        let env = Env::real();
        let from_env = env.get("AWS_PROFILE").ok().filter(|p| !p.is_empty());
        let (selected, chosen_by) = match (flag, from_env) {
            (Some(flag), _) => (flag.to_owned(), Some("--profile")),
            (None, Some(name)) => (name, Some("AWS_PROFILE")),
            (None, None) => ("default".to_owned(), None),
        };
        let file = |variable: &str, default: &str| {
            env.get(variable)
                .ok()
                .filter(|f| !f.is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        let files = [
            file("AWS_CONFIG_FILE", "~/.aws/config"),
            file("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
        ];
        let mut profiles = Self {
            selected: selected.clone(),
            chosen_by,
            names: Vec::new(),
            exists: false,
            sso: false,
            files,
            unreadable: None,
        };
        let set = aws_config::profile::load(&Fs::real(), &env, &Default::default(), None).await;
        match set {
            Ok(set) => {
                profiles.names = set.profiles().map(str::to_owned).collect();
                profiles.names.sort();
                if let Some(profile) = set.get_profile(&selected) {
                    profiles.exists = true;
                    profiles.sso = profile.get("sso_session").is_some()
                        || profile.get("sso_start_url").is_some();
                }
            }
            Err(err) => profiles.unreadable = Some(describe(&err)),
        }
        profiles
    }

    /// The profile in use.
    pub(crate) fn selected(&self) -> &str {
        &self.selected
    }

    /// Refuses a profile that was asked for by name (`--profile`, AWS_PROFILE) and is not
    /// defined, before any call is made. Files that cannot be read are left to the SDK,
    /// whose error at the first call [`Profiles::explain`] words.
    pub(crate) fn check(&self) -> Result<(), SettingsError> {
        let readable = self.unreadable.is_none();
        let Some(chosen_by) = self.chosen_by.filter(|_| readable && !self.exists) else {
            return Ok(());
        };
        Err(SettingsError {
            message: format!(
                "profile `{}` ({chosen_by}) is not defined in {}; {NOTHING_DONE}",
                self.selected,
                self.files()
            ),
            hint: self.others(),
        })
    }

    /// The files, for a message: "`~/.aws/config` or `~/.aws/credentials`".
    fn files(&self) -> String {
        format!("`{}` or `{}`", self.files[0], self.files[1])
    }

    /// What to do instead of the selected profile: the closest other profile defined, and
    /// all of them.
    fn others(&self) -> String {
        let others: Vec<&String> = self.names.iter().filter(|n| **n != self.selected).collect();
        let which = if self.exists {
            "other profiles"
        } else {
            "profiles"
        };
        if others.is_empty() {
            return format!(
                "no {which} are defined there: create one with `aws configure sso --profile \
                 {0}` or `aws configure --profile {0}`",
                self.selected
            );
        }
        let listed = others
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let closest = others
            .iter()
            .map(|n| (strsim::jaro_winkler(&self.selected, n), n))
            .filter(|(score, _)| *score > 0.8)
            .fold(None::<(f64, &&String)>, |best, (score, name)| match best {
                Some((top, _)) if top >= score => best,
                _ => Some((score, name)),
            });
        match closest {
            Some((_, name)) => format!("did you mean `{name}`? The {which} defined: {listed}"),
            None => format!("the {which} defined: {listed}"),
        }
    }

    /// Why a call could not be signed, when its error (or one of its sources) is one of the
    /// SDK's credential or token errors; `None` for any other error.
    pub(crate) fn explain(&self, err: &(dyn Error + 'static)) -> Option<SettingsError> {
        let chain = || std::iter::successors(Some(err), |&e| e.source());
        let token = chain().find_map(|e| e.downcast_ref::<TokenError>());
        // The innermost credentials error is the most precise: providers wrap the ones of
        // the providers they call.
        let credentials = chain()
            .filter_map(|e| e.downcast_ref::<CredentialsError>())
            .last();
        let name = &self.selected;
        let profile = format!("profile `{name}`");
        let (message, hint) = match (token, credentials) {
            (None, None) => return None,
            (Some(token), _) => self.sso_expired(token),
            (None, Some(credentials)) => match credentials {
                CredentialsError::CredentialsNotLoaded(_) if self.chosen_by.is_some() => (
                    format!(
                        "{profile} holds no credentials: no keys, SSO settings, role or \
                         credential_process in {}",
                        self.files()
                    ),
                    format!(
                        "give it some (`aws configure sso --profile {name}` or `aws configure \
                         --profile {name}`), or use another; {}",
                        self.others()
                    ),
                ),
                CredentialsError::CredentialsNotLoaded(_) => (
                    format!(
                        "no AWS credentials were found: none in the environment \
                         (AWS_ACCESS_KEY_ID), {} in {}, and no web identity, container or \
                         instance role",
                        if self.exists {
                            "none in the `default` profile"
                        } else {
                            "no `default` profile"
                        },
                        self.files()
                    ),
                    self.sign_in(),
                ),
                CredentialsError::ProviderTimedOut(_) => (
                    format!("loading the AWS credentials timed out ({credentials})"),
                    format!("outside AWS no instance role answers: {}", self.sign_in()),
                ),
                _ if self.sso => self.sso_expired(credentials),
                CredentialsError::InvalidConfiguration(_) if self.unreadable.is_some() => (
                    format!(
                        "the AWS config files ({}) cannot be read: {}",
                        self.files(),
                        self.unreadable.as_deref().unwrap_or_default()
                    ),
                    "correct the line it names; `aws configure list` shows what the AWS CLI \
                     makes of the files"
                        .to_owned(),
                ),
                CredentialsError::InvalidConfiguration(_) => (
                    format!(
                        "the AWS settings of {profile} are not valid: {}",
                        describe_sources(credentials)
                    ),
                    format!(
                        "correct {profile} in {}; `aws configure list --profile {name}` shows \
                         what the AWS CLI makes of it",
                        self.files()
                    ),
                ),
                _ => (
                    format!(
                        "the AWS credentials of {profile} could not be loaded: {}",
                        describe_sources(credentials)
                    ),
                    format!("check {profile} in {}, then run again", self.files()),
                ),
            },
        };
        Some(SettingsError {
            message: format!("{message}; {NOTHING_DONE}"),
            hint,
        })
    }

    /// The selected profile signs in through AWS SSO, and its token could not be used
    /// (`why` says how, in the SDK's words).
    fn sso_expired(&self, why: &(dyn Error + 'static)) -> (String, String) {
        let name = &self.selected;
        (
            format!(
                "profile `{name}` signs in through AWS SSO (IAM Identity Center), and its \
                 session cannot be used: {}",
                describe_sources(why)
            ),
            format!("sign in again with `aws sso login --profile {name}`, then run again"),
        )
    }

    /// How to give baseline credentials, naming the profiles that exist.
    fn sign_in(&self) -> String {
        let ways = "sign in with a profile (`aws sso login --profile NAME`, then `--profile \
                    NAME` or AWS_PROFILE=NAME), or export AWS_ACCESS_KEY_ID and \
                    AWS_SECRET_ACCESS_KEY";
        if self.names.is_empty() {
            ways.to_owned()
        } else {
            let listed = self
                .names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{ways}; the profiles defined: {listed}")
        }
    }

    /// Why an answer of AWS says the credentials themselves are no good (expired or unknown
    /// keys), for the caller's first call; `None` for any other answer.
    pub(crate) fn explain_code(&self, code: Option<&str>) -> Option<SettingsError> {
        let name = &self.selected;
        let again = if self.sso {
            format!("sign in again with `aws sso login --profile {name}`, then run again")
        } else {
            "get new credentials (sign in again, or export fresh keys), then run again".to_owned()
        };
        let message = match code? {
            "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => {
                "the AWS credentials have expired (ExpiredToken)"
            }
            "InvalidClientTokenId" | "UnrecognizedClientException" => {
                "AWS does not know these credentials' access key (InvalidClientTokenId)"
            }
            "SignatureDoesNotMatch" => {
                "the AWS secret access key does not match its access key (SignatureDoesNotMatch)"
            }
            _ => return None,
        };
        Some(SettingsError {
            message: format!("{message}; {NOTHING_DONE}"),
            hint: again,
        })
    }
}

/// Refuses a region baseline does not know, naming where it came from (`--region`,
/// `AWS_REGION`, a profile's `region`), with the region it was most likely meant to be.
pub(crate) fn check_region(region: &str, from: &str) -> Result<(), SettingsError> {
    if regions::find(region).is_some() {
        return Ok(());
    }
    Err(SettingsError {
        message: format!("`{region}` ({from}) is not an AWS region code; {NOTHING_DONE}"),
        hint: regions::unknown_hint(region),
    })
}

/// Whether an error is, or is caused by, one of the SDK's credential or token errors: the
/// call was not sent because it could not be signed.
pub(crate) fn is_sign_in_failure(err: &(dyn Error + 'static)) -> bool {
    std::iter::successors(Some(err), |&e| e.source())
        .any(|e| e.is::<CredentialsError>() || e.is::<TokenError>())
}

/// An error and its sources in words, each said once, on one line: "dispatch failure: io
/// error: ...".
/// The SDK's `DisplayErrorContext` adds its debug dump, which is for the logs only.
pub(crate) fn describe(err: &(dyn Error + 'static)) -> String {
    let mut text = String::new();
    for level in std::iter::successors(Some(err), |&e| e.source()) {
        // One paragraph: the SDK breaks some of its messages over lines.
        let said = level
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if said.is_empty() || text.contains(&said) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&said);
    }
    text
}

/// The sources of an error in words, without its own generic words ("an error occurred
/// while loading credentials"): what went wrong underneath.
fn describe_sources(err: &(dyn Error + 'static)) -> String {
    err.source().map_or_else(|| err.to_string(), describe)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles(names: &[&str], selected: &str, chosen_by: Option<&'static str>) -> Profiles {
        Profiles {
            selected: selected.to_owned(),
            chosen_by,
            names: names.iter().map(|n| (*n).to_owned()).collect(),
            exists: names.contains(&selected),
            sso: false,
            files: ["~/.aws/config".to_owned(), "~/.aws/credentials".to_owned()],
            unreadable: None,
        }
    }

    #[test]
    fn an_unknown_profile_names_the_files_and_the_profiles_defined() {
        let err = profiles(&["dev", "prod"], "prd", Some("--profile"))
            .check()
            .expect_err("not defined");
        assert!(
            err.message.starts_with("profile `prd` (--profile)"),
            "{err}"
        );
        assert!(err.message.contains("`~/.aws/config`"), "{err}");
        assert_eq!(
            err.hint,
            "did you mean `prod`? The profiles defined: `dev`, `prod`"
        );
        let none = profiles(&[], "dev", Some("AWS_PROFILE"))
            .check()
            .expect_err("none");
        assert!(
            none.hint.contains("aws configure sso --profile dev"),
            "{}",
            none.hint
        );
        assert_eq!(profiles(&[], "default", None).check(), Ok(()));
        assert_eq!(profiles(&["dev"], "dev", Some("--profile")).check(), Ok(()));
    }

    #[test]
    fn credentials_not_found_are_named_by_the_sdk_error_type() {
        let err = CredentialsError::not_loaded("no providers in chain provided credentials");
        let wrapped = CredentialsError::provider_error(err);
        let problem = profiles(&["dev"], "default", None)
            .explain(&wrapped)
            .expect("a credentials error");
        assert!(problem.message.starts_with("no AWS credentials were found"));
        assert!(
            problem.hint.contains("the profiles defined: `dev`"),
            "{}",
            problem.hint
        );
        let other = std::io::Error::other("connection refused");
        assert_eq!(profiles(&[], "default", None).explain(&other), None);
    }

    #[test]
    fn an_sso_profile_whose_token_fails_says_to_sign_in_again() {
        let mut sso = profiles(&["work"], "work", Some("--profile"));
        sso.sso = true;
        let token = TokenError::provider_error("the SSO token has expired and cannot be refreshed");
        let err = CredentialsError::provider_error(CredentialsError::provider_error(token));
        let problem = sso.explain(&err).expect("an SSO problem");
        assert!(problem.message.contains("AWS SSO"), "{}", problem.message);
        assert!(
            problem.message.ends_with(
                "the SSO token has expired and cannot be refreshed; nothing was read or changed"
            ),
            "{}",
            problem.message
        );
        assert!(problem.hint.contains("aws sso login --profile work"));
    }

    #[test]
    fn a_config_file_that_cannot_be_parsed_is_named_with_its_line() {
        let mut broken = profiles(&[], "dev", Some("--profile"));
        broken.unreadable = Some("error parsing ~/.aws/config on line 1: bad".to_owned());
        assert_eq!(
            broken.check(),
            Ok(()),
            "the SDK's error says it at the first call"
        );
        let err = CredentialsError::invalid_configuration("could not parse profile file");
        let problem = broken.explain(&err).expect("a settings problem");
        assert!(
            problem
                .message
                .contains("cannot be read: error parsing ~/.aws/config on line 1"),
            "{}",
            problem.message
        );
    }

    #[test]
    fn describe_says_each_level_once_without_debug() {
        let inner = std::io::Error::other("connection refused");
        let outer = CredentialsError::provider_error(inner);
        assert_eq!(
            describe(&outer),
            "an error occurred while loading credentials: connection refused"
        );
        assert_eq!(describe_sources(&outer), "connection refused");
    }

    #[test]
    fn an_unknown_region_suggests_the_closest() {
        let err = check_region("ap-northeast-9", "--region").expect_err("unknown");
        assert!(
            err.message.starts_with("`ap-northeast-9` (--region)"),
            "{err}"
        );
        assert!(err.hint.contains("`ap-northeast-1`"), "{}", err.hint);
        assert_eq!(check_region("eu-west-1", "--region"), Ok(()));
    }
}
