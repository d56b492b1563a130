"""The access checks CloudTrail makes at CreateTrail and UpdateTrail.

AWS, with the trail's final settings:
- the bucket policy must let cloudtrail.amazonaws.com s3:GetBucketAcl on the bucket and
  s3:PutObject (x-amz-acl bucket-owner-full-control, over TLS, for this trail) under
  [PREFIX/]AWSLogs/ACCOUNT/, and for an organization trail also under
  [PREFIX/]AWSLogs/ORG_ID/ACCOUNT/; else InsufficientS3BucketPolicyException;
- with KmsKeyId, the key policy must let cloudtrail.amazonaws.com kms:GenerateDataKey with
  the encryption context aws:cloudtrail:arn = the trail's ARN, and kms:DescribeKey; else
  InsufficientEncryptionPolicyException (an unknown key: KmsKeyNotFoundException);
- with CloudWatchLogsRoleArn, the role's trust policy must let cloudtrail.amazonaws.com
  sts:AssumeRole, and the role's policies must allow logs:CreateLogStream and
  logs:PutLogEvents on the stream ACCOUNT_CloudTrail_REGION of the log group; else
  InvalidCloudWatchLogsRoleArnException.
A bucket that exists in no account: S3BucketDoesNotExistException (moto checks only at
CreateTrail, and only in the trail's own account). The oracle answers each test (access.py).
"""

import copy

from .access import (bucket_policy, find_bucket, find_key, organization_of, policy_json, require,
                     source_context)


BUCKET_POLICY_MESSAGE = "Incorrect S3 bucket policy is detected for bucket: {}"
ROLE_MESSAGE = "Access denied. Verify in IAM that the role has adequate permissions."


def trail_settings(trail):
    return {"account": trail.account_id, "region": trail.region_name, "name": trail.trail_name,
            "arn": trail.arn, "bucket": trail.bucket_name, "prefix": trail.s3_key_prefix,
            "organization": bool(trail.is_org_trail), "kms_key_id": trail.kms_key_id,
            "log_group_arn": trail.cw_log_group_arn, "role_arn": trail.cw_role_arn}


def check_trail_bucket(trail):
    from moto.cloudtrail.exceptions import S3BucketDoesNotExistException

    bucket = find_bucket(trail["bucket"])
    if bucket is None:
        raise S3BucketDoesNotExistException(f"S3 bucket {trail['bucket']} does not exist!")
    code = "InsufficientS3BucketPolicyException"
    message = BUCKET_POLICY_MESSAGE.format(trail["bucket"])
    source = source_context(trail["account"], {"aws:SourceArn": trail["arn"],
                                               "aws:SecureTransport": "true"})
    base = {"principal": "cloudtrail.amazonaws.com", "resource_account": bucket.account_id,
            "resource_policy": bucket_policy(bucket)}
    bucket_arn = f"arn:aws:s3:::{trail['bucket']}"
    require(code, message, dict(base, action="s3:GetBucketAcl", resource=bucket_arn,
                                context=source))
    prefix = f"{trail['prefix']}/" if trail["prefix"] else ""
    folders = [f"AWSLogs/{trail['account']}"]
    organization = organization_of(trail["account"]) if trail["organization"] else None
    if organization:
        folders.append(f"AWSLogs/{organization[0]}/{trail['account']}")
    for folder in folders:
        require(code, message, dict(
            base, action="s3:PutObject", resource=f"{bucket_arn}/{prefix}{folder}/CloudTrail/test",
            context=dict(source, **{"s3:x-amz-acl": "bucket-owner-full-control"})))


def check_trail_key(trail):
    from moto.core.exceptions import JsonRESTError

    key = find_key(trail["kms_key_id"], trail["account"], trail["region"])
    if key is None:
        raise JsonRESTError("KmsKeyNotFoundException",
                            f"KMS key not found: {trail['kms_key_id']}")
    code = "InsufficientEncryptionPolicyException"
    message = (f"Insufficient permissions to access S3 bucket {trail['bucket']} "
               f"or KMS key {key.arn}.")
    source = source_context(trail["account"], {"aws:SourceArn": trail["arn"]})
    base = {"principal": "cloudtrail.amazonaws.com", "resource": key.arn,
            "resource_account": key.account_id, "resource_policy": policy_json(key.policy)}
    require(code, message, dict(base, action="kms:GenerateDataKey", context=dict(
        source, **{"kms:EncryptionContext:aws:cloudtrail:arn": trail["arn"],
                   "kms:EncryptionContextKeys": ["aws:cloudtrail:arn"]})))
    require(code, message, dict(base, action="kms:DescribeKey", context=source))


def role_policies(role):
    """The role's inline policies and the default versions of its attached managed ones."""
    documents = [policy_json(document) for document in role.policies.values()]
    for managed in role.managed_policies.values():
        default = next(v for v in managed.versions if v.is_default)
        documents.append(policy_json(default.document))
    return documents


def check_trail_role(trail):
    from moto.iam.models import iam_backends

    code = "InvalidCloudWatchLogsRoleArnException"
    arn = trail["role_arn"]
    parts = arn.split(":", 5)
    role = None
    if len(parts) == 6 and parts[2] == "iam":
        try:
            role = iam_backends[parts[4]]["aws"].get_role_by_arn(arn)
        except Exception:  # noqa: BLE001 - NotFoundException: no such role
            role = None
    if role is None:
        from moto.core.exceptions import JsonRESTError

        raise JsonRESTError(code, ROLE_MESSAGE)
    source = source_context(trail["account"], {"aws:SourceArn": trail["arn"]})
    require(code, ROLE_MESSAGE, {
        "principal": "cloudtrail.amazonaws.com", "action": "sts:AssumeRole", "resource": arn,
        "resource_account": role.account_id,
        "resource_policy": policy_json(role.assume_role_policy_document), "context": source})
    if not trail["log_group_arn"]:
        return
    group = trail["log_group_arn"].split(":")
    if len(group) < 7 or group[5] != "log-group":
        return  # not a log group ARN: AWS says InvalidCloudWatchLogsLogGroupArnException
    stream = (f"arn:aws:logs:{group[3]}:{group[4]}:log-group:{group[6]}:log-stream:"
              f"{trail['account']}_CloudTrail_{trail['region']}")
    for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
        require(code, ROLE_MESSAGE, {
            "principal": arn, "action": action, "resource": stream, "resource_account": group[4],
            "identity_policies": role_policies(role)})


def check_trail(trail):
    """Every test AWS makes of a trail's settings, in AWS's order: bucket, key, role."""
    settings = trail_settings(trail)
    check_trail_bucket(settings)
    if settings["kms_key_id"]:
        check_trail_key(settings)
    if settings["role_arn"]:
        check_trail_role(settings)


def patch_cloudtrail_access():
    from moto.cloudtrail.models import CloudTrailBackend, Trail

    original_init = Trail.__init__

    def trail_init(self, *args, **kwargs):
        """moto's own checks (name, bucket in this account, SNS topic), then AWS's access
        checks; CreateTrail stores the trail only after this returns."""
        original_init(self, *args, **kwargs)
        check_trail(self)

    original_update = CloudTrailBackend.update_trail

    def update_trail(self, name, **settings):
        """The trail as UpdateTrail would leave it is checked before moto changes it."""
        probe = copy.copy(self.get_trail(name_or_arn=name))
        probe.update(**settings)
        check_trail(probe)
        return original_update(self, name, **settings)

    Trail.__init__ = trail_init
    CloudTrailBackend.update_trail = update_trail
