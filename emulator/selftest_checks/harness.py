"""What every self-test check needs: an emulator of its own, fresh accounts, and assertions.

Each check gets the emulator and two accounts, A and B, to show that every piece of state is
the account's own.
"""

import json
import os
import random
import subprocess
import sys
import urllib.request

import boto3
from botocore.exceptions import ClientError

LAUNCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "launch.py")


class Emulator:
    def __init__(self, env=None):
        self.process = subprocess.Popen(
            [sys.executable, LAUNCH, "--exit-on-stdin-eof"],
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


def fresh_account(emulator):
    """A new random account id, signed in by sts:AssumeRole."""
    return Account(emulator, str(random.randint(200_000_000_000, 899_999_999_999)))


def client_error(call, *args, **kwargs):
    """The ClientError of a call that must fail."""
    try:
        call(*args, **kwargs)
    except ClientError as error:
        return error
    raise AssertionError(f"{call.__name__} did not fail")


def error_of(call, *args, **kwargs):
    """(code, message, HTTP status) of a call that must fail."""
    error = client_error(call, *args, **kwargs).response
    return (error["Error"]["Code"], error["Error"].get("Message"),
            error["ResponseMetadata"]["HTTPStatusCode"])


def denied_request(call, *args, **kwargs):
    """(code, the request the emulator's access check found denied) of a call that must fail:
    the x-baseline-access-check header, e.g. "config.amazonaws.com kms:GenerateDataKey
    arn:aws:kms:...: ImplicitlyDenied"."""
    error = client_error(call, *args, **kwargs).response
    headers = error["ResponseMetadata"]["HTTPHeaders"]
    return error["Error"]["Code"], headers.get("x-baseline-access-check", "")


def refused_for(code, request, call, *args, **kwargs):
    """A call must fail with `code` because the request starting with `request` (principal
    and action, maybe resource) is denied."""
    got_code, denied = denied_request(call, *args, **kwargs)
    equal(got_code, code, f"{call.__name__} for {request}")
    assert denied.startswith(request), f"denied {denied!r}, want {request!r}"


def equal(got, want, what=""):
    assert got == want, f"{what}: got {got!r}, want {want!r}"
