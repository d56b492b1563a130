//! Service-linked roles that baseline's services need, e.g. AWSServiceRoleForConfig for AWS
//! Config. AWS defines their permissions; baseline only makes sure they exist.

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{ResourceAddr, Spec};

use crate::context::AwsContext;
use crate::error::{call, create, found};
use crate::iam::principal::NO_SUCH_ENTITY;
use crate::kind::{Change, Done, Exists, Live};
use crate::kind::{Kind, Read, declare, name_of};
use crate::logging::config_present;

pub(crate) struct ServiceLinkedRole;

pub(crate) const KIND: &str = "iam_service_linked_role";

/// The role AWS names for a service: (service principal, role name).
const ROLES: &[(&str, &str)] = &[("config.amazonaws.com", "AWSServiceRoleForConfig")];

/// The role name of a service's linked role; empty for a service baseline does not know
/// (none is declared).
fn role_name(service: &str) -> &'static str {
    ROLES
        .iter()
        .find(|(s, _)| *s == service)
        .map_or("", |(_, name)| name)
}

/// The ARN of a service's linked role.
pub(crate) fn arn(service: &str, scope: &Scope) -> String {
    scope.arn(
        "iam",
        "",
        &format!("role/aws-service-role/{service}/{}", role_name(service)),
    )
}

pub(crate) fn address(service: &str) -> ResourceAddr {
    ResourceAddr::named(KIND, service)
}

impl Kind for ServiceLinkedRole {
    type State = Exists;
    const KIND: &'static str = KIND;

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        if !config_present(spec) {
            return Vec::new();
        }
        vec![declare(address("config.amazonaws.com"), &Exists {})]
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Exists>) -> Live<Exists> {
        let name = role_name(name_of(read.address));
        let answer = ctx.iam().get_role().role_name(name).send().await;
        Ok(found(read.address, "iam:GetRole", NO_SUCH_ENTITY, answer)?.map(|_| Exists {}))
    }

    /// There already (an earlier try's answer was lost, or the service made it): IAM says
    /// so with EntityAlreadyExists, or with InvalidInput "... has been taken in this
    /// account".
    async fn create(&self, ctx: &AwsContext, change: &Change, _after: &Exists) -> Done {
        let address = &change.address;
        create!(
            address,
            "iam:CreateServiceLinkedRole",
            &["EntityAlreadyExists", "InvalidInput: has been taken"],
            ctx.iam()
                .create_service_linked_role()
                .aws_service_name(name_of(address))
                .send()
        )?;
        Ok(())
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, _before: &Exists) -> Done {
        let address = &change.address;
        call!(
            address,
            "iam:DeleteServiceLinkedRole",
            ctx.iam()
                .delete_service_linked_role()
                .role_name(role_name(name_of(address)))
                .send()
        )?;
        Ok(())
    }
}
