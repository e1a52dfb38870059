"""The plan diff (offline/diff.py) as Markdown, for a pull-request comment and `make diff`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from eksfargate.facts.resource_types import EKS_CLUSTER
from offline import upgrade
from offline.diff import ABSENT, CLUSTER_STEPS, Change, ResourceChange, StackDiff
from offline.plan import summarize
from offline.replacements import CLUSTER_TYPE

MARKER = "<!-- offline-plan-diff -->"
COMMENT_LIMIT = 60_000  # GitHub refuses comments over 65,536 characters


_OPS = {
    "replace": ("🔁", "replace"),
    "delete": ("➖", "delete"),
    "create": ("➕", "create"),
    "update": ("✏️", "update"),
}
_OP_ORDER = ["replace", "delete", "create", "update"]


def render(diffs: list[StackDiff], details: bool = True, limit: int = COMMENT_LIMIT) -> str:
    """One Markdown document for all stacks, under `limit` characters (details dropped if needed)."""
    text = _render(diffs, details)
    if len(text) > limit and details:
        text = _render(diffs, False)
    if len(text) > limit:
        text = text[: limit - 200] + "\n\n… (cut: the full diff is in the workflow's artifact)\n"
    return text


def _render(diffs: list[StackDiff], details: bool) -> str:
    changed = [d for d in diffs if d.changed or d.error]
    lines = [MARKER, "## Offline plan diff", ""]
    if not diffs:
        lines.append("No stack files on either side.")
    elif not changed:
        stacks = ", ".join(f"`{d.stack}`" for d in diffs)
        lines += [f"No changes to stacks {stacks}: the offline plans are identical.", ""]
    if any(entry.loud for d in diffs for entry in d.resources):
        lines += [
            "> [!CAUTION]",
            "> **PROTECTED RESOURCES WOULD BE DELETED OR REPLACED:** "
            + "; ".join(
                f"`{e.resource['name']}` (`{e.resource['type']}`, stack `{d.stack}`): {e.op}"
                + "".join(f" ({w})" for w in e.warnings)
                for d in diffs
                for e in d.resources
                if e.loud
            )
            + ". `pulumi up` refuses to delete a protected resource; if this is really meant, unprotect it in a"
            " separate, deliberate change first.",
            "",
        ]
    for diff in diffs:
        lines += _render_stack(diff, details)
    lines += [
        "",
        "<sub>Offline plan from the code alone (no cloud state): `{{Kind:name.property}}` values are known after deploy; "
        "replacements follow the providers' force-new fields as `offline/diff.py` knows them. "
        "Where credentials are configured, the `pulumi preview` comment is authoritative.</sub>",
    ]
    return "\n".join(lines) + "\n"


def _render_stack(diff: StackDiff, details: bool) -> list[str]:
    lines = [f"### Stack `{diff.stack}`: {diff.old_label} → {diff.new_label}", ""]
    lines += _render_grave(diff)
    if diff.error:
        return [*lines, "> [!WARNING]", f"> Could not plan: {_escape(diff.error)}", ""]
    if diff.note:
        lines += [f"_{diff.note}_", ""]
    lines += upgrade.render(diff.upgrade)
    if not diff.changed:
        if diff.config:
            keys = ", ".join(f"`{c.path}`" for c in diff.config)
            return [*lines, f"No changes, though the configuration differs: {keys}.", ""]
        return [*lines, "No changes.", ""]
    counts = " · ".join(f"{diff.count(op)} to {op}" for op in ("create", "update", "replace", "delete") if diff.count(op))
    lines += [f"**{counts or 'no resource changes'}** · {diff.count('same')} unchanged", ""]
    entries = sorted(
        (e for e in diff.resources if e.op != "same"),
        key=lambda e: (_OP_ORDER.index(e.op), e.resource["type"], e.resource["name"]),
    )
    if entries:
        lines += ["| | resource | type | why |", "| --- | --- | --- | --- |"]
        for entry in entries:
            icon, word = _OPS[entry.op]
            res = entry.resource
            flag = " **PROTECTED**" if entry.loud else ""
            lines.append(f"| {icon} {word}{flag} | `{res['name']}` | `{res['type']}` | {_why(entry)} |")
        lines.append("")
    if diff.outputs:
        lines += ["**Stack outputs:**", *(_render_output(c) for c in diff.outputs), ""]
    if diff.tenant_reads:
        lines += ["**Tenant stacks that read the changed outputs:**"]
        lines += [f"- `{output}`: {', '.join(f'`{t}`' for t in stacks)}: {what}" for output, stacks, what in diff.tenant_reads]
        lines.append("")
    lines += _render_cost(diff) + _render_findings(diff)
    if details:
        lines += _details(entries, diff)
    return lines


def _render_grave(diff: StackDiff) -> list[str]:
    """A CAUTION at the top of the stack for what cannot come back as it was, protected or not."""
    grave = [e for e in diff.resources if e.grave]
    if not grave:
        return []
    lines = ["> [!CAUTION]", "> **This change deletes or replaces what cannot come back as it was:**"]
    lines += [f"> - {e.op} `{e.resource['name']}`, {e.grave}" for e in sorted(grave, key=lambda e: e.resource["urn"])]
    if any(e.resource["type"] in (CLUSTER_TYPE, EKS_CLUSTER) and e.op == "replace" for e in grave):
        lines += [">", f"> {CLUSTER_STEPS}"]
    return [*lines, ""]


def _render_output(change: Change) -> str:
    if change.note:
        return f"- `{change.path}`: {_escape(change.note)}"
    return f"- `{change.path}`: {_value(change.old)} → {_value(change.new)}"


def _usd(amount: Decimal | None) -> str:
    return "—" if amount is None else f"${amount:,.2f}"


def _signed_usd(amount: Decimal) -> str:
    return f"{'+' if amount >= 0 else '−'}${abs(amount):,.2f}"


def _render_cost(diff: StackDiff) -> list[str]:
    if not diff.cost or diff.cost_totals is None:
        return []
    before, after = diff.cost_totals
    lines = [
        f"**Estimated monthly cost:** {_usd(before)} → {_usd(after)} ({_signed_usd(after - before)}/month)",
        "",
        "| | line | before | after | change |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for line in diff.cost:
        change = (line.new or Decimal(0)) - (line.old or Decimal(0))
        item = _escape(line.item)
        lines.append(f"| {line.category} | {item} | {_usd(line.old)} | {_usd(line.new)} | {_signed_usd(change)} |")
    if diff.cost_unpriced:
        lines += ["", "Totals of priced items only; not priced:", *(f"- {_escape(item)}" for item in diff.cost_unpriced)]
    return [*lines, ""]


def _render_findings(diff: StackDiff) -> list[str]:
    lines = []
    if diff.findings_added:
        lines += ["**Policy findings this change introduces:**", *(f"- {_escape(f)}" for f in diff.findings_added), ""]
    if diff.findings_removed:
        lines += ["**Policy findings this change resolves:**", *(f"- {_escape(f)}" for f in diff.findings_removed), ""]
    return lines


def _why(entry: ResourceChange) -> str:
    if entry.op == "create":
        return _escape("; ".join(summarize(entry.resource)[:3]))
    if entry.op == "delete":
        return "removed from the program" + (" — protected, `pulumi up` will refuse" if entry.loud else "")
    forcing = _unique_paths(c for c in entry.changes if c.replaces)
    warned = "".join(f" ⚠️ {w}." for w in entry.warnings)
    if entry.op == "replace":
        order = "delete, then create" if entry.deletes_first else "create, then delete"
        if entry.fixed_name and not entry.resource.get("deleteBeforeReplace"):
            order += (
                f": its name `{entry.fixed_name}` is fixed, so the new one cannot exist beside the old;"
                " an outage until it is back"
            )
        verb = "forces" if len(forcing) == 1 else "force"
        return _escape(f"{', '.join(f'`{p}`' for p in forcing)} {verb} replacement ({order}).{warned}")
    paths = _unique_paths(entry.changes)
    shown = ", ".join(f"`{p}`" for p in paths[:4]) + (f" +{len(paths) - 4}" if len(paths) > 4 else "")
    return _escape(shown + warned)


def _unique_paths(changes: Iterable[Change]) -> list[str]:
    """Paths without list indices, each once: `subnetIds[0]`, `subnetIds[1]` → `subnetIds`."""
    seen: dict[str, None] = {}
    for change in changes:
        seen.setdefault(re.sub(r"\[\d+\]", "", change.path), None)
    return list(seen)


def _details(entries: list[ResourceChange], diff: StackDiff) -> list[str]:
    described = [e for e in entries if e.op in ("update", "replace")]
    if not described and not diff.config:
        return []
    lines = ["<details><summary>Property changes</summary>", ""]
    for entry in described:
        icon, word = _OPS[entry.op]
        lines.append(f"**{icon} `{entry.resource['name']}`** (`{entry.resource['type']}`) — {word}")
        for change in entry.changes:
            tail = " — **forces replacement**" if change.replaces else ""
            if change.note:
                tail += f" ({change.note})"
            if change.note.startswith("new value"):
                lines.append(f"- `{change.path}`: {_value(change.new)}{tail}")
            else:
                lines.append(f"- `{change.path}`: {_value(change.old)} → {_value(change.new)}{tail}")
        lines.append("")
    if diff.config:
        lines += ["**Stack configuration:**", *(f"- `{c.path}`: {_value(c.old)} → {_value(c.new)}" for c in diff.config), ""]
    return [*lines, "</details>", ""]


def _value(value: Any, width: int = 160) -> str:
    if value is ABSENT:
        return "_(absent)_"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if len(text) > width:
        text = text[: width - 1] + "…"
    return "`" + text.replace("`", "'") + "`"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
