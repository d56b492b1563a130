#!/usr/bin/env python3
"""Checks the GitHub Actions workflows, and the OIDC trust policies docs/ci.md gives their roles.

1. Every workflow file (examples/github-actions/*.yml, and .github/workflows/*.yml when there
   are any) is valid against GitHub's workflow schema: check-jsonschema's vendored
   `vendor.github-workflows`, offline.
2. Every job of the example workflow that assumes an AWS role (aws-actions/configure-aws-
   credentials with `role-to-assume: ${{ vars.NAME }}`) is trusted by that role: for each event
   that runs the job, the OIDC subject GitHub presents (environment: NAME ->
   repo:ORG/REPO:environment:NAME; else pull_request -> repo:ORG/REPO:pull_request; push,
   schedule, workflow_dispatch on main -> repo:ORG/REPO:ref:refs/heads/main) and the audience
   (sts.amazonaws.com) must be allowed by the trust policy docs/ci.md gives the role: the JSON
   block that trusts token.actions.githubusercontent.com under the heading that names NAME.
   Conditions are matched as IAM matches them (StringEquals exactly, StringLike with * and ?).

Prints one line per check and exits 1 when any fails. Needs check-jsonschema (and its
ruamel.yaml): scripts/emulator-setup installs both into .venv from
tests/workflows/requirements.txt, so run it as

    .venv/bin/python scripts/check_workflows.py [--repo ORG/REPO] [--docs FILE] [--workflow FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ISSUER = "token.actions.githubusercontent.com"
AUDIENCE = "sts.amazonaws.com"  # what configure-aws-credentials asks for unless `audience:` says otherwise
CONFIGURE_ACTION = "aws-actions/configure-aws-credentials"
ROLE_VARIABLE = re.compile(r"\b[A-Z][A-Z0-9_]*_ROLE_ARN\b")

failures = 0


def report(ok: bool, kind: str, message: str) -> None:
    global failures
    if not ok:
        failures += 1
    print(f"{'ok  ' if ok else 'FAIL'}  {kind:<7} {message}")


def rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# --- 1. The schema --------------------------------------------------------------------------


def check_schema(files: list[Path]) -> None:
    for path in files:
        done = subprocess.run(
            [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", "--output-format", "json", str(path)],
            capture_output=True,
            text=True,
        )
        try:
            result = json.loads(done.stdout)
        except json.JSONDecodeError:
            result = None
        if done.returncode == 0 and result and result.get("status") == "ok":
            report(True, "schema", f"{rel(path)}: valid against GitHub's workflow schema (vendor.github-workflows)")
            continue
        if result is None:
            problems = [(done.stdout + done.stderr).strip() or f"check-jsonschema exited {done.returncode}"]
        else:
            problems = [str(e.get("message") or e).splitlines()[0] for e in result.get("parse_errors", [])]
            for error in result.get("errors", []):
                best = error.get("best_deep_match") or error.get("best_match") or error
                problems.append(f"{best.get('path', '')}: {best.get('message', '')}")
        for problem in problems or ["invalid"]:
            report(False, "schema", f"{rel(path)}: not valid against GitHub's workflow schema: {problem}")


# --- GitHub expressions, evaluated as far as an event and a ref decide them --------------------


class Unknown:
    """A value the event alone does not decide (inputs, vars, needs outputs, event payload)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()
STATUS_FUNCTIONS = {"success", "failure", "always", "cancelled"}
TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>'(?:[^']|'')*')
    | (?P<num>\d+(?:\.\d+)?)
    | (?P<op>==|!=|<=|>=|&&|\|\||[!<>()\[\],.*])
    | (?P<ident>[A-Za-z_][A-Za-z0-9_-]*)
    )""",
    re.X,
)


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, at = [], 0
    text = text.strip()
    while at < len(text):
        m = TOKEN.match(text, at)
        if not m or m.end() == at:
            raise ValueError(f"cannot read the expression at {text[at:]!r}")
        kind = m.lastgroup
        tokens.append((kind, m.group(kind)))
        at = m.end()
        while at < len(text) and text[at].isspace():
            at += 1
    return tokens


class Expression:
    """Parses one GitHub expression into nested tuples."""

    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.at = 0
        self.tree = self.parse_or()
        if self.at != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.at][1]!r}")

    def peek(self) -> str | None:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else None

    def take(self, want: str | None = None) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise ValueError("the expression ends too early")
        token = self.tokens[self.at]
        if want is not None and token[1] != want:
            raise ValueError(f"expected {want!r}, found {token[1]!r}")
        self.at += 1
        return token

    def parse_or(self):
        left = self.parse_and()
        while self.peek() == "||":
            self.take()
            left = ("||", left, self.parse_and())
        return left

    def parse_and(self):
        left = self.parse_equality()
        while self.peek() == "&&":
            self.take()
            left = ("&&", left, self.parse_equality())
        return left

    def parse_equality(self):
        left = self.parse_comparison()
        while self.peek() in ("==", "!="):
            op = self.take()[1]
            left = (op, left, self.parse_comparison())
        return left

    def parse_comparison(self):
        left = self.parse_unary()
        while self.peek() in ("<", ">", "<=", ">="):
            op = self.take()[1]
            left = (op, left, self.parse_unary())
        return left

    def parse_unary(self):
        if self.peek() == "!":
            self.take()
            return ("!", self.parse_unary())
        return self.parse_postfix()

    def parse_postfix(self):
        node = self.parse_primary()
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                kind, name = self.take()
                node = ("index", node, ("lit", "*" if name == "*" else name))
            else:
                node = ("index", node, self.parse_or())
                self.take("]")
        return node

    def parse_primary(self):
        kind, text = self.take()
        if kind == "str":
            return ("lit", text[1:-1].replace("''", "'"))
        if kind == "num":
            return ("lit", float(text))
        if text == "(":
            node = self.parse_or()
            self.take(")")
            return node
        if kind == "ident":
            if text in ("true", "false"):
                return ("lit", text == "true")
            if text == "null":
                return ("lit", None)
            if self.peek() == "(":
                self.take("(")
                args = []
                while self.peek() != ")":
                    args.append(self.parse_or())
                    if self.peek() == ",":
                        self.take(",")
                self.take(")")
                return ("call", text.lower(), args)
            return ("context", text)
        raise ValueError(f"unexpected {text!r}")


def truthy(value) -> bool:
    return value not in (None, False, 0, 0.0, "") and value == value  # NaN is falsy


def calls(tree) -> set[str]:
    if not isinstance(tree, tuple):
        return set()
    found = {tree[1]} if tree[0] == "call" else set()
    for part in tree[1:]:
        if isinstance(part, tuple):
            found |= calls(part)
        elif isinstance(part, list):
            for item in part:
                found |= calls(item)
    return found


def loose_equal(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()  # GitHub compares strings ignoring case

    def number(v):
        if isinstance(v, bool):
            return 1.0 if v else 0.0
        if v is None:
            return 0.0
        if isinstance(v, (int, float)):
            return float(v)
        try:
            return float(v) if str(v).strip() else 0.0
        except ValueError:
            return float("nan")

    if type(a) is type(b):
        return a == b
    return number(a) == number(b)


def evaluate(tree, contexts: dict, status: dict):
    op = tree[0]
    if op == "lit":
        return tree[1]
    if op == "context":
        return contexts.get(tree[1].lower(), UNKNOWN)
    if op == "index":
        base = evaluate(tree[1], contexts, status)
        key = evaluate(tree[2], contexts, status)
        if isinstance(base, dict) and isinstance(key, str):
            lowered = {k.lower(): v for k, v in base.items()}
            return lowered.get(key.lower(), UNKNOWN)
        return UNKNOWN
    if op == "!":
        value = evaluate(tree[1], contexts, status)
        return UNKNOWN if value is UNKNOWN else not truthy(value)
    if op in ("&&", "||"):
        left = evaluate(tree[1], contexts, status)
        if left is not UNKNOWN and (truthy(left) != (op == "&&")):
            return left  # false && x, true || x
        right = evaluate(tree[2], contexts, status)
        if left is not UNKNOWN:
            return right
        if right is not UNKNOWN and truthy(right) != (op == "&&"):
            return right  # x && false is false, x || true is true, whatever x is
        return UNKNOWN
    if op in ("==", "!=", "<", ">", "<=", ">="):
        left = evaluate(tree[1], contexts, status)
        right = evaluate(tree[2], contexts, status)
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        if op in ("==", "!="):
            return loose_equal(left, right) == (op == "==")
        if isinstance(left, (int, float)) and isinstance(right, (int, float)):
            return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]
        return UNKNOWN
    if op == "call":
        name, args = tree[1], [evaluate(a, contexts, status) for a in tree[2]]
        if name in STATUS_FUNCTIONS:
            return status[name]
        if name in ("contains", "startswith", "endswith") and len(args) == 2:
            if any(a is UNKNOWN for a in args):
                return UNKNOWN
            haystack, needle = args
            if name == "contains" and isinstance(haystack, list):
                return any(loose_equal(item, needle) for item in haystack)
            haystack, needle = str(haystack).casefold(), str(needle).casefold()
            return {
                "contains": needle in haystack,
                "startswith": haystack.startswith(needle),
                "endswith": haystack.endswith(needle),
            }[name]
        return UNKNOWN
    raise ValueError(f"cannot evaluate {op}")


def job_condition(job: dict) -> Expression | None:
    condition = job.get("if")
    if condition is None:
        return None
    if isinstance(condition, bool):
        condition = "true" if condition else "false"
    text = str(condition).strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    return Expression(text)


# --- The events that run a job, and the subject GitHub presents for each ---------------------


def triggers(workflow: dict) -> dict:
    on = workflow.get("on", workflow.get(True))  # a YAML 1.1 reader turns `on` into True
    if isinstance(on, str):
        return {on: {}}
    if isinstance(on, list):
        return {event: {} for event in on}
    return {event: (config or {}) for event, config in (on or {}).items()}


def runs_for(workflow: dict, repo: str, default_branch: str) -> dict[str, list[tuple[str, str]]]:
    """For each job: the (event, ref) pairs it may run for, as far as its `if:` tells."""
    events = []
    for event, config in triggers(workflow).items():
        if event == "pull_request":
            events.append((event, "refs/pull/1/merge"))
        elif event == "push":
            branches = config.get("branches") if isinstance(config, dict) else None
            for branch in branches or [default_branch]:
                events.append((event, f"refs/heads/{branch}"))
            if isinstance(config, dict) and config.get("tags"):
                events.append((event, "refs/tags/*"))
        elif event in ("schedule", "workflow_dispatch"):
            events.append((event, f"refs/heads/{default_branch}"))  # schedule: the default branch
        else:
            events.append((event, ""))

    jobs = workflow.get("jobs") or {}
    result: dict[str, list[tuple[str, str]]] = {}

    def may_run(name: str, event: str, ref: str, seen: tuple = ()) -> bool:
        job = jobs[name]
        needs = job.get("needs") or []
        needs = [needs] if isinstance(needs, str) else list(needs)
        if name in seen:
            return True
        needs_run = all(n in jobs and may_run(n, event, ref, seen + (name,)) for n in needs)
        status = {
            "success": needs_run,  # assume the jobs it needs succeed when they run
            "failure": UNKNOWN if needs else False,
            "always": True,
            "cancelled": False,
        }
        github = {
            "event_name": event,
            "ref": ref,
            "ref_name": ref.rsplit("/", 1)[-1] if ref.startswith("refs/heads/") else UNKNOWN,
            "repository": repo,
            "repository_owner": repo.split("/")[0],
        }
        tree = job_condition(job)
        if tree is None:
            return needs_run
        value = evaluate(tree.tree, {"github": github}, status)
        if not (calls(tree.tree) & STATUS_FUNCTIONS):
            # Without a status function GitHub reads `if: X` as `success() && X`.
            value = value if needs_run else False
        return value is UNKNOWN or truthy(value)

    for name in jobs:
        result[name] = [(event, ref) for event, ref in events if may_run(name, event, ref)]
    return result


def subject(repo: str, job: dict, event: str, ref: str) -> str | None:
    environment = job.get("environment")
    if isinstance(environment, dict):
        environment = environment.get("name")
    if environment:
        return None if "${{" in str(environment) else f"repo:{repo}:environment:{environment}"
    if event == "pull_request":
        return f"repo:{repo}:pull_request"
    if event in ("push", "schedule", "workflow_dispatch") and ref and "*" not in ref:
        return f"repo:{repo}:ref:{ref}"
    return None


# --- IAM: the trust policies and how they match --------------------------------------------


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


def conditions_hold(condition: dict, claims: dict[str, str]) -> tuple[bool, str | None]:
    """Whether every condition holds for the token's claims; or why it cannot be told."""
    for operator, keys in (condition or {}).items():
        name = operator.lower()
        if_exists = name.endswith("ifexists")
        name = name.removesuffix("ifexists").split(":")[-1]  # ForAnyValue: on a single value
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
        name = operator.lower().removesuffix("ifexists").split(":")[-1]
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


# --- 2. The jobs against the trust policies ------------------------------------------------


def load_yaml(path: Path):
    from ruamel.yaml import YAML  # check-jsonschema's own YAML reader (YAML 1.2: `on` stays "on")

    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def check_trust(workflow_path: Path, docs: Path, repo: str, default_branch: str) -> None:
    roles = trust_policies(docs)
    if not roles:
        report(False, "docs", f"{rel(docs)}: no JSON trust policy that trusts {ISSUER}")
        return
    for name, (_, line, heading) in sorted(roles.items()):
        report(True, "docs", f"{rel(docs)}:{line}: trust policy of {name} ({heading})")

    where = rel(workflow_path)
    try:
        workflow = load_yaml(workflow_path)
        runs = runs_for(workflow, repo, default_branch)
    except Exception as error:  # unreadable YAML, or an `if:` this check cannot parse
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        report(False, "trust", f"{where}: cannot read the workflow's jobs: {first}")
        return
    default_permissions = workflow.get("permissions")
    assuming = 0
    for job_name, job in (workflow.get("jobs") or {}).items():
        steps = [s for s in job.get("steps") or [] if str(s.get("uses", "")).startswith(CONFIGURE_ACTION + "@")]
        for step in steps:
            assuming += 1
            given = (step.get("with") or {}).get("role-to-assume", "")
            audience = str((step.get("with") or {}).get("audience") or AUDIENCE)
            m = re.fullmatch(r"\$\{\{\s*vars\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", str(given).strip())
            if not m:
                report(False, "trust", f"{where}: job {job_name} assumes {given!r}: use a repository variable named as in docs/ci.md, e.g. ${{{{ vars.BASELINE_PLAN_ROLE_ARN }}}}")
                continue
            variable = m.group(1)
            if variable not in roles:
                report(False, "trust", f"{where}: job {job_name} assumes vars.{variable}, and docs/ci.md gives no trust policy for {variable}")
                continue
            policy, line, _ = roles[variable]
            permissions = job.get("permissions", default_permissions)
            token = isinstance(permissions, dict) and permissions.get("id-token") == "write" or permissions == "write-all"
            report(bool(token), "perms", f"{where}: job {job_name} " + ("has id-token: write" if token else "lacks id-token: write: GitHub gives it no OIDC token"))
            if not runs[job_name]:
                report(False, "trust", f"{where}: job {job_name} assumes {variable} but no event runs it")
            for event, ref in runs[job_name]:
                sub = subject(repo, job, event, ref)
                if sub is None:
                    report(False, "trust", f"{where}: job {job_name} ({event}): cannot tell the OIDC subject GitHub presents for it")
                    continue
                allowed, reason = trust_allows(policy, {"sub": sub, "aud": audience})
                if allowed:
                    report(True, "trust", f"job {job_name} ({event}): {variable} trusts sub {sub}, aud {audience}")
                else:
                    report(False, "trust", f"job {job_name} ({event}) presents sub {sub}, aud {audience}; the role {variable} ({rel(docs)}:{line}) does not trust it: {reason}")
    if assuming == 0:
        report(False, "trust", f"{where}: no job assumes a role with {CONFIGURE_ACTION}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", default="ORG/REPO", help="the repository the trust policies name (default: docs/ci.md's ORG/REPO)")
    parser.add_argument("--default-branch", default="main")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs/ci.md")
    parser.add_argument("--workflow", type=Path, action="append", help="the workflow whose jobs assume the roles (default: examples/github-actions/*.yml)")
    args = parser.parse_args()

    try:
        import check_jsonschema  # noqa: F401
        import ruamel.yaml  # noqa: F401
    except ImportError:
        print("FAIL  setup   check-jsonschema is not installed for this Python: run scripts/emulator-setup and use .venv/bin/python")
        return 1

    examples = sorted((ROOT / "examples/github-actions").glob("*.y*ml"))
    workflows = examples + sorted((ROOT / ".github/workflows").glob("*.y*ml"))
    for extra in args.workflow or []:
        if extra.resolve() not in {w.resolve() for w in workflows}:
            workflows.append(extra)
    check_schema(workflows)
    for workflow in args.workflow or examples:
        check_trust(workflow, args.docs, args.repo, args.default_branch)

    print(f"{'all checks passed' if failures == 0 else f'{failures} check(s) failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
