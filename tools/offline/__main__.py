"""Command line: `python -m offline plan --stack dev` and `python -m offline diff OLD NEW`.

plan  runs the program for Pulumi.<stack>.yaml offline, prints the resource tree and the
      stack outputs, and writes plan.json, manifests.yaml, iam/*.json and diagram.mmd into
      --out (default out/<stack>/), then (unless --no-checks) runs the policy pack over it
      (policy.txt), estimates its monthly cost (cost.txt) and checks that the private subnets
      can hold every pod it may run (capacity.txt, offline/capacity.py). Exit 0; 1 if a
      mandatory policy is violated or the subnets are too small; 2 with the error on stderr
      (invalid settings, no such stack file).
diff  compares two sides, each a plan.json (or a folder with one) or REV:STACK (the stack's
      plan at a git revision; `:STACK` is the working tree, `REV:*` every stack file), and
      prints Markdown for a pull request (--changed-stacks FILE: also the stacks whose plan
      changes, as JSON, for deployments; --json FILE: the diff as data, offline/diff_data.py,
      which the pull-request comment is rendered from). Exit 0: no changes; 1: changes; 2: error; 3: a
      change EKS would refuse (a Kubernetes version skipping a minor or going down;
      offline/upgrade.py).
"""

from __future__ import annotations

import argparse
import atexit
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

EXIT_OK, EXIT_CHANGES, EXIT_ERROR, EXIT_REFUSED = 0, 1, 2, 3
# `plan` exits 1 when the policy pack finds a mandatory violation or the subnets are too small
# for the pods (the files are written all the same).
EXIT_POLICY = 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    plan = commands.add_parser("plan", help="plan one stack offline")
    plan.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default dev)")
    plan.add_argument("--out", type=Path, help="output folder (default out/<stack>/ under the project)")
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

    args = parser.parse_args(argv)
    return run_plan(args) if args.command == "plan" else run_diff(args)


def run_plan(args: argparse.Namespace) -> int:
    from eksfargate.project import PLATFORM_PROJECT_DIR  # noqa: PLC0415

    started = time.perf_counter()
    project_dir = (args.project_dir or PLATFORM_PROJECT_DIR).resolve()
    out = args.out or project_dir / "out" / args.stack
    cache, key = _plan_cache(args, project_dir)
    entry = cache.get(key, screen=not args.quiet) if cache is not None and key is not None else None
    if entry is not None:
        written = entry.write(out)
        note = "from the plan cache"
    else:
        from offline.plan_cache import Entry  # noqa: PLC0415

        entry = Entry(EXIT_ERROR, {}, [], screen=True)
        written = _make_plan(args, project_dir, out, entry)
        if cache is not None and key is not None and entry.status in (EXIT_OK, EXIT_POLICY):
            cache.put(key, entry)
        note = "planned"
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


def _plan_cache(args: argparse.Namespace, project_dir: Path):
    """The plan cache and this plan's key in it, or Nones: --no-cache, OFFLINE_PLAN_CACHE=off, a project
    planned with a library other than its own, a stack file that is not there, no git."""
    from eksfargate.project import PLATFORM_PROJECT_DIR  # noqa: PLC0415
    from offline import plan_cache  # noqa: PLC0415

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


def _make_plan(args: argparse.Namespace, project_dir: Path, out: Path, entry) -> list[Path]:
    """Plans the stack into `out`; `entry` gets the exit code, the files and what to print, in order."""
    from eksfargate.stack_files import undeclared_keys  # noqa: PLC0415
    from offline import plan as offline_plan  # noqa: PLC0415 - imports the Pulumi SDKs: after argument parsing
    from policy.offline import check  # noqa: PLC0415

    def say(stream: str, text: str) -> None:
        entry.output.append((stream, text))

    try:
        recording = offline_plan.record_stack(args.stack, project_dir=project_dir, stack_file=args.stack_file)
    except offline_plan.PlanError as exc:
        say("stderr", f"error: {exc}\n")
        entry.status = EXIT_ERROR
        return []
    for warning in undeclared_keys(recording.config, recording.project):
        say("stderr", f"warning: {warning}\n")
    plan = offline_plan.from_recording(recording)
    written = offline_plan.write(plan, out)
    if args.no_checks:
        entry.files = _files(out, written)
        entry.status = EXIT_OK
        say("wrote", "")
        return written
    from eksfargate import estimate as cost  # noqa: PLC0415
    from eksfargate.fargate_pods import FargateSizeError  # noqa: PLC0415
    from offline import capacity as subnet_capacity  # noqa: PLC0415

    violations = check(recording)
    policy_report = out / "policy.txt"
    policy_report.write_text("".join(f"{violation}\n" for violation in violations) or "no violations\n")
    try:
        breakdown = cost.render(cost.from_plan(plan))
    except (cost.UnknownRegionError, FargateSizeError) as exc:
        breakdown = f"no estimate: {exc}\n"
    cost_report = out / "cost.txt"
    cost_report.write_text(breakdown)
    capacity = subnet_capacity.assess(plan)
    capacity_report = out / "capacity.txt"
    capacity_report.write_text(subnet_capacity.render(capacity))
    written += [policy_report, cost_report, capacity_report]
    screen = [offline_plan.render_tree(plan), f"\n{breakdown}\n", f"Policy pack: {len(violations)} finding(s)\n"]
    screen += [f"  {violation}\n" for violation in violations]
    screen.append(f"\n{subnet_capacity.render(capacity)}\n")
    say("stdout", "".join(screen))
    say("wrote", "")
    if not capacity.ok:
        say("stderr", f"error: {capacity.problem()}\n")
    entry.files = _files(out, written)
    entry.status = EXIT_POLICY if any(violation.mandatory for violation in violations) or not capacity.ok else EXIT_OK
    return written


def _files(out: Path, written: list[Path]) -> dict[str, str]:
    """The files a plan wrote, in the order it wrote them, by path under `out`."""
    return {path.relative_to(out).as_posix(): path.read_text() for path in written}


def run_diff(args: argparse.Namespace) -> int:
    from offline import diff as offline_diff  # noqa: PLC0415
    from offline import diff_render, plan_cache, revisions  # noqa: PLC0415
    from offline.harness import PROJECT_DIR  # noqa: PLC0415

    project_dir = args.project_dir or PROJECT_DIR
    cache = plan_cache.from_settings(args.no_cache, plan_cache.platform_root(project_dir.resolve()))
    given = {"project_dir": args.project_dir} if args.project_dir else {}
    try:
        diffs = revisions.diff_specs(args.old, args.new, **given, cache=cache)
    except revisions.DiffError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if cache is not None and cache.hits + cache.misses:
        print(cache.summary(), file=sys.stderr)
    text = diff_render.render(diffs, details=not args.no_details)
    sys.stdout.write(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    if args.changed_stacks:
        args.changed_stacks.write_text(json.dumps(offline_diff.changed_stacks(diffs)) + "\n")
    if args.json:
        from offline import diff_data  # noqa: PLC0415

        project, platforms = diff_data.project_of(project_dir)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(diff_data.dumps(diff_data.document(diffs, project, platforms)))
    if any(d.error for d in diffs):
        for d in diffs:
            if d.error:
                print(f"error: stack {d.stack}: {d.error}", file=sys.stderr)
        return EXIT_ERROR
    refused = [finding.text for d in diffs for finding in d.upgrade if finding.refused]
    for text in refused:
        print(f"refused: {text}", file=sys.stderr)
    if refused:
        return EXIT_REFUSED
    return EXIT_CHANGES if any(d.changed for d in diffs) else EXIT_OK


if __name__ == "__main__":
    from offline import sdk_loader  # noqa: PLC0415

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
