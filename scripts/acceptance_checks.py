"""Helpers for scripts/acceptance, the acceptance run against a real AWS account
(docs/acceptance.md). Run with the repository's .venv python (boto3 and PyYAML, installed by
scripts/emulator-setup). `make test` never runs this.

    account-id  print the account id, partition and caller ARN of the credentials
    pin         write a copy of an example pinned to the account, for this run
    check       check that CloudTrail, AWS Config, CloudWatch Logs, SNS and S3 server access
                logging really deliver, with a deadline
    leftovers   list what is still in the account after destroy, with commands to remove it
    delete-bucket  empty a versioned bucket that destroy kept (every version), then delete it

Names (buckets, trails, topics, log groups, regions) come from `baseline plan --json` of the
pinned file, not from the YAML: the plan is baseline's own rendering of `{account_id}` and
`{region}`, of the defaults (log group `/aws/cloudtrail/TRAIL`, access-log prefix, the
regions of `all`), and of what apply actually made.
"""

import argparse
import os
import sys

# The commands are in acceptance_helpers/, one module each.
sys.dont_write_bytecode = True  # importing acceptance_helpers/ leaves no __pycache__ in scripts/
from acceptance_helpers.account import cmd_account_id  # noqa: E402
from acceptance_helpers.check import cmd_check  # noqa: E402
from acceptance_helpers.common import complain  # noqa: E402
from acceptance_helpers.leftovers import cmd_delete_bucket, cmd_leftovers  # noqa: E402
from acceptance_helpers.pin import cmd_pin  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("account-id", help="print ACCOUNT PARTITION ARN of the credentials")
    p.add_argument("--profile")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--allow-endpoint", action="store_true", help="accept an endpoint that is not AWS (emulator)")
    p.set_defaults(run=cmd_account_id)

    p = sub.add_parser("pin", help="write a pinned copy of an example; prints its home region")
    p.add_argument("--source", required=True)
    p.add_argument("--label", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--account", required=True)
    p.add_argument("--run-id", required=True)
    p.add_argument("--email")
    p.add_argument("--home-region")
    p.add_argument("--second-region")
    p.add_argument("--all-regions", action="store_true")
    p.add_argument("--keep-logs", action="store_true")
    p.set_defaults(run=cmd_pin)

    p = sub.add_parser("check", help="delivery checks from a plan JSON")
    p.add_argument("--plan", required=True)
    p.add_argument("--profile")
    p.add_argument("--partition", default="aws")
    p.add_argument("--since", type=float, required=True, help="epoch seconds when apply began")
    p.add_argument("--timeout", default="900")
    p.add_argument("--run-id", default="manual")
    p.add_argument("--results", help="write COLUMN=STATUS lines here")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("leftovers", help="what is still there after destroy, with commands")
    p.add_argument("--after", required=True, help="plan JSON made after destroy")
    p.add_argument("--before", help="plan JSON made before apply")
    p.add_argument("--remaining", help="addresses destroy would still delete, one a line")
    p.add_argument("--profile")
    p.add_argument("--account", required=True)
    p.add_argument("--example", required=True)
    p.add_argument("--pinned", required=True)
    p.add_argument("--python", default=sys.executable)
    p.set_defaults(run=cmd_leftovers, script=os.path.abspath(__file__))

    p = sub.add_parser("delete-bucket", help="empty a versioned bucket destroy kept, then delete it")
    p.add_argument("--profile")
    p.add_argument("--region", required=True)
    p.add_argument("bucket")
    p.set_defaults(run=cmd_delete_bucket)

    args = parser.parse_args()
    try:
        sys.exit(args.run(args))
    except KeyboardInterrupt:
        complain("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
