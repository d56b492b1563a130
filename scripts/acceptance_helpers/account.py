"""The account-id command: the account, partition and caller ARN of the credentials, from
real AWS only (an endpoint that is not AWS is refused unless --allow-endpoint).
"""

import re

from .common import Aws, complain, error_text


def cmd_account_id(args):
    try:
        aws = Aws(args.profile)
        sts = aws.client("sts", args.region)
    except Exception as err:  # noqa: BLE001 - a missing profile, a broken config file
        complain(err)
        return 1
    endpoint = sts.meta.endpoint_url or ""
    host = re.sub(r"^[a-z]+://", "", endpoint).split("/")[0].split(":")[0]
    real = host.endswith(".amazonaws.com") or host.endswith(".amazonaws.com.cn") or host.endswith(".api.aws")
    if not real and not args.allow_endpoint:
        complain(
            f"STS would be called at {endpoint}, which is not AWS "
            "(an endpoint_url in the profile?); the acceptance run must reach real AWS"
        )
        return 1
    try:
        ident = sts.get_caller_identity()
    except Exception as err:  # noqa: BLE001 - any failure here ends the run with its text
        complain(f"sts:GetCallerIdentity failed: {error_text(err)}")
        return 1
    arn = ident["Arn"]
    partition = arn.split(":")[1] if arn.count(":") >= 5 else "aws"
    print(ident["Account"], partition, arn)
    return 0
