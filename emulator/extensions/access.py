"""Access checks AWS makes at the API: the oracle that answers them, and the lookups they need.

moto enforces no bucket, key or trust policy. AWS refuses some calls at once when a policy
would stop the service from delivering later: CloudTrail's CreateTrail and UpdateTrail
test its bucket, its KMS key and its CloudWatch Logs role (cloudtrail.py), and Config's
PutDeliveryChannel tests its bucket (and the key the objects would be encrypted with;
config.py). Here each such test asks the access-rule oracle (oracle/evaluate.mjs,
@cloud-copilot/iam-simulate) whether AWS would allow the request the service makes, before
moto stores anything, so a refused call changes nothing. The oracle runs as one long-lived
`node` process, started at the first check; when node or oracle/node_modules is missing the
checked call fails (status 501, EmulatorOracleUnavailable), never silently allowed. An
oracle answer of Error (a policy it cannot evaluate) fails the call too (501,
EmulatorAccessCheckFailed). A refusal carries AWS's error code and message; the
x-baseline-access-check header names the request that was denied.
"""

import functools
import json
import os
import shutil
import subprocess
import tempfile
import threading
from urllib.parse import unquote

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ORACLE_SCRIPT = os.path.join("oracle", "evaluate.mjs")
ORACLE_PACKAGE = os.path.join("oracle", "node_modules", "@cloud-copilot", "iam-simulate")
ORACLE_SETUP = "run scripts/oracle-setup (needs Node.js 18 or later with npm)"


@functools.cache
def access_error_classes():
    from moto.core.exceptions import JsonRESTError

    class AccessCheckDenied(JsonRESTError):
        """A refusal as the service sends it (awsJson: {"__type", "message"}), plus a header
        that says which request the policies denied."""

        def __init__(self, code, message, detail):
            super().__init__(code, message)
            self.detail = detail

        def get_headers(self, *args, **kwargs):
            return [*super().get_headers(*args, **kwargs),
                    ("x-baseline-access-check", self.detail.encode("ascii", "replace").decode())]

    class EmulatorFault(JsonRESTError):
        code = 501  # not retried by the SDKs, unlike 500

    return AccessCheckDenied, EmulatorFault


def oracle_unavailable(message):
    """The oracle cannot be asked: not installed, or its process stopped."""
    return access_error_classes()[1]("EmulatorOracleUnavailable", message)


class Oracle:
    """The oracle as a long-lived subprocess: one JSON line in, one JSON line out."""

    def __init__(self):
        self.lock = threading.Lock()
        self.process = None
        self.stderr = None
        self.asked = 0

    def start(self):
        node = shutil.which("node")
        if node is None:
            raise oracle_unavailable(
                f"the emulator's access checks need node on PATH: {ORACLE_SETUP}")
        if not os.path.isdir(os.path.join(REPO_ROOT, ORACLE_PACKAGE)):
            raise oracle_unavailable(
                f"the emulator's access checks need {ORACLE_PACKAGE}: {ORACLE_SETUP}")
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [node, ORACLE_SCRIPT], cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.stderr, text=True, encoding="utf-8", bufsize=1)

    def died(self):
        """The error for an oracle process that stopped answering; the next ask starts anew."""
        process, self.process = self.process, None
        process.kill()
        process.wait()
        self.stderr.seek(0)
        said = self.stderr.read().decode(errors="replace").strip()[-2000:]
        return oracle_unavailable(
            f"the oracle (node {ORACLE_SCRIPT}) stopped: {said or 'no output'}; {ORACLE_SETUP}")

    def ask(self, question):
        """The oracle's answer to one question (a dict of oracle/evaluate.mjs's protocol)."""
        with self.lock:
            if self.process is None:
                self.start()
            self.asked += 1
            question = dict(question, id=str(self.asked))
            try:
                self.process.stdin.write(json.dumps(question) + "\n")
                self.process.stdin.flush()
                line = self.process.stdout.readline()
            except (BrokenPipeError, OSError):
                line = ""
            if not line:
                raise self.died()
            answer = json.loads(line)
            if answer.get("id") != question["id"]:
                raise self.died()
            return answer


ORACLE = Oracle()


def policy_json(document):
    """A stored policy document (moto keeps the text, sometimes URL-encoded) as a dict."""
    if isinstance(document, bytes):
        document = document.decode()
    if isinstance(document, dict):
        return document
    text = document.strip()
    if not text.startswith("{"):
        text = unquote(text)
    return json.loads(text)


def require(code, message, question):
    """Ask the oracle; unless the request is Allowed, refuse the call with AWS's error."""
    answer = ORACLE.ask(question)
    decision = answer["decision"]
    if decision == "Allowed":
        return
    described = (f"{question['principal']} {question['action']} {question['resource']}")
    if decision == "Error":
        raise access_error_classes()[1](
            "EmulatorAccessCheckFailed",
            f"the oracle could not evaluate {described}: {'; '.join(answer.get('errors') or [])}")
    raise access_error_classes()[0](code, message, f"{described}: {decision}")


def find_bucket(name):
    """moto's bucket of that name, in whichever account owns it, or None."""
    from moto.s3.models import s3_backends

    owner = s3_backends.bucket_accounts.get(name)
    if owner is None:
        return None
    partition, account = owner
    return s3_backends[account][partition].buckets.get(name)


def bucket_policy(bucket):
    return policy_json(bucket.policy) if bucket.policy else None


def organization_of(account):
    """(organization id, the account's path o-.../r-.../ou-.../) of the organization the
    account belongs to, or None."""
    from moto.organizations.models import organizations_backends

    try:
        described = organizations_backends[account]["aws"].describe_organization()
    except Exception:  # noqa: BLE001 - AWSOrganizationsNotInUseException: no organization
        return None
    org = described["Organization"]
    backend = organizations_backends[org["MasterAccountId"]]["aws"]
    units = {unit.id: unit for unit in backend.ou}
    member = next((a for a in backend.accounts if a.id == account), None)
    chain, parent = [], getattr(member, "parent_id", None)
    while parent in units and parent not in chain:
        chain.append(parent)
        parent = units[parent].parent_id
    return org["Id"], "/".join([org["Id"], *reversed(chain)]) + "/"


def source_context(account, keys=None):
    """The context keys AWS sets when a service acts for a resource of `account`:
    aws:SourceAccount, and aws:SourceOrgID and aws:SourceOrgPaths when the account is in an
    organization; plus `keys` (the request's own, e.g. aws:SourceArn)."""
    context = {"aws:SourceAccount": account, **(keys or {})}
    organization = organization_of(account)
    if organization:
        context["aws:SourceOrgID"], path = organization
        context["aws:SourceOrgPaths"] = [path]
    return context


AWS_MANAGED_ALIAS = "alias/aws/"


def find_key(key_id, account, region):
    """moto's KMS key named by a key id, key ARN, alias name or alias ARN (an ARN names its
    own account and region), or None. AWS managed keys (alias/aws/...) are returned too:
    callers tell them by `is_aws_managed`. moto's own alias lookup creates the AWS managed
    keys on first use; this lookup changes nothing."""
    from moto.kms.models import kms_backends

    if key_id.startswith("arn:"):
        parts = key_id.split(":", 5)
        if len(parts) < 6:
            return None
        region, account, resource = parts[3], parts[4], parts[5]
    else:
        resource = key_id if key_id.startswith("alias/") else f"key/{key_id}"
    keys = kms_backends[account][region].keys
    if resource.startswith("key/"):
        return keys.get(resource[len("key/"):])
    for key in keys.values():
        if resource in key.aliases:
            return key
    return None


def is_aws_managed(key):
    return key.key_manager == "AWS" or any(a.startswith(AWS_MANAGED_ALIAS) for a in key.aliases)
