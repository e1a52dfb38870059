"""The pull-request diff split across runners: which stack files each shard diffs (standard library and
the library only; no Pulumi SDK, so `python -m offline.shards` starts in a fraction of a second; a
command of its own, so that `python -m offline` does not import the stack-file reader it needs).

The stacks are every stack file of both projects (the platform's and tenant/) on either side of the
diff, as `git ls-tree` lists them at the two revisions. A tenant stack goes in the shard of the
platform stack it reads (its `platformStack`, from this checkout's tenant stack files): its diff plans
that platform stack at both revisions too, which the shard's plan cache then holds already. Each such
group (a platform stack with its tenants, or a stack on its own) weighs its number of stack files;
the heaviest go first, each into the lightest shard so far (ties: the lower shard number), groups of
equal weight in name order. So the assignment depends on the stack files alone, never on the order
git lists them or on the Python process (no hashing), and the shards differ by at most one group's
weight.

Up to THRESHOLD stack files the diff is one job, as it always was; above, one shard per THRESHOLD
stack files (rounded up), at most MAX_SHARDS (docs/contributing.md, "Plan diff shards", has the
measurements THRESHOLD comes from and how to move it).

    python -m offline.shards OLD NEW [--count N] [--out FILE] [--github-output FILE]
    python -m offline diff 'OLD:*' 'NEW:*' --shard I/N [--project-dir tenant] ...

`python -m offline.shards` prints the assignment as JSON (--out FILE: also there; --github-output
FILE: appends the count and the matrix of shard numbers for the workflow). Exit 0; 2 with the error
on stderr (no such revision, a count out of range); 70 if it crashed (offline/exit_codes.py).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eksfargate.project import PLATFORM_PROJECT_DIR, TENANT_PROJECT_DIR
from eksfargate.stack_catalog import tenants
from offline.comment_scripts import shards as comment_shards
from offline.exit_codes import EXIT_ERROR, EXIT_OK, crashed

# What the posting workflow reads (.github/scripts/plan_shards.py): the assignment's form and its bounds.
PLATFORM, TENANT = comment_shards.PLATFORM, comment_shards.TENANT
PROJECTS = (PLATFORM, TENANT)
FORMAT, MAX_SHARDS = comment_shards.SHARDS_FORMAT, comment_shards.MAX_SHARDS
# From bench/many_stacks.py (docs/contributing.md, "Plan diff shards"): one runner diffs a shared-code
# change over this many stack files within the CDK app's synthesis of 100 stacks twice, and a
# shard's own setup (checkout, install, cache restore) stays small beside its diff.
THRESHOLD = 100
_SPEC = re.compile(r"([1-9][0-9]*)/([1-9][0-9]*)")


class ShardError(ValueError):
    """A shard that cannot be: `--shard 0/3`, `5/4`, a count over MAX_SHARDS."""


@dataclass(frozen=True)
class Shard:
    index: int  # from 1
    count: int
    stacks: dict[str, tuple[str, ...]]  # project (PLATFORM, TENANT) → its stacks in this shard, by name

    @property
    def size(self) -> int:
        return sum(len(names) for names in self.stacks.values())

    def label(self) -> str:
        return f"{self.index}/{self.count}"


def parse(spec: str) -> tuple[int, int]:
    """`I/N` → (I, N), 1 ≤ I ≤ N ≤ MAX_SHARDS."""
    match = _SPEC.fullmatch(spec)
    if not match:
        raise ShardError(f"--shard {spec!r}: give it as I/N, e.g. 2/4")
    index, count = int(match[1]), int(match[2])
    if index > count or count > MAX_SHARDS:
        raise ShardError(f"--shard {spec}: I must be from 1 to N, and N at most {MAX_SHARDS}")
    return index, count


def shard_count(stacks: int) -> int:
    """How many shards a diff over `stacks` stack files takes: 1 up to THRESHOLD, then one more per THRESHOLD."""
    return max(1, min(MAX_SHARDS, math.ceil(stacks / THRESHOLD)))


def assign(stacks: dict[str, set[str]], platforms: dict[str, str], count: int) -> list[Shard]:
    """Every stack of `stacks` (project → names) in exactly one of `count` shards; `platforms`: a tenant
    stack → the platform stack it reads, which it joins when that platform stack is there."""
    if not 1 <= count <= MAX_SHARDS:
        raise ShardError(f"{count} shards: from 1 to {MAX_SHARDS}")
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {(PLATFORM, name): [(PLATFORM, name)] for name in stacks[PLATFORM]}
    for name in sorted(stacks[TENANT]):
        platform = platforms.get(name)
        key = (PLATFORM, platform) if platform in stacks[PLATFORM] else (TENANT, name)
        groups.setdefault(key, []).append((TENANT, name))
    loads = [0] * count
    members: list[list[tuple[str, str]]] = [[] for _ in range(count)]
    for key in sorted(groups, key=lambda key: (-len(groups[key]), key)):
        lightest = min(range(count), key=lambda shard: (loads[shard], shard))
        loads[lightest] += len(groups[key])
        members[lightest] += groups[key]
    return [
        Shard(i + 1, count, {project: tuple(sorted(n for p, n in found if p == project)) for project in PROJECTS})
        for i, found in enumerate(members)
    ]


def git(top: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=top, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ShardError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def stack_names(top: Path, rev: str, folder: str) -> set[str]:
    """The stacks whose files (Pulumi.<stack>.yaml) are in `folder` ("." or "tenant") at `rev` ("" = working tree)."""
    if rev:
        listing = git(top, "ls-tree", "--name-only", f"{rev}^{{tree}}", "--", f"{folder}/")
        names = [Path(line).name for line in listing.splitlines()]
    else:
        names = [path.name for path in (top / folder).glob("Pulumi.*.yaml")]
    stacks = {name[len("Pulumi.") : -len(".yaml")] for name in names if name.startswith("Pulumi.") and name.endswith(".yaml")}
    return stacks - {""}


def stacks_of(top: Path, old: str, new: str) -> tuple[dict[str, set[str]], dict[str, str]]:
    """Both projects' stacks on either side (project → names), and each tenant's platform stack as this
    checkout's tenant stack files say (none for a tenant stack file that cannot be read: then it is a
    group of its own, the same in every shard's job)."""
    folders = {PLATFORM: ".", TENANT: TENANT_PROJECT_DIR.name}
    stacks = {project: stack_names(top, old, folder) | stack_names(top, new, folder) for project, folder in folders.items()}
    try:
        platforms = {tenant.stack: tenant.platform for tenant in tenants(top / TENANT_PROJECT_DIR.name)}
    except Exception:  # noqa: BLE001 - a broken tenant stack file is the diff's to report, not the split's
        platforms = {}
    return stacks, platforms


def plan(top: Path, old: str, new: str, count: int | None = None) -> list[Shard]:
    """The shards of a diff of `old` and `new` in the checkout at `top`: `count` of them, or as many as
    shard_count gives for its stack files."""
    stacks, platforms = stacks_of(top, old, new)
    total = sum(len(names) for names in stacks.values())
    return assign(stacks, platforms, count if count is not None else shard_count(total))


def document(shards: list[Shard]) -> dict[str, Any]:
    """The assignment as the posting workflow reads it (plan_shards.py there): which stacks each shard diffs."""
    return {
        "format": FORMAT,
        "count": len(shards),
        "shards": [{"index": s.index, "stacks": {p: list(s.stacks[p]) for p in PROJECTS}} for s in shards],
    }


def github_output(shards: list[Shard]) -> str:
    """The lines for $GITHUB_OUTPUT: the shard count and the matrix of shard numbers (fromJSON in the workflow)."""
    return f"count={len(shards)}\nmatrix={json.dumps([s.index for s in shards])}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.shards", description=__doc__.split("\n\n")[0])
    parser.add_argument("old", help="the base revision")
    parser.add_argument("new", help='the head revision ("" for the working tree)')
    parser.add_argument("--count", type=int, help=f"this many shards (default: 1 per {THRESHOLD} stack files)")
    parser.add_argument("--out", type=Path, help="also write the assignment (JSON) to this file")
    parser.add_argument("--github-output", type=Path, help="append count= and matrix= for GitHub Actions to this file")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except Exception:  # noqa: BLE001 - a crash: its own exit code, never one that reads as a finding
        return crashed("python -m offline.shards")


def _run(args: argparse.Namespace) -> int:
    try:
        split = plan(PLATFORM_PROJECT_DIR, args.old, args.new, args.count)
    except ShardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    text = json.dumps(document(split), indent=1) + "\n"
    sys.stdout.write(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    if args.github_output:
        with args.github_output.open("a") as output:
            output.write(github_output(split))
    print(f"{len(split)} shard(s) of {', '.join(str(shard.size) for shard in split)} stack files", file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
