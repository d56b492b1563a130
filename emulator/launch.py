"""Start moto server for baseline's demo and tests.

On top of `moto_server`:
- it binds port 0 and prints the port it got (`PORT 12345`), so callers never race for a port;
- a small test-only extension, under `/_baseline/`, for account states that no AWS API can
  produce, e.g. root MFA turned on. Real AWS has no such endpoint; baseline never calls it;
- fixes for moto bugs, and the AWS behaviour moto lacks (IAM Access Analyzer, region opt-in,
  Security Hub standards, ...), in the extensions package (extensions/).

With `--exit-on-stdin-eof` the server stops when its standard input closes, so a test process
that dies for any reason takes its emulator with it.
"""

import argparse
import json
import os
import sys
import threading

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

sys.dont_write_bytecode = True  # importing extensions/ leaves no __pycache__ in emulator/
import extensions  # noqa: E402


def root_state(request):
    """POST {"account_id", "mfa_enabled", "access_keys_present"}: set the root user's state."""
    from moto.iam.models import iam_backends

    body = json.loads(request.get_data() or b"{}")
    account_id = str(body["account_id"])
    summary = iam_backends[account_id]["aws"].account_summary
    if "mfa_enabled" in body:
        summary._account_mfa_enabled = 1 if body["mfa_enabled"] else 0
    if "access_keys_present" in body:
        summary._account_access_keys_present = 1 if body["access_keys_present"] else 0
    return Response(json.dumps({"ok": True}), content_type="application/json")


EXTENSIONS = {"/_baseline/root-state": root_state, **extensions.ENDPOINTS}


def as_list(value):
    return value if isinstance(value, list) else [value]


def log_permissions_enabled_policy(target_bucket, target_prefix):
    """moto's check of a log target bucket's policy, accepting every form AWS accepts.

    moto 5.2.5 crashes on `"Principal": "*"` in any statement of the target bucket's policy
    and compares lists as strings; AWS takes both. Same rule otherwise.
    """
    policy = target_bucket.policy
    if not policy:
        return False
    document = json.loads(policy.decode())
    bucket_arn = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}"
    allowed = {f"{bucket_arn}/{target_prefix or ''}*", f"{bucket_arn}/*", bucket_arn}
    for statement in as_list(document.get("Statement", [])):
        principal = statement.get("Principal", {})
        services = as_list(principal.get("Service", [])) if isinstance(principal, dict) else []
        if "logging.s3.amazonaws.com" not in services or statement.get("Effect") != "Allow":
            continue
        if "s3:PutObject" not in as_list(statement.get("Action", [])):
            continue
        if allowed & set(as_list(statement.get("Resource", []))):
            return True
    return False


def patch_moto():
    """Fixes for moto bugs that make it answer unlike AWS; each names what AWS does."""
    from moto.iam import models as iam_models
    from moto.s3.models import FakeBucket

    FakeBucket._log_permissions_enabled_policy = staticmethod(log_permissions_enabled_policy)
    # AWS names Config's service-linked role AWSServiceRoleForConfig; moto 5.2.5 makes
    # AWSServiceRoleForconfig.
    iam_models.SERVICE_NAME_CONVERSION.setdefault("config", "Config")
    extensions.patch_moto()


# S3 GetBucketVersioning: AWS answers <VersioningConfiguration>; moto 5.2.5 answers
# <GetBucketVersioningResponse>, which strict SDKs (Rust) refuse.
RESPONSE_ROOTS = {
    ("GET", "versioning"): (b"GetBucketVersioningResponse", b"VersioningConfiguration"),
}


class Extensions:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        handler = EXTENSIONS.get(environ.get("PATH_INFO", ""))
        if handler is not None:
            return handler(Request(environ))(environ, start_response)
        answer = extensions.service_response(environ)
        if answer is not None:
            return answer(environ, start_response)
        query = environ.get("QUERY_STRING", "")
        for (method, key), (wrong, right) in RESPONSE_ROOTS.items():
            if environ.get("REQUEST_METHOD") == method and query.split("&")[0].split("=")[0] == key:
                return self.rename_root(environ, start_response, wrong, right)
        return self.app(environ, start_response)

    def rename_root(self, environ, start_response, wrong, right):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body = b"".join(self.app(environ, capture))
        body = body.replace(b"<" + wrong, b"<" + right).replace(b"</" + wrong, b"</" + right)
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        start_response(captured["status"], headers)
        return [body]


def watch_stdin():
    sys.stdin.read()
    os._exit(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()

    # AWS managed policies (AdministratorAccess, ...) exist only when this is set.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        create_backend_app,
    )

    patch_moto()
    app = Extensions(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True)
    os.environ["MOTO_PORT"] = str(server.port)
    print(f"PORT {server.port}", flush=True)
    if args.exit_on_stdin_eof:
        threading.Thread(target=watch_stdin, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
