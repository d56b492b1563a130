"""The check command: the delivery checks of a plan, polled until each passes or the
deadline; a COLUMN=STATUS line each for the summary table.
"""

import re
import sys
import time

from .common import Aws, fail_usage, minutes
from .delivery import FAIL, PASS, WARN, Context, build_checks
from .plan import load_plan

# The summary table's delivery columns, in order (scripts/acceptance prints them).
COLUMNS = ("trail_s3", "trail_status", "config", "cw_logs", "sns", "access_logs")


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
