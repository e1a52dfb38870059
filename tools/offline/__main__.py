"""Command line: `python -m offline plan --stack dev`, `python -m offline diff OLD NEW` and
`python -m offline cache warm|prune`.

plan  runs the program for Pulumi.<stack>.yaml offline, prints the resource tree and the
      stack outputs, and writes plan.json, manifests.yaml, iam/*.json and diagram.mmd into
      --out (default out/<stack>/), then (unless --no-checks) runs the policy pack over it
      (policy.txt), estimates its monthly cost (cost.txt) and checks that the private subnets
      can hold every pod it may run (capacity.txt, offline/capacity.py). The files replace the
      folder whole (offline/plan_folder.py); a plan that fails removes it. Exit 0; 1 if a
      mandatory policy is violated or the subnets are too small; 2 with the error on stderr
      (invalid settings, no such stack file, an --out folder that holds no plan).
diff  compares two sides, each a plan.json (or a folder with one) or REV:STACK (the stack's
      plan at a git revision; `:STACK` is the working tree, `REV:*` every stack file), and
      prints Markdown for a pull request (--changed-stacks FILE: also the stacks whose plan
      changes, as JSON, for deployments; --json FILE: the diff as data, offline/diff_data.py,
      which the pull-request comment is rendered from; --shard I/N: only the stacks of shard I of N,
      offline/shards.py). Exit 0: no changes; 1: changes; 2: error; 3: a change EKS would refuse (a
      Kubernetes version skipping a minor or going down; offline/upgrade.py).
cache the plan cache (offline/plan_cache.py): `warm REV [--project-dir tenant]` plans every stack
      file at REV into it, those it keeps already reused; `prune --unused-since EPOCH` removes the
      entries no run has used since then. Exit 0; 2 with the error on stderr (the cache is off,
      no such revision).

Every command exits 70 when it crashes (an exception escaped it: a bug), with the traceback on stderr
(offline/exit_codes.py).

The command line imports no Pulumi SDK: what needs it is in offline/commands.py, which
`load_commands` imports once a command gets that far. The diff (offline/diff_command.py) needs none.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Protocol

from eksfargate.project import PLATFORM_PROJECT_DIR
from offline import diff_command, plan_cache, plan_folder, sdk_loader
from offline.exit_codes import EXIT_ERROR, EXIT_OK, EXIT_POLICY, crashed
from offline.plan_cache import Entry, PlanCache


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    plan = commands.add_parser("plan", help="plan one stack offline")
    plan.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default dev)")
    plan.add_argument("--out", type=Path, help="output folder, the plan's alone (default out/<stack>/ under the project)")
    plan.add_argument("--project-dir", type=Path, help="the Pulumi project to plan (default: this checkout)")
    plan.add_argument("--stack-file", type=Path, help="a stack file elsewhere than beside Pulumi.yaml")
    plan.add_argument("--quiet", action="store_true", help="write the files, print nothing")
    plan.add_argument(
        "--no-checks",
        action="store_true",
        help="only the plan: no policy pack, no cost estimate (what `diff` uses to plan other revisions)",
    )
    plan.add_argument("--no-cache", action="store_true", help="plan even if the plan cache keeps this plan, and keep nothing")

    diff = commands.add_parser("diff", help="compare two plans; Markdown on stdout")
    diff.add_argument("old", help="plan.json, a folder with one, or REV:STACK (`:STACK` = working tree, `REV:*` = all)")
    diff.add_argument("new", help="same forms as OLD")
    diff.add_argument("--out", type=Path, help="also write the Markdown to this file")
    diff.add_argument("--no-details", action="store_true", help="leave out the property-level changes")
    diff.add_argument(
        "--project-dir", type=Path, help="the Pulumi project of REV:STACK sides, e.g. tenant (default: this checkout)"
    )
    diff.add_argument(
        "--changed-stacks",
        type=Path,
        help="also write the stacks whose plan changes (and whose stack file remains) to this file, as a JSON list",
    )
    diff.add_argument(
        "--json",
        type=Path,
        help="also write the diff as data to this file (JSON, offline/diff_data.py): what the PR comment is rendered from",
    )
    diff.add_argument("--no-cache", action="store_true", help="plan every side, even those the plan cache keeps; keep nothing")
    diff.add_argument("--shard", help="I/N: only the stacks of shard I of N (`REV:*` sides; offline/shards.py)")

    cache = commands.add_parser("cache", help="fill or prune the plan cache (offline/plan_cache.py)")
    cache_commands = cache.add_subparsers(dest="cache_command", required=True)
    warm = cache_commands.add_parser("warm", help="plan every stack file at a revision into the cache")
    warm.add_argument("rev", help='a git revision ("" for the working tree)')
    warm.add_argument("--project-dir", type=Path, help="the Pulumi project (default: this checkout's platform project)")
    prune = cache_commands.add_parser("prune", help="remove the entries no run has used since a time")
    prune.add_argument("--unused-since", type=float, required=True, help="seconds since the epoch (`date +%%s.%%N`)")

    args = parser.parse_args(argv)
    try:
        if args.command == "plan":
            return run_plan(args)
        if args.command == "diff":
            return diff_command.run(args)
        return run_cache(args)
    except BrokenPipeError:  # the reader left (`| head`): not a crash, the caller below ends quietly
        raise
    except Exception:  # noqa: BLE001 - a crash: its own exit code, never one that reads as a finding
        return crashed(f"python -m offline {args.command}")


class Commands(Protocol):
    """What offline/commands.py offers the command line (the module itself is one, structurally)."""

    def make_plan(self, args: argparse.Namespace, project_dir: Path, out: Path, entry: Entry) -> list[Path]: ...

    def warm(self, cache: PlanCache, project_dir: Path, rev: str) -> int: ...


def load_commands() -> Commands:
    """offline/commands.py, what the commands do once their arguments are read: imported here, when a
    command gets that far, because it imports the Pulumi SDK core (about a second). So `--help`, a
    wrong argument, a plan the plan cache keeps, `cache prune` and a diff never load the SDK. This is the
    project's one import inside a function (tests/repo/test_imports.py)."""
    from offline import commands

    return commands


def run_plan(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    project_dir = (args.project_dir or PLATFORM_PROJECT_DIR).resolve()
    out = args.out or project_dir / "out" / args.stack
    refused = plan_folder.refusal(out)
    if refused:
        print(f"error: {refused}", file=sys.stderr)
        return EXIT_ERROR
    try:
        entry, written, note = _plan(args, project_dir, out)
    except BaseException:
        plan_folder.remove(out)  # a plan that crashed leaves no earlier plan to be read as its own
        raise
    if entry.status not in (EXIT_OK, EXIT_POLICY):
        plan_folder.remove(out)  # nor does one that failed
    for stream, text in entry.output:
        if stream == "stderr":
            sys.stderr.write(text)
        elif args.quiet:
            continue
        elif stream == "stdout":
            sys.stdout.write(text)
        else:  # where the "Wrote" line goes
            shown = ", ".join(str(path.relative_to(out)) for path in written)
            print(f"Wrote {out}/: {shown} ({note}, {time.perf_counter() - started:.1f} s)")
    return entry.status


def _plan(args: argparse.Namespace, project_dir: Path, out: Path) -> tuple[Entry, list[Path], str]:
    """The plan in `out`, from the plan cache or planned (and then kept there): its entry, files and where it came from."""
    cache, key = _plan_cache(args, project_dir)
    entry = cache.get(key, screen=not args.quiet) if cache is not None and key is not None else None
    if entry is not None:
        return entry, entry.write(out), "from the plan cache"
    entry = Entry(EXIT_ERROR, {}, [], screen=True)
    written = load_commands().make_plan(args, project_dir, out, entry)
    if cache is not None and key is not None and entry.status in (EXIT_OK, EXIT_POLICY):
        cache.put(key, entry)
    return entry, written, "planned"


def _plan_cache(args: argparse.Namespace, project_dir: Path) -> tuple[plan_cache.PlanCache | None, str | None]:
    """The plan cache and this plan's key in it, or Nones: --no-cache, OFFLINE_PLAN_CACHE=off, a project
    planned with a library other than its own, a stack file that is not there, no git."""
    root = plan_cache.platform_root(project_dir)
    cache = plan_cache.from_settings(args.no_cache, root)
    # The code this command runs is PLATFORM_PROJECT_DIR's: only its own projects have their key.
    if cache is None or root != PLATFORM_PROJECT_DIR.resolve() or not plan_cache.plans_itself(root):
        return None, None
    try:
        tree = plan_cache.Tree.of_worktree(root)
        given = (args.stack_file.name, args.stack_file.read_bytes()) if args.stack_file else None
    except (OSError, subprocess.CalledProcessError):
        return None, None
    key = cache.key(tree, project_dir.relative_to(root).as_posix(), args.stack, checks=not args.no_checks, stack_file=given)
    return cache, key


def run_cache(args: argparse.Namespace) -> int:
    warming = args.cache_command == "warm"
    project_dir = (args.project_dir or PLATFORM_PROJECT_DIR).resolve() if warming else PLATFORM_PROJECT_DIR
    cache = plan_cache.from_settings(False, plan_cache.platform_root(project_dir))
    if cache is None:
        print(f"error: the plan cache is off ({plan_cache.CACHE_ENV}={plan_cache.OFF})", file=sys.stderr)
        return EXIT_ERROR
    if not warming:
        print(f"plan cache {cache.directory}: {cache.prune(args.unused_since)} unused entries removed", file=sys.stderr)
        return EXIT_OK
    return load_commands().warm(cache, project_dir, args.rev)


if __name__ == "__main__":
    sdk_loader.install()  # before anything imports the SDKs (offline/sdk_loader.py)
    # One short run that creates tens of thousands of SDK classes: Python's cyclic collector
    # would walk them over and over while they load (a fifth of a plan's time), and what a run
    # allocates is freed when it exits. Peak memory stays the same (docs/contributing.md, "Plan speed").
    gc.disable()
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:  # `python -m offline plan | head`: what is left unsent is dropped
        status = EXIT_OK
    sys.stderr.flush()
    # Python's teardown of those objects takes another sixth of a plan and does nothing the
    # command needs: its files are closed, its output flushed, and the exit handlers run here.
    atexit._run_exitfuncs()  # noqa: SLF001
    os._exit(status)
