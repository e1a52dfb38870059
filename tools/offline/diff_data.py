"""The plan diff as data: `StackDiff` objects → one JSON document for the pull-request comment.

`python -m offline diff OLD NEW --json FILE` writes it. The job that runs a pull request's code
uploads this document, not Markdown; the trusted posting workflow renders the comment from it
with the base branch's `.github/scripts/plan_comment.py`, which validates every field (types,
lengths, no unknown keys: plan_schema.py) and escapes every string; `make diff` prints the same
rendering of the same document (offline/diff_render.py). So this module decides *what* the diff
says, never how it looks: values are plain strings, and the alerts the comment shows come from the
structured flags here (`protected`, `grave`, `upgrade[].refused`, `error`), never from text.

    {"format": "offline-plan-diff", "version": 3, "errors": [str],
     "stacks": [{"stack", "project": "platform"|"tenant", "platform": str|null, "old_label", "new_label",
                 "changed", "error", "note", "counts": {create, update, replace, delete, same},
                 "resources": [{"op", "name", "type", "protected", "grave", "summary": [str],
                                "fixed_name", "deletes_first", "delete_before_replace", "warnings": [str],
                                "changes": [Change]}],
                 "outputs": [Change], "config": [Change],
                 "cost": null | {"before", "after", "lines": [{"category", "item", "old", "new"}]},
                 "cost_unpriced": [str],
                 "findings_added": [str], "findings_removed": [str],
                 "upgrade": [{"refused", "text"}], "tenant_reads": [{"output", "stacks", "effect"}],
                 "platform_reads": [Change], "cluster_steps": str}]}
    Change = {"path", "old": str|null, "new": str|null, "replaces", "note", "after_deploy"}

A change's `old`/`new` are the values as JSON text (null: absent on that side); amounts of money
are decimal strings; `cost_unpriced`: what the totals leave out, unpriced in the stack's region;
`tenant_reads` (a platform's): the tenant stacks that read its changed outputs; `platform_reads` (a
tenant's): what it reads from its platform (`platform`) that changes, which is why it changes.
FORMAT and VERSION are plan_schema.py's, which is bumped (on the base branch first) whenever the
shape changes: the renderer refuses a version or a key it does not know.

    python -m offline.diff_data merge OUT IN...   one document from several (platform and tenant/)
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from eksfargate.facts.resource_types import EKS_CLUSTER
from eksfargate.project import TENANT_PROJECT_DIR
from eksfargate.stack_catalog import tenants
from offline import diff as offline_diff
from offline.comment_scripts import schema
from offline.comment_scripts import shards as comment_shards
from offline.registry import summarize
from offline.replacements import CLUSTER_TYPE

FORMAT, VERSION = schema.FORMAT, schema.VERSION
PLATFORM, TENANT = "platform", "tenant"
VALUE_LIMIT = 2_000  # characters of one value's JSON text; the renderer shows fewer
OPS = ("create", "update", "replace", "delete", "same")


def document(
    diffs: list[offline_diff.StackDiff], project: str = PLATFORM, platforms: dict[str, str] | None = None
) -> dict[str, Any]:
    """The JSON-safe document for one project's stack diffs; `platforms`: tenant stack → its platform stack."""
    platforms = platforms or {}
    return {
        "format": FORMAT,
        "version": VERSION,
        "errors": [],
        "stacks": [stack(diff, project, platforms.get(diff.stack)) for diff in diffs],
    }


def project_of(project_dir: Path) -> tuple[str, dict[str, str]]:
    """Which project a `--project-dir` is, and for tenant/ each stack's platform stack (as its stack files say)."""
    if project_dir.resolve().name != TENANT_PROJECT_DIR.name or not (project_dir / "Pulumi.yaml").is_file():
        return PLATFORM, {}
    try:
        return TENANT, {tenant.stack: tenant.platform for tenant in tenants(project_dir)}
    except Exception:  # noqa: BLE001 - a stack file the diff reports as an error: no platform to place it under
        return TENANT, {}


def stack(diff: offline_diff.StackDiff, project: str = PLATFORM, platform: str | None = None) -> dict[str, Any]:
    entries = [entry for entry in diff.resources if entry.op != "same"]
    cluster_replaced = any(e.resource["type"] in (CLUSTER_TYPE, EKS_CLUSTER) and e.op == "replace" and e.grave for e in entries)
    return {
        "stack": diff.stack,
        "project": project,
        # A tenant's platform: the one it reads (a diff of the tenant project or not), else as its stack file says.
        "platform": diff.platform or (platform if project == TENANT else None),
        "old_label": diff.old_label,
        "new_label": diff.new_label,
        "changed": diff.changed,
        "error": diff.error,
        "note": diff.note,
        "counts": {op: diff.count(op) for op in OPS},
        "resources": [resource(entry) for entry in entries],
        "outputs": [change(c) for c in diff.outputs],
        "config": [change(c) for c in diff.config],
        "cost": _cost(diff),
        "cost_unpriced": list(diff.cost_unpriced),
        "findings_added": list(diff.findings_added),
        "findings_removed": list(diff.findings_removed),
        "upgrade": [{"refused": bool(f.refused), "text": f.text} for f in diff.upgrade],
        "tenant_reads": [
            {"output": output, "stacks": list(stacks), "effect": effect} for output, stacks, effect in diff.tenant_reads
        ],
        "platform_reads": [change(c) for c in diff.platform_reads],
        "cluster_steps": offline_diff.CLUSTER_STEPS if cluster_replaced else "",
    }


def resource(entry: offline_diff.ResourceChange) -> dict[str, Any]:
    res = entry.resource
    return {
        "op": entry.op,
        "name": str(res["name"]),
        "type": str(res["type"]),
        "protected": entry.loud,
        "grave": entry.grave,
        "summary": [str(line) for line in summarize(res)[: schema.SUMMARY_LINES]] if entry.op == "create" else [],
        "fixed_name": entry.fixed_name,
        "deletes_first": entry.deletes_first,
        "delete_before_replace": bool(res.get("deleteBeforeReplace")),
        "warnings": entry.warnings,
        "changes": [change(c) for c in entry.changes],
    }


def change(item: offline_diff.Change) -> dict[str, Any]:
    return {
        "path": item.path,
        "old": value(item.old),
        "new": value(item.new),
        "replaces": bool(item.replaces),
        "note": item.note,
        "after_deploy": item.note.startswith("new value"),
    }


def value(item: Any) -> str | None:
    """A value as JSON text, cut to VALUE_LIMIT characters; None where the property is absent."""
    if item is offline_diff.ABSENT:
        return None
    text = json.dumps(item, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 1] + "…"


def amount(item: Decimal | None) -> str | None:
    return None if item is None else format(item, "f")


def _cost(diff: offline_diff.StackDiff) -> dict[str, Any] | None:
    if not diff.cost or diff.cost_totals is None:
        return None
    before, after = diff.cost_totals
    return {
        "before": amount(before),
        "after": amount(after),
        "lines": [
            {"category": line.category, "item": line.item, "old": amount(line.old), "new": amount(line.new)} for line in diff.cost
        ],
    }


def merge(documents: list[dict[str, Any]], errors: list[str] | None = None) -> dict[str, Any]:
    """One document from several (each project's): the comment's own merge (plan_shards.py), which
    puts a pull request's shards together the same way."""
    return comment_shards.merge(documents, errors)


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 3 or args[0] != "merge":
        print("usage: python -m offline.diff_data merge OUT IN...", file=sys.stderr)
        return 2
    out, parts = Path(args[1]), [Path(name) for name in args[2:]]
    # A project whose diff could not run at all (`offline diff` exited 2 before writing) is said, not skipped.
    errors = [
        f"no diff data for {part.stem}: its `python -m offline diff` failed (see the run's log)"
        for part in parts
        if not part.is_file()
    ]
    present = [part for part in parts if part.is_file()]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dumps(merge([json.loads(part.read_text()) for part in present], errors)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
