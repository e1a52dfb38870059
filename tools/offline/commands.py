"""What `python -m offline` does once its arguments are read (offline/__main__.py): a plan the plan
cache does not keep, with its checks; a diff; the plan cache warmed with a revision's plans.

All of it needs the Pulumi SDK core, which takes about a second to import (the harness runs the
program under the SDK's mocks, the policy pack runs on pulumi_policy): the command line loads this
module only when a command gets this far (`load_commands` in offline/__main__.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import policy.offline
from eksfargate import estimate as cost
from eksfargate.fargate_pods import FargateSizeError
from eksfargate.stack_files import undeclared_keys
from offline import capacity as subnet_capacity
from offline import diff as offline_diff
from offline import diff_data, diff_render, plan_cache, plan_folder, reachability, revisions, secrets_report, shards
from offline import plan as offline_plan
from offline.exit_codes import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, EXIT_POLICY, EXIT_REFUSED
from offline.harness import PROJECT_DIR, keep_referenced_plan
from offline.plan_cache import Entry, PlanCache


def make_plan(args: argparse.Namespace, project_dir: Path, out: Path, entry: Entry) -> list[Path]:
    """Plans the stack into `out`; `entry` gets the exit code, the files and what to print, in order.

    The files go into place together once all are made (offline/plan_folder.py): a plan that fails
    on the way writes none."""

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


def run_diff(args: argparse.Namespace) -> int:
    project_dir = args.project_dir or PROJECT_DIR
    cache = plan_cache.from_settings(args.no_cache, plan_cache.platform_root(project_dir.resolve()))
    given = {"project_dir": args.project_dir} if args.project_dir else {}
    project, platforms = diff_data.project_of(project_dir)
    try:
        only = _shard_stacks(args, plan_cache.platform_root(project_dir.resolve()), project) if args.shard else None
        diffs = revisions.diff_specs(args.old, args.new, **given, cache=cache, only=only)
    except (revisions.DiffError, shards.ShardError) as exc:
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


def _shard_stacks(args: argparse.Namespace, top: Path, project: str) -> set[str]:
    """This project's stacks in shard I of N (`--shard I/N`) of the diff of two `REV:*` sides."""
    index, count = shards.parse(args.shard)
    old, new = (spec.rsplit(":", 1) if revisions.is_revision_spec(spec) else (spec, "") for spec in (args.old, args.new))
    if old[1] != "*" or new[1] != "*":
        raise shards.ShardError(f"--shard {args.shard} splits `REV:*` sides only, not {args.old} {args.new}")
    split = shards.plan(top, old[0], new[0], count)
    return set(split[index - 1].stacks[project])


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
