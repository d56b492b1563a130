"""Helpers for scripts/drill, the fault drills (docs/emulator.md, "Fault drills"). Run with
the repository's .venv python (boto3, installed by scripts/emulator-setup).

    count PLAN_JSON --endpoint URL   duplicates, orphans and missing resources in the account
                                     of the environment's credentials, against the declared
                                     resources of PLAN_JSON (`baseline plan --json` of the
                                     empty account, before any apply): one JSON line
    faults LOG                       injected faults by kind in a faults.py log: one JSON line
    kill-points LOG K                K request numbers spread over the writes of a clean apply
    killed LOG                       `yes SERVICE:OPERATION` when the log shows the kill
    lock --endpoint URL --region R   `yes` when the apply lock (SSM /baseline/apply-lock) is there
    proxy-selftest                   checks emulator/faults.py with boto3 (each fault kind as
                                     a client sees it, `lost` applying upstream, seeds)

Duplicates: a second live instance of one declared thing, where the API lets one exist twice
(SNS subscriptions of one topic to one endpoint, Athena named queries of one name in a
workgroup, Config recorders or delivery channels in a region beyond one). Orphans: live
resources of the checked kinds that the file does not declare: a KMS key described
`baseline:` that no declared alias `alias/NAME` points to (keys pending deletion are not
counted), a trail, topic, rule, bucket, log group, workgroup, budget, IAM user, group or role
of a name the plan did not declare, a Config recorder or channel in an undeclared region.
Missing: declared, not there.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

ADDRESS = re.compile(r"^(?:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)/)?(?P<type>[a-z0-9_]+)(?:\.(?P<name>.+))?$")
# Defaults every emulated (and real) account has, never made by baseline.
DEFAULT_WORKGROUPS = {"primary"}
READ_PREFIXES = ("Get", "List", "Describe", "Head", "Lookup", "Search", "Check", "BatchGet")


def load_log(path):
    entries = []
    with open(path) as file:
        for line in file:
            line = line.strip()
            if line:
                try:
                    entries.append(json.loads(line))
                except ValueError:
                    pass
    return entries


# --- count --------------------------------------------------------------------------------


def declared(plan):
    """{type: set of (region or "", name or "")} from a plan's resource addresses."""
    result = {}
    for change in plan.get("resource_changes") or []:
        match = ADDRESS.match(change.get("address", ""))
        if match:
            result.setdefault(match.group("type"), set()).add(
                (match.group("region") or "", match.group("name") or ""))
    return result


def names(declared_set):
    return {name for _, name in declared_set}


class Tally:
    def __init__(self):
        self.duplicates, self.orphans, self.missing, self.notes = 0, 0, 0, []

    def duplicate(self, count, what):
        self.duplicates += count
        self.notes.append(f"duplicate x{count}: {what}")

    def orphan(self, what):
        self.orphans += 1
        self.notes.append(f"orphan: {what}")

    def absent(self, what):
        self.missing += 1
        self.notes.append(f"missing: {what}")

    def compare(self, kind, live, wanted):
        """Name-unique kinds: orphans are live names not wanted, missing the reverse."""
        for item in sorted(set(live) - set(wanted)):
            self.orphan(f"{kind} {item}")
        for item in sorted(set(wanted) - set(live)):
            self.absent(f"{kind} {item}")
        for item, count in Counter(live).items():
            if count > 1:
                self.duplicate(count - 1, f"{kind} {item}")


def pages(client, method, key, **kwargs):
    paginator = client.get_paginator(method) if client.can_paginate(method) else None
    if paginator is None:
        return list(getattr(client, method)(**kwargs).get(key) or [])
    out = []
    for page in paginator.paginate(**kwargs):
        out.extend(page.get(key) or [])
    return out


def cmd_count(plan_path, endpoint):
    import boto3
    from botocore.config import Config

    with open(plan_path) as file:
        plan = json.load(file)
    want = declared(plan)
    account = plan.get("account_id") or os.environ.get("BASELINE_ACCOUNT_ID")
    regions = plan.get("regions") or []
    home = next(iter({r for r, _ in want.get("cloudtrail_trail", set())} - {""}), None)
    config = Config(retries={"max_attempts": 6, "mode": "standard"})
    session = boto3.Session()

    def client(service, region="us-east-1"):
        return session.client(service, region_name=region, endpoint_url=endpoint, config=config)

    tally = Tally()

    # KMS: one key described `baseline:` per declared key, with its alias alias/NAME.
    scheduled = 0
    for region in regions:
        kms = client("kms", region)
        aliases = {a["AliasName"]: a.get("TargetKeyId") for a in pages(kms, "list_aliases", "Aliases")}
        wanted = {f"alias/{name}" for r, name in want.get("kms_key", set()) if r == region}
        kept = set()
        for alias in sorted(wanted):
            if aliases.get(alias):
                kept.add(aliases[alias])
            else:
                tally.absent(f"kms alias {region}/{alias}")
        for key in pages(kms, "list_keys", "Keys"):
            meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
            if meta.get("KeyManager") != "CUSTOMER" or not (meta.get("Description") or "").startswith("baseline:"):
                continue
            if meta.get("KeyState") == "PendingDeletion":
                scheduled += 1
                continue
            if meta["KeyId"] not in kept:
                named = [a for a, k in aliases.items() if k == meta["KeyId"]]
                tally.orphan(f"kms key {region}/{meta['KeyId']} ({meta.get('Description')!r}, "
                             f"aliases {named or 'none'})")

    # CloudTrail: trails of the account, each once (by ARN), wherever made.
    trails = {}
    for region in regions:
        for trail in client("cloudtrail", region).describe_trails(includeShadowTrails=False)["trailList"]:
            trails[trail["TrailARN"]] = f"{trail.get('HomeRegion', region)}/{trail['Name']}"
    tally.compare("trail", list(trails.values()),
                  [f"{r or home}/{n}" for r, n in want.get("cloudtrail_trail", set())])

    # Config: one recorder and one delivery channel in each declared region.
    for kind, method, key in (("config_recorder", "describe_configuration_recorders", "ConfigurationRecorders"),
                              ("config_delivery_channel", "describe_delivery_channels", "DeliveryChannels")):
        declared_regions = {r for r, _ in want.get(kind, set())}
        for region in regions:
            live = getattr(client("config", region), method)().get(key) or []
            if len(live) > 1:
                tally.duplicate(len(live) - 1, f"{kind} in {region}: {[x['name'] for x in live]}")
            if live and region not in declared_regions:
                for item in live:
                    tally.orphan(f"{kind} {region}/{item['name']}")
            if not live and region in declared_regions:
                tally.absent(f"{kind} in {region}")

    # SNS topics per region, and the subscriptions of the declared ones.
    live_topics, subscriptions = [], Counter()
    for region in regions:
        sns = client("sns", region)
        for topic in pages(sns, "list_topics", "Topics"):
            name = topic["TopicArn"].rsplit(":", 1)[-1]
            live_topics.append(f"{region}/{name}")
            for sub in pages(sns, "list_subscriptions_by_topic", "Subscriptions", TopicArn=topic["TopicArn"]):
                subscriptions[(region, name, sub.get("Protocol"), sub.get("Endpoint"))] += 1
    tally.compare("sns topic", live_topics, [f"{r}/{n}" for r, n in want.get("sns_topic", set())])
    for (region, name, proto, endpoint_), count in subscriptions.items():
        if count > 1:
            tally.duplicate(count - 1, f"sns subscription {region}/{name} {proto}:{endpoint_}")

    # EventBridge rules (default bus; rules managed by AWS services are not counted).
    live_rules = []
    for region in regions:
        for rule in pages(client("events", region), "list_rules", "Rules"):
            if not rule.get("ManagedBy"):
                live_rules.append(f"{region}/{rule['Name']}")
    tally.compare("events rule", live_rules, [f"{r}/{n}" for r, n in want.get("events_rule", set())])

    # Budgets (global).
    budgets = [b["BudgetName"] for b in
               client("budgets").describe_budgets(AccountId=account).get("Budgets") or []]
    tally.compare("budget", budgets, names(want.get("budget", set())))

    # IAM users, groups, roles (service-linked roles by their service).
    iam = client("iam")
    tally.compare("iam user", [u["UserName"] for u in pages(iam, "list_users", "Users")],
                  names(want.get("iam_user", set())))
    tally.compare("iam group", [g["GroupName"] for g in pages(iam, "list_groups", "Groups")],
                  names(want.get("iam_group", set())))
    roles, linked = [], []
    for role in pages(iam, "list_roles", "Roles"):
        if role.get("Path", "/").startswith("/aws-service-role/"):
            linked.append(role["Path"].split("/")[2])
        else:
            roles.append(role["RoleName"])
    tally.compare("iam role", roles, names(want.get("iam_role", set())))
    tally.compare("iam service-linked role", linked, names(want.get("iam_service_linked_role", set())))

    # S3 buckets (the account's, all regions), CloudWatch log groups, Athena workgroups and
    # their named queries.
    tally.compare("s3 bucket", [b["Name"] for b in client("s3").list_buckets().get("Buckets") or []],
                  names(want.get("s3_bucket", set())))
    live_groups, live_workgroups, queries = [], [], Counter()
    for region in regions:
        live_groups += [f"{region}/{g['logGroupName']}"
                        for g in pages(client("logs", region), "describe_log_groups", "logGroups")]
        athena = client("athena", region)
        for group in pages(athena, "list_work_groups", "WorkGroups"):
            if group["Name"] in DEFAULT_WORKGROUPS:
                continue
            live_workgroups.append(f"{region}/{group['Name']}")
            # One GetNamedQuery each: moto 5.2.5 answers BatchGetNamedQuery with a 500.
            for query_id in pages(athena, "list_named_queries", "NamedQueryIds", WorkGroup=group["Name"]):
                query = athena.get_named_query(NamedQueryId=query_id)["NamedQuery"]
                queries[(region, group["Name"], query.get("Name"))] += 1
    tally.compare("log group", live_groups, [f"{r}/{n}" for r, n in want.get("logs_group", set())])
    tally.compare("athena workgroup", live_workgroups,
                  [f"{r}/{n}" for r, n in want.get("athena_workgroup", set())])
    for (region, group, name), count in queries.items():
        if count > 1:
            tally.duplicate(count - 1, f"athena named query {region}/{group}/{name}")

    print(json.dumps({"duplicates": tally.duplicates, "orphans": tally.orphans,
                      "missing": tally.missing, "kms_scheduled_for_deletion": scheduled,
                      "notes": tally.notes}))
    return 0


# --- the proxy's log ----------------------------------------------------------------------


def cmd_faults(log):
    counts = Counter(e.get("fault") for e in load_log(log))
    counts.pop("ok", None)
    print(json.dumps(dict(sorted(counts.items()))))
    return 0


def is_write(operation):
    if operation.startswith(("GET ", "HEAD ")):
        return False
    if " " in operation:  # REST: METHOD /path; POST /getX and /listX are reads
        last = operation.split(" ", 1)[1].split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        return not last.lower().startswith(("get", "list", "describe"))
    return not operation.startswith(READ_PREFIXES)


def cmd_kill_points(log, count):
    """`count` request numbers, evenly spread over the writes of a clean apply's log."""
    writes = sorted(e["seq"] for e in load_log(log) if is_write(e.get("operation", "")))
    if not writes:
        return 1
    points = sorted({writes[min(len(writes) - 1, int((i + 0.5) * len(writes) / count))]
                     for i in range(count)})
    print(" ".join(map(str, points)))
    return 0


def cmd_killed(log):
    """`yes SERVICE:OPERATION` when the log shows the kill, else `no (not reached)`."""
    for entry in load_log(log):
        if entry.get("fault") in ("kill", "kill-after"):
            done = "yes" if str(entry.get("kill", "")).startswith("killed") else "no"
            print(f"{done} {entry.get('service')}:{entry.get('operation')}"[:48])
            return 0
    print("no (not reached)")
    return 0


LOCK_PARAMETER = "/baseline/apply-lock"


def cmd_lock(endpoint, region):
    """`yes` when the apply lock (SSM parameter) is in the account, else `no`."""
    import boto3
    from botocore.exceptions import ClientError

    ssm = boto3.client("ssm", region_name=region, endpoint_url=endpoint)
    try:
        ssm.get_parameter(Name=LOCK_PARAMETER)
    except ClientError as err:
        if err.response["Error"].get("Code") == "ParameterNotFound":
            print("no")
            return 0
        raise
    print("yes")
    return 0


# --- proxy-selftest -------------------------------------------------------------------------


class Process:
    """A server that prints `PORT n` first (launch.py, faults.py), stopped by closing stdin."""

    def __init__(self, *argv):
        self.process = subprocess.Popen([sys.executable, *argv], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"{argv[0]} did not start: {line!r}")
        self.endpoint = f"http://127.0.0.1:{line.split()[1]}"

    def stop(self):
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def cmd_proxy_selftest():
    import tempfile

    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

    failures = []

    def check(ok, what):
        print(f"{'ok  ' if ok else 'FAIL'} {what}")
        if not ok:
            failures.append(what)

    emulator = Process(os.path.join(ROOT, "emulator", "launch.py"), "--exit-on-stdin-eof")
    tmp = tempfile.mkdtemp(prefix="faults-selftest-")
    sts = boto3.client("sts", endpoint_url=emulator.endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    creds = sts.assume_role(RoleArn="arn:aws:iam::210987654321:role/selftest",
                            RoleSessionName="selftest")["Credentials"]
    keys = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"]}

    def client(service, endpoint, attempts=1, region="us-east-1"):
        return boto3.client(service, endpoint_url=endpoint, region_name=region,
                            config=Config(retries={"total_max_attempts": attempts, "mode": "standard"},
                                          connect_timeout=5, read_timeout=20), **keys)

    proxies = []

    def proxy(*args):
        log = os.path.join(tmp, f"log{len(proxies)}.jsonl")
        started = Process(os.path.join(ROOT, "emulator", "faults.py"), "--upstream", emulator.endpoint,
                          "--log", log, "--exit-on-stdin-eof", *args)
        started.log = log
        proxies.append(started)
        return started

    def logged(p):
        time.sleep(0.2)
        return load_log(p.log)

    def error_of(call):
        try:
            call()
        except ClientError as err:
            return err.response["Error"].get("Code"), err.response["ResponseMetadata"].get("HTTPStatusCode")
        except (ConnectionClosedError, EndpointConnectionError, ConnectionError) as err:
            return type(err).__name__, None
        except Exception as err:  # noqa: BLE001 - shown as the check's result
            return type(err).__name__, str(err)[:200]
        return None, None

    # One call per protocol: awsJson (KMS), awsQuery (IAM, STS), REST-XML (S3), REST-JSON
    # (Access Analyzer, an emulator extension), EC2 query.
    calls = {
        "json kms": lambda e, a=1: client("kms", e, a).list_keys(),
        "query iam": lambda e, a=1: client("iam", e, a).list_users(),
        "query sts": lambda e, a=1: client("sts", e, a).get_caller_identity(),
        "rest-xml s3": lambda e, a=1: client("s3", e, a).list_buckets(),
        "rest-json access-analyzer": lambda e, a=1: client("accessanalyzer", e, a).list_analyzers(),
        "ec2": lambda e, a=1: client("ec2", e, a).describe_regions(),
    }
    try:
        clean = proxy("--rate", "0")
        for name, call in calls.items():
            check(error_of(lambda: call(clean.endpoint)) == (None, None), f"rate 0: {name} is forwarded")
        s3 = client("s3", clean.endpoint)
        s3.create_bucket(Bucket="faults-selftest")
        s3.put_object(Bucket="faults-selftest", Key="k", Body=b"x" * 70000)
        head = s3.head_object(Bucket="faults-selftest", Key="k")
        body = s3.get_object(Bucket="faults-selftest", Key="k")["Body"].read()
        check(head["ContentLength"] == 70000 and body == b"x" * 70000,
              "rate 0: S3 PUT/HEAD/GET of a 70 kB object through the proxy, byte for byte")
        entries = logged(clean)
        check(all(e["fault"] == "ok" for e in entries) and [e["seq"] for e in entries] == list(range(1, len(entries) + 1)),
              f"rate 0: {len(entries)} requests logged ok, numbered 1..n")
        ops = {e["operation"] for e in entries}
        check({"ListKeys", "ListUsers", "GetCallerIdentity", "DescribeRegions"} <= ops,
              f"log names operations from X-Amz-Target and Action= ({sorted(ops)[:6]}...)")
        clean.stop()

        expected = {
            "5xx": {"json kms": ("InternalFailure", 500), "query iam": ("InternalError", 500),
                    "query sts": ("InternalError", 500), "rest-xml s3": ("InternalError", 500),
                    "rest-json access-analyzer": ("InternalFailure", 500), "ec2": ("InternalError", 500)},
            "throttle": {"json kms": ("ThrottlingException", 400), "query iam": ("Throttling", 400),
                         "query sts": ("Throttling", 400), "rest-xml s3": ("SlowDown", 503),
                         "rest-json access-analyzer": ("ThrottlingException", 429),
                         "ec2": ("RequestLimitExceeded", 503)},
        }
        for kind in ("5xx", "throttle"):
            p = proxy("--rate", "1", "--kinds", kind)
            for name, call in calls.items():
                got = error_of(lambda: call(p.endpoint))
                check(got == expected[kind][name], f"{kind}: {name} answered {got}, want {expected[kind][name]}")
            before = len(logged(p))
            got = error_of(lambda: calls["json kms"](p.endpoint, 3))
            retried = len(logged(p)) - before
            check(retried == 3, f"{kind}: boto3 standard retries treat it as retryable ({retried} attempts of 3)")
            p.stop()

        p = proxy("--rate", "1", "--kinds", "reset")
        for name in ("json kms", "rest-xml s3"):
            got = error_of(lambda: calls[name](p.endpoint))
            check(got[0] in ("ConnectionClosedError", "EndpointConnectionError"),
                  f"reset: {name}: the client gets no answer ({got[0]})")
        before = len(logged(p))
        error_of(lambda: calls["json kms"](p.endpoint, 3))
        check(len(logged(p)) - before == 3, "reset: boto3 retries it")
        p.stop()

        p = proxy("--rate", "1", "--kinds", "delay", "--delay-ms", "700")
        started = time.monotonic()
        got = error_of(lambda: calls["json kms"](p.endpoint))
        took = time.monotonic() - started
        check(got == (None, None) and took >= 0.7, f"delay: answered after {took:.2f} s (>= 0.7)")
        p.stop()

        p = proxy("--rate", "1", "--kinds", "lost")
        kms_direct = client("kms", emulator.endpoint)
        keys_before = len(kms_direct.list_keys()["Keys"])
        got = error_of(lambda: client("kms", p.endpoint).create_key(Description="faults-selftest lost"))
        keys_after = len(kms_direct.list_keys()["Keys"])
        check(got[0] == "ConnectionClosedError", f"lost: CreateKey: the client gets no answer ({got[0]})")
        check(keys_after == keys_before + 1, f"lost: the key was made upstream all the same ({keys_before} -> {keys_after})")
        got = error_of(lambda: client("s3", p.endpoint).create_bucket(Bucket="faults-selftest-lost"))
        made = "faults-selftest-lost" in [b["Name"] for b in client("s3", emulator.endpoint).list_buckets()["Buckets"]]
        check(got[0] == "ConnectionClosedError" and made, f"lost: CreateBucket: no answer ({got[0]}), bucket made: {made}")
        entries = logged(p)
        check(all(e["fault"] == "lost" and e["status"] == 200 for e in entries),
              "lost: the log shows the upstream's 200 behind each lost answer")
        p.stop()

        def faults_of(seed):
            p = proxy("--rate", "0.5", "--seed", str(seed), "--kinds", "5xx,throttle,delay", "--delay-ms", "10")
            for _ in range(30):
                error_of(lambda: calls["query iam"](p.endpoint))
            p.stop()
            return [(e["seq"], e["fault"]) for e in sorted(load_log(p.log), key=lambda e: e["seq"])]

        first, again, other = faults_of(7), faults_of(7), faults_of(8)
        check(first == again and len(first) == 30, "seed: the same seed replays the same decisions")
        check(first != other, "seed: another seed makes other decisions")
        kinds = Counter(f for _, f in first)
        check(10 <= 30 - kinds["ok"] <= 20 and len(kinds) >= 3, f"seed: rate 0.5 faults about half ({dict(kinds)})")

        p = proxy("--rate", "1", "--kinds", "5xx", "--spare", "2")
        got = [error_of(lambda: calls["query sts"](p.endpoint))[0] for _ in range(3)]
        check(got == [None, None, "InternalError"], f"spare 2: the first two are spared ({got})")
        p.stop()

        victim = subprocess.Popen(["sleep", "60"])
        pid_file = os.path.join(tmp, "pid")
        with open(pid_file, "w") as file:
            file.write(f"{victim.pid}\n")
        p = proxy("--rate", "0", "--kill-at", "2", "--kill-pid-file", pid_file)
        first_call = error_of(lambda: calls["json kms"](p.endpoint))
        second_call = error_of(lambda: calls["json kms"](p.endpoint))
        try:
            code = victim.wait(timeout=5)
        except subprocess.TimeoutExpired:
            victim.kill()
            code = "still running"
        check(first_call == (None, None) and second_call[0] == "ConnectionClosedError",
              f"kill-at 2: request 1 answered, request 2 not ({second_call[0]})")
        check(code == -signal.SIGKILL, f"kill-at 2: the pid in the file got SIGKILL (exit {code})")
        check([e["fault"] for e in logged(p)] == ["ok", "kill"], "kill-at 2: logged as kill")
        p.stop()

        victim = subprocess.Popen(["sleep", "60"])
        with open(pid_file, "w") as file:
            file.write(f"{victim.pid}\n")
        p = proxy("--rate", "0", "--kill-after", "CreateKey", "--kill-pid-file", pid_file)
        keys_before = len(kms_direct.list_keys()["Keys"])
        listed = error_of(lambda: calls["json kms"](p.endpoint))
        created = error_of(lambda: client("kms", p.endpoint).create_key(Description="faults-selftest kill-after"))
        keys_after = len(kms_direct.list_keys()["Keys"])
        try:
            code = victim.wait(timeout=5)
        except subprocess.TimeoutExpired:
            victim.kill()
            code = "still running"
        check(listed == (None, None) and created[0] == "ConnectionClosedError" and code == -signal.SIGKILL,
              f"kill-after CreateKey: ListKeys answered, CreateKey not ({created[0]}), SIGKILL (exit {code})")
        check(keys_after == keys_before + 1, f"kill-after CreateKey: the key was made ({keys_before} -> {keys_after})")
        check([e["fault"] for e in logged(p)] == ["ok", "kill-after"], "kill-after: logged as kill-after")
        p.stop()
    finally:
        for p in proxies:
            if p.process.poll() is None:
                p.stop()
        emulator.stop()

    print(f"{len(failures)} failed" if failures else "faults.py self-test: all checks passed")
    return 1 if failures else 0


def main():
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    count = sub.add_parser("count")
    count.add_argument("plan")
    count.add_argument("--endpoint", required=True)
    sub.add_parser("faults").add_argument("log")
    points = sub.add_parser("kill-points")
    points.add_argument("log")
    points.add_argument("count", type=int)
    sub.add_parser("killed").add_argument("log")
    lock = sub.add_parser("lock")
    lock.add_argument("--endpoint", required=True)
    lock.add_argument("--region", required=True)
    sub.add_parser("proxy-selftest")
    args = parser.parse_args()
    if args.command == "count":
        return cmd_count(args.plan, args.endpoint)
    if args.command == "faults":
        return cmd_faults(args.log)
    if args.command == "kill-points":
        return cmd_kill_points(args.log, args.count)
    if args.command == "killed":
        return cmd_killed(args.log)
    if args.command == "lock":
        return cmd_lock(args.endpoint, args.region)
    return cmd_proxy_selftest()


if __name__ == "__main__":
    sys.exit(main())
