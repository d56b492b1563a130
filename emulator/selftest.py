"""Self-test of the emulator's additions (extensions.py) and fixes (launch.py), with boto3.

    .venv/bin/python emulator/selftest.py

Starts launch.py on port 0, works in two fresh accounts (sts:AssumeRole) to show that every
piece of state is the account's own, and exits non-zero if any check fails. The access checks
(CloudTrail and Config refusing a policy AWS would refuse) need the oracle installed by
scripts/oracle-setup; this self-test installs nothing and fails them when it is missing.
"""

import json
import os
import random
import shutil
import subprocess
import sys
import traceback
import urllib.request

import boto3
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))


class Emulator:
    def __init__(self, env=None):
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "launch.py"), "--exit-on-stdin-eof"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env=env)
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the emulator did not start: {line!r}")
        self.endpoint = f"http://127.0.0.1:{line.split()[1]}"

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)

    def post(self, path, body):
        """A test-only endpoint: (status, JSON answer)."""
        request = urllib.request.Request(
            self.endpoint + path, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())


class Account:
    def __init__(self, emulator, account_id):
        self.emulator, self.id = emulator, account_id
        sts = boto3.client("sts", endpoint_url=emulator.endpoint, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/selftest",
                                RoleSessionName="selftest")["Credentials"]
        self.keys = {"aws_access_key_id": creds["AccessKeyId"],
                     "aws_secret_access_key": creds["SecretAccessKey"],
                     "aws_session_token": creds["SessionToken"]}

    def client(self, service, region="us-east-1"):
        return boto3.client(service, endpoint_url=self.emulator.endpoint, region_name=region,
                            **self.keys)


def error_of(call, *args, **kwargs):
    """(code, message, HTTP status) of a call that must fail."""
    try:
        call(*args, **kwargs)
    except ClientError as error:
        return (error.response["Error"]["Code"], error.response["Error"].get("Message"),
                error.response["ResponseMetadata"]["HTTPStatusCode"])
    raise AssertionError(f"{call.__name__} did not fail")


def denied_request(call, *args, **kwargs):
    """(code, the request the emulator's access check found denied) of a call that must fail:
    the x-baseline-access-check header, e.g. "config.amazonaws.com kms:GenerateDataKey
    arn:aws:kms:...: ImplicitlyDenied"."""
    try:
        call(*args, **kwargs)
    except ClientError as error:
        headers = error.response["ResponseMetadata"]["HTTPHeaders"]
        return error.response["Error"]["Code"], headers.get("x-baseline-access-check", "")
    raise AssertionError(f"{call.__name__} did not fail")


def refused_for(code, request, call, *args, **kwargs):
    """A call must fail with `code` because the request starting with `request` (principal
    and action, maybe resource) is denied."""
    got_code, denied = denied_request(call, *args, **kwargs)
    equal(got_code, code, f"{call.__name__} for {request}")
    assert denied.startswith(request), f"denied {denied!r}, want {request!r}"


def equal(got, want, what=""):
    assert got == want, f"{what}: got {got!r}, want {want!r}"


# --- checks -----------------------------------------------------------------------------------


def check_root_state(emu, a, b):
    equal(emu.post("/_baseline/root-state", {"account_id": a.id, "mfa_enabled": True})[0], 200)
    summary = a.client("iam").get_account_summary()["SummaryMap"]
    equal(summary["AccountMFAEnabled"], 1, "A's root MFA")
    equal(b.client("iam").get_account_summary()["SummaryMap"]["AccountMFAEnabled"], 0, "B's")


def check_s3_versioning(_emu, a, _b):
    s3 = a.client("s3")
    s3.create_bucket(Bucket=f"{a.id}-selftest")
    s3.put_bucket_versioning(Bucket=f"{a.id}-selftest",
                             VersioningConfiguration={"Status": "Enabled"})
    raw = {}

    def keep(http_response, **_):
        raw["body"] = http_response.content

    s3.meta.events.register("after-call.s3.GetBucketVersioning", keep)
    equal(s3.get_bucket_versioning(Bucket=f"{a.id}-selftest")["Status"], "Enabled")
    assert b"<VersioningConfiguration" in raw["body"], raw["body"]


def check_service_specific_credentials(_emu, a, _b):
    iam = a.client("iam")
    iam.create_user(UserName="selftest")
    listed = iam.list_service_specific_credentials(UserName="selftest")
    equal(listed["ServiceSpecificCredentials"], [], "a new user's credentials")
    try:
        iam.list_service_specific_credentials(UserName="nobody")
    except iam.exceptions.NoSuchEntityException:
        pass
    else:
        raise AssertionError("an unknown user's credentials were listed")


def check_named_query_token(_emu, a, _b):
    athena = a.client("athena", "ap-northeast-1")
    athena.create_work_group(Name="selftest")
    ask = dict(Name="q", Database="d", QueryString="SELECT 1", WorkGroup="selftest",
               ClientRequestToken="selftest-token-0123456789abcdef0123")
    first = athena.create_named_query(**ask)["NamedQueryId"]
    equal(athena.create_named_query(**ask)["NamedQueryId"], first, "the same token's query")
    listed = athena.list_named_queries(WorkGroup="selftest")["NamedQueryIds"]
    equal(listed, [first], "named queries")


def check_access_analyzer(_emu, a, b):
    analyzer = a.client("accessanalyzer", "ap-northeast-1")
    arn = analyzer.create_analyzer(analyzerName="baseline", type="ACCOUNT")["arn"]
    equal(arn, f"arn:aws:access-analyzer:ap-northeast-1:{a.id}:analyzer/baseline")
    got = analyzer.get_analyzer(analyzerName="baseline")["analyzer"]
    equal((got["name"], got["type"], got["status"], got["arn"]),
          ("baseline", "ACCOUNT", "ACTIVE", arn))
    equal([x["name"] for x in analyzer.list_analyzers(type="ACCOUNT")["analyzers"]], ["baseline"])
    equal(analyzer.list_analyzers(type="ORGANIZATION")["analyzers"], [])
    equal(error_of(analyzer.create_analyzer, analyzerName="baseline", type="ACCOUNT"),
          ("ConflictException", "Analyzer baseline already exists", 409))
    equal(a.client("accessanalyzer", "us-east-1").list_analyzers()["analyzers"], [], "other region")
    other = b.client("accessanalyzer", "ap-northeast-1")
    equal(other.list_analyzers()["analyzers"], [], "other account")
    equal(error_of(other.get_analyzer, analyzerName="baseline")[::2],
          ("ResourceNotFoundException", 404))
    analyzer.delete_analyzer(analyzerName="baseline")
    equal(error_of(analyzer.delete_analyzer, analyzerName="baseline"),
          ("ResourceNotFoundException", "Analyzer baseline not found", 404))


NOTIFICATION = {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80}
EMAIL = {"SubscriptionType": "EMAIL", "Address": "ops@example.com"}
SNS = {"SubscriptionType": "SNS", "Address": "arn:aws:sns:us-east-1:123456789012:budget"}


def check_budgets(_emu, a, b):
    budgets = a.client("budgets")
    budgets.create_budget(
        AccountId=a.id,
        Budget={"BudgetName": "monthly", "BudgetLimit": {"Amount": "100", "Unit": "USD"},
                "TimeUnit": "MONTHLY", "BudgetType": "COST"},
        NotificationsWithSubscribers=[{"Notification": NOTIFICATION, "Subscribers": [EMAIL]}])
    name = {"AccountId": a.id, "BudgetName": "monthly"}
    listed = budgets.describe_notifications_for_budget(**name)["Notifications"]
    equal(listed, [dict(NOTIFICATION, Threshold=80.0, ThresholdType="PERCENTAGE",
                        NotificationState="OK")], "notifications")
    # A notification as read back (with its state) names the same notification.
    read_back = listed[0]
    subscribers = budgets.describe_subscribers_for_notification(**name, Notification=read_back)
    equal(subscribers["Subscribers"], [EMAIL])
    budgets.create_subscriber(**name, Notification=NOTIFICATION, Subscriber=SNS)
    equal(error_of(budgets.create_subscriber, **name, Notification=NOTIFICATION, Subscriber=SNS)[0],
          "DuplicateRecordException")
    budgets.delete_subscriber(**name, Notification=NOTIFICATION, Subscriber=EMAIL)
    gone = error_of(budgets.delete_subscriber, **name, Notification=NOTIFICATION, Subscriber=EMAIL)
    equal(gone[0], "NotFoundException")
    new = dict(NOTIFICATION, Threshold=90)
    budgets.update_notification(**name, OldNotification=read_back, NewNotification=new)
    equal(budgets.describe_subscribers_for_notification(**name, Notification=new)["Subscribers"],
          [SNS], "subscribers kept by UpdateNotification")
    equal(error_of(budgets.describe_subscribers_for_notification, **name,
                   Notification=NOTIFICATION)[0], "NotFoundException")
    budgets.update_budget(AccountId=a.id, NewBudget={
        "BudgetName": "monthly", "BudgetLimit": {"Amount": "250", "Unit": "USD"},
        "TimeUnit": "QUARTERLY", "BudgetType": "COST"})
    updated = budgets.describe_budget(**name)["Budget"]
    equal((updated["BudgetLimit"]["Amount"], updated["TimeUnit"]), ("250", "QUARTERLY"))
    assert "TimePeriod" in updated, updated
    budgets.delete_notification(**name, Notification=dict(new, NotificationState="OK"))
    equal(budgets.describe_notifications_for_budget(**name)["Notifications"], [])
    equal(error_of(budgets.delete_notification, **name, Notification=new)[0], "NotFoundException")
    other = b.client("budgets")
    equal(error_of(other.describe_budget, AccountId=b.id, BudgetName="monthly")[0],
          "NotFoundException")
    equal(error_of(other.describe_notifications_for_budget, AccountId=b.id,
                   BudgetName="monthly")[0], "NotFoundException")


def ec2_statuses(account, all_regions=True):
    regions = account.client("ec2").describe_regions(AllRegions=all_regions)["Regions"]
    return {r["RegionName"]: r["OptInStatus"] for r in regions}


def check_regions(_emu, a, b):
    account = a.client("account")
    equal(account.get_region_opt_status(RegionName="us-east-1")["RegionOptStatus"],
          "ENABLED_BY_DEFAULT")
    for region in ("ap-east-1", "af-south-1", "eu-south-1", "ap-southeast-3"):
        status = account.get_region_opt_status(RegionName=region)["RegionOptStatus"]
        equal(status, "DISABLED", region)
        equal(ec2_statuses(a)[region], "not-opted-in", region)
    listed = account.list_regions()
    equal(listed.get("NextToken"), None)
    default = account.list_regions(RegionOptStatusContains=["ENABLED_BY_DEFAULT"])["Regions"]
    equal(len(default), 17, "regions enabled by default")
    account.enable_region(RegionName="ap-east-1")
    equal(account.get_region_opt_status(RegionName="ap-east-1")["RegionOptStatus"], "ENABLED")
    equal(account.list_regions(RegionOptStatusContains=["ENABLED"])["Regions"],
          [{"RegionName": "ap-east-1", "RegionOptStatus": "ENABLED"}])
    equal((ec2_statuses(a)["ap-east-1"], ec2_statuses(a)["us-east-1"]),
          ("opted-in", "opt-in-not-required"))
    equal(ec2_statuses(b)["ap-east-1"], "not-opted-in", "B's ap-east-1")
    equal(b.client("account").get_region_opt_status(RegionName="ap-east-1")["RegionOptStatus"],
          "DISABLED", "B's ap-east-1")
    enabled = ec2_statuses(a, all_regions=False)
    assert "ap-east-1" in enabled and "af-south-1" not in enabled, enabled
    equal(error_of(account.enable_region, RegionName="us-east-1")[::2],
          ("ValidationException", 400))
    equal(error_of(account.get_region_opt_status, RegionName="xx-nowhere-1")[0],
          "ValidationException")
    account.disable_region(RegionName="ap-east-1")
    equal(ec2_statuses(a)["ap-east-1"], "not-opted-in")


def check_sns(emu, a, b):
    sns = a.client("sns", "ap-northeast-1")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    equal(sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
          ["SubscriptionArn"], "pending confirmation")
    real = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com",
                         ReturnSubscriptionArn=True)["SubscriptionArn"]
    assert real.startswith(topic + ":"), real
    attributes = sns.get_subscription_attributes(SubscriptionArn=real)["Attributes"]
    equal(attributes["PendingConfirmation"], "true")
    hook = "https://hooks.example.com/aws"
    equal(sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=hook)["SubscriptionArn"],
          "pending confirmation")
    queue = f"arn:aws:sqs:ap-northeast-1:{a.id}:q"
    sqs_arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)["SubscriptionArn"]
    arns = {s["Endpoint"]: s["SubscriptionArn"]
            for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]}
    equal(arns, {"ops@example.com": "PendingConfirmation", hook: "PendingConfirmation",
                 queue: sqs_arn})
    equal(sorted(s["SubscriptionArn"] for s in sns.list_subscriptions()["Subscriptions"]),
          sorted(["PendingConfirmation", "PendingConfirmation", sqs_arn]))
    wrong = {"account_id": b.id, "region": "ap-northeast-1", "topic_arn": topic,
             "endpoint": "ops@example.com"}
    equal(emu.post("/_baseline/confirm-subscription", wrong)[0], 404, "B has no such subscription")
    status, answer = emu.post("/_baseline/confirm-subscription", dict(wrong, account_id=a.id))
    equal((status, answer["subscription_arns"]), (200, [real]))
    arns = {s["Endpoint"]: s["SubscriptionArn"]
            for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]}
    equal((arns["ops@example.com"], arns[hook]), (real, "PendingConfirmation"))
    equal(sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
          ["SubscriptionArn"], real, "a confirmed subscription's Subscribe")


def check_support(emu, a, b):
    equal(error_of(a.client("support").describe_trusted_advisor_checks, language="en"),
          ("SubscriptionRequiredException",
           "AWS Premium Support Subscription is required to use this service.", 400))
    equal(error_of(a.client("support").describe_trusted_advisor_check_summaries,
                   checkIds=["Qch7DwouX1"])[0], "SubscriptionRequiredException")
    emu.post("/_baseline/support-plan", {"account_id": b.id, "plan": "business"})
    assert b.client("support").describe_trusted_advisor_checks(language="en")["checks"]
    equal(error_of(a.client("support").describe_trusted_advisor_checks, language="en")[0],
          "SubscriptionRequiredException", "A still on Basic")


def cost_and_usage(account):
    return account.client("ce").get_cost_and_usage(
        TimePeriod={"Start": "2024-01-01", "End": "2024-01-02"}, Granularity="DAILY",
        Metrics=["UnblendedCost"])


def check_cost_explorer(emu, a, b):
    cost_and_usage(a)
    equal(emu.post("/_baseline/cost-explorer", {"account_id": a.id, "enabled": False})[0], 200)
    equal(error_of(cost_and_usage, a),
          ("AccessDeniedException", "User not enabled for cost explorer access", 400))
    cost_and_usage(b)
    emu.post("/_baseline/cost-explorer", {"account_id": a.id, "enabled": True})
    cost_and_usage(a)


CIS_12 = "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"


def enabled_standards(hub):
    return sorted(s["StandardsArn"] for s in hub.get_enabled_standards()["StandardsSubscriptions"])


def check_security_hub(_emu, a, b):
    region = "ap-northeast-1"
    hub = a.client("securityhub", region)
    equal(error_of(hub.get_enabled_standards)[::2], ("InvalidAccessException", 401))
    equal(error_of(hub.describe_standards)[0], "InvalidAccessException")
    hub.enable_security_hub(EnableDefaultStandards=False)
    equal(hub.get_enabled_standards()["StandardsSubscriptions"], [])
    arns = {s["StandardsArn"] for s in hub.describe_standards()["Standards"]}
    standards = f"arn:aws:securityhub:{region}::standards"
    cis3 = f"{standards}/cis-aws-foundations-benchmark/v/3.0.0"
    fsbp = f"{standards}/aws-foundational-security-best-practices/v/1.0.0"
    cis14 = f"{standards}/cis-aws-foundations-benchmark/v/1.4.0"
    assert {CIS_12, cis14, cis3, fsbp} <= arns, arns
    added = hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": cis3}])
    subscription = (f"arn:aws:securityhub:{region}:{a.id}:subscription/"
                    "cis-aws-foundations-benchmark/v/3.0.0")
    equal([(s["StandardsSubscriptionArn"], s["StandardsStatus"])
           for s in added["StandardsSubscriptions"]], [(subscription, "READY")])
    equal(enabled_standards(hub), [cis3])
    unknown = [{"StandardsArn": "arn:aws:securityhub:::nope"}]
    equal(error_of(hub.batch_enable_standards, StandardsSubscriptionRequests=unknown)[0],
          "InvalidInputException")
    other = b.client("securityhub", region)
    other.enable_security_hub()
    equal(enabled_standards(other), sorted([CIS_12, fsbp]), "B's default standards")
    equal(error_of(a.client("securityhub", "us-east-1").get_enabled_standards)[0],
          "InvalidAccessException", "A's other region")
    removed = hub.batch_disable_standards(StandardsSubscriptionArns=[subscription])
    equal(removed["StandardsSubscriptions"][0]["StandardsStatus"], "DELETING")
    equal(hub.get_enabled_standards()["StandardsSubscriptions"], [])


# --- access checks AWS makes at the API (extensions.py section 10, with the oracle) -----------


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
        account = Account(emulator, str(random.randint(200_000_000_000, 899_999_999_999)))
        account.client("s3").create_bucket(Bucket=f"{account.id}-no-oracle")
        code, message, status = error_of(account.client("cloudtrail").create_trail,
                                         Name="no-oracle", S3BucketName=f"{account.id}-no-oracle")
        equal((code, status), ("EmulatorOracleUnavailable", 501))
        assert "scripts/oracle-setup" in message, message
    finally:
        emulator.stop()


ACCESS_CHECKS = [check_trail_bucket_policy, check_organization_trail, check_trail_kms_key,
                 check_trail_cloudwatch_role, check_delivery_channel, check_oracle_missing]


CHECKS = [check_root_state, check_s3_versioning, check_service_specific_credentials,
          check_named_query_token,
          check_access_analyzer, check_budgets, check_regions, check_sns, check_support,
          check_cost_explorer, check_security_hub, *ACCESS_CHECKS]
ORACLE = os.path.join(os.path.dirname(HERE), "oracle", "node_modules", "@cloud-copilot",
                      "iam-simulate")


def main():
    checks, failed = CHECKS, 0
    if not os.path.isdir(ORACLE) or shutil.which("node") is None:
        # The access checks need the oracle; this self-test installs nothing.
        checks = [c for c in CHECKS if c not in ACCESS_CHECKS]
        failed = len(ACCESS_CHECKS)
        print("FAIL  the access checks need the oracle (node and oracle/node_modules): run "
              f"scripts/oracle-setup first; {failed} checks not run")
    emulator = Emulator()
    try:
        a, b = (Account(emulator, str(random.randint(200_000_000_000, 899_999_999_999)))
                for _ in range(2))
        for check in checks:
            try:
                check(emulator, a, b)
                print(f"ok    {check.__name__}")
            except Exception:  # noqa: BLE001 - every failure is reported, then the next check runs
                failed += 1
                print(f"FAIL  {check.__name__}\n{traceback.format_exc()}")
    finally:
        emulator.stop()
    print(f"{len(CHECKS) - failed} of {len(CHECKS)} checks passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
