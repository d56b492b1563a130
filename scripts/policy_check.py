#!/usr/bin/env python3
"""Runs an OPA/conftest policy against a baseline plan the way `conftest test` does: the
`deny` and `warn` rules of package `main`, each message printed as FAIL or WARN; exit 1 when
anything is denied. The suite uses it to test examples/policy against real plans without the
conftest binary (regopy, a Rego interpreter, is installed into .venv by scripts/emulator-setup).

    scripts/policy_check.py POLICY_DIR_OR_FILE PLAN.json
"""

import json
import sys
from pathlib import Path

from regopy import Interpreter


def rules(interpreter, name):
    """The messages of the set rule `data.main.NAME` (empty when no rule of it matched)."""
    result = json.loads(str(interpreter.query(f"data.main.{name}")))
    expressions = result.get("expressions") or [[]]
    return sorted(expressions[0] or [])


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    policy, plan = Path(sys.argv[1]), Path(sys.argv[2])
    files = sorted(policy.glob("*.rego")) if policy.is_dir() else [policy]
    interpreter = Interpreter()
    for file in files:
        interpreter.add_module(file.name, file.read_text(encoding="utf-8"))
    interpreter.set_input_term(plan.read_text(encoding="utf-8"))
    denied, warned = rules(interpreter, "deny"), rules(interpreter, "warn")
    for message in denied:
        print(f"FAIL - {plan} - main - {message}")
    for message in warned:
        print(f"WARN - {plan} - main - {message}")
    print(f"{len(denied)} failure(s), {len(warned)} warning(s)")
    sys.exit(1 if denied else 0)


if __name__ == "__main__":
    main()
