"""The events that run a job, and the OIDC subject GitHub presents for each."""

from __future__ import annotations

from .expressions import STATUS_FUNCTIONS, UNKNOWN, calls, evaluate, job_condition, truthy


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
