"""What destroy leaves in the account: the leftovers command lists it with the commands that
remove it, and delete-bucket empties and deletes a versioned bucket that destroy kept.
"""

import shlex
from dataclasses import dataclass

from .common import Aws, complain
from .plan import account_parts, is_manual


def read_lines(path):
    if not path:
        return set()
    try:
        with open(path, encoding="utf-8") as f:
            return {line.strip() for line in f if line.strip()}
    except FileNotFoundError:
        return set()


@dataclass
class Commands:
    aws: object
    profile: str
    python: str
    account: str
    pinned: str
    script: str  # scripts/acceptance_checks.py, for its delete-bucket command

    def cli(self, *words):
        text = " ".join(shlex.quote(w) for w in words)
        if self.profile:
            text += f" --profile {shlex.quote(self.profile)}"
        return text

    def empty_and_delete_bucket(self, name, region):
        words = [self.python, self.script, "delete-bucket", "--region", region]
        if self.profile:
            words += ["--profile", self.profile]
        return " ".join(shlex.quote(w) for w in words + [name])

    def for_change(self, change):
        """(what it is, [commands]) for a resource still in the account."""
        kind, name, region = change["kind"], change["name"], change["region"]
        before = change.get("before") or {}
        if kind == "s3_bucket":
            return (
                f"S3 bucket {name} ({region}), versioned: every object version must go before the bucket "
                "(or in the console: S3 -> the bucket -> Empty, then Delete)",
                [self.empty_and_delete_bucket(name, region)],
            )
        if kind == "kms_key":
            alias = f"alias/{name}"
            key_id, state = None, None
            if self.aws is not None:
                try:
                    meta = self.aws.client("kms", region).describe_key(KeyId=alias)["KeyMetadata"]
                    key_id, state = meta["KeyId"], meta.get("KeyState")
                except Exception:  # noqa: BLE001 - the commands below still say how
                    pass
            what = f"KMS key {alias} ({region}){', ' + state if state else ''}: $1 a month until scheduled for deletion"
            commands = []
            if state != "PendingDeletion":
                if key_id:
                    commands.append(self.cli("aws", "kms", "schedule-key-deletion", "--region", region, "--key-id", key_id, "--pending-window-in-days", "7"))
                else:
                    find = self.cli("aws", "kms", "describe-key", "--region", region, "--key-id", alias, "--query", "KeyMetadata.KeyId", "--output", "text")
                    schedule = self.cli("aws", "kms", "schedule-key-deletion", "--region", region, "--key-id", "KEY", "--pending-window-in-days", "7")
                    commands.append(f'key=$({find}) && ' + schedule.replace(" KEY ", ' "$key" '))
            # A later run would adopt a key found by this alias, even one pending deletion.
            commands.append(self.cli("aws", "kms", "delete-alias", "--region", region, "--alias-name", alias))
            return what, commands
        if kind == "guardduty_detector":
            find = self.cli("aws", "guardduty", "list-detectors", "--region", region, "--query", "DetectorIds[0]", "--output", "text")
            delete = self.cli("aws", "guardduty", "delete-detector", "--region", region, "--detector-id", "ID")
            return (
                f"GuardDuty detector ({region}); billed while enabled",
                [f'id=$({find}) && ' + delete.replace(" ID", ' "$id"', 1)],
            )
        # The kinds one command removes: what each is, and the command's words.
        analyzer = before.get("name") or "baseline"
        member = before.get("id", "ACCOUNT_ID")
        one_command = {
            "logs_group": (
                f"CloudWatch Logs group {name} ({region})",
                ["logs", "delete-log-group", "--region", region, "--log-group-name", name],
            ),
            "access_analyzer": (
                f"IAM Access Analyzer {analyzer} ({region}); free, a protection: keep it unless you want the account as before",
                ["accessanalyzer", "delete-analyzer", "--region", region, "--analyzer-name", analyzer],
            ),
            "ebs_encryption_by_default": (
                f"EBS encryption by default ({region}); free, a protection",
                ["ec2", "disable-ebs-encryption-by-default", "--region", region],
            ),
            "s3_account_public_access_block": (
                "S3 Block Public Access for the account; free, a protection",
                ["s3control", "delete-public-access-block", "--account-id", self.account],
            ),
            "securityhub": (
                f"Security Hub ({region}); billed while enabled",
                ["securityhub", "disable-security-hub", "--region", region],
            ),
            "account_region": (
                f"opted-in region {name}",
                ["account", "disable-region", "--region-name", name or ""],
            ),
            "org_account": (
                f"member account {name} ({member}, {before.get('email', '')}); closing is final after 90 days, "
                "and AWS limits how many accounts may be closed per month",
                ["organizations", "close-account", "--account-id", member],
            ),
            "org_unit": (
                f"organizational unit {name}: delete it once empty (AWS Organizations -> AWS accounts -> the OU -> Actions -> Delete)",
                ["organizations", "delete-organizational-unit", "--organizational-unit-id", "OU_ID"],
            ),
            "org_service_access": (
                f"trusted access for {name}",
                ["organizations", "disable-aws-service-access", "--service-principal", name or ""],
            ),
            "org_delegated_admin": (
                f"delegated administrator of {name}",
                ["organizations", "deregister-delegated-administrator", "--account-id", before.get("account", "ACCOUNT_ID"), "--service-principal", name or ""],
            ),
            "organization": (
                "the organization: it can be deleted only when no member account is left in it",
                ["organizations", "delete-organization"],
            ),
        }
        if kind in one_command:
            what, words = one_command[kind]
            return what, [self.cli("aws", *words)]
        return (
            "no command known to this script",
            [f"run `baseline destroy -f {self.pinned}` again, or remove it by hand (docs/acceptance.md)"],
        )

def print_group(title, changes, commands):
    if not changes:
        return
    print(title)
    for change in changes:
        what, cmds = commands.for_change(change)
        print(f"  - {change['address']}: {what}")
        for cmd in cmds:
            print(f"      {cmd}")


def cmd_leftovers(args):
    after = account_parts(args.after)
    before_actions = {}
    if args.before:
        try:
            for account, changes in account_parts(args.before):
                for change in changes:
                    before_actions[(account, change["address"])] = (change.get("actions") or [""])[0]
        except (OSError, ValueError):
            before_actions = {}
    remaining = read_lines(args.remaining)
    try:
        aws = Aws(args.profile)
    except (SystemExit, Exception):  # noqa: BLE001 - without boto3 the commands still print
        aws = None

    label = args.example
    anything = False
    for account, changes in after:
        pinned = account == args.account
        if pinned:
            commands = Commands(aws, args.profile, args.python, account, args.pinned, args.script)
            where = f"account {account}"
        else:
            # Commands for a member account need that account's credentials.
            commands = Commands(None, None, args.python, account, args.pinned, args.script)
            where = f"member account {account} (run these with credentials for it, e.g. through OrganizationAccountAccessRole)"
        still = [c for c in changes if not is_manual(c) and c.get("before") is not None]
        if not still:
            continue
        anything = True
        # Access-log targets last: the log bucket writes its access logs into them.
        targets = {
            c["before"]["access_logging"].get("bucket")
            for c in still
            if c["kind"] == "s3_bucket" and isinstance(c["before"].get("access_logging"), dict)
        }
        # Organizations last, in the order AWS allows: delegated administrators and trusted
        # access, then accounts, then OUs from the deepest, then the organization.
        order = ["org_delegated_admin", "org_service_access", "org_account", "org_unit", "organization"]
        still.sort(
            key=lambda c: (
                order.index(c["kind"]) + 1 if c["kind"] in order else 0,
                c["kind"] == "s3_bucket" and c["name"] in targets,
                -(c["name"] or "").count("/") if c["kind"] == "org_unit" else 0,
            )
        )

        def made_here(change):
            # A member account the run created has no entry in the plan before apply.
            action = before_actions.get((account, change["address"]), "create" if not pinned else "")
            return action in ("create", "update")

        failed = [c for c in still if c["address"] in remaining]
        kept = [c for c in still if c["address"] not in remaining]
        print_group(
            f"{label}: in {where}, destroy did not remove these (it failed on them or skipped them; see its log):",
            failed,
            commands,
        )
        print_group(
            f"{label}: in {where}, destroy keeps these on purpose, and this run made or changed them:",
            [c for c in kept if made_here(c)],
            commands,
        )
        found = [c["address"] for c in kept if not made_here(c)]
        if found:
            print(f"{label}: in {where}, left as they were before the run (they already matched): {', '.join(found)}")
    if not anything:
        print(f"{label}: nothing the example declares is left in account {args.account}.")
    return 0


def cmd_delete_bucket(args):
    """Deletes every object version and delete marker, then the bucket: for a versioned log
    bucket that destroy kept. Only the bucket named on the command line."""
    aws = Aws(args.profile)
    s3 = aws.client("s3", args.region)
    deleted = 0
    while True:
        out = s3.list_object_versions(Bucket=args.bucket, MaxKeys=1000)
        objects = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in (out.get("Versions") or []) + (out.get("DeleteMarkers") or [])
        ]
        if not objects:
            break
        result = s3.delete_objects(Bucket=args.bucket, Delete={"Objects": objects, "Quiet": True})
        errors = result.get("Errors") or []
        if errors:
            first = errors[0]
            complain(
                f"{len(errors)} object(s) not deleted, e.g. {first.get('Key')}: "
                f"{first.get('Code')} {first.get('Message')}"
            )
            return 1
        deleted += len(objects)
    s3.delete_bucket(Bucket=args.bucket)
    print(f"deleted s3://{args.bucket} and {deleted} object version(s) and delete marker(s)")
    return 0
