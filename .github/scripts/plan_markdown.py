"""The plan diff document as Markdown: the pull-request comment's body, and what `make diff` prints.

Standard library only, and no import of its neighbours: the posting workflow runs it from the base
branch with a bare python3 (plan_comment.py, on a document plan_schema.py has validated), and
`python -m offline diff` loads it from this file (tools/offline/comment_scripts.py) to print the
same body for the same document. It writes every piece of Markdown structure itself (tables,
headings, `<details>`, alerts) and puts each string from the document into it escaped
(`text()`): HTML's `& < >` become entities, Markdown's punctuation is backslash-escaped, newlines
and invisible/bidi characters are shown as their code point (`[U+202E]`), `@` and `#` get a
zero-width joiner after them (no mention, no #123 reference), as do `://` and `www.` (no autolink),
and long hex runs go in a `<code>` element whole (no commit link, and they copy as they are); lengths
are capped. It shows a GitHub alert only where the document's own flags say so (`protected`,
`grave`, a refused Kubernetes upgrade, a stack that could not be planned), never because of what
a string says.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

BODY_START, BODY_END = "<!-- offline-plan-diff:body -->", "<!-- /offline-plan-diff:body -->"
LIMIT = 60_000  # GitHub refuses comments over 65,536 characters
ZWJ = "\u200d"
SHOWN_SUMMARY_LINES = 6  # of a created resource's summary in its row: a role's rules; the rest are counted
# C0/C1 controls (newlines are handled apart), zero-width and bidirectional-override characters.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_NEWLINES = re.compile(r"[\t\n\r\u0085\u2028\u2029]+")
_HEX_RUN = re.compile(r"(?<![0-9A-Za-z_])[0-9A-Fa-f]{7,}(?![0-9A-Za-z_])")
# `://` and `www.` start autolinks, `GH-26` is an issue reference (GitHub, "Autolinked references and URLs").
_AUTOLINK = re.compile(r"(?i)(:)(?=//)|(\bwww)(?=\.)|(\bGH)(?=-[0-9])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "$": "&#36;"}
_PUNCTUATION = set("\\`*_[]()!#|~")


# ---------------------------------------------------------------------------------------
# Escaping: every string from the document goes through text(), prose() or code()


def _visible(value: str) -> str:
    """Controls, zero-width and bidi characters shown as their code point: never rendered, never hidden."""
    return _INVISIBLE.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", value)


def _escape(value: str) -> str:
    value = _AUTOLINK.sub(lambda m: m.group(0) + ZWJ, value)
    out = []
    for char in value:
        if char in _ENTITIES:
            out.append(_ENTITIES[char])
        elif char in _PUNCTUATION:
            out.append("\\" + char)
        else:
            out.append(char)
        if char in "@#":
            out.append(ZWJ)
    return "".join(out)


def _fit(value: str, limit: int, strip: bool) -> str:
    value = _NEWLINES.sub(" ", _visible(value))
    value = value.strip() if strip else value
    return value[: limit - 1] + "…" if len(value) > limit else value


def text(value: str, limit: int = 300, strip: bool = True) -> str:
    """`value` as inline Markdown that renders as exactly that text: no markup, mention, reference or link.

    A hex run (a SHA, an account id, a digest) goes in a <code> element rather than being broken up,
    so that it copies as it is: GitHub links no commit inside code.
    """
    value = _fit(value, limit, strip)
    out, last = [], 0
    for run in _HEX_RUN.finditer(value):
        out += [_escape(value[last : run.start()]), f"<code>{run.group(0)}</code>"]
        last = run.end()
    out.append(_escape(value[last:]))
    return "".join(out)


def code(value: str, limit: int = 160) -> str:
    """`value` in a monospace span; the tags are this module's, the content is escaped."""
    return f"<code>{_escape(_fit(value, limit, strip=True))}</code>"


def prose(value: str, limit: int = 600) -> str:
    """A sentence from the document: escaped, except that `balanced backtick` spans become <code> spans."""
    value = _NEWLINES.sub(" ", _visible(value)).strip()
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    parts = value.split("`")
    if len(parts) < 3 or len(parts) % 2 == 0:
        return text(value, limit)
    return "".join(text(part, limit, strip=False) if i % 2 == 0 else code(part, limit) for i, part in enumerate(parts))


# ---------------------------------------------------------------------------------------
# The body


_OPS = {"replace": ("🔁", "replace"), "delete": ("➖", "delete"), "create": ("➕", "create"), "update": ("✏️", "update")}
_OP_ORDER = ["replace", "delete", "create", "update"]
ROWS = 40  # resource rows shown before the rest are folded
MAX_ROWS = 400  # rows listed at all per stack (the artifact holds every one)


def fitted_body(doc: dict[str, Any], details: bool = True) -> str:
    """The body, under LIMIT characters: without the property changes if need be, then without the stacks' sections."""
    for with_details, sections in ((details, True), (False, True), (False, False)):
        body = render_body(doc, with_details, sections)
        if len(body) <= LIMIT:
            return body
    return "\n".join(
        [BODY_START, "## Offline plan diff", "", "_Too large for a comment: see the run's `plan-diff` artifact._", BODY_END]
    )


def ordered(stacks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Platform stacks by name, each followed by its tenant stacks; tenants of no platform here last."""
    platforms = sorted((s for s in stacks if s["project"] == "platform"), key=lambda s: s["stack"])
    tenants = sorted((s for s in stacks if s["project"] == "tenant"), key=lambda s: s["stack"])
    result: list[dict[str, Any]] = []
    for platform in platforms:
        result += [platform, *(t for t in tenants if t["platform"] == platform["stack"])]
    placed = {id(s) for s in result}
    return result + [t for t in tenants if id(t) not in placed]


def _usd(amount: str | None) -> str:
    return "—" if amount is None else f"&#36;{Decimal(amount):,.2f}"


def _signed_usd(amount: Decimal) -> str:
    return f"{'+' if amount >= 0 else '−'}&#36;{abs(amount):,.2f}"


def _value(value: str | None, width: int = 160) -> str:
    return "_(absent)_" if value is None else code(value, width)


def _stack_name(stack: dict[str, Any]) -> str:
    name = code(stack["stack"], 80)
    if stack["project"] == "tenant":
        of = f"tenant of {code(stack['platform'], 80)}" if stack["platform"] is not None else "tenant"
        return f"{name} ({of})"
    return name


def render_body(doc: dict[str, Any], details: bool = True, sections: bool = True) -> str:
    stacks = ordered(doc["stacks"])
    changed = [s for s in stacks if s["changed"] or s["error"]]
    lines = [BODY_START, "## Offline plan diff", ""]
    if doc["errors"]:
        lines += ["> [!WARNING]", "> **Part of the diff is missing:** " + "; ".join(prose(e) for e in doc["errors"]), ""]
    if not stacks:
        lines += ["No stack files on either side.", ""]
    elif not changed and not doc["errors"]:
        names = ", ".join(code(s["stack"], 80) for s in stacks)
        lines += [f"No changes to stacks {names}: the offline plans are identical.", ""]
    loud = [(s, r) for s in stacks for r in s["resources"] if r["protected"] and r["op"] in ("delete", "replace")]
    if loud:
        lines += [
            "> [!CAUTION]",
            "> **PROTECTED RESOURCES WOULD BE DELETED OR REPLACED:** "
            + "; ".join(
                f"{code(r['name'])} ({code(r['type'])}, stack {code(s['stack'], 80)}): {r['op']}"
                + "".join(f" ({prose(w)})" for w in r["warnings"][:5])
                for s, r in loud[:50]
            )
            + (f"; and {len(loud) - 50} more" if len(loud) > 50 else "")
            + ". `pulumi up` refuses to delete a protected resource; if this is really meant, unprotect it in a"
            " separate, deliberate change first.",
            "",
        ]
    if stacks:
        lines += _summary(stacks)
    if sections:
        # A stack whose configuration differs though its plan does not gets a section that says so.
        for stack in stacks:
            if stack["changed"] or stack["error"] or stack["config"]:
                lines += _render_stack(stack, details)
    else:
        lines += ["_The per-stack sections are left out to fit in one comment: the run's `plan-diff` artifact holds them._", ""]
    lines += [
        "<sub>Offline plan from the code alone (no cloud state): `{{Kind:name.property}}` values are known after deploy; "
        "replacements follow the providers' force-new fields as `offline/diff.py` knows them. "
        "Where credentials are configured, the `pulumi preview` comment is authoritative.</sub>",
        BODY_END,
    ]
    return "\n".join(lines)


def _summary(stacks: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| stack | plan | create | update | replace | delete | unchanged | monthly cost |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for stack in stacks:
        counts = stack["counts"]
        if stack["error"]:
            status = "⚠️ could not plan"
        elif stack["changed"]:
            status = "changes"
        else:
            status = "no changes"
        cost = stack["cost"]
        change = "—" if cost is None else _signed_usd(Decimal(cost["after"]) - Decimal(cost["before"]))
        indent = "↳ " if stack["project"] == "tenant" else ""
        cells = [f"{indent}{_stack_name(stack)}", status, *(str(counts[op]) for op in ("create", "update", "replace", "delete"))]
        lines.append("| " + " | ".join([*cells, str(counts["same"]), change]) + " |")
    return [*lines, ""]


def _render_stack(stack: dict[str, Any], details: bool) -> list[str]:
    lines = [f"### Stack {_stack_name(stack)}: {prose(stack['old_label'], 120)} → {prose(stack['new_label'], 120)}", ""]
    grave = [r for r in stack["resources"] if r["grave"] and r["op"] in ("delete", "replace")]
    if grave:
        lines += ["> [!CAUTION]", "> **This change deletes or replaces what cannot come back as it was:**"]
        lines += [f"> - {r['op']} {code(r['name'])}, {prose(r['grave'])}" for r in grave[:50]]
        if stack["cluster_steps"]:
            lines += [">", f"> {prose(stack['cluster_steps'], 2_000)}"]
        lines.append("")
    if stack["error"]:
        return [*lines, "> [!WARNING]", f"> Could not plan: {prose(stack['error'], 2_000)}", ""]
    if stack["note"]:
        lines += [f"_{prose(stack['note'])}_", ""]
    for finding in stack["upgrade"]:
        if finding["refused"]:
            lines += ["> [!CAUTION]", f"> **EKS WOULD REFUSE THIS VERSION CHANGE:** {prose(finding['text'], 2_000)}", ""]
        else:
            lines += ["> [!NOTE]", f"> **Kubernetes upgrade.** {prose(finding['text'], 2_000)}", ""]
    if stack["platform_reads"]:
        platform = code(stack["platform"], 80) if stack["platform"] is not None else "its platform"
        lines += [
            f"**What it reads from platform stack {platform} changes**, so on main it deploys again, in the wave"
            " after that stack's:",
            *(_output(c) for c in stack["platform_reads"][:100]),
            "",
        ]
    if not stack["changed"]:
        keys = ", ".join(code(c["path"]) for c in stack["config"][:100])
        return [*lines, f"No changes, though the configuration differs: {keys}.", ""]
    counts = stack["counts"]
    said = " · ".join(f"{counts[op]} to {op}" for op in ("create", "update", "replace", "delete") if counts[op])
    lines += [f"**{said or 'no resource changes'}** · {counts['same']} unchanged", ""]
    entries = sorted(stack["resources"], key=lambda r: (_OP_ORDER.index(r["op"]), r["type"], r["name"]))
    if entries:
        header = ["| | resource | type | why |", "| --- | --- | --- | --- |"]
        rows = [_row(entry) for entry in entries[:MAX_ROWS]]
        lines += [*header, *rows[:ROWS], ""]
        if len(rows) > ROWS:
            lines += [
                f"<details><summary>{len(rows) - ROWS} more resources</summary>",
                "",
                *header,
                *rows[ROWS:],
                "",
                "</details>",
                "",
            ]
        if len(entries) > MAX_ROWS:
            lines += [f"_… and {len(entries) - MAX_ROWS} more: the run's `plan-diff` artifact lists every one._", ""]
    if stack["outputs"]:
        lines += ["**Stack outputs:**", *(_output(c) for c in stack["outputs"][:100]), ""]
    if stack["tenant_reads"]:
        lines += ["**Tenant stacks that read the changed outputs:**"]
        lines += [
            f"- {code(read['output'])}: {', '.join(code(t, 80) for t in read['stacks'][:50])}: {prose(read['effect'])}"
            for read in stack["tenant_reads"]
        ]
        lines.append("")
    lines += _cost(stack) + _findings(stack)
    if details:
        lines += _details(entries[:MAX_ROWS], stack)
    return lines


def _row(entry: dict[str, Any]) -> str:
    icon, word = _OPS[entry["op"]]
    flag = " **PROTECTED**" if entry["protected"] and entry["op"] in ("delete", "replace") else ""
    return f"| {icon} {word}{flag} | {code(entry['name'])} | {code(entry['type'])} | {_why(entry)} |"


def _unique_paths(changes: list[dict[str, Any]]) -> list[str]:
    """Paths without list indices, each once: `subnetIds[0]`, `subnetIds[1]` → `subnetIds`."""
    seen: dict[str, None] = {}
    for change in changes:
        seen.setdefault(re.sub(r"\[\d+\]", "", change["path"]), None)
    return list(seen)


def _why(entry: dict[str, Any]) -> str:
    warned = "".join(f" ⚠️ {prose(w)}." for w in entry["warnings"][:5])
    if entry["op"] == "create":
        hidden = len(entry["summary"]) - SHOWN_SUMMARY_LINES
        shown = [text(line, 120) for line in entry["summary"][:SHOWN_SUMMARY_LINES]]
        return "; ".join([*shown, *([f"+{hidden} more (the plan lists them)"] if hidden > 0 else [])])
    if entry["op"] == "delete":
        return "removed from the program" + (" — protected, `pulumi up` will refuse" if entry["protected"] else "")
    if entry["op"] == "replace":
        forcing = _unique_paths([c for c in entry["changes"] if c["replaces"]])
        order = "delete, then create" if entry["deletes_first"] else "create, then delete"
        if entry["fixed_name"] and not entry["delete_before_replace"]:
            order += (
                f": its name {code(entry['fixed_name'])} is fixed, so the new one cannot exist beside the old;"
                " an outage until it is back"
            )
        verb = "forces" if len(forcing) == 1 else "force"
        more = f" +{len(forcing) - 6}" if len(forcing) > 6 else ""
        return f"{', '.join(code(p, 80) for p in forcing[:6])}{more} {verb} replacement ({order}).{warned}"
    paths = _unique_paths(entry["changes"])
    return ", ".join(code(p, 80) for p in paths[:4]) + (f" +{len(paths) - 4}" if len(paths) > 4 else "") + warned


def _output(change: dict[str, Any]) -> str:
    if change["note"]:
        return f"- {code(change['path'])}: {prose(change['note'])}"
    return f"- {code(change['path'])}: {_value(change['old'])} → {_value(change['new'])}"


def _cost(stack: dict[str, Any]) -> list[str]:
    cost = stack["cost"]
    if cost is None or not cost["lines"]:
        return []
    before, after = Decimal(cost["before"]), Decimal(cost["after"])
    lines = [
        f"**Estimated monthly cost:** {_usd(cost['before'])} → {_usd(cost['after'])} ({_signed_usd(after - before)}/month)",
        "",
        "| | line | before | after | change |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for line in cost["lines"][:200]:
        change = Decimal(line["new"] or 0) - Decimal(line["old"] or 0)
        cells = [text(line["category"], 60), text(line["item"], 160), _usd(line["old"]), _usd(line["new"]), _signed_usd(change)]
        lines.append("| " + " | ".join(cells) + " |")
    if stack["cost_unpriced"]:
        lines += ["", "Totals of priced items only; not priced:", *(f"- {prose(item)}" for item in stack["cost_unpriced"][:50])]
    return [*lines, ""]


def _findings(stack: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for key, title in (("findings_added", "introduces"), ("findings_removed", "resolves")):
        found = stack[key]
        if not found:
            continue
        items = [f"- {prose(f)}" for f in found[:200]]
        if len(items) > 10:
            lines += [
                f"<details><summary>Policy findings this change {title}: {len(found)}</summary>",
                "",
                *items,
                "",
                "</details>",
                "",
            ]
        else:
            lines += [f"**Policy findings this change {title}:**", *items, ""]
    return lines


def _details(entries: list[dict[str, Any]], stack: dict[str, Any]) -> list[str]:
    described = [e for e in entries if e["op"] in ("update", "replace")]
    if not described and not stack["config"]:
        return []
    lines = ["<details><summary>Property changes</summary>", ""]
    for entry in described:
        icon, word = _OPS[entry["op"]]
        lines.append(f"**{icon} {code(entry['name'])}** ({code(entry['type'])}) — {word}")
        for change in entry["changes"][:100]:
            tail = " — **forces replacement**" if change["replaces"] else ""
            if change["note"]:
                tail += f" ({prose(change['note'])})"
            if change["after_deploy"]:
                lines.append(f"- {code(change['path'])}: {_value(change['new'])}{tail}")
            else:
                lines.append(f"- {code(change['path'])}: {_value(change['old'])} → {_value(change['new'])}{tail}")
        lines.append("")
    if stack["config"]:
        lines += [
            "**Stack configuration:**",
            *(f"- {code(c['path'])}: {_value(c['old'])} → {_value(c['new'])}" for c in stack["config"][:100]),
            "",
        ]
    return [*lines, "</details>", ""]
