"""The delivery checks: each polls AWS until it sees what a service delivered since the apply.

CloudTrail log objects and trail status, AWS Config snapshots, CloudWatch Logs events, SNS
publishing and S3 server access logs. An error that waiting will not mend fails a check at
once; access logs only warn, as S3 delivers them at best effort.
"""

import time
from dataclasses import dataclass

from .common import error_code, error_text, is_client_error, minutes, stamp, utc
from .plan import declared

PASS, FAIL, WARN = "PASS", "FAIL", "WARN"

# Errors that will not go away by waiting: the check fails at once.
FATAL_CODES = {
    "AccessDenied",
    "AccessDeniedException",
    "AuthorizationError",
    "AuthorizationErrorException",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "NoSuchBucket",
    "NoSuchDeliveryChannelException",
    "NotFound",
    "NotFoundException",
    "ResourceNotFoundException",
    "TrailNotFoundException",
    "UnauthorizedOperation",
}

# Objects older than the apply minus this margin (clock skew) are not evidence of this run.
SKEW_SECONDS = 300


@dataclass
class Context:
    aws: object
    account: str
    partition: str
    since: float
    run_id: str

    def first_new_object(self, bucket, prefix, since, contains=None, region=None, max_pages=20):
        """The first object under the prefix modified at or after `since` (epoch seconds)."""
        s3 = self.aws.s3_for(bucket, region)
        floor = utc(since - SKEW_SECONDS)
        token = None
        for _ in range(max_pages):
            kwargs = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": 1000}
            if token:
                kwargs["ContinuationToken"] = token
            out = s3.list_objects_v2(**kwargs)
            for obj in out.get("Contents") or []:
                if obj["LastModified"] >= floor and (contains is None or contains in obj["Key"]):
                    return obj
            if not out.get("IsTruncated"):
                return None
            token = out.get("NextContinuationToken")
        return None


class Check:
    column = None
    warn_only = False

    def __init__(self, ctx, name, looked_at):
        self.ctx = ctx
        self.name = name
        self.looked_at = looked_at
        self.last = "nothing seen yet"

    def poll(self):
        raise NotImplementedError

    def expire(self, waited):
        return FAIL, f"{self.looked_at}: nothing after {minutes(waited)} ({self.last})"

    def safe_poll(self):
        try:
            return self.poll()
        except Exception as err:  # noqa: BLE001 - AWS errors are results, not crashes
            if not is_client_error(err):
                raise
            if error_code(err) in FATAL_CODES:
                return FAIL, f"{self.looked_at}: {error_text(err)}"
            self.last = f"last error {error_text(err)}"
            return None


class TrailLogObject(Check):
    column = "trail_s3"

    def __init__(self, ctx, trail, bucket, bucket_region, organization=False):
        # An organization trail writes under AWSLogs/ORG-ID/ACCOUNT/CloudTrail/.
        prefix = "AWSLogs/" if organization else f"AWSLogs/{ctx.account}/CloudTrail/"
        self.contains = f"/{ctx.account}/CloudTrail/" if organization else None
        super().__init__(ctx, f"cloudtrail-s3 {trail}", f"s3://{bucket}/{prefix}")
        self.bucket, self.prefix, self.region = bucket, prefix, bucket_region

    def poll(self):
        obj = self.ctx.first_new_object(
            self.bucket, self.prefix, self.ctx.since, contains=self.contains, region=self.region
        )
        if obj is None:
            self.last = "no log object yet"
            return None
        return PASS, (
            f"s3://{self.bucket}/{obj['Key']} (written {stamp(obj['LastModified'])}, "
            f"{minutes(obj['LastModified'].timestamp() - self.ctx.since)} after apply began)"
        )

    def expire(self, waited):
        return FAIL, (
            f"no CloudTrail log object under s3://{self.bucket}/{self.prefix} newer than the apply "
            f"after {minutes(waited)} ({self.last})"
        )


class TrailStatus(Check):
    column = "trail_status"
    ERRORS = (
        "LatestDeliveryError",
        "LatestDigestDeliveryError",
        "LatestCloudWatchLogsDeliveryError",
        "LatestNotificationError",
    )

    def __init__(self, ctx, trail, region):
        super().__init__(ctx, f"cloudtrail-status {trail}", f"cloudtrail:GetTrailStatus {trail} ({region})")
        self.trail, self.region = trail, region

    def poll(self):
        status = self.ctx.aws.client("cloudtrail", self.region).get_trail_status(Name=self.trail)
        errors = {k: status[k] for k in self.ERRORS if status.get(k)}
        delivered = status.get("LatestDeliveryTime")
        fresh = delivered is not None and delivered.timestamp() >= self.ctx.since - SKEW_SECONDS
        self.last = (
            f"IsLogging={status.get('IsLogging')}, LatestDeliveryTime={stamp(delivered) if delivered else 'none'}"
            + "".join(f", {k}={v}" for k, v in errors.items())
        )
        if status.get("IsLogging") and fresh and not errors:
            return PASS, (
                f"{self.looked_at}: IsLogging, LatestDeliveryTime {stamp(delivered)}, "
                f"no {', '.join(self.ERRORS)}"
            )
        return None

    def expire(self, waited):
        return FAIL, f"{self.looked_at} after {minutes(waited)}: {self.last}"


class ConfigSnapshot(Check):
    """One region: the recorder records, a snapshot requested with DeliverConfigSnapshot
    reaches the bucket, and the delivery channel reports no lastErrorCode."""

    column = "config"
    INFOS = ("configSnapshotDeliveryInfo", "configHistoryDeliveryInfo", "configStreamDeliveryInfo")

    def __init__(self, ctx, region, planned_bucket, bucket_region):
        super().__init__(ctx, f"config {region}", f"AWS Config delivery channel ({region})")
        self.region = region
        self.planned_bucket = planned_bucket
        self.bucket_region = bucket_region
        self.channel = None
        self.requested_at = None
        self.snapshot_id = None

    def channel_errors(self, status):
        errors = []
        for key in self.INFOS:
            info = status.get(key) or {}
            if info.get("lastErrorCode"):
                errors.append(f"{key}.lastErrorCode={info['lastErrorCode']} ({info.get('lastErrorMessage', '')})")
        return errors

    def poll(self):
        config = self.ctx.aws.client("config", self.region)
        if self.channel is None:
            channels = config.describe_delivery_channels().get("DeliveryChannels") or []
            if not channels:
                return FAIL, f"{self.looked_at}: no delivery channel in {self.region}"
            self.channel = channels[0]
            bucket = self.channel.get("s3BucketName")
            if self.planned_bucket and bucket != self.planned_bucket:
                return FAIL, f"{self.looked_at}: the channel delivers to {bucket}, the plan says {self.planned_bucket}"
            key_prefix = (self.channel.get("s3KeyPrefix") or "").strip("/")
            self.prefix = (key_prefix + "/" if key_prefix else "") + f"AWSLogs/{self.ctx.account}/Config/{self.region}/"
            self.looked_at = f"channel {self.channel['name']} ({self.region}) -> s3://{bucket}/{self.prefix}"
        recorders = config.describe_configuration_recorder_status().get("ConfigurationRecordersStatus") or []
        if not any(r.get("recording") for r in recorders):
            self.last = "the configuration recorder is not recording yet"
            return None
        for recorder in recorders:
            changed = recorder.get("lastStatusChangeTime")
            if (
                recorder.get("lastStatus") == "Failure"
                and changed is not None
                and changed.timestamp() >= self.ctx.since - SKEW_SECONDS
            ):
                return FAIL, (
                    f"{self.looked_at}: recorder {recorder.get('name')} lastStatus Failure, "
                    f"lastErrorCode {recorder.get('lastErrorCode')} ({recorder.get('lastErrorMessage', '')})"
                )
        if self.requested_at is None:
            try:
                out = config.deliver_config_snapshot(deliveryChannelName=self.channel["name"])
            except Exception as err:  # noqa: BLE001
                if not is_client_error(err) or error_code(err) in FATAL_CODES:
                    raise
                # No running recorder yet, throttling, a snapshot already in progress: retry.
                self.last = f"DeliverConfigSnapshot: {error_text(err)}"
                return None
            self.snapshot_id = out.get("configSnapshotId")
            self.requested_at = time.time()
        statuses = config.describe_delivery_channel_status(
            DeliveryChannelNames=[self.channel["name"]]
        ).get("DeliveryChannelsStatus") or [{}]
        status = statuses[0]
        snapshot = status.get("configSnapshotDeliveryInfo") or {}
        attempted = snapshot.get("lastAttemptTime")
        if (
            snapshot.get("lastStatus") == "Failure"
            and attempted is not None
            and attempted.timestamp() >= self.requested_at - SKEW_SECONDS
        ):
            return FAIL, f"{self.looked_at}: snapshot {self.snapshot_id} failed: " + "; ".join(self.channel_errors(status))
        bucket = self.channel["s3BucketName"]
        obj = self.ctx.first_new_object(
            bucket,
            self.prefix,
            self.requested_at,
            contains="ConfigSnapshot",
            region=self.bucket_region if bucket == self.planned_bucket else None,
        )
        errors = self.channel_errors(status)
        if obj is None:
            self.last = f"snapshot {self.snapshot_id} requested, no object yet" + (
                "; " + "; ".join(errors) if errors else ""
            )
            return None
        if errors:
            return FAIL, f"{self.looked_at}: snapshot delivered ({obj['Key']}) but " + "; ".join(errors)
        which = " (the requested one)" if self.snapshot_id and self.snapshot_id in obj["Key"] else ""
        return PASS, (
            f"{self.looked_at}: snapshot s3://{self.channel['s3BucketName']}/{obj['Key']}{which}; "
            "describe_delivery_channel_status has no lastErrorCode"
        )


class TrailLogEvents(Check):
    column = "cw_logs"

    def __init__(self, ctx, trail, group_arn):
        # arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*
        parts = group_arn.split(":")
        self.region = parts[3]
        group = group_arn.split(":log-group:", 1)[1]
        self.group = group[:-2] if group.endswith(":*") else group
        super().__init__(ctx, f"cloudwatch-logs {trail}", f"log group {self.group} ({self.region})")

    def poll(self):
        logs = self.ctx.aws.client("logs", self.region)
        kwargs = {
            "logGroupName": self.group,
            "startTime": int((self.ctx.since - SKEW_SECONDS) * 1000),
            "limit": 1,
        }
        # FilterLogEvents may return an empty page with a token: follow a few.
        for _ in range(5):
            out = logs.filter_log_events(**kwargs)
            events = out.get("events") or []
            if events:
                event = events[0]
                at = utc(event["timestamp"] / 1000)
                return PASS, f"{self.looked_at}: stream {event.get('logStreamName')} received an event at {stamp(at)}"
            if not out.get("nextToken"):
                break
            kwargs["nextToken"] = out["nextToken"]
        self.last = "no event since the apply"
        return None


class TopicPublish(Check):
    column = "sns"

    def __init__(self, ctx, topic, region):
        arn = f"arn:{ctx.partition}:sns:{region}:{ctx.account}:{topic}"
        super().__init__(ctx, f"sns {topic}", f"sns:Publish {arn}")
        self.arn, self.region = arn, region

    def poll(self):
        out = self.ctx.aws.client("sns", self.region).publish(
            TopicArn=self.arn,
            Subject="baseline acceptance test",
            Message=(
                f"A test message from baseline's acceptance run {self.ctx.run_id} in account "
                f"{self.ctx.account}. The run deletes this topic when it ends; nothing to do."
            ),
        )
        return PASS, f"{self.looked_at}: accepted, MessageId {out.get('MessageId')}"


class AccessLogObject(Check):
    """S3 server access logs are best effort and often arrive hours later: a miss is a WARN."""

    column = "access_logs"
    warn_only = True

    def __init__(self, ctx, source, target, prefix, region):
        super().__init__(ctx, f"s3-access-logs {source}", f"s3://{target}/{prefix}")
        self.target, self.prefix, self.region = target, prefix, region

    def poll(self):
        obj = self.ctx.first_new_object(self.target, self.prefix, self.ctx.since, region=self.region)
        if obj is None:
            self.last = "no access log object yet"
            return None
        return PASS, f"s3://{self.target}/{obj['Key']} (written {stamp(obj['LastModified'])})"

    def safe_poll(self):
        result = super().safe_poll()
        if result and result[0] == FAIL:
            return WARN, result[1]
        return result

    def expire(self, waited):
        return WARN, (
            f"no server access log object under s3://{self.target}/{self.prefix} yet "
            f"({minutes(waited)}; {self.last}). S3 delivers access logs on a best-effort basis, "
            "often hours later: a warning, not a failure"
        )


def build_checks(ctx, changes):
    checks = []
    buckets = {c["name"]: c for c in declared(changes, "s3_bucket")}

    def bucket_region(name):
        change = buckets.get(name)
        return change["region"] if change else None

    for trail in declared(changes, "cloudtrail_trail"):
        after = trail["after"]
        bucket = after.get("bucket")
        if bucket:
            checks.append(
                TrailLogObject(ctx, trail["name"], bucket, bucket_region(bucket), bool(after.get("organization")))
            )
        checks.append(TrailStatus(ctx, trail["name"], trail["region"]))
        logs = after.get("cloudwatch_logs")
        if isinstance(logs, dict) and logs.get("log_group"):
            checks.append(TrailLogEvents(ctx, trail["name"], logs["log_group"]))
    for channel in declared(changes, "config_delivery_channel"):
        bucket = channel["after"].get("bucket")
        checks.append(ConfigSnapshot(ctx, channel["region"], bucket, bucket_region(bucket)))
    for topic in declared(changes, "sns_topic"):
        checks.append(TopicPublish(ctx, topic["name"], topic["region"]))
    for bucket in buckets.values():
        access = bucket["after"].get("access_logging")
        if isinstance(access, dict) and access.get("bucket"):
            checks.append(
                AccessLogObject(
                    ctx, bucket["name"], access["bucket"], access.get("prefix") or "", bucket_region(access["bucket"])
                )
            )
    return checks
