#!/usr/bin/env python3
"""The per-region profile of one run through emulator/faults.py, from its --log: calls and the
latency the proxy added, by region (global services count as us-east-1), and the call count.

    bench/latency_profile.py PROXY_LOG.jsonl [-v]     (-v: by operation too)
"""

import json
import sys
from collections import Counter


def main():
    calls, services, operations = Counter(), Counter(), Counter()
    with open(sys.argv[1], encoding="utf-8") as log:
        for line in log:
            entry = json.loads(line)
            region = entry.get("region") or "us-east-1"
            calls[region] += 1
            services[entry.get("service") or "?"] += 1
            operations[entry.get("operation") or "?"] += 1
    total = sum(calls.values())
    print(f"  calls through the proxy: {total}")
    print("  by region: " + ", ".join(f"{r} {n}" for r, n in sorted(calls.items(), key=lambda x: -x[1])))
    print("  by service: " + ", ".join(f"{s} {n}" for s, n in services.most_common()))
    if "-v" in sys.argv:
        print("  by operation: " + ", ".join(f"{o} {n}" for o, n in operations.most_common()))


if __name__ == "__main__":
    main()
