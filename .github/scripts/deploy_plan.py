"""Which stacks `pulumi up` runs for on main, in what order, and whether each may be deployed.

Input: the stacks whose offline plan changed (`python -m offline diff --changed-stacks`). Order:
stacks without `protect` first, then protected (production) ones, each group by name, so that a
failure in a lesser stack stops the run before production. A protected stack is refused unless
its GitHub environment `pulumi-<stack>` has required reviewers (REST API
`GET /repos/{owner}/{repo}/environments/{environment_name}`, `protection_rules` of type
`required_reviewers`; the job's token needs `actions: read`).

    python3 .github/scripts/deploy_plan.py changed.json   # prints the ordered JSON list
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from eksfargate.project import PLATFORM_PROJECT_DIR as PROJECT_DIR
from eksfargate.stack_catalog import project, stack_files


class Refused(Exception):
    """A protected stack whose environment has no required reviewers."""


def environment(name: str) -> dict | None:
    """The environment from the GitHub REST API (None if it does not exist)."""
    url = f"{os.environ.get('GITHUB_API_URL', 'https://api.github.com')}/repos/{os.environ['GITHUB_REPOSITORY']}/environments/{name}"
    request = urllib.request.Request(
        url,
        headers={
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {os.environ['GITHUB_TOKEN']}",
            "X-GitHub-Api-Version": "2022-11-28",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def has_reviewers(env: dict | None) -> bool:
    return any(
        rule.get("type") == "required_reviewers" and rule.get("reviewers") for rule in (env or {}).get("protection_rules", [])
    )


def plan(changed: list[str], directory: Path = PROJECT_DIR, lookup: Callable[[str], dict | None] = environment) -> list[str]:
    proj = project(directory)
    protected = {s.stack for s in stack_files(directory) if str(proj.setting(s, "protect")).lower() == "true"}
    ordered = sorted(changed, key=lambda stack: (stack in protected, stack))
    refused = [stack for stack in ordered if stack in protected and not has_reviewers(lookup(f"pulumi-{stack}"))]
    if refused:
        raise Refused(
            "refusing to deploy protected stack(s) "
            + ", ".join(refused)
            + ": give each GitHub environment "
            + ", ".join(f"pulumi-{s}" for s in refused)
            + " required reviewers (Settings → Environments → Required reviewers), then re-run this workflow"
        )
    return ordered


def main(argv: list[str]) -> int:
    changed = json.loads(Path(argv[0]).read_text())
    try:
        print(json.dumps(plan(changed)))
    except Refused as exc:
        print(f"::error::{exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
