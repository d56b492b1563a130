"""The pin command: a copy of an example pinned to the account, for this run.

The copy has the account's id, the run's home region and at most one more region (unless
--all-regions), a run suffix on every bucket name, force_destroy on the log bucket (unless
--keep-logs), and real e-mail addresses in place of the placeholders.
"""

import re
import sys

from .common import complain, fail_usage


PLACEHOLDER_EMAIL = re.compile(r"^[^@\s]+@example\.com$")


def replace_emails(node, email, path=()):
    """Every placeholder e-mail (…@example.com) becomes `email`; member accounts of an
    organization each need their own address, so theirs get `+NAME` before the @."""
    if isinstance(node, dict):
        return {k: replace_emails(v, email, path + (k,)) for k, v in node.items()}
    if isinstance(node, list):
        return [replace_emails(v, email, path) for v in node]
    if isinstance(node, str) and PLACEHOLDER_EMAIL.match(node):
        if len(path) >= 3 and path[0] == "organization" and path[1] == "accounts":
            local, domain = email.split("@", 1)
            return f"{local}+{path[2]}@{domain}"
        return email
    return node


def rename_home(regions, home, old_home):
    """The regions with the old home region replaced by the new one, each once."""
    return list(dict.fromkeys(home if r == old_home else r for r in regions))


def limit_regions(value, home, second, old_home):
    """`all`, or a list of more than two regions, becomes [home, second]. A shorter list is
    kept (with the old home region replaced when the home region was changed)."""
    if value is None:
        return None
    if value == "all":
        return [home, second]
    if isinstance(value, list):
        regions = rename_home(value, home, old_home)
        if len(regions) > 2:
            return [home, second]
        return regions
    return value


def render_name(template, account, region):
    return template.replace("{account_id}", account).replace("{region}", region)


def cmd_pin(args):
    try:
        import yaml
    except ImportError:
        complain("PyYAML is missing: run scripts/emulator-setup")
        return 3
    with open(args.source, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or not isinstance(doc.get("account"), dict):
        complain(f"{args.source} has no `account` section")
        return 1
    notes = []
    account = doc["account"]
    account["id"] = args.account
    old_home = account.get("home_region")
    home = args.home_region or old_home or "us-east-1"
    if home != old_home:
        notes.append(f"home_region {old_home or '(unset)'} -> {home}")
    account["home_region"] = home
    second = args.second_region or ("us-west-2" if home == "us-east-1" else "us-east-1")
    if second == home:
        fail_usage(f"the second region {second} is the home region")

    region_holders = (("account.regions", account), ("logging.config.regions", (doc.get("logging") or {}).get("config")))
    if not args.all_regions:
        for where, holder in region_holders:
            if isinstance(holder, dict) and "regions" in holder:
                before = holder["regions"]
                after = limit_regions(before, home, second, old_home)
                if after != before:
                    holder["regions"] = after
                    notes.append(f"{where} {before} -> {after}")
    elif home != old_home:
        for _, holder in region_holders:
            if isinstance(holder, dict) and isinstance(holder.get("regions"), list):
                holder["regions"] = rename_home(holder["regions"], home, old_home)

    # Bucket names are global: a suffix for this run, so a bucket kept by an earlier run (it
    # holds logs) or one being deleted never collides with this run's.
    logging = doc.get("logging") or {}
    suffixed = []

    def suffix(holder, key):
        if isinstance(holder, dict) and isinstance(holder.get(key), str):
            holder[key] = f"{holder[key]}-{args.run_id}"
            rendered = render_name(holder[key], args.account, home)
            if len(rendered) > 63:
                fail_usage(f"bucket name {rendered} is longer than 63 characters with the run suffix")
            suffixed.append(rendered)

    bucket = logging.get("bucket")
    suffix(bucket, "name")
    if isinstance(bucket, dict):
        suffix(bucket.get("access_logging"), "bucket")
        if not args.keep_logs:
            bucket["force_destroy"] = True
            notes.append("logging.bucket.force_destroy: true")
    suffix(logging.get("athena"), "results_bucket")
    if suffixed:
        notes.append("buckets " + ", ".join(suffixed))

    if args.email:
        doc = replace_emails(doc, args.email)
        notes.append(f"placeholder e-mails -> {args.email}")

    header = (
        f"# Written by scripts/acceptance from {args.label} for run {args.run_id}:\n"
        f"# pinned to account {args.account}; {'; '.join(notes) if notes else 'no other change'}.\n"
    )
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(header)
        yaml.safe_dump(doc, f, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000)
    print(home)
    for note in notes:
        print(f"  pinned copy: {note}", file=sys.stderr)
    return 0
