"""A fault-injecting HTTP proxy in front of the emulator, for the drills of scripts/drill.

    python emulator/faults.py --upstream http://127.0.0.1:PORT [--seed N] [--rate 0.2]
        [--kinds 5xx,throttle,reset,delay,lost] [--delay-ms 2000] [--spare N]
        [--kill-at N | --kill-after OP] [--kill-pid-file FILE] [--lose OP] [--deny OP]
        [--log FILE] [--exit-on-stdin-eof]

It binds 127.0.0.1 port 0 (or --port) and prints `PORT n` on its first line, like launch.py;
point a client at it with AWS_ENDPOINT_URL. Every request is forwarded to the upstream
unchanged (method, path, query, headers, body, Host included: SigV4 signs it), except that a
request may get one fault instead:

    5xx       500 InternalError / InternalFailure in the service's own error format, not
              forwarded (retryable: AWS SDKs retry any 500)
    throttle  Throttling (query), ThrottlingException (JSON, 400; REST-JSON, 429),
              SlowDown (S3, 503 as S3 sends it), RequestLimitExceeded (EC2); not forwarded
              (retryable: AWS SDKs retry these codes)
    reset     the connection is reset (TCP RST) without an answer, before forwarding
    delay     forwarded after --delay-ms
    lost      forwarded, so the change HAPPENS upstream, then the connection is closed
              without an answer: the client never learns that it succeeded

Whether request number `seq` (1, 2, ... in order of arrival) gets a fault, and which, is drawn
from a generator seeded with (--seed, seq): a seed replays the same decisions. Under a client
that sends requests in parallel the order of arrival, so which request gets number `seq`,
may still vary from run to run. The first --spare requests never get a fault (the account pin,
sts:GetCallerIdentity, comes first).

--kill-at N: when request N arrives, SIGKILL the process whose pid is in --kill-pid-file
(read then), and close that request's connection without an answer: a crash at a chosen
request. --kill-after OP[,OP...]: the same at the first request for one of these operations
(as the log names them, e.g. CreateKey), but forwarded first: the change is made, and the
process dies before it learns so. --lose OP[,OP...]: the first request for each of these
operations is `lost` (forwarded, then no answer), whatever the seed draws: the test of one
create whose answer is lost. --deny OP[,OP...]: every request for these operations is
refused with the service's access-denied error (AccessDeniedException, AccessDenied,
UnauthorizedOperation), not forwarded: a caller whose policy lacks them. --latency SPEC: every request waits before it is forwarded, as
far as its region is from the caller: `100` (ms, every region alike) or `from:REGION`
(approximate median round trips from a client near REGION, the table LATENCY_FROM below;
global services are in us-east-1), so benchmarks see a realistic network. --log FILE: one JSON line per request (seq, service,
region, operation, fault or "ok", upstream status, ms, and `at`, seconds since the proxy
started when the request arrived). Standard library only.
"""

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

KINDS = ("5xx", "throttle", "reset", "delay", "lost")

# Approximate median round trips (ms) between AWS regions, as published inter-region
# latency tables show them (e.g. cloudping.co, 2024-2025 medians, rounded): LATENCY_FROM[a][b]
# is a call from a client near region a to an endpoint in region b. A region not in a row
# costs its row's "*".
LATENCY_FROM = {
    "ap-northeast-1": {
        "ap-northeast-1": 20, "ap-northeast-3": 30, "ap-northeast-2": 55, "ap-east-1": 70,
        "ap-southeast-1": 90, "ap-southeast-2": 130, "ap-south-1": 140, "us-west-1": 125,
        "us-west-2": 115, "us-east-1": 165, "us-east-2": 160, "ca-central-1": 165,
        "eu-west-1": 225, "eu-west-2": 230, "eu-west-3": 235, "eu-central-1": 240,
        "eu-north-1": 255, "sa-east-1": 270, "*": 200,
    },
    "us-east-1": {
        "us-east-1": 20, "us-east-2": 30, "ca-central-1": 35, "us-west-1": 80, "us-west-2": 80,
        "eu-west-1": 85, "eu-west-2": 90, "eu-west-3": 95, "eu-central-1": 100,
        "eu-north-1": 115, "sa-east-1": 130, "ap-northeast-1": 165, "ap-northeast-2": 190,
        "ap-northeast-3": 170, "ap-southeast-1": 230, "ap-southeast-2": 210,
        "ap-south-1": 205, "*": 180,
    },
}


def latency_of(spec):
    """The delay (seconds) for a request to a region, from --latency: `MS` or `from:REGION`."""
    if not spec:
        return lambda _region: 0.0
    if spec.startswith("from:"):
        row = LATENCY_FROM.get(spec[len("from:"):])
        if row is None:
            sys.exit(f"faults.py: no latency table from {spec[5:]}; known: {', '.join(LATENCY_FROM)}")
        return lambda region: row.get(region or "us-east-1", row["*"]) / 1000
    try:
        fixed = float(spec) / 1000
    except ValueError:
        sys.exit(f"faults.py: --latency is milliseconds or from:REGION, not {spec!r}")
    return lambda _region: fixed

# Headers that belong to one connection, not to the request (RFC 9110 §7.6.1): a proxy does
# not pass them on. SigV4 never signs them.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate",
              "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"}

SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/]+)/([^/]+)/aws4_request")

# awsQuery services that also speak JSON with x-amzn-query-error (awsQueryCompatible).
QUERY_COMPATIBLE = {"sqs", "monitoring"}
# REST-XML services other than S3 (whose errors have no <ErrorResponse> wrapper).
REST_XML = {"route53", "cloudfront", "s3control"}


# --- what a request is ----------------------------------------------------------------------


def signing_scope(headers):
    """(region, service) of the SigV4 credential scope, as emulator/extensions/ reads it."""
    match = SCOPE.search(headers.get("Authorization", ""))
    return (match.group(1), match.group(2)) if match else ("", "")


def protocol(service, headers, method):
    """The wire protocol of a request: json, query, ec2, s3, restxml, cbor or restjson."""
    content_type = headers.get("Content-Type", "").lower()
    if "cbor" in content_type or headers.get("smithy-protocol") == "rpc-v2-cbor":
        return "cbor"
    if headers.get("X-Amz-Target"):
        return "json"
    if service == "s3":
        return "s3"
    if service in REST_XML:
        return "restxml"
    if content_type.startswith("application/x-www-form-urlencoded") or service in ("sts", "iam"):
        return "ec2" if service == "ec2" else "query"
    if method == "GET" and service in ("ec2", "sns", "sts", "iam"):
        return "ec2" if service == "ec2" else "query"
    return "restjson"


def operation(proto, headers, method, path, body):
    """The API operation: from X-Amz-Target, the query's Action=, else METHOD and path."""
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    split = urlsplit(path)
    if proto in ("query", "ec2"):
        for source in (split.query, body.decode("utf-8", "replace")):
            action = parse_qs(source).get("Action")
            if action:
                return action[0]
    if proto == "cbor":
        return split.path.rsplit("/", 1)[-1]
    keys = sorted(k.split("=", 1)[0] for k in split.query.split("&") if k) if split.query else []
    return f"{method} {split.path}" + (f"?{'&'.join(keys)}" if keys else "")


# --- the faults' answers --------------------------------------------------------------------


def cbor_text(text):
    data = text.encode()
    assert len(data) < 256
    return (bytes([0x60 + len(data)]) if len(data) < 24 else bytes([0x78, len(data)])) + data


def error_answer(proto, service, kind):
    """(status, headers, body) of an injected error as the service would send it."""
    request_id = str(uuid.uuid4())
    if kind == "5xx":
        status, json_code, xml_code, message = 500, "InternalFailure", "InternalError", "injected"
    elif kind == "deny":
        status, json_code, xml_code = 400, "AccessDeniedException", "AccessDenied"
        message = "injected: User is not authorized to perform this action"
        if proto in ("s3", "query", "restxml", "restjson"):
            status = 403
        elif proto == "ec2":
            status, xml_code = 403, "UnauthorizedOperation"
    else:
        status, json_code, xml_code, message = 400, "ThrottlingException", "Throttling", "injected: Rate exceeded"
        if proto == "s3":
            status, xml_code = 503, "SlowDown"
        elif proto == "ec2":
            status, xml_code = 503, "RequestLimitExceeded"
        elif proto == "restjson":
            status = 429
    headers = [("x-amzn-RequestId", request_id)]
    if proto == "json":
        headers += [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", json_code)]
        if service in QUERY_COMPATIBLE:
            fault = "Receiver" if status >= 500 else "Sender"
            headers.append(("x-amzn-query-error", f"{xml_code};{fault}"))
        body = json.dumps({"__type": json_code, "message": message}).encode()
    elif proto == "restjson":
        headers += [("Content-Type", "application/json"), ("x-amzn-ErrorType", json_code)]
        body = json.dumps({"message": message}).encode()
    elif proto == "cbor":
        headers += [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
        body = b"\xa2" + cbor_text("__type") + cbor_text(json_code) + cbor_text("message") + cbor_text(message)
    elif proto == "ec2":
        headers.append(("Content-Type", "text/xml"))
        body = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{xml_code}"
                f"</Code><Message>{message}</Message></Error></Errors><RequestID>{request_id}"
                "</RequestID></Response>").encode()
    elif proto == "s3":
        headers += [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)]
        body = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{xml_code}</Code>"
                f"<Message>{message}</Message><RequestId>{request_id}</RequestId></Error>").encode()
    else:  # query, restxml
        fault = "Receiver" if status >= 500 else "Sender"
        headers.append(("Content-Type", "text/xml"))
        body = (f"<ErrorResponse><Error><Type>{fault}</Type><Code>{xml_code}</Code>"
                f"<Message>{message}</Message></Error><RequestId>{request_id}</RequestId>"
                "</ErrorResponse>").encode()
    return status, headers, body


# --- the proxy ------------------------------------------------------------------------------


class Faults:
    """The decisions, the counter and the log, shared by the handler threads."""

    def __init__(self, args):
        self.args = args
        self.upstream = urlsplit(args.upstream)
        self.kinds = [k for k in args.kinds.split(",") if k]
        unknown = set(self.kinds) - set(KINDS)
        if unknown:
            sys.exit(f"faults.py: unknown fault kind(s) {', '.join(sorted(unknown))}; known: {', '.join(KINDS)}")
        self.lock = threading.Lock()
        self.seq = 0
        self.kill_after = {op for op in (args.kill_after or "").split(",") if op}
        self.killed_after = False
        self.lose = {op for op in (args.lose or "").split(",") if op}
        self.deny = {op for op in (args.deny or "").split(",") if op}
        self.latency = latency_of(args.latency)
        self.began = time.monotonic()
        self.log = open(args.log, "a", buffering=1) if args.log else None

    def next_seq(self):
        with self.lock:
            self.seq += 1
            return self.seq

    def decide(self, seq, operation):
        """The fault for request `seq`, or None: the same for the same seed and seq."""
        if self.args.kill_at and seq == self.args.kill_at:
            return "kill"
        if operation in self.kill_after:
            with self.lock:
                if not self.killed_after:
                    self.killed_after = True
                    return "kill-after"
        if operation in self.deny:
            return "deny"
        if operation in self.lose:
            with self.lock:
                if operation in self.lose:
                    self.lose.discard(operation)
                    return "lost"
        if seq <= self.args.spare or not self.kinds or self.args.rate <= 0:
            return None
        draw = random.Random(f"faults:{self.args.seed}:{seq}")
        if draw.random() >= self.args.rate:
            return None
        return draw.choice(self.kinds)

    def record(self, **entry):
        if self.log is None:
            return
        line = json.dumps(entry, sort_keys=False)
        with self.lock:
            self.log.write(line + "\n")

    def kill(self):
        """SIGKILL the pid in --kill-pid-file; returns what happened, for the log."""
        try:
            with open(self.args.kill_pid_file) as file:
                pid = int(file.read().split()[0])
        except (OSError, ValueError, IndexError, TypeError) as err:
            return f"no pid: {err}"
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError as err:
            return f"kill {pid}: {err}"
        return f"killed {pid}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    faults: Faults = None  # set by main()

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass

    def read_body(self):
        """The request body as sent: with Content-Length its bytes, chunked its raw chunks
        (framing kept, so it is forwarded unchanged)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raw = bytearray()
            while True:
                line = self.rfile.readline()
                raw += line
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while True:  # trailers, up to the empty line
                        trailer = self.rfile.readline()
                        raw += trailer
                        if trailer in (b"\r\n", b"\n", b""):
                            return bytes(raw), True
                raw += self.rfile.read(size + 2)
        length = int(self.headers.get("Content-Length") or 0)
        return (self.rfile.read(length) if length else b""), False

    def drop(self, reset):
        """Close the connection without an answer: a TCP reset, or a plain close."""
        self.close_connection = True
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
            self.connection.close()
        except OSError:
            pass

    def forward(self, body, chunked):
        """(status, headers, body) from the upstream."""
        up = self.faults.upstream
        conn = http.client.HTTPConnection(up.hostname, up.port or 80, timeout=300)
        try:
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() not in HOP_BY_HOP or (chunked and name.lower() == "transfer-encoding"):
                    conn.putheader(name, value)
            conn.endheaders()
            if body:
                conn.send(body)
            response = conn.getresponse()
            data = response.read()
            headers = [(k, v) for k, v in response.getheaders()
                       if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"]
            if self.command == "HEAD":
                length = response.getheader("Content-Length")
                if length is not None:
                    headers.append(("Content-Length", length))
            return response.status, response.reason, headers, data
        finally:
            conn.close()

    def answer(self, status, reason, headers, body):
        self.send_response_only(status, reason)
        for name, value in headers:
            self.send_header(name, value)
        if self.command != "HEAD":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)
        self.wfile.flush()

    def proxy(self):
        started = time.monotonic()
        seq = self.faults.next_seq()
        body, chunked = self.read_body()
        region, service = signing_scope(self.headers)
        proto = protocol(service, self.headers, self.command)
        name = operation(proto, self.headers, self.command, self.path, body)
        fault = self.faults.decide(seq, name)
        entry = {"seq": seq, "service": service, "region": region, "operation": name,
                 "fault": fault or "ok", "status": None,
                 "at": round(started - self.faults.began, 3)}
        time.sleep(self.faults.latency(region))
        try:
            if fault == "kill":
                entry["kill"] = self.faults.kill()
                self.drop(reset=False)
            elif fault in ("5xx", "throttle", "deny"):
                status, headers, data = error_answer(proto, service, fault)
                entry["status"] = status
                self.answer(status, None, headers, data)
            elif fault == "reset":
                self.drop(reset=True)
            else:
                if fault == "delay":
                    time.sleep(self.faults.args.delay_ms / 1000)
                try:
                    status, reason, headers, data = self.forward(body, chunked)
                except (OSError, http.client.HTTPException) as err:
                    entry["error"] = f"upstream: {err}"
                    status, reason, headers, data = 502, "Bad Gateway", [("Content-Type", "text/plain")], \
                        f"faults.py: upstream: {err}".encode()
                entry["status"] = status
                if fault == "kill-after":
                    entry["kill"] = self.faults.kill()
                    self.drop(reset=False)
                elif fault == "lost":
                    self.drop(reset=False)
                else:
                    self.answer(status, reason, headers, data)
        except OSError as err:  # the client went away
            entry["error"] = f"client: {err}"
            self.close_connection = True
        entry["ms"] = round((time.monotonic() - started) * 1000)
        self.faults.record(**entry)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = proxy


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def watch_stdin():
    sys.stdin.read()
    os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", required=True, help="the emulator, http://127.0.0.1:PORT")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rate", type=float, default=0.2, help="share of requests faulted (0..1)")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated: " + ",".join(KINDS))
    parser.add_argument("--delay-ms", type=int, default=2000)
    parser.add_argument("--spare", type=int, default=0, help="the first N requests get no fault")
    parser.add_argument("--kill-at", type=int, default=0, help="SIGKILL the pid in --kill-pid-file at request N")
    parser.add_argument("--kill-after", help="forward the first request for one of these operations, "
                        "then SIGKILL the pid in --kill-pid-file (comma-separated, e.g. CreateKey)")
    parser.add_argument("--kill-pid-file")
    parser.add_argument("--lose", help="lose the answer of the first request for each of these "
                        "operations (comma-separated, e.g. CreatePolicy,CreateAccount)")
    parser.add_argument("--deny", help="refuse every request for these operations (comma-separated) "
                        "with the service's access-denied error")
    parser.add_argument("--latency", help="wait before forwarding: MS, or from:REGION for "
                        "per-region round trips (see LATENCY_FROM)")
    parser.add_argument("--log", help="one JSON line per request")
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()
    if (args.kill_at or args.kill_after) and not args.kill_pid_file:
        parser.error("--kill-at and --kill-after need --kill-pid-file")
    if not 0 <= args.rate <= 1:
        parser.error("--rate is a share between 0 and 1")

    Handler.faults = Faults(args)
    server = Server((args.host, args.port), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    if args.exit_on_stdin_eof:
        threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
