"""`python -m offline diff`: two sides compared, each a plan document or a stack at a git revision,
whose plans workers make in processes of their own (offline/revisions.py). It reads plans and makes
none itself, so it loads no Pulumi SDK (an import contract in pyproject.toml keeps it so).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from eksfargate.project import PLATFORM_PROJECT_DIR
from offline import diff as offline_diff
from offline import diff_data, diff_render, plan_cache, revisions, shards
from offline.exit_codes import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, EXIT_REFUSED


def run(args: argparse.Namespace) -> int:
    """`python -m offline diff OLD NEW` once its arguments are read (offline/__main__.py)."""
    project_dir = args.project_dir or PLATFORM_PROJECT_DIR
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
