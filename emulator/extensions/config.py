"""The access checks AWS Config makes at PutDeliveryChannel.

AWS Config writes to the bucket as its service principal config.amazonaws.com (baseline's
recorders use the service-linked role AWSServiceRoleForConfig, which has no S3 write
permissions), so the bucket policy must let config.amazonaws.com s3:GetBucketAcl on the
bucket and s3:PutObject (x-amz-acl bucket-owner-full-control, over TLS, from this account)
of [PREFIX/]AWSLogs/ACCOUNT/Config/ConfigWritabilityCheckFile. When the object would be
encrypted with a customer managed KMS key (the channel's s3KmsKeyArn, else the bucket's
default encryption), S3 asks KMS for a data key on Config's behalf, so the key policy must
let config.amazonaws.com kms:GenerateDataKey via s3.REGION.amazonaws.com with the
encryption context aws:s3:arn = the object's ARN (the bucket's with an S3 Bucket Key).
Any refusal: InsufficientDeliveryPolicyException. A bucket that exists nowhere:
NoSuchBucketException; an s3KmsKeyArn that names no key: InvalidS3KmsKeyArnException.
The oracle answers each test (access.py).
"""

import threading

from .access import (access_error_classes, bucket_policy, find_bucket, find_key, is_aws_managed,
                     policy_json, require, source_context)


DELIVERY_MESSAGE = "Your Amazon S3 bucket policy does not allow AWS Config to write to it."


def bucket_encryption(bucket):
    """(SSEAlgorithm, KMSMasterKeyID or None, BucketKeyEnabled) of the bucket's default
    encryption (moto keeps the parsed XML), else None."""
    rules = (bucket.encryption or {}).get("Rule") or []
    for rule in rules if isinstance(rules, list) else [rules]:
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        if default.get("SSEAlgorithm"):
            enabled = str(rule.get("BucketKeyEnabled", "false")).lower() == "true"
            return default["SSEAlgorithm"], default.get("KMSMasterKeyID"), enabled
    return None


def check_delivery_channel(account, bucket_name, prefix, kms_key_arn):
    from moto.core.exceptions import JsonRESTError

    bucket = find_bucket(bucket_name)
    if bucket is None:
        raise JsonRESTError("NoSuchBucketException",
                            f"Cannot find a S3 bucket with the name {bucket_name}.")
    code = "InsufficientDeliveryPolicyException"
    algorithm, default_key, bucket_key = bucket_encryption(bucket) or (None, None, False)
    key = None  # the customer managed key S3 would encrypt Config's objects with
    if kms_key_arn:
        key = find_key(kms_key_arn, account, bucket.region_name)
        if key is None:
            raise JsonRESTError("InvalidS3KmsKeyArnException",
                                f"The arn '{kms_key_arn}' is not a valid kms key or alias arn.")
    elif algorithm in ("aws:kms", "aws:kms:dsse") and default_key:
        key = find_key(default_key, bucket.account_id, bucket.region_name)
        if key is None:
            raise access_error_classes()[0](
                code, DELIVERY_MESSAGE, f"the bucket's default key {default_key} does not exist")
    bucket_arn = f"arn:aws:s3:::{bucket_name}"
    object_arn = (f"{bucket_arn}/{prefix + '/' if prefix else ''}AWSLogs/{account}/Config/"
                  "ConfigWritabilityCheckFile")
    source = source_context(account, {"aws:SecureTransport": "true"})
    base = {"principal": "config.amazonaws.com", "resource_account": bucket.account_id,
            "resource_policy": bucket_policy(bucket)}
    require(code, DELIVERY_MESSAGE, dict(base, action="s3:GetBucketAcl", resource=bucket_arn,
                                         context=source))
    put = dict(source, **{"s3:x-amz-acl": "bucket-owner-full-control"})
    if kms_key_arn:
        put.update({"s3:x-amz-server-side-encryption": "aws:kms",
                    "s3:x-amz-server-side-encryption-aws-kms-key-id": kms_key_arn})
    require(code, DELIVERY_MESSAGE, dict(base, action="s3:PutObject", resource=object_arn,
                                         context=put))
    if key is None or is_aws_managed(key):
        return  # SSE-S3, or the AWS managed aws/s3 key, which S3 may always use
    # With an S3 Bucket Key (the bucket's setting, for every SSE-KMS object) S3 asks KMS for
    # the bucket's key material: the encryption context is then the bucket's ARN.
    require(code, DELIVERY_MESSAGE, {
        "principal": "config.amazonaws.com", "action": "kms:GenerateDataKey",
        "resource": key.arn, "resource_account": key.account_id,
        "resource_policy": policy_json(key.policy),
        "context": source_context(account, {
            "kms:EncryptionContext:aws:s3:arn": bucket_arn if bucket_key else object_arn,
            "kms:EncryptionContextKeys": ["aws:s3:arn"],
            "kms:ViaService": f"s3.{bucket.region_name}.amazonaws.com"})})


CONFIG_CALL = threading.local()  # the config backend of the PutDeliveryChannel in progress


def patch_config_access():
    from moto.config import models

    original_put = models.ConfigBackend.put_delivery_channel
    stored = models.ConfigDeliveryChannel

    def put_delivery_channel(self, delivery_channel):
        CONFIG_CALL.backend = self
        try:
            return original_put(self, delivery_channel)
        finally:
            CONFIG_CALL.backend = None

    def checked_delivery_channel(name, s3_bucket_name, prefix=None, sns_arn=None,
                                 s3_kms_key_arn=None, snapshot_properties=None):
        """moto builds the channel after its own checks and stores it right after: AWS's
        access checks run here, before it is stored."""
        backend = getattr(CONFIG_CALL, "backend", None)
        if backend is not None:
            check_delivery_channel(backend.account_id, s3_bucket_name, prefix, s3_kms_key_arn)
        return stored(name, s3_bucket_name, prefix=prefix, sns_arn=sns_arn,
                      s3_kms_key_arn=s3_kms_key_arn, snapshot_properties=snapshot_properties)

    models.ConfigBackend.put_delivery_channel = put_delivery_channel
    models.ConfigDeliveryChannel = checked_delivery_channel
