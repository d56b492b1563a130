"""Helpers for scripts/acceptance, the acceptance run against a real AWS account
(docs/acceptance.md). Run with the repository's .venv python (boto3 and PyYAML, installed by
scripts/emulator-setup). `make test` never runs this.

    account-id  print the account id, partition and caller ARN of the credentials
    pin         write a copy of an example pinned to the account, for this run
    check       check that CloudTrail, AWS Config, CloudWatch Logs, SNS and S3 server access
                logging really deliver, with a deadline
    leftovers   list what is still in the account after destroy, with commands to remove it
    delete-bucket  empty a versioned bucket that destroy kept (every version), then delete it

Names (buckets, trails, topics, log groups, regions) come from `baseline plan --json` of the
pinned file, not from the YAML: the plan is baseline's own rendering of `{account_id}` and
`{region}`, of the defaults (log group `/aws/cloudtrail/TRAIL`, access-log prefix, the
regions of `all`), and of what apply actually made.
"""

import argparse
import json
import os
import re
import shlex
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone

PASS, FAIL, WARN = "PASS", "FAIL", "WARN"

# The summary table's delivery columns, in order (scripts/acceptance prints them).
COLUMNS = ("trail_s3", "trail_status", "config", "cw_logs", "sns", "access_logs")

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


def fail_usage(message):
    print(f"acceptance_checks: {message}", file=sys.stderr)
    sys.exit(2)


def boto():
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        print(
            "acceptance_checks: boto3 is missing: run scripts/emulator-setup (it installs boto3 into .venv)",
            file=sys.stderr,
        )
        sys.exit(3)
    return boto3, Config


class Aws:
    """One boto3 session (the profile, or the environment), clients cached per region."""

    def __init__(self, profile):
        boto3, Config = boto()
        self.session = boto3.Session(profile_name=profile or None)
        self.config = Config(retries={"max_attempts": 8, "mode": "standard"})
        self.clients = {}
        self.bucket_regions = {}

    def client(self, service, region):
        key = (service, region)
        if key not in self.clients:
            self.clients[key] = self.session.client(service, region_name=region, config=self.config)
        return self.clients[key]

    def s3_for(self, bucket, hint=None):
        """An S3 client in the bucket's own region."""
        if bucket not in self.bucket_regions:
            region = hint
            if region is None:
                out = self.client("s3", "us-east-1").get_bucket_location(Bucket=bucket)
                region = out.get("LocationConstraint") or "us-east-1"
                region = {"EU": "eu-west-1"}.get(region, region)
            self.bucket_regions[bucket] = region
        return self.client("s3", self.bucket_regions[bucket])


def error_code(err):
    response = getattr(err, "response", None) or {}
    return (response.get("Error") or {}).get("Code") or type(err).__name__


def error_text(err):
    response = getattr(err, "response", None) or {}
    error = response.get("Error") or {}
    code = error.get("Code") or type(err).__name__
    message = " ".join((error.get("Message") or str(err)).split())
    if len(message) > 200:
        message = message[:200] + "..."
    return f"{code}: {message}"


def is_client_error(err):
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        return False
    return isinstance(err, (ClientError, BotoCoreError))


def utc(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc)


def stamp(value):
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def minutes(seconds):
    seconds = max(0, int(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s"


# ---------------------------------------------------------------------------------------
# account-id


def cmd_account_id(args):
    try:
        aws = Aws(args.profile)
        sts = aws.client("sts", args.region)
    except Exception as err:  # noqa: BLE001 - a missing profile, a broken config file
        print(f"acceptance_checks: {err}", file=sys.stderr)
        return 1
    endpoint = sts.meta.endpoint_url or ""
    host = re.sub(r"^[a-z]+://", "", endpoint).split("/")[0].split(":")[0]
    real = host.endswith(".amazonaws.com") or host.endswith(".amazonaws.com.cn") or host.endswith(".api.aws")
    if not real and not args.allow_endpoint:
        print(
            f"acceptance_checks: STS would be called at {endpoint}, which is not AWS "
            "(an endpoint_url in the profile?); the acceptance run must reach real AWS",
            file=sys.stderr,
        )
        return 1
    try:
        ident = sts.get_caller_identity()
    except Exception as err:  # noqa: BLE001 - any failure here ends the run with its text
        print(f"acceptance_checks: sts:GetCallerIdentity failed: {error_text(err)}", file=sys.stderr)
        return 1
    arn = ident["Arn"]
    partition = arn.split(":")[1] if arn.count(":") >= 5 else "aws"
    print(ident["Account"], partition, arn)
    return 0


# ---------------------------------------------------------------------------------------
# pin


PLACEHOLDER_EMAIL = re.compile(r"^[^@\s]+@example\.com$")


def replace_emails(node, email, path=()):
    """Every placeholder e-mail (…@example.com) becomes `email`; member accounts of an
    organization each need their own address, so theirs get `+NAME` before the @."""
    if isinstance(node, dict):
        return {k: replace_emails(v, email, path + (k,)) for k, v in node.items()}
    if isinstance(node, list):
        return [replace_emails(v, email, path) for v in node]
    if isinstance(node, str) and PLACEHOLDER_EMAIL.match(node):
        if len(path) >= 3 and path[0] == "organization" and path[1] == "accounts":
            local, domain = email.split("@", 1)
            return f"{local}+{path[2]}@{domain}"
        return email
    return node


def limit_regions(value, home, second, old_home):
    """`all`, or a list of more than two regions, becomes [home, second]. A shorter list is
    kept (with the old home region replaced when the home region was changed)."""
    if value is None:
        return None
    if value == "all":
        return [home, second]
    if isinstance(value, list):
        regions = [home if r == old_home else r for r in value]
        regions = list(dict.fromkeys(regions))
        if len(regions) > 2:
            return [home, second]
        return regions
    return value


def render_name(template, account, region):
    return template.replace("{account_id}", account).replace("{region}", region)


def cmd_pin(args):
    try:
        import yaml
    except ImportError:
        print("acceptance_checks: PyYAML is missing: run scripts/emulator-setup", file=sys.stderr)
        return 3
    with open(args.source, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or not isinstance(doc.get("account"), dict):
        print(f"acceptance_checks: {args.source} has no `account` section", file=sys.stderr)
        return 1
    notes = []
    account = doc["account"]
    account["id"] = args.account
    old_home = account.get("home_region")
    home = args.home_region or old_home or "us-east-1"
    if home != old_home:
        notes.append(f"home_region {old_home or '(unset)'} -> {home}")
    account["home_region"] = home
    second = args.second_region or ("us-west-2" if home == "us-east-1" else "us-east-1")
    if second == home:
        fail_usage(f"the second region {second} is the home region")

    if not args.all_regions:
        for where, holder in (("account.regions", account), ("logging.config.regions", (doc.get("logging") or {}).get("config"))):
            if isinstance(holder, dict) and "regions" in holder:
                before = holder["regions"]
                after = limit_regions(before, home, second, old_home)
                if after != before:
                    holder["regions"] = after
                    notes.append(f"{where} {before} -> {after}")
    elif home != old_home:
        for holder in (account, (doc.get("logging") or {}).get("config")):
            if isinstance(holder, dict) and isinstance(holder.get("regions"), list):
                holder["regions"] = list(dict.fromkeys(home if r == old_home else r for r in holder["regions"]))

    # Bucket names are global: a suffix for this run, so a bucket kept by an earlier run (it
    # holds logs) or one being deleted never collides with this run's.
    logging = doc.get("logging") or {}
    suffixed = []

    def suffix(holder, key):
        if isinstance(holder, dict) and isinstance(holder.get(key), str):
            holder[key] = f"{holder[key]}-{args.run_id}"
            rendered = render_name(holder[key], args.account, home)
            if len(rendered) > 63:
                fail_usage(f"bucket name {rendered} is longer than 63 characters with the run suffix")
            suffixed.append(rendered)

    bucket = logging.get("bucket")
    suffix(bucket, "name")
    if isinstance(bucket, dict):
        suffix(bucket.get("access_logging"), "bucket")
        if not args.keep_logs:
            bucket["force_destroy"] = True
            notes.append("logging.bucket.force_destroy: true")
    suffix(logging.get("athena"), "results_bucket")
    if suffixed:
        notes.append("buckets " + ", ".join(suffixed))

    if args.email:
        doc = replace_emails(doc, args.email)
        notes.append(f"placeholder e-mails -> {args.email}")

    header = (
        f"# Written by scripts/acceptance from {args.label} for run {args.run_id}:\n"
        f"# pinned to account {args.account}; {'; '.join(notes) if notes else 'no other change'}.\n"
    )
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(header)
        yaml.safe_dump(doc, f, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000)
    print(home)
    for note in notes:
        print(f"  pinned copy: {note}", file=sys.stderr)
    return 0


# ---------------------------------------------------------------------------------------
# plan JSON


def parse_address(text):
    """`[region/]kind[.name]`, as crates/core/src/addr.rs: a region has no dot; a name may
    hold slashes (`ap-northeast-1/logs_group./aws/cloudtrail/main`)."""
    region, rest = None, text
    if "/" in text:
        head, tail = text.split("/", 1)
        if "." not in head:
            region, rest = head, tail
    kind, _, name = rest.partition(".")
    return region, kind, (name or None)


def load_plan(path):
    with open(path, encoding="utf-8") as f:
        plan = json.load(f)
    major = str(plan.get("format_version", "0")).split(".")[0]
    if major not in ("1", "2"):
        print(
            f"acceptance_checks: {path}: plan format {plan.get('format_version')} is not one this script knows (1.x, 2.x)",
            file=sys.stderr,
        )
    changes = []
    for change in plan.get("resource_changes") or []:
        region, kind, name = parse_address(change["address"])
        changes.append(dict(change, region=region, kind=kind, name=name))
    return plan, changes


def is_manual(change):
    """A manual item or finding: it carries `manual` whether done (no-op) or not."""
    return "manual" in change or change.get("actions") == ["manual"]


def declared(changes, kind):
    """Resources of a kind that the plan wants present (manual items and deletions left out)."""
    return [c for c in changes if c["kind"] == kind and c.get("after") is not None and not is_manual(c)]


# ---------------------------------------------------------------------------------------
# check


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


def parse_timeout(text):
    match = re.fullmatch(r"\s*(\d+)\s*([smh]?)\s*", text or "")
    if not match:
        fail_usage(f"timeout `{text}` is not a number of seconds (or 15m, 1h)")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def report(status, name, text):
    print(f"{status}  {name}: {text}", flush=True)


def cmd_check(args):
    timeout = parse_timeout(args.timeout)
    plan, changes = load_plan(args.plan)
    account = plan.get("account_id")
    ctx = Context(Aws(args.profile), account, args.partition, args.since, args.run_id)
    checks = build_checks(ctx, changes)
    results = {}

    def record(check, result):
        status, text = result
        report(status, check.name, text)
        rank = {PASS: 0, WARN: 1, FAIL: 2}
        previous = results.get(check.column)
        if previous is None or rank[status] > rank[previous]:
            results[check.column] = status

    if not checks:
        print("acceptance_checks: the plan declares no trail, Config channel, topic or access logging: nothing to check")
    else:
        print(
            f"Delivery checks for account {account}, {len(checks)} in all, deadline {minutes(timeout)} "
            f"(access logs never extend it):",
            flush=True,
        )
    started = time.time()
    deadline = started + timeout
    interval = max(2, min(30, timeout // 10))
    pending = list(checks)
    last_progress = started
    required_exists = any(not c.warn_only for c in checks)
    while pending:
        for check in list(pending):
            result = check.safe_poll()
            if result is not None:
                record(check, result)
                pending.remove(check)
        if required_exists and all(c.warn_only for c in pending):
            break
        now = time.time()
        if not pending or now >= deadline:
            break
        if now - last_progress >= 60:
            names = ", ".join(c.name for c in pending)
            print(f"  ... waiting for {names} ({minutes(deadline - now)} left)", file=sys.stderr, flush=True)
            last_progress = now
        time.sleep(min(interval, max(0, deadline - now)))
    for check in pending:
        record(check, check.expire(time.time() - started))

    if args.results:
        with open(args.results, "w", encoding="utf-8") as f:
            for column in COLUMNS:
                f.write(f"{column}={results.get(column, '-')}\n")
    return 1 if FAIL in results.values() else 0


# ---------------------------------------------------------------------------------------
# leftovers


def read_lines(path):
    if not path:
        return set()
    try:
        with open(path, encoding="utf-8") as f:
            return {line.strip() for line in f if line.strip()}
    except FileNotFoundError:
        return set()


@dataclass
class Commands:
    aws: object
    profile: str
    python: str
    account: str
    pinned: str

    def cli(self, *words):
        text = " ".join(shlex.quote(w) for w in words)
        if self.profile:
            text += f" --profile {shlex.quote(self.profile)}"
        return text

    def empty_and_delete_bucket(self, name, region):
        words = [self.python, os.path.abspath(__file__), "delete-bucket", "--region", region]
        if self.profile:
            words += ["--profile", self.profile]
        return " ".join(shlex.quote(w) for w in words + [name])

    def for_change(self, change):
        """(what it is, [commands]) for a resource still in the account."""
        kind, name, region = change["kind"], change["name"], change["region"]
        before = change.get("before") or {}
        if kind == "s3_bucket":
            return (
                f"S3 bucket {name} ({region}), versioned: every object version must go before the bucket "
                "(or in the console: S3 -> the bucket -> Empty, then Delete)",
                [self.empty_and_delete_bucket(name, region)],
            )
        if kind == "kms_key":
            alias = f"alias/{name}"
            key_id, state = None, None
            if self.aws is not None:
                try:
                    meta = self.aws.client("kms", region).describe_key(KeyId=alias)["KeyMetadata"]
                    key_id, state = meta["KeyId"], meta.get("KeyState")
                except Exception:  # noqa: BLE001 - the commands below still say how
                    pass
            what = f"KMS key {alias} ({region}){', ' + state if state else ''}: $1 a month until scheduled for deletion"
            commands = []
            if state != "PendingDeletion":
                if key_id:
                    commands.append(self.cli("aws", "kms", "schedule-key-deletion", "--region", region, "--key-id", key_id, "--pending-window-in-days", "7"))
                else:
                    find = self.cli("aws", "kms", "describe-key", "--region", region, "--key-id", alias, "--query", "KeyMetadata.KeyId", "--output", "text")
                    schedule = self.cli("aws", "kms", "schedule-key-deletion", "--region", region, "--key-id", "KEY", "--pending-window-in-days", "7")
                    commands.append(f'key=$({find}) && ' + schedule.replace(" KEY ", ' "$key" '))
            # A later run would adopt a key found by this alias, even one pending deletion.
            commands.append(self.cli("aws", "kms", "delete-alias", "--region", region, "--alias-name", alias))
            return what, commands
        if kind == "guardduty_detector":
            find = self.cli("aws", "guardduty", "list-detectors", "--region", region, "--query", "DetectorIds[0]", "--output", "text")
            delete = self.cli("aws", "guardduty", "delete-detector", "--region", region, "--detector-id", "ID")
            return (
                f"GuardDuty detector ({region}); billed while enabled",
                [f'id=$({find}) && ' + delete.replace(" ID", ' "$id"', 1)],
            )
        # The kinds one command removes: what each is, and the command's words.
        analyzer = before.get("name") or "baseline"
        member = before.get("id", "ACCOUNT_ID")
        one_command = {
            "logs_group": (
                f"CloudWatch Logs group {name} ({region})",
                ["logs", "delete-log-group", "--region", region, "--log-group-name", name],
            ),
            "access_analyzer": (
                f"IAM Access Analyzer {analyzer} ({region}); free, a protection: keep it unless you want the account as before",
                ["accessanalyzer", "delete-analyzer", "--region", region, "--analyzer-name", analyzer],
            ),
            "ebs_encryption_by_default": (
                f"EBS encryption by default ({region}); free, a protection",
                ["ec2", "disable-ebs-encryption-by-default", "--region", region],
            ),
            "s3_account_public_access_block": (
                "S3 Block Public Access for the account; free, a protection",
                ["s3control", "delete-public-access-block", "--account-id", self.account],
            ),
            "securityhub": (
                f"Security Hub ({region}); billed while enabled",
                ["securityhub", "disable-security-hub", "--region", region],
            ),
            "account_region": (
                f"opted-in region {name}",
                ["account", "disable-region", "--region-name", name or ""],
            ),
            "org_account": (
                f"member account {name} ({member}, {before.get('email', '')}); closing is final after 90 days, "
                "and AWS limits how many accounts may be closed per month",
                ["organizations", "close-account", "--account-id", member],
            ),
            "org_unit": (
                f"organizational unit {name}: delete it once empty (AWS Organizations -> AWS accounts -> the OU -> Actions -> Delete)",
                ["organizations", "delete-organizational-unit", "--organizational-unit-id", "OU_ID"],
            ),
            "org_service_access": (
                f"trusted access for {name}",
                ["organizations", "disable-aws-service-access", "--service-principal", name or ""],
            ),
            "org_delegated_admin": (
                f"delegated administrator of {name}",
                ["organizations", "deregister-delegated-administrator", "--account-id", before.get("account", "ACCOUNT_ID"), "--service-principal", name or ""],
            ),
            "organization": (
                "the organization: it can be deleted only when no member account is left in it",
                ["organizations", "delete-organization"],
            ),
        }
        if kind in one_command:
            what, words = one_command[kind]
            return what, [self.cli("aws", *words)]
        return (
            "no command known to this script",
            [f"run `baseline destroy -f {self.pinned}` again, or remove it by hand (docs/acceptance.md)"],
        )


def account_parts(path):
    """[(account id, changes)]: the pinned account first, then each member account."""
    plan, changes = load_plan(path)
    parts = [(plan.get("account_id"), changes)]
    for member in plan.get("accounts") or []:
        member_changes = []
        for change in member.get("resource_changes") or []:
            region, kind, name = parse_address(change["address"])
            member_changes.append(dict(change, region=region, kind=kind, name=name))
        parts.append((member.get("account_id"), member_changes))
    return parts


def print_group(title, changes, commands):
    if not changes:
        return
    print(title)
    for change in changes:
        what, cmds = commands.for_change(change)
        print(f"  - {change['address']}: {what}")
        for cmd in cmds:
            print(f"      {cmd}")


def cmd_leftovers(args):
    after = account_parts(args.after)
    before_actions = {}
    if args.before:
        try:
            for account, changes in account_parts(args.before):
                for change in changes:
                    before_actions[(account, change["address"])] = (change.get("actions") or [""])[0]
        except (OSError, ValueError):
            before_actions = {}
    remaining = read_lines(args.remaining)
    try:
        aws = Aws(args.profile)
    except (SystemExit, Exception):  # noqa: BLE001 - without boto3 the commands still print
        aws = None

    label = args.example
    anything = False
    for account, changes in after:
        pinned = account == args.account
        if pinned:
            commands = Commands(aws, args.profile, args.python, account, args.pinned)
            where = f"account {account}"
        else:
            # Commands for a member account need that account's credentials.
            commands = Commands(None, None, args.python, account, args.pinned)
            where = f"member account {account} (run these with credentials for it, e.g. through OrganizationAccountAccessRole)"
        still = [c for c in changes if not is_manual(c) and c.get("before") is not None]
        if not still:
            continue
        anything = True
        # Access-log targets last: the log bucket writes its access logs into them.
        targets = {
            c["before"]["access_logging"].get("bucket")
            for c in still
            if c["kind"] == "s3_bucket" and isinstance(c["before"].get("access_logging"), dict)
        }
        # Organizations last, in the order AWS allows: delegated administrators and trusted
        # access, then accounts, then OUs from the deepest, then the organization.
        order = ["org_delegated_admin", "org_service_access", "org_account", "org_unit", "organization"]
        still.sort(
            key=lambda c: (
                order.index(c["kind"]) + 1 if c["kind"] in order else 0,
                c["kind"] == "s3_bucket" and c["name"] in targets,
                -(c["name"] or "").count("/") if c["kind"] == "org_unit" else 0,
            )
        )

        def made_here(change):
            # A member account the run created has no entry in the plan before apply.
            action = before_actions.get((account, change["address"]), "create" if not pinned else "")
            return action in ("create", "update")

        failed = [c for c in still if c["address"] in remaining]
        kept = [c for c in still if c["address"] not in remaining]
        print_group(
            f"{label}: in {where}, destroy did not remove these (it failed on them or skipped them; see its log):",
            failed,
            commands,
        )
        print_group(
            f"{label}: in {where}, destroy keeps these on purpose, and this run made or changed them:",
            [c for c in kept if made_here(c)],
            commands,
        )
        found = [c["address"] for c in kept if not made_here(c)]
        if found:
            print(f"{label}: in {where}, left as they were before the run (they already matched): {', '.join(found)}")
    if not anything:
        print(f"{label}: nothing the example declares is left in account {args.account}.")
    return 0


def cmd_delete_bucket(args):
    """Deletes every object version and delete marker, then the bucket: for a versioned log
    bucket that destroy kept. Only the bucket named on the command line."""
    aws = Aws(args.profile)
    s3 = aws.client("s3", args.region)
    deleted = 0
    while True:
        out = s3.list_object_versions(Bucket=args.bucket, MaxKeys=1000)
        objects = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in (out.get("Versions") or []) + (out.get("DeleteMarkers") or [])
        ]
        if not objects:
            break
        result = s3.delete_objects(Bucket=args.bucket, Delete={"Objects": objects, "Quiet": True})
        errors = result.get("Errors") or []
        if errors:
            first = errors[0]
            print(
                f"acceptance_checks: {len(errors)} object(s) not deleted, e.g. {first.get('Key')}: "
                f"{first.get('Code')} {first.get('Message')}",
                file=sys.stderr,
            )
            return 1
        deleted += len(objects)
    s3.delete_bucket(Bucket=args.bucket)
    print(f"deleted s3://{args.bucket} and {deleted} object version(s) and delete marker(s)")
    return 0


# ---------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("account-id", help="print ACCOUNT PARTITION ARN of the credentials")
    p.add_argument("--profile")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--allow-endpoint", action="store_true", help="accept an endpoint that is not AWS (emulator)")
    p.set_defaults(run=cmd_account_id)

    p = sub.add_parser("pin", help="write a pinned copy of an example; prints its home region")
    p.add_argument("--source", required=True)
    p.add_argument("--label", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--account", required=True)
    p.add_argument("--run-id", required=True)
    p.add_argument("--email")
    p.add_argument("--home-region")
    p.add_argument("--second-region")
    p.add_argument("--all-regions", action="store_true")
    p.add_argument("--keep-logs", action="store_true")
    p.set_defaults(run=cmd_pin)

    p = sub.add_parser("check", help="delivery checks from a plan JSON")
    p.add_argument("--plan", required=True)
    p.add_argument("--profile")
    p.add_argument("--partition", default="aws")
    p.add_argument("--since", type=float, required=True, help="epoch seconds when apply began")
    p.add_argument("--timeout", default="900")
    p.add_argument("--run-id", default="manual")
    p.add_argument("--results", help="write COLUMN=STATUS lines here")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("leftovers", help="what is still there after destroy, with commands")
    p.add_argument("--after", required=True, help="plan JSON made after destroy")
    p.add_argument("--before", help="plan JSON made before apply")
    p.add_argument("--remaining", help="addresses destroy would still delete, one a line")
    p.add_argument("--profile")
    p.add_argument("--account", required=True)
    p.add_argument("--example", required=True)
    p.add_argument("--pinned", required=True)
    p.add_argument("--python", default=sys.executable)
    p.set_defaults(run=cmd_leftovers)

    p = sub.add_parser("delete-bucket", help="empty a versioned bucket destroy kept, then delete it")
    p.add_argument("--profile")
    p.add_argument("--region", required=True)
    p.add_argument("bucket")
    p.set_defaults(run=cmd_delete_bucket)

    args = parser.parse_args()
    try:
        sys.exit(args.run(args))
    except KeyboardInterrupt:
        print("acceptance_checks: interrupted", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
