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

This file runs the two checks; scripts/workflow_checks/ holds what they use: GitHub
expressions, the events and subjects of jobs, IAM trust policies, and the result lines.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # importing workflow_checks/ leaves no __pycache__ in scripts/
from workflow_checks import results  # noqa: E402
from workflow_checks.jobs import runs_for, subject  # noqa: E402
from workflow_checks.results import ROOT, rel, report  # noqa: E402
from workflow_checks.trust import AUDIENCE, ISSUER, trust_allows, trust_policies  # noqa: E402

CONFIGURE_ACTION = "aws-actions/configure-aws-credentials"


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

    failures = results.failures
    print(f"{'all checks passed' if failures == 0 else f'{failures} check(s) failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
