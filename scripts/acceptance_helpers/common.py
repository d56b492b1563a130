"""What every command of scripts/acceptance_checks.py needs: the AWS session, AWS errors as
text, times as text, and its complaints on standard error.
"""

import sys
from datetime import datetime, timezone


def complain(message):
    print(f"acceptance_checks: {message}", file=sys.stderr)


def fail_usage(message):
    complain(message)
    sys.exit(2)


def boto():
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        complain("boto3 is missing: run scripts/emulator-setup (it installs boto3 into .venv)")
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
    message = " ".join((error.get("Message") or str(err)).split())
    if len(message) > 200:
        message = message[:200] + "..."
    return f"{error_code(err)}: {message}"


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
