"""`python -m offline diff`: two sides compared, stack by stack.

A side is a plan.json file (or a folder holding one), or `REV:STACK`: that stack file's plan at git
revision REV (`:STACK` is the working tree, `REV:*` every stack file at either revision), which
workers plan in processes of their own (offline/revisions.py). A stack that neither its stack file
nor anything else the program reads changes between the revisions is not planned (`UNTOUCHED`). A
stack whose plans read another stack's outputs (a tenant, its platform's) is diffed with what it
reads from that stack, planned at the same revisions in its own project (offline/diff_tenancy.py).
The diff reads plans and makes none itself, so it loads no Pulumi SDK (an import contract in
pyproject.toml keeps it so).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from eksfargate.project import PLATFORM_PROJECT_DIR, TENANT_PROJECT_DIR
from eksfargate.stack_catalog import tenants
from offline import diff_data, diff_render, plan_cache, shards
from offline.diff import UNTOUCHED, StackDiff, changed_stacks, compare
from offline.diff_tenancy import PlatformChange, add_tenant_reads, platform_change
from offline.exit_codes import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, EXIT_REFUSED
from offline.plan_cache import PlanCache, platform_root
from offline.plan_document import PlanError, load
from offline.revisions import DiffError, Referenced, Revisions, Side


def run(args: argparse.Namespace) -> int:
    """`python -m offline diff OLD NEW` once its arguments are read (offline/__main__.py)."""
    project_dir = args.project_dir or PLATFORM_PROJECT_DIR
    top = platform_root(project_dir.resolve())
    cache = plan_cache.from_settings(args.no_cache, top)
    given = {"project_dir": args.project_dir} if args.project_dir else {}
    project, platforms = diff_data.project_of(project_dir)
    try:
        only = _shard_stacks(args, top, project) if args.shard else None
        diffs = diff_specs(args.old, args.new, **given, cache=cache, only=only)
    except (DiffError, shards.ShardError) as exc:
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
        args.changed_stacks.write_text(json.dumps(changed_stacks(diffs)) + "\n")
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
    old, new = (spec.rsplit(":", 1) if is_revision_spec(spec) else (spec, "") for spec in (args.old, args.new))
    if old[1] != "*" or new[1] != "*":
        raise shards.ShardError(f"--shard {args.shard} splits `REV:*` sides only, not {args.old} {args.new}")
    split = shards.plan(top, old[0], new[0], count)
    return set(split[index - 1].stacks[project])


def pair(old: Side, new: Side, stack: str, platform: PlatformChange | None = None) -> StackDiff:
    """The diff of one stack's two sides; `platform`: what it reads from its platform that changes between them."""
    if old.error or new.error:
        which = [f"{side.label}: {side.error}" for side in (old, new) if side.error]
        return StackDiff(stack=stack, old_label=old.label, new_label=new.label, error="; ".join(which))
    upstream = platform.upstream if platform else None
    diff = compare(old.plan, new.plan, stack, (old.label, new.label), (old.findings, new.findings), upstream)
    if platform and diff.changed:
        diff.platform, diff.platform_reads = platform.platform, platform.reads
    if old.plan is None and new.plan is not None:
        diff.note = f"The stack file is new: it does not exist at {old.label}."
    elif new.plan is None and old.plan is not None:
        diff.note = f"The stack file is removed: it does not exist at {new.label}. (`pulumi destroy` the stack first.)"
    return diff


def is_revision_spec(spec: str) -> bool:
    return ":" in spec and not Path(spec).exists()


def load_file_side(spec: str) -> Side:
    path = Path(spec)
    if path.is_dir():
        path = path / "plan.json"
    if not path.is_file():
        raise DiffError(f"{spec}: neither a plan.json (or a folder with one) nor REV:STACK")
    try:
        return Side(label=f"`{spec}`", plan=load(path))
    except (PlanError, json.JSONDecodeError) as exc:
        raise DiffError(f"{spec}: {exc}") from exc


def diff_specs(
    old_spec: str,
    new_spec: str,
    project_dir: Path = PLATFORM_PROJECT_DIR,
    *,
    cache: PlanCache | None = None,
    only: set[str] | None = None,
) -> list[StackDiff]:
    """The stack diffs for two sides as given on the command line; plans kept in `cache` are not made again.
    `only`: of `REV:*` sides, these stacks alone (a shard's: offline/shards.py)."""
    old_is_rev, new_is_rev = is_revision_spec(old_spec), is_revision_spec(new_spec)
    if not old_is_rev and not new_is_rev:
        old, new = load_file_side(old_spec), load_file_side(new_spec)
        return [pair(old, new, (new.plan or old.plan or {}).get("stack", ""))]
    revisions = Revisions(project_dir, cache)
    try:
        jobs: list[tuple[str, Any, Any]] = []
        old_rev, old_stack = old_spec.rsplit(":", 1) if old_is_rev else (None, None)
        new_rev, new_stack = new_spec.rsplit(":", 1) if new_is_rev else (None, None)
        if "*" in (old_stack, new_stack):
            if not (old_rev is not None and new_rev is not None and old_stack == new_stack == "*"):
                raise DiffError("`REV:*` (every stack) needs `REV:*` on both sides")
            stacks = sorted(revisions.stacks(old_rev) | revisions.stacks(new_rev))
            if only is not None:
                stacks = [stack for stack in stacks if stack in only]
            unchanged = _untouched_stacks(revisions.changed_files(old_rev, new_rev), stacks)
            jobs = [(stack, (old_rev, stack), (new_rev, stack)) for stack in stacks if stack not in unchanged]
            skipped = [
                StackDiff(stack, revisions.label(old_rev), revisions.label(new_rev), note=UNTOUCHED) for stack in unchanged
            ]
        else:
            stack = new_stack or old_stack or ""
            jobs = [(stack, (old_rev, old_stack) if old_is_rev else old_spec, (new_rev, new_stack) if new_is_rev else new_spec)]
            skipped = []
        for rev in sorted({side[0] for _, o, n in jobs for side in (o, n) if isinstance(side, tuple)}):
            revisions.tree(rev)  # archive each revision once, before planning in parallel
        if old_is_rev and new_is_rev and old_stack == new_stack != "*":
            _check_stack_exists(revisions, [old_rev or "", new_rev or ""], old_stack or "")

        wanted: dict[str, list[str]] = {}
        for _, *specs in jobs:
            for spec in specs:
                if isinstance(spec, tuple):
                    wanted.setdefault(spec[0], []).append(spec[1])
        sides = revisions.plan_all(wanted, _platform_plans(revisions, jobs))

        def side(spec: Any) -> Side:
            return sides[spec] if isinstance(spec, tuple) else load_file_side(spec)

        platforms = _platform_changes(revisions, jobs, sides)
        planned = [pair(side(o), side(n), stack, platforms.get(stack)) for stack, o, n in jobs]
        if new_is_rev:
            add_tenant_reads(planned, revisions.tree(new_rev or "") / TENANT_PROJECT_DIR.name)
        return sorted(planned + skipped, key=lambda d: d.stack)
    finally:
        revisions.close()


def _platform_plans(revisions: Revisions, jobs: list[tuple[str, Any, Any]]) -> dict[str, list[Referenced]]:
    """For a project inside a platform's (tenant/) diffed between two revisions: the platform plans
    its stack files name (platformStack, read statically), planned first, the diff compares them
    (`_platform_changes`); by revision, for its worker to hand its plans' StackReferences, which
    would each plan their platform again in a process of its own. A name read wrong costs that plan alone."""
    diffed = {stack: (old[0], new[0]) for stack, old, new in jobs if isinstance(old, tuple) and isinstance(new, tuple)}
    wanted: dict[Path, dict[str, list[str]]] = {}  # platform folder → revision → the stacks named there
    for rev in sorted({rev for revs in diffed.values() for rev in revs}):
        project, top = revisions.tree(rev), revisions.archives[rev] if rev else revisions.top
        root = platform_root(project)
        try:
            named = sorted({t.platform for t in tenants(project) if t.stack in diffed}) if root != project else []
        except (OSError, ValueError, TypeError):  # a stack file the diff reports as it plans it
            continue
        if named:
            wanted.setdefault(root.resolve().relative_to(top.resolve()), {})[rev] = named
    referenced: dict[str, list[Referenced]] = {}
    for inside, by_rev in wanted.items():
        beside = revisions.beside(inside)
        for (rev, stack), side in beside.plan_all(by_rev).items():
            if side.folder is not None:
                referenced.setdefault(rev, []).append(Referenced(beside.tree(rev), stack, side.folder / "plan.json"))
    return referenced


def _platform_changes(
    revisions: Revisions, jobs: list[tuple[str, Any, Any]], sides: dict[tuple[str, str], Side]
) -> dict[str, PlatformChange]:
    """For each stack planned at two revisions whose plans read another stack's outputs (a tenant, its
    platform's): what it reads that changes, from that stack's plans at the same two revisions."""
    reads: dict[str, tuple[tuple[str, Path, str], tuple[str, Path, str]]] = {}  # (revision, project folder, stack) read
    for stack, old_spec, new_spec in jobs:
        if not (isinstance(old_spec, tuple) and isinstance(new_spec, tuple)):
            continue
        old_plan, new_plan = sides[old_spec].plan, sides[new_spec].plan
        old_read = revisions.referenced(old_spec[0], old_plan) if old_plan is not None else None
        new_read = revisions.referenced(new_spec[0], new_plan) if new_plan is not None else None
        if old_read is not None and new_read is not None:
            reads[stack] = ((old_spec[0], *old_read), (new_spec[0], *new_read))
    wanted: dict[Path, dict[str, list[str]]] = {}
    for read in reads.values():
        for rev, inside, other in read:
            wanted.setdefault(inside, {}).setdefault(rev, []).append(other)
    planned = {inside: revisions.beside(inside).plan_all(by_rev) for inside, by_rev in wanted.items()}
    changes = {}
    for stack, _, new_spec in jobs:
        if stack not in reads:
            continue
        (old_rev, old_in, old_stack), (new_rev, new_in, new_stack) = reads[stack]
        old, new = planned[old_in][old_rev, old_stack].plan, planned[new_in][new_rev, new_stack].plan
        if old is not None and new is not None:
            changes[stack] = platform_change(old, new, sides[new_spec].plan or {})
    return changes


def _check_stack_exists(revisions: Revisions, revs: list[str], stack: str) -> None:
    """A stack on neither side is a typo, not a stack without changes."""
    existing = set().union(*(revisions.stacks(rev) for rev in revs))
    if stack not in existing:
        sides = " or ".join(revisions.label(rev) for rev in revs)
        known = ", ".join(sorted(existing)) or "none"
        raise DiffError(f"no stack {stack!r}: there is no Pulumi.{stack}.yaml at {sides}; the stacks are {known}")


def _untouched_stacks(changed: set[str] | None, stacks: list[str]) -> set[str]:
    """Stacks that need no plan: when only stack files changed, every stack whose file did not."""
    if changed is None or any(not _is_stack_file(name) for name in changed):
        return set()
    return {stack for stack in stacks if f"Pulumi.{stack}.yaml" not in changed}


def _is_stack_file(name: str) -> bool:
    return "/" not in name and name.startswith("Pulumi.") and name.endswith(".yaml") and name != "Pulumi.yaml"
