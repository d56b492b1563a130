"""IAM: the OIDC trust policies docs/ci.md gives the roles, and how they match a token.

Conditions are matched as IAM matches them (StringEquals exactly, StringLike with * and ?).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .results import rel, report

ISSUER = "token.actions.githubusercontent.com"
AUDIENCE = "sts.amazonaws.com"  # what configure-aws-credentials asks for unless `audience:` says otherwise
ROLE_VARIABLE = re.compile(r"\b[A-Z][A-Z0-9_]*_ROLE_ARN\b")


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def trusts_github(policy) -> bool:
    if not isinstance(policy, dict):
        return False
    for statement in as_list(policy.get("Statement")):
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        if isinstance(principal, dict):
            for federated in as_list(principal.get("Federated")):
                if str(federated).endswith(f"oidc-provider/{ISSUER}"):
                    return True
    return False


def trust_policies(path: Path) -> dict[str, tuple[dict, int, str]]:
    """Role variable -> (trust policy, line, heading), from the JSON blocks of docs/ci.md that
    trust GitHub's OIDC provider; each names its role variable in the heading above it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: dict[str, tuple[dict, int, str]] = {}
    heading, i = "", 0
    while i < len(lines):
        fence = re.match(r"^(```+|~~~+)\s*([\w-]*)", lines[i])
        if not fence:
            if re.match(r"^#{1,6}\s", lines[i]):
                heading = lines[i]
            i += 1
            continue
        start, end = i + 1, i + 1
        while end < len(lines) and not lines[end].startswith(fence.group(1)):
            end += 1
        i = end + 1
        if fence.group(2).lower() != "json":
            continue
        try:
            policy = json.loads("\n".join(lines[start:end]))
        except json.JSONDecodeError:
            continue
        if not trusts_github(policy):
            continue
        where = f"{rel(path)}:{start}"
        names = sorted(set(ROLE_VARIABLE.findall(heading)))
        if len(names) != 1:
            report(False, "docs", f"{where}: the trust policy's heading ({heading.strip() or 'none'!r}) must name one role variable, e.g. BASELINE_PLAN_ROLE_ARN")
            continue
        if names[0] in found:
            report(False, "docs", f"{where}: a second trust policy for {names[0]} (the first is at line {found[names[0]][1]})")
            continue
        found[names[0]] = (policy, start, heading.strip("# ").strip())
    return found


def like(pattern: str, value: str) -> bool:
    """IAM's StringLike: * is any run of characters, ? any one character; case-sensitive."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.S) is not None


STRING_OPERATORS = {
    "stringequals": (lambda p, v: p == v, False),
    "stringnotequals": (lambda p, v: p == v, True),
    "stringequalsignorecase": (lambda p, v: p.lower() == v.lower(), False),
    "stringnotequalsignorecase": (lambda p, v: p.lower() == v.lower(), True),
    "stringlike": (like, False),
    "stringnotlike": (like, True),
}


def operator_name(operator: str) -> str:
    """A condition operator as STRING_OPERATORS names it: lower case, without IfExists and
    without a set qualifier (ForAnyValue: on a single value is the plain operator)."""
    return operator.lower().removesuffix("ifexists").split(":")[-1]


def conditions_hold(condition: dict, claims: dict[str, str]) -> tuple[bool, str | None]:
    """Whether every condition holds for the token's claims; or why it cannot be told."""
    for operator, keys in (condition or {}).items():
        if_exists = operator.lower().endswith("ifexists")
        name = operator_name(operator)
        if name not in STRING_OPERATORS:
            return False, f"condition operator {operator} is not one this check knows"
        match, negated = STRING_OPERATORS[name]
        for key, values in (keys or {}).items():
            issuer, _, claim = key.lower().rpartition(":")
            if issuer != ISSUER or claim not in claims:
                if if_exists:
                    continue
                return False, f"condition key {key} is not a claim this check knows (sub, aud)"
            hit = any(match(str(p), claims[claim]) for p in as_list(values))
            if hit == negated:
                return False, None
    return True, None


def action_matches(statement: dict) -> bool:
    return any(like(str(a).lower(), "sts:assumerolewithwebidentity") for a in as_list(statement.get("Action")))


def constrains(statement: dict, claim: str) -> bool:
    for operator, keys in (statement.get("Condition") or {}).items():
        name = operator_name(operator)
        if name in STRING_OPERATORS and not STRING_OPERATORS[name][1]:
            if any(k.lower() == f"{ISSUER}:{claim}" for k in (keys or {})):
                return True
    return False


def trust_allows(policy: dict, claims: dict[str, str]) -> tuple[bool, str]:
    allowed, reason = False, ""
    for statement in as_list(policy.get("Statement")):
        if not (isinstance(statement, dict) and trusts_github({"Statement": [statement]}) and action_matches(statement)):
            continue
        holds, unknown = conditions_hold(statement.get("Condition") or {}, claims)
        if unknown:
            return False, unknown
        if not holds:
            continue
        if statement.get("Effect") == "Deny":
            return False, f"statement {statement.get('Sid', '')} denies it"
        if not constrains(statement, "sub"):
            return False, "the allowing statement has no condition on sub: it trusts every repository on GitHub"
        if not constrains(statement, "aud"):
            return False, f"the allowing statement has no condition on aud (it must be {AUDIENCE})"
        allowed = True
    if not allowed:
        trusted = sorted(
            {
                str(v)
                for s in as_list(policy.get("Statement"))
                if isinstance(s, dict)
                for keys in (s.get("Condition") or {}).values()
                for k, values in (keys or {}).items()
                if k.lower() == f"{ISSUER}:sub"
                for v in as_list(values)
            }
        )
        reason = f"it trusts sub {', '.join(trusted) or 'nothing'}"
    return allowed, reason
