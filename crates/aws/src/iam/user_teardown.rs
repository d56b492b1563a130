//! Removing an IAM user: IAM refuses DeleteUser while anything hangs off the user, so its
//! console password, credentials, MFA devices, memberships and policies go first.

use baseline_core::{ProviderError, ResourceAddr};

use crate::context::AwsContext;
use crate::error::{call, deleted, list_all, sdk_error};
use crate::iam::principal::{NO_SUCH_ENTITY, Principal, remove_listed};
use crate::kind::Done;

/// Removes a user in the order IAM requires: console password, access keys, MFA devices,
/// signing certificates, SSH keys, service-specific credentials, group memberships,
/// policies, then the user.
pub(crate) async fn remove_user(
    ctx: &AwsContext,
    address: &ResourceAddr,
    name: &str,
) -> Result<(), ProviderError> {
    let iam = ctx.iam();
    let answer = iam.delete_login_profile().user_name(name).send().await;
    deleted(address, "iam:DeleteLoginProfile", NO_SUCH_ENTITY, answer)?;
    let keys = list_all!(
        address,
        "iam:ListAccessKeys",
        iam.list_access_keys().user_name(name)
    )?;
    for key in keys {
        if let Some(id) = key.access_key_id() {
            call!(
                address,
                "iam:DeleteAccessKey",
                iam.delete_access_key()
                    .user_name(name)
                    .access_key_id(id)
                    .send()
            )?;
        }
    }
    let devices = list_all!(
        address,
        "iam:ListMFADevices",
        iam.list_mfa_devices().user_name(name)
    )?;
    for device in devices {
        let serial = device.serial_number();
        call!(
            address,
            "iam:DeactivateMFADevice",
            iam.deactivate_mfa_device()
                .user_name(name)
                .serial_number(serial)
                .send()
        )?;
        if serial.starts_with("arn:") {
            call!(
                address,
                "iam:DeleteVirtualMFADevice",
                iam.delete_virtual_mfa_device().serial_number(serial).send()
            )?;
        }
    }
    remove_listed!(iam, user_name(name),
        list(address, "iam:ListSigningCertificates", list_signing_certificates),
        remove(address, "iam:DeleteSigningCertificate", delete_signing_certificate),
        for certificate => certificate_id(certificate.certificate_id()));
    remove_listed!(iam, user_name(name),
        list(address, "iam:ListSSHPublicKeys", list_ssh_public_keys),
        remove(address, "iam:DeleteSSHPublicKey", delete_ssh_public_key),
        for key => ssh_public_key_id(key.ssh_public_key_id()));
    remove_service_credentials(ctx, address, name).await?;
    remove_listed!(iam, user_name(name),
        list(address, "iam:ListGroupsForUser", list_groups_for_user),
        remove(address, "iam:RemoveUserFromGroup", remove_user_from_group),
        for group => group_name(group.group_name()));
    Principal::User(name).delete(ctx, address).await
}

/// CodeCommit and similar credentials: IAM refuses to delete a user that has any.
async fn remove_service_credentials(ctx: &AwsContext, address: &ResourceAddr, name: &str) -> Done {
    let iam = ctx.iam();
    let listed = iam
        .list_service_specific_credentials()
        .user_name(name)
        .send()
        .await;
    let credentials = match listed {
        Ok(out) => out.service_specific_credentials.unwrap_or_default(),
        Err(err) => {
            return Err(sdk_error(
                address,
                "iam:ListServiceSpecificCredentials",
                &err,
            ));
        }
    };
    for credential in credentials {
        call!(
            address,
            "iam:DeleteServiceSpecificCredential",
            iam.delete_service_specific_credential()
                .user_name(name)
                .service_specific_credential_id(credential.service_specific_credential_id())
                .send()
        )?;
    }
    Ok(())
}
