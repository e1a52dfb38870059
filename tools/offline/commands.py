"""What `python -m offline` does once its arguments are read (offline/__main__.py): a plan the plan
cache does not keep, with its checks; the plan cache warmed with a revision's plans. (A diff reads
plans and needs no SDK: offline/diff_command.py.)

All of it needs the Pulumi SDK core, which takes about a second to import (the harness runs the
program under the SDK's mocks, the policy pack runs on pulumi_policy): the command line loads this
module only when a command gets this far (`load_commands` in offline/__main__.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import policy.offline
from eksfargate import estimate as cost
from eksfargate.fargate_pods import FargateSizeError
from eksfargate.stack_files import undeclared_keys
from offline import capacity as subnet_capacity
from offline import plan as offline_plan
from offline import plan_folder, reachability, revisions, secrets_report
from offline.exit_codes import EXIT_ERROR, EXIT_OK, EXIT_POLICY
from offline.harness import keep_referenced_plan
from offline.plan_cache import Entry, PlanCache
from offline.plan_document import PlanError


def make_plan(args: argparse.Namespace, project_dir: Path, out: Path, entry: Entry) -> list[Path]:
    """Plans the stack into `out`; `entry` gets the exit code, the files and what to print, in order.

    The files go into place together once all are made (offline/plan_folder.py): a plan that fails
    on the way writes none."""

    def say(stream: str, text: str) -> None:
        entry.output.append((stream, text))

    try:
        recording = offline_plan.record_stack(args.stack, project_dir=project_dir, stack_file=args.stack_file)
    except PlanError as exc:
        say("stderr", f"error: {exc}\n")
        entry.status = EXIT_ERROR
        return []
    for warning in undeclared_keys(recording.config, recording.project):
        say("stderr", f"warning: {warning}\n")
    plan = offline_plan.from_recording(recording)
    files = offline_plan.files(plan)
    if args.stack_file is None:
        # The plan a StackReference to this stack reads, its tenants' in the reachability table among them:
        # without it each would plan this stack again in a process of its own.
        keep_referenced_plan(project_dir, args.stack, files["plan.json"])
    if args.no_checks:
        written = plan_folder.put(out, files)
        entry.files, entry.status = files, EXIT_OK
        say("wrote", "")
        return written

    violations = policy.offline.check(recording)
    files["policy.txt"] = "".join(f"{violation}\n" for violation in violations) or "no violations\n"
    try:
        breakdown = cost.render(cost.from_plan(plan))
    except (cost.UnknownRegionError, FargateSizeError) as exc:
        breakdown = f"no estimate: {exc}\n"
    files["cost.txt"] = breakdown
    capacity = subnet_capacity.assess(plan)
    files["capacity.txt"] = subnet_capacity.render(capacity)
    reachable = reachability.report(plan, project_dir)
    files["reachability.md"] = reachable
    secrets_table = secrets_report.report(plan)
    if secrets_table:
        files["secrets.md"] = secrets_table
    screen = [offline_plan.render_tree(plan), f"\n{breakdown}\n", f"Policy pack: {len(violations)} finding(s)\n"]
    screen += [f"  {violation}\n" for violation in violations]
    screen.append(f"\n{subnet_capacity.render(capacity)}\n")
    screen.append(f"\n{reachable}")
    if secrets_table:
        screen.append(f"\n{secrets_table}")
    say("stdout", "".join(screen))
    say("wrote", "")
    if not capacity.ok:
        say("stderr", f"error: {capacity.problem()}\n")
    written = plan_folder.put(out, files)
    entry.files = files
    entry.status = EXIT_POLICY if any(violation.mandatory for violation in violations) or not capacity.ok else EXIT_OK
    return written


def warm(cache: PlanCache, project_dir: Path, rev: str) -> int:
    """Plans every stack file of `project_dir` at `rev` into `cache` (those it keeps already are not planned)."""
    started = time.perf_counter()
    try:
        checkouts = revisions.Revisions(project_dir, cache=cache)
    except revisions.DiffError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    try:
        stacks = sorted(checkouts.stacks(rev))
        sides = checkouts.plan_all({rev: stacks})
    except revisions.DiffError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        checkouts.close()
    failed = sorted(stack for (_, stack), side in sides.items() if side.error)
    for stack in failed:
        print(f"warning: stack {stack}: {sides[rev, stack].error}", file=sys.stderr)
    print(f"{cache.summary()} ({len(stacks)} stack files, {time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return EXIT_OK
