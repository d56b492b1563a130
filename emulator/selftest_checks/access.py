"""Self-test checks of the access checks AWS makes at the API (extensions/, with the oracle).

A policy AWS would refuse is refused here too, with AWS's error, and the refused call
stores nothing.
"""

import json
import os
import sys

from .harness import Emulator, equal, error_of, fresh_account, refused_for


def statement(service, action, resource, **condition):
    """An Allow statement for a service principal; condition: {operator: {key: value}}."""
    found = {"Effect": "Allow", "Principal": {"Service": service}, "Action": action}
    if resource is not None:
        found["Resource"] = resource
    if condition:
        found["Condition"] = condition
    return found


def document(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trail_bucket_policy(bucket, account, trail_arn, folders=None):
    """The bucket policy AWS documents for a trail (TLS enforced as well)."""
    folders = folders or [f"AWSLogs/{account}"]
    cloudtrail = "cloudtrail.amazonaws.com"
    source = {"aws:SourceArn": trail_arn}
    return document(
        statement(cloudtrail, "s3:GetBucketAcl", f"arn:aws:s3:::{bucket}", StringEquals=source),
        statement(cloudtrail, "s3:PutObject", [f"arn:aws:s3:::{bucket}/{f}/*" for f in folders],
                  StringEquals=dict(source, **{"s3:x-amz-acl": "bucket-owner-full-control"})),
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}})


def trail_names(cloudtrail):
    return sorted(t["Name"] for t in cloudtrail.describe_trails(includeShadowTrails=False)
                  ["trailList"])


def check_trail_bucket_policy(_emu, a, b):
    s3, cloudtrail = a.client("s3"), a.client("cloudtrail")
    bucket = f"{a.id}-trail-logs"
    arn = f"arn:aws:cloudtrail:us-east-1:{a.id}:trail/main-trail"
    s3.create_bucket(Bucket=bucket)
    refused = ("InsufficientS3BucketPolicyException",
               f"Incorrect S3 bucket policy is detected for bucket: {bucket}", 400)
    equal(error_of(cloudtrail.create_trail, Name="main-trail", S3BucketName=bucket), refused,
          "no bucket policy")
    other = f"arn:aws:cloudtrail:us-east-1:{a.id}:trail/other-trail"
    s3.put_bucket_policy(Bucket=bucket, Policy=trail_bucket_policy(bucket, a.id, other))
    equal(error_of(cloudtrail.create_trail, Name="main-trail", S3BucketName=bucket), refused,
          "a policy for another trail (aws:SourceArn)")
    refused_for(refused[0], f"cloudtrail.amazonaws.com s3:GetBucketAcl arn:aws:s3:::{bucket}:",
                cloudtrail.create_trail, Name="main-trail", S3BucketName=bucket)
    equal(trail_names(cloudtrail), [], "a refused CreateTrail stores nothing")
    s3.put_bucket_policy(Bucket=bucket, Policy=trail_bucket_policy(bucket, a.id, arn))
    created = cloudtrail.create_trail(Name="main-trail", S3BucketName=bucket)
    equal(created["TrailARN"], arn)
    equal(error_of(cloudtrail.update_trail, Name="main-trail", S3KeyPrefix="cloudtrail"), refused,
          "UpdateTrail to a prefix the policy does not cover")
    refused_for(refused[0], "cloudtrail.amazonaws.com s3:PutObject "
                f"arn:aws:s3:::{bucket}/cloudtrail/AWSLogs/{a.id}/CloudTrail/test:",
                cloudtrail.update_trail, Name="main-trail", S3KeyPrefix="cloudtrail")
    equal(cloudtrail.get_trail(Name="main-trail")["Trail"].get("S3KeyPrefix"), None,
          "a refused UpdateTrail changes nothing")
    equal(error_of(cloudtrail.update_trail, Name="main-trail", S3BucketName=f"{bucket}-none")[0],
          "S3BucketDoesNotExistException")
    # A bucket of another account (a log archive) whose policy lets this trail write.
    archive = f"{b.id}-archive"
    b.client("s3").create_bucket(Bucket=archive)
    b.client("s3").put_bucket_policy(Bucket=archive,
                                     Policy=trail_bucket_policy(archive, a.id, arn))
    cloudtrail.update_trail(Name="main-trail", S3BucketName=archive)
    equal(cloudtrail.get_trail(Name="main-trail")["Trail"]["S3BucketName"], archive)
    # A policy the oracle cannot evaluate (AWS would not have stored it; moto does) fails
    # the call, naming why, rather than guessing.
    typo = json.loads(trail_bucket_policy(bucket, a.id, arn))
    typo["Statement"][2]["Condition"] = {"BoolX": {"aws:SecureTransport": "false"}}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(typo))
    code, message, status = error_of(cloudtrail.update_trail, Name="main-trail",
                                     S3BucketName=bucket)
    equal((code, status), ("EmulatorAccessCheckFailed", 501))
    assert "unknown condition operator BoolX" in message, message
    equal(cloudtrail.get_trail(Name="main-trail")["Trail"]["S3BucketName"], archive)


def check_organization_trail(_emu, a, _b):
    org = a.client("organizations").create_organization(FeatureSet="ALL")["Organization"]["Id"]
    s3, cloudtrail = a.client("s3"), a.client("cloudtrail")
    bucket = f"{a.id}-org-trail"
    arn = f"arn:aws:cloudtrail:us-east-1:{a.id}:trail/org-trail"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=trail_bucket_policy(bucket, a.id, arn))
    refused_for("InsufficientS3BucketPolicyException",
                "cloudtrail.amazonaws.com s3:PutObject "
                f"arn:aws:s3:::{bucket}/AWSLogs/{org}/{a.id}/",
                cloudtrail.create_trail, Name="org-trail", S3BucketName=bucket,
                IsOrganizationTrail=True, IsMultiRegionTrail=True)
    s3.put_bucket_policy(Bucket=bucket, Policy=trail_bucket_policy(
        bucket, a.id, arn, [f"AWSLogs/{a.id}", f"AWSLogs/{org}"]))
    cloudtrail.create_trail(Name="org-trail", S3BucketName=bucket, IsOrganizationTrail=True,
                            IsMultiRegionTrail=True)
    # AWS sets aws:SourceOrgID and aws:SourceOrgPaths for an account in an organization.
    cloudtrail_org = statement(
        "cloudtrail.amazonaws.com", ["s3:GetBucketAcl", "s3:PutObject"],
        [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        StringEquals={"aws:SourceOrgID": org},
        **{"ForAnyValue:StringLike": {"aws:SourceOrgPaths": f"{org}/r-*/"}})
    s3.put_bucket_policy(Bucket=bucket, Policy=document(cloudtrail_org))
    cloudtrail.update_trail(Name="org-trail", S3BucketName=bucket)
    other_org = dict(cloudtrail_org, Condition={"StringEquals": {"aws:SourceOrgID": "o-other"}})
    s3.put_bucket_policy(Bucket=bucket, Policy=document(other_org))
    equal(error_of(cloudtrail.update_trail, Name="org-trail", S3BucketName=bucket)[0],
          "InsufficientS3BucketPolicyException", "another organization's id")


def trail_key_policy(account, *extra):
    root = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "kms:*", "Resource": "*"}
    return document(root, *extra)


def check_trail_kms_key(_emu, a, _b):
    region = "ap-northeast-1"
    s3, cloudtrail = a.client("s3", region), a.client("cloudtrail", region)
    kms = a.client("kms", region)
    bucket = f"{a.id}-encrypted-trail"
    arn = f"arn:aws:cloudtrail:{region}:{a.id}:trail/encrypted"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_policy(Bucket=bucket, Policy=trail_bucket_policy(bucket, a.id, arn))
    key = kms.create_key(Policy=trail_key_policy(a.id))["KeyMetadata"]
    kms.create_alias(AliasName="alias/trail", TargetKeyId=key["KeyId"])
    equal(error_of(cloudtrail.create_trail, Name="encrypted", S3BucketName=bucket,
                   KmsKeyId="alias/trail"),
          ("InsufficientEncryptionPolicyException",
           f"Insufficient permissions to access S3 bucket {bucket} or KMS key {key['Arn']}.", 400),
          "a key policy without CloudTrail")
    refused_for("InsufficientEncryptionPolicyException",
                f"cloudtrail.amazonaws.com kms:GenerateDataKey {key['Arn']}:",
                cloudtrail.create_trail, Name="encrypted", S3BucketName=bucket,
                KmsKeyId="alias/trail")
    equal(trail_names(cloudtrail), [])
    cloudtrail_may = statement(
        "cloudtrail.amazonaws.com", "kms:GenerateDataKey*", "*",
        StringLike={"kms:EncryptionContext:aws:cloudtrail:arn":
                    f"arn:aws:cloudtrail:*:{a.id}:trail/*"},
        StringEquals={"aws:SourceArn": arn})
    describe = statement("cloudtrail.amazonaws.com", "kms:DescribeKey", "*")
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default",
                       Policy=trail_key_policy(a.id, cloudtrail_may))
    refused_for("InsufficientEncryptionPolicyException",
                f"cloudtrail.amazonaws.com kms:DescribeKey {key['Arn']}:",
                cloudtrail.create_trail, Name="encrypted", S3BucketName=bucket, KmsKeyId=key["Arn"])
    # The encryption context names the trail: another account's trails do not match.
    elsewhere = dict(cloudtrail_may, Condition={"StringLike": {
        "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111122223333:trail/*"}})
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default",
                       Policy=trail_key_policy(a.id, elsewhere, describe))
    refused_for("InsufficientEncryptionPolicyException",
                f"cloudtrail.amazonaws.com kms:GenerateDataKey {key['Arn']}:",
                cloudtrail.create_trail, Name="encrypted", S3BucketName=bucket, KmsKeyId=key["Arn"])
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default",
                       Policy=trail_key_policy(a.id, cloudtrail_may, describe))
    created = cloudtrail.create_trail(Name="encrypted", S3BucketName=bucket, KmsKeyId="alias/trail")
    equal(created["KmsKeyId"], "alias/trail")
    other = kms.create_key(Policy=trail_key_policy(a.id))["KeyMetadata"]
    equal(error_of(cloudtrail.update_trail, Name="encrypted", KmsKeyId=other["KeyId"])[0],
          "InsufficientEncryptionPolicyException")
    missing = f"arn:aws:kms:{region}:{a.id}:key/00000000-0000-0000-0000-000000000000"
    equal(error_of(cloudtrail.update_trail, Name="encrypted", KmsKeyId=missing)[0],
          "KmsKeyNotFoundException")
    equal(cloudtrail.get_trail(Name="encrypted")["Trail"]["KmsKeyId"], "alias/trail")


def check_trail_cloudwatch_role(_emu, a, _b):
    s3, cloudtrail, iam = a.client("s3"), a.client("cloudtrail"), a.client("iam")
    logs = a.client("logs")
    bucket = f"{a.id}-cw-trail"
    arn = f"arn:aws:cloudtrail:us-east-1:{a.id}:trail/watched"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=trail_bucket_policy(bucket, a.id, arn))
    logs.create_log_group(logGroupName="trail-events")
    group_arn = f"arn:aws:logs:us-east-1:{a.id}:log-group:trail-events:*"
    ec2_trust = document(statement("ec2.amazonaws.com", "sts:AssumeRole", None))
    role = iam.create_role(RoleName="trail-to-logs", AssumeRolePolicyDocument=ec2_trust)["Role"]
    watched = {"Name": "watched", "S3BucketName": bucket, "CloudWatchLogsLogGroupArn": group_arn,
               "CloudWatchLogsRoleArn": role["Arn"]}
    refused = ("InvalidCloudWatchLogsRoleArnException",
               "Access denied. Verify in IAM that the role has adequate permissions.", 400)
    equal(error_of(cloudtrail.create_trail, **watched), refused, "a role CloudTrail cannot assume")
    refused_for(refused[0], f"cloudtrail.amazonaws.com sts:AssumeRole {role['Arn']}:",
                cloudtrail.create_trail, **watched)
    trust = document({"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                      "Action": "sts:AssumeRole",
                      "Condition": {"StringEquals": {"aws:SourceAccount": a.id}}})
    iam.update_assume_role_policy(RoleName="trail-to-logs", PolicyDocument=trust)
    refused_for(refused[0], f"{role['Arn']} logs:CreateLogStream "
                f"arn:aws:logs:us-east-1:{a.id}:log-group:trail-events:log-stream:"
                f"{a.id}_CloudTrail_us-east-1:", cloudtrail.create_trail, **watched)
    stream = (f"arn:aws:logs:us-east-1:{a.id}:log-group:trail-events:log-stream:"
              f"{a.id}_CloudTrail_us-east-1*")
    iam.put_role_policy(RoleName="trail-to-logs", PolicyName="create", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "logs:CreateLogStream", "Resource": stream}]}))
    refused_for(refused[0], f"{role['Arn']} logs:PutLogEvents", cloudtrail.create_trail, **watched)
    managed = iam.create_policy(PolicyName="trail-put-events", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": stream}]}))["Policy"]
    iam.attach_role_policy(RoleName="trail-to-logs", PolicyArn=managed["Arn"])
    equal(cloudtrail.create_trail(**watched)["CloudWatchLogsRoleArn"], role["Arn"])
    missing = f"arn:aws:iam::{a.id}:role/no-such-role"
    equal(error_of(cloudtrail.update_trail, Name="watched", CloudWatchLogsRoleArn=missing), refused)


def config_recorder(account):
    config = account.client("config")
    config.put_configuration_recorder(ConfigurationRecorder={
        "name": "default",
        "roleARN": f"arn:aws:iam::{account.id}:role/aws-service-role/config.amazonaws.com/"
                   "AWSServiceRoleForConfig",
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
    return config


def config_bucket_policy(bucket, account):
    config = "config.amazonaws.com"
    source = {"aws:SourceAccount": account}
    return document(
        statement(config, "s3:GetBucketAcl", f"arn:aws:s3:::{bucket}", StringEquals=source),
        statement(config, "s3:ListBucket", f"arn:aws:s3:::{bucket}", StringEquals=source),
        statement(config, "s3:PutObject",
                  f"arn:aws:s3:::{bucket}/config/AWSLogs/{account}/Config/*",
                  StringEquals=dict(source, **{"s3:x-amz-acl": "bucket-owner-full-control"})))


def check_delivery_channel(_emu, a, _b):
    s3, kms, config = a.client("s3"), a.client("kms"), config_recorder(a)
    bucket = f"{a.id}-config"
    s3.create_bucket(Bucket=bucket)
    channel = {"name": "default", "s3BucketName": bucket, "s3KeyPrefix": "config"}
    refused = ("InsufficientDeliveryPolicyException",
               "Your Amazon S3 bucket policy does not allow AWS Config to write to it.", 400)
    equal(error_of(config.put_delivery_channel, DeliveryChannel=channel), refused, "no policy")
    s3.put_bucket_policy(Bucket=bucket, Policy=config_bucket_policy(bucket, a.id))
    # The bucket's default encryption: a customer managed key whose policy names only
    # CloudTrail, so S3 cannot get a data key for Config's object.
    only_cloudtrail = statement("cloudtrail.amazonaws.com", "kms:GenerateDataKey*", "*")
    key = kms.create_key(Policy=trail_key_policy(a.id, only_cloudtrail))["KeyMetadata"]
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                               "KMSMasterKeyID": key["Arn"]}}]})
    equal(error_of(config.put_delivery_channel, DeliveryChannel=channel), refused,
          "a bucket key whose policy lacks Config")
    refused_for(refused[0], f"config.amazonaws.com kms:GenerateDataKey {key['Arn']}:",
                config.put_delivery_channel, DeliveryChannel=channel)
    equal(config.describe_delivery_channels()["DeliveryChannels"], [],
          "a refused PutDeliveryChannel stores nothing")
    config_may = statement("config.amazonaws.com", ["kms:GenerateDataKey", "kms:Decrypt"], "*",
                           StringEquals={"aws:SourceAccount": a.id})
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default",
                       Policy=trail_key_policy(a.id, only_cloudtrail, config_may))
    config.put_delivery_channel(DeliveryChannel=channel)
    equal([c["s3BucketName"] for c in config.describe_delivery_channels()["DeliveryChannels"]],
          [bucket])
    # The channel's own key: its policy must let Config through S3 as well.
    other = kms.create_key(Policy=trail_key_policy(a.id))["KeyMetadata"]
    refused_for(refused[0], f"config.amazonaws.com kms:GenerateDataKey {other['Arn']}:",
                config.put_delivery_channel,
                DeliveryChannel=dict(channel, s3KmsKeyArn=other["Arn"]))
    equal(config.describe_delivery_channels()["DeliveryChannels"][0].get("s3KmsKeyArn"), None)
    # With an S3 Bucket Key the encryption context is the bucket's ARN, not the object's.
    per_bucket = statement("config.amazonaws.com", "kms:GenerateDataKey", "*", StringEquals={
        "kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{bucket}",
        "kms:ViaService": "s3.us-east-1.amazonaws.com"})
    kms.put_key_policy(KeyId=other["KeyId"], PolicyName="default",
                       Policy=trail_key_policy(a.id, per_bucket))
    refused_for(refused[0], f"config.amazonaws.com kms:GenerateDataKey {other['Arn']}:",
                config.put_delivery_channel,
                DeliveryChannel=dict(channel, s3KmsKeyArn=other["Arn"]))
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                               "KMSMasterKeyID": other["KeyId"]},
        "BucketKeyEnabled": True}]})
    config.put_delivery_channel(DeliveryChannel=channel)
    s3.delete_bucket_encryption(Bucket=bucket)
    kms.put_key_policy(KeyId=other["KeyId"], PolicyName="default",
                       Policy=trail_key_policy(a.id, config_may))
    config.put_delivery_channel(DeliveryChannel=dict(channel, s3KmsKeyArn=other["Arn"]))
    equal(config.describe_delivery_channels()["DeliveryChannels"][0]["s3KmsKeyArn"], other["Arn"])
    refused_for(refused[0], "config.amazonaws.com s3:PutObject arn:aws:s3:::"
                f"{bucket}/elsewhere/AWSLogs/{a.id}/Config/ConfigWritabilityCheckFile:",
                config.put_delivery_channel, DeliveryChannel=dict(channel, s3KeyPrefix="elsewhere"))


def check_oracle_missing(_emu, _a, _b):
    """Without node, a checked call fails with an error that names scripts/oracle-setup."""
    emulator = Emulator(env=dict(os.environ, PATH=os.path.dirname(sys.executable)))
    try:
        account = fresh_account(emulator)
        account.client("s3").create_bucket(Bucket=f"{account.id}-no-oracle")
        code, message, status = error_of(account.client("cloudtrail").create_trail,
                                         Name="no-oracle", S3BucketName=f"{account.id}-no-oracle")
        equal((code, status), ("EmulatorOracleUnavailable", 501))
        assert "scripts/oracle-setup" in message, message
    finally:
        emulator.stop()


def check_validate_policy(_emu, a, _b):
    """ValidatePolicy answers through the oracle: a valid trust policy has no finding, an
    action that does not exist and a bad Effect are ERROR findings with their paths."""
    analyzer = a.client("accessanalyzer")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}
    clean = analyzer.validate_policy(policyDocument=json.dumps(trust), policyType="RESOURCE_POLICY",
                                     validatePolicyResourceType="AWS::IAM::AssumeRolePolicyDocument")
    equal(clean["findings"], [], "a valid trust policy")
    typo = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjects"], "Resource": "*"}]}
    found = analyzer.validate_policy(policyDocument=json.dumps(typo),
                                     policyType="IDENTITY_POLICY")["findings"]
    equal([(f["findingType"], f["issueCode"]) for f in found], [("ERROR", "INVALID_ACTION")])
    equal(found[0]["locations"][0]["path"],
          [{"key": "Statement"}, {"index": 0}, {"key": "Action"}, {"index": 1}], "path")
    bad = dict(typo, Statement=[dict(typo["Statement"][0], Effect="Maybe",
                                     Action="s3:GetObject")])
    found = analyzer.validate_policy(policyDocument=json.dumps(bad),
                                     policyType="IDENTITY_POLICY")["findings"]
    equal([f["issueCode"] for f in found], ["POLICY_SYNTAX"])


ACCESS_CHECKS = [check_trail_bucket_policy, check_organization_trail, check_trail_kms_key,
                 check_trail_cloudwatch_role, check_delivery_channel, check_validate_policy,
                 check_oracle_missing]
