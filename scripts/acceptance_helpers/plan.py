"""Reading `baseline plan --json`: addresses, changes, and what the plan wants present."""

import json

from .common import complain


def parse_address(text):
    """`[region/]kind[.name]`, as crates/core/src/addr.rs: a region has no dot; a name may
    hold slashes (`ap-northeast-1/logs_group./aws/cloudtrail/main`)."""
    region, rest = None, text
    if "/" in text:
        head, tail = text.split("/", 1)
        if "." not in head:
            region, rest = head, tail
    kind, _, name = rest.partition(".")
    return region, kind, (name or None)


def parsed_changes(resource_changes):
    """Each change (format 3: `type`, `name`, `region`, `change: {actions, before, after}`)
    with its kind and its `change` laid flat: `actions`, `before`, `after`."""
    changes = []
    for change in resource_changes or []:
        region, kind, name = parse_address(change["address"])
        if (change.get("type"), change.get("name"), change.get("region")) != (kind, name, region):
            complain(f"{change['address']}: `type`, `name` and `region` do not match the address")
        changes.append(dict(change, kind=kind, **change["change"]))
    return changes


def load_plan(path):
    with open(path, encoding="utf-8") as f:
        plan = json.load(f)
    major = str(plan.get("format_version", "0")).split(".")[0]
    if major != "3":
        complain(f"{path}: plan format {plan.get('format_version')} is not one this script knows (3.x)")
    return plan, parsed_changes(plan.get("resource_changes"))


def is_manual(change):
    """A manual item or finding: it carries `manual` whether done (no-op) or not."""
    return "manual" in change or change.get("actions") == ["manual"]


def declared(changes, kind):
    """Resources of a kind that the plan wants present (manual items and deletions left out)."""
    return [c for c in changes if c["kind"] == kind and c.get("after") is not None and not is_manual(c)]


def account_parts(path):
    """[(account id, changes)]: the pinned account first, then each member account."""
    plan, changes = load_plan(path)
    parts = [(plan.get("account_id"), changes)]
    for member in plan.get("accounts") or []:
        parts.append((member.get("account_id"), parsed_changes(member.get("resource_changes"))))
    return parts
