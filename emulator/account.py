"""Print shell exports for a fresh account on the emulator: sts:AssumeRole into a new
12-digit account id (moto does not check the role), so each run starts from an empty account.

    eval "$(python emulator/account.py http://127.0.0.1:PORT)"
"""

import random
import sys

import boto3


def main():
    endpoint = sys.argv[1]
    account_id = sys.argv[2] if len(sys.argv) > 2 else str(random.randint(200_000_000_000, 899_999_999_999))
    sts = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/baseline-demo",
        RoleSessionName="baseline-demo",
    )["Credentials"]
    print(f"export AWS_ACCESS_KEY_ID={creds['AccessKeyId']}")
    print(f"export AWS_SECRET_ACCESS_KEY={creds['SecretAccessKey']}")
    print(f"export AWS_SESSION_TOKEN={creds['SessionToken']}")
    print(f"export AWS_ENDPOINT_URL={endpoint}")
    print(f"export BASELINE_ACCOUNT_ID={account_id}")


if __name__ == "__main__":
    main()
