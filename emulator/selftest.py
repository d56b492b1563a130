"""Self-test of the emulator's additions (extensions/) and fixes (launch.py), with boto3.

    .venv/bin/python emulator/selftest.py

Starts launch.py on port 0, works in two fresh accounts (sts:AssumeRole) to show that every
piece of state is the account's own, and exits non-zero if any check fails. The access checks
(CloudTrail and Config refusing a policy AWS would refuse) need the oracle installed by
scripts/oracle-setup; this self-test installs nothing and fails them when it is missing.
The checks are in selftest_checks/.
"""

import os
import shutil
import sys
import traceback

sys.dont_write_bytecode = True  # importing selftest_checks/ leaves no __pycache__ in emulator/
from selftest_checks.access import ACCESS_CHECKS  # noqa: E402
from selftest_checks.harness import Emulator, fresh_account  # noqa: E402
from selftest_checks.services import SERVICE_CHECKS  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKS = [*SERVICE_CHECKS, *ACCESS_CHECKS]
ORACLE = os.path.join(os.path.dirname(HERE), "oracle", "node_modules", "@cloud-copilot",
                      "iam-simulate")


def main():
    checks, failed = CHECKS, 0
    if not os.path.isdir(ORACLE) or shutil.which("node") is None:
        # The access checks need the oracle; this self-test installs nothing.
        checks = [c for c in CHECKS if c not in ACCESS_CHECKS]
        failed = len(ACCESS_CHECKS)
        print("FAIL  the access checks need the oracle (node and oracle/node_modules): run "
              f"scripts/oracle-setup first; {failed} checks not run")
    emulator = Emulator()
    try:
        a, b = (fresh_account(emulator) for _ in range(2))
        for check in checks:
            try:
                check(emulator, a, b)
                print(f"ok    {check.__name__}")
            except Exception:  # noqa: BLE001 - every failure is reported, then the next check runs
                failed += 1
                print(f"FAIL  {check.__name__}\n{traceback.format_exc()}")
    finally:
        emulator.stop()
    print(f"{len(CHECKS) - failed} of {len(CHECKS)} checks passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
