"""The record of what a deploy run deployed (.github/workflows/deploy-stack.yml's gate and
pulumi.yml's `record` job run it; deploy_plan.py reads the records through it).

A stack's last successful `pulumi up` is recorded as the git ref `refs/deployed/<stack>`, pointing
at the commit deployed, and moved through the GitHub REST API. Within a run, each stack that
deployed leaves a marker file (its name, holding the run's commit), and a stack deploys only if
every stack it needs left one. Standard library only: the `record` job checks out .github/scripts
alone and runs it with a bare python3, and the gate runs before the project is installed.

    deploy_record.py ready --needs "a b" --deployed DIR --target SHA  # exit 1 unless each named stack deployed in this run
    deploy_record.py record --target SHA --deployed DIR               # move refs/deployed/<stack> (contents: write)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

REFS = "refs/deployed/"


def api(method: str, path: str, body: dict[str, Any] | None = None) -> object | None:
    """A GitHub REST call for this repository; None on 404."""
    url = f"{os.environ.get('GITHUB_API_URL', 'https://api.github.com')}/repos/{os.environ['GITHUB_REPOSITORY']}/{path}"
    request = urllib.request.Request(
        url,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {os.environ['GITHUB_TOKEN']}",
            "X-GitHub-Api-Version": "2022-11-28",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer: object = json.load(response)
            return answer
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def records_from_api(call: Callable[..., object | None] = api) -> dict[str, str]:
    """refs/deployed/* through `GET /repos/{owner}/{repo}/git/matching-refs/deployed/`."""
    refs = call("GET", "git/matching-refs/deployed/")
    if not isinstance(refs, list):  # 404 (no ref yet) is None; anything but a list is no ref either
        return {}
    return {r["ref"].removeprefix(REFS): r["object"]["sha"] for r in refs if isinstance(r, dict) and r["ref"].startswith(REFS)}


def record(stack: str, sha: str, call: Callable[..., object | None] = api) -> None:
    """Move refs/deployed/<stack> to `sha` (create it the first time): `PATCH …/git/refs/deployed/<stack>`
    with force, else `POST …/git/refs`. The token needs `contents: write`."""
    try:
        if call("PATCH", f"git/refs/deployed/{stack}", {"sha": sha, "force": True}) is not None:
            return
    except urllib.error.HTTPError as exc:
        if exc.code != 422:  # 422: "Reference does not exist"
            raise
    call("POST", "git/refs", {"ref": f"{REFS}{stack}", "sha": sha})


def ready(needs: list[str], deployed: Path, target: str) -> list[str]:
    """The needed stacks that did not deploy `target` in this run (no marker in `deployed`)."""
    return [n for n in needs if not (deployed / n).is_file() or (deployed / n).read_text().strip() != target]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="deploy_record.py")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("ready")
    check.add_argument("--needs", default="")
    check.add_argument("--deployed", type=Path, required=True)
    check.add_argument("--target", required=True)
    rec = commands.add_parser("record")
    rec.add_argument("--target", required=True)
    rec.add_argument("--deployed", type=Path, required=True)
    args = parser.parse_args(argv)

    if args.command == "ready":
        missing = ready(args.needs.split(), args.deployed, args.target)
        if missing:
            print(f"::error::not deploying: {', '.join(missing)} did not deploy in this run; the next run retries both")
            return 1
        return 0
    for marker in sorted(args.deployed.glob("*")) if args.deployed.is_dir() else []:
        if marker.read_text().strip() == args.target:
            record(marker.name, args.target)
            print(f"{REFS}{marker.name} → {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
