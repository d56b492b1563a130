"""Start moto server for baseline's demo and tests.

Two things on top of `moto_server`:
- it binds port 0 and prints the port it got (`PORT 12345`), so callers never race for a port;
- a small test-only extension, under `/_baseline/`, for account states that no AWS API can
  produce, e.g. root MFA turned on. Real AWS has no such endpoint; baseline never calls it.

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


EXTENSIONS = {"/_baseline/root-state": root_state}


class Extensions:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        handler = EXTENSIONS.get(environ.get("PATH_INFO", ""))
        if handler is None:
            return self.app(environ, start_response)
        return handler(Request(environ))(environ, start_response)


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

    app = Extensions(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True)
    os.environ["MOTO_PORT"] = str(server.port)
    print(f"PORT {server.port}", flush=True)
    if args.exit_on_stdin_eof:
        threading.Thread(target=watch_stdin, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
