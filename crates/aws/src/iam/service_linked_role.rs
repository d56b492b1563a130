//! Service-linked roles that baseline's services need, e.g. AWSServiceRoleForConfig for AWS
//! Config. AWS defines their permissions; baseline only makes sure they exist.

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::Ensure;
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::{call, create, sdk_error, unsupported};
use crate::iam::principal::is_not_found;
use crate::kind::{LegacyKind, name_of};
use crate::logging::config_present;

pub(crate) struct ServiceLinkedRole;

pub(crate) const KIND: &str = "iam_service_linked_role";

/// The role AWS names for a service: (service principal, role name).
const ROLES: &[(&str, &str)] = &[("config.amazonaws.com", "AWSServiceRoleForConfig")];

fn role_name(service: &str) -> Option<&'static str> {
    ROLES
        .iter()
        .find(|(s, _)| *s == service)
        .map(|(_, name)| *name)
}

/// The ARN of a service's linked role.
pub(crate) fn arn(service: &str, scope: &Scope) -> String {
    scope.arn(
        "iam",
        "",
        &format!(
            "role/aws-service-role/{service}/{}",
            role_name(service).unwrap_or_default()
        ),
    )
}

pub(crate) fn address(service: &str) -> ResourceAddr {
    ResourceAddr::named(KIND, service)
}

impl LegacyKind for ServiceLinkedRole {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        if !config_present(spec) {
            return Vec::new();
        }
        vec![Desired {
            address: address("config.amazonaws.com"),
            ensure: Ensure::Present,
            state: json!({}),
            depends_on: Vec::new(),
            manual: None,
            cis: Vec::new(),
            write_only: Value::Null,
        }]
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let service = name_of(address);
            let name = role_name(service).unwrap_or_default();
            match ctx.iam().get_role().role_name(name).send().await {
                Ok(_) => Ok(Some(json!({}))),
                Err(err) if is_not_found(&err) => Ok(None),
                Err(err) => Err(sdk_error(address, "iam:GetRole", &err)),
            }
        })
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let address = &change.address;
            let service = name_of(address);
            match change.action {
                Action::Create => {
                    // There already (an earlier try's answer was lost, or the service made
                    // it): IAM says so with EntityAlreadyExists, or with InvalidInput
                    // "... has been taken in this account".
                    create!(
                        address,
                        "iam:CreateServiceLinkedRole",
                        &["EntityAlreadyExists", "InvalidInput: has been taken"],
                        ctx.iam()
                            .create_service_linked_role()
                            .aws_service_name(service)
                            .send()
                    )?;
                    Ok(())
                }
                Action::Delete => {
                    let name = role_name(service).unwrap_or_default();
                    call!(
                        address,
                        "iam:DeleteServiceLinkedRole",
                        ctx.iam()
                            .delete_service_linked_role()
                            .role_name(name)
                            .send()
                    )?;
                    Ok(())
                }
                action => Err(unsupported(address, &format!("{action:?}"))),
            }
        })
    }
}
