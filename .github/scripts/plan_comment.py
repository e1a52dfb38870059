"""The pull-request comment, rendered by the trusted posting workflow (plan-comment.yml) from untrusted data.

The job that runs the pull request's code uploads the plan diff as data (JSON written by
`python -m offline diff --json`, tools/offline/diff_data.py), never Markdown. This script runs
from the base branch with the standard library only (no venv, none of the project's code), and:

- validates the document against SCHEMA (types, enumerations, lengths, no key it does not know)
  and refuses anything else with a "the diff data is not valid" comment instead of rendering it;
- writes every piece of Markdown structure itself (tables, headings, `<details>`, alerts) and
  puts each string from the data into it escaped (`text()`): HTML's `& < >` become entities,
  Markdown's punctuation is backslash-escaped, newlines and invisible/bidi characters go, `@` and
  `#` get a zero-width joiner after them (no mention, no #123 reference), as do `://` and `www.`
  (no autolink) and long hex runs (no commit link); lengths are capped;
- shows a GitHub alert only where the data's own flags say so (`protected`, `grave`, a refused
  Kubernetes upgrade, a stack that could not be planned), never because of what a string says.

The header (the commit, what the tests concluded, the run's link) comes from the workflow run.

    python3 plan_comment.py diff   --sha SHA --run-url URL --conclusion success [--data diff.json | < diff.json]
    python3 plan_comment.py failed --sha SHA --run-url URL [--previous previous.md]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

MARKER = "<!-- offline-plan-diff -->"
BODY_START, BODY_END = "<!-- offline-plan-diff:body -->", "<!-- /offline-plan-diff:body -->"
LIMIT = 60_000  # GitHub refuses comments over 65,536 characters
MAX_BYTES = 16_000_000  # a diff document larger than this is refused unread
FORMAT, VERSION = "offline-plan-diff", 1
ZWJ = "\u200d"
_SHA = re.compile(r"[0-9a-f]{7,40}")
_FOR_COMMIT = re.compile(r"^_Offline plan diff for commit `([0-9a-f]{7,40})`")
# C0/C1 controls (newlines are handled apart), zero-width and bidirectional-override characters.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_NEWLINES = re.compile(r"[\t\n\r\u0085\u2028\u2029]+")
_HEX_RUN = re.compile(r"(?<![0-9A-Za-z_])[0-9A-Fa-f]{7,}(?![0-9A-Za-z_])")
# `://` and `www.` start autolinks, `GH-26` is an issue reference (GitHub, "Autolinked references and URLs").
_AUTOLINK = re.compile(r"(?i)(:)(?=//)|(\bwww)(?=\.)|(\bGH)(?=-[0-9])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "$": "&#36;"}
_PUNCTUATION = set("\\`*_[]()!#|~")


# ---------------------------------------------------------------------------------------
# Escaping: every string from the data goes through text(), prose() or code()


def text(value: str, limit: int = 300, strip: bool = True) -> str:
    """`value` as inline Markdown that renders as exactly that text: no markup, mention, reference or link."""
    value = _NEWLINES.sub(" ", _INVISIBLE.sub("", value))
    value = value.strip() if strip else value
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    value = _HEX_RUN.sub(lambda m: ZWJ.join(m.group(0)[i : i + 6] for i in range(0, len(m.group(0)), 6)), value)
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


def code(value: str, limit: int = 160) -> str:
    """`value` in a monospace span; the tags are this script's, the content is escaped."""
    return f"<code>{text(value, limit)}</code>"


def prose(value: str, limit: int = 600) -> str:
    """A sentence from the data: escaped, except that `balanced backtick` spans become <code> spans."""
    value = _NEWLINES.sub(" ", _INVISIBLE.sub("", value)).strip()
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    parts = value.split("`")
    if len(parts) < 3 or len(parts) % 2 == 0:
        return text(value, limit)
    return "".join(text(part, limit, strip=False) if i % 2 == 0 else code(part, limit) for i, part in enumerate(parts))


def _short(sha: str) -> str:
    if not _SHA.fullmatch(sha):
        raise ValueError(f"not a commit sha: {sha!r}")
    return sha[:12]


# ---------------------------------------------------------------------------------------
# The schema: what a document may hold (tools/offline/diff_data.py writes it)


class Invalid(ValueError):
    pass


def _str(limit: int) -> tuple:
    return ("str", limit)


NAME, LINE, PROSE, VALUE = _str(1_000), _str(2_000), _str(20_000), _str(4_000)
BOOL, COUNT = ("bool",), ("int", 0, 10_000_000)
AMOUNT = ("amount",)


def _opt(spec: tuple) -> tuple:
    return ("optional", spec)


def _list(item: tuple, limit: int) -> tuple:
    return ("list", item, limit)


def _obj(**fields: tuple) -> tuple:
    return ("object", fields)


def _enum(*values: str) -> tuple:
    return ("enum", values)


CHANGE = _obj(path=LINE, old=_opt(VALUE), new=_opt(VALUE), replaces=BOOL, note=PROSE, after_deploy=BOOL)
OPS = ("create", "update", "replace", "delete")
SCHEMA = _obj(
    format=_enum(FORMAT),
    version=("int", VERSION, VERSION),
    errors=_list(PROSE, 20),
    stacks=_list(
        _obj(
            stack=NAME,
            project=_enum("platform", "tenant"),
            platform=_opt(NAME),
            old_label=NAME,
            new_label=NAME,
            changed=BOOL,
            error=PROSE,
            note=PROSE,
            counts=_obj(**{op: COUNT for op in (*OPS, "same")}),
            resources=_list(
                _obj(
                    op=_enum(*OPS),
                    name=NAME,
                    type=NAME,
                    protected=BOOL,
                    grave=PROSE,
                    summary=_list(LINE, 20),
                    fixed_name=NAME,
                    deletes_first=BOOL,
                    delete_before_replace=BOOL,
                    warnings=_list(PROSE, 50),
                    changes=_list(CHANGE, 2_000),
                ),
                20_000,
            ),
            outputs=_list(CHANGE, 2_000),
            config=_list(CHANGE, 2_000),
            cost=_opt(
                _obj(
                    before=AMOUNT,
                    after=AMOUNT,
                    lines=_list(_obj(category=NAME, item=LINE, old=_opt(AMOUNT), new=_opt(AMOUNT)), 2_000),
                )
            ),
            findings_added=_list(PROSE, 2_000),
            findings_removed=_list(PROSE, 2_000),
            upgrade=_list(_obj(refused=BOOL, text=PROSE), 50),
            tenant_reads=_list(_obj(output=NAME, stacks=_list(NAME, 1_000), effect=PROSE), 100),
            cluster_steps=PROSE,
        ),
        1_000,
    ),
)
_AMOUNT = re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,12})?")


def check(value: Any, spec: tuple = SCHEMA, where: str = "the document") -> None:
    """Raise Invalid unless `value` is exactly what `spec` allows."""
    kind = spec[0]
    if kind == "optional":
        if value is not None:
            check(value, spec[1], where)
    elif kind == "str":
        if not isinstance(value, str) or len(value) > spec[1]:
            raise Invalid(f"{where} is not a string of at most {spec[1]} characters")
    elif kind == "bool":
        if type(value) is not bool:
            raise Invalid(f"{where} is not true or false")
    elif kind == "int":
        if type(value) is not int or not spec[1] <= value <= spec[2]:
            raise Invalid(f"{where} is not a whole number from {spec[1]} to {spec[2]}")
    elif kind == "amount":
        if not isinstance(value, str) or not _AMOUNT.fullmatch(value):
            raise Invalid(f"{where} is not an amount such as 12.34")
    elif kind == "enum":
        if value not in spec[1] or not isinstance(value, str):
            raise Invalid(f"{where} is not one of {', '.join(spec[1])}")
    elif kind == "list":
        if not isinstance(value, list) or len(value) > spec[2]:
            raise Invalid(f"{where} is not a list of at most {spec[2]} items")
        for index, item in enumerate(value):
            check(item, spec[1], f"{where}[{index}]")
    elif kind == "object":
        if not isinstance(value, dict):
            raise Invalid(f"{where} is not an object")
        missing, unknown = sorted(spec[1].keys() - value.keys()), sorted(value.keys() - spec[1].keys())
        if missing or unknown:
            raise Invalid(f"{where} lacks {missing} or has keys this renderer does not know: {unknown[:5]}")
        for key, item_spec in spec[1].items():
            check(value[key], item_spec, f"{where}.{key}")
    else:  # pragma: no cover - a mistake in SCHEMA
        raise AssertionError(kind)


def load(raw: bytes) -> dict:
    """The document, validated; Invalid says why not."""
    if len(raw) > MAX_BYTES:
        raise Invalid(f"the document is over {MAX_BYTES} bytes")
    try:
        doc = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Invalid(f"it is not JSON ({type(exc).__name__})") from None
    if isinstance(doc, dict) and doc.get("format") == FORMAT and doc.get("version") != VERSION:
        raise Invalid(
            f"its version is {str(doc.get('version'))[:20]}, and this renderer (the base branch's) reads version {VERSION}"
        )
    check(doc)
    return doc


def _refuse_constant(name: str) -> None:
    raise ValueError(name)  # NaN, Infinity


# ---------------------------------------------------------------------------------------
# Rendering


_OPS = {"replace": ("🔁", "replace"), "delete": ("➖", "delete"), "create": ("➕", "create"), "update": ("✏️", "update")}
_OP_ORDER = ["replace", "delete", "create", "update"]
ROWS = 40  # resource rows shown before the rest are folded
MAX_ROWS = 400  # rows listed at all per stack (the artifact holds every one)


def ordered(stacks: list[dict]) -> list[dict]:
    """Platform stacks by name, each followed by its tenant stacks; tenants of no platform here last."""
    platforms = sorted((s for s in stacks if s["project"] == "platform"), key=lambda s: s["stack"])
    tenants = sorted((s for s in stacks if s["project"] == "tenant"), key=lambda s: s["stack"])
    result: list[dict] = []
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


def _stack_name(stack: dict) -> str:
    name = code(stack["stack"], 80)
    if stack["project"] == "tenant":
        of = f"tenant of {code(stack['platform'], 80)}" if stack["platform"] is not None else "tenant"
        return f"{name} ({of})"
    return name


def render_body(doc: dict, details: bool = True, sections: bool = True) -> str:
    stacks = ordered(doc["stacks"])
    shown = [s for s in stacks if s["changed"] or s["error"]]
    lines = [BODY_START, "## Offline plan diff", ""]
    if doc["errors"]:
        lines += ["> [!WARNING]", "> **Part of the diff is missing:** " + "; ".join(prose(e) for e in doc["errors"]), ""]
    if not stacks:
        lines += ["No stack files on either side.", ""]
    elif not shown and not doc["errors"]:
        names = ", ".join(code(s["stack"], 80) for s in stacks)
        lines += [f"No changes to stacks {names}: the offline plans are identical.", ""]
    loud = [(s, r) for s in stacks for r in s["resources"] if r["protected"] and r["op"] in ("delete", "replace")]
    if loud:
        lines += [
            "> [!CAUTION]",
            "> **PROTECTED RESOURCES WOULD BE DELETED OR REPLACED:** "
            + "; ".join(f"{code(r['name'])} ({code(r['type'])}, stack {code(s['stack'], 80)}): {r['op']}" for s, r in loud[:50])
            + (f"; and {len(loud) - 50} more" if len(loud) > 50 else "")
            + ". `pulumi up` refuses to delete a protected resource; if this is really meant, unprotect it in a"
            " separate, deliberate change first.",
            "",
        ]
    if stacks:
        lines += _summary(stacks)
    if sections:
        for stack in shown:
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


def _summary(stacks: list[dict]) -> list[str]:
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


def _render_stack(stack: dict, details: bool) -> list[str]:
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


def _row(entry: dict) -> str:
    icon, word = _OPS[entry["op"]]
    flag = " **PROTECTED**" if entry["protected"] and entry["op"] in ("delete", "replace") else ""
    return f"| {icon} {word}{flag} | {code(entry['name'])} | {code(entry['type'])} | {_why(entry)} |"


def _unique_paths(changes: list[dict]) -> list[str]:
    seen: dict[str, None] = {}
    for change in changes:
        seen.setdefault(re.sub(r"\[\d+\]", "", change["path"]), None)
    return list(seen)


def _why(entry: dict) -> str:
    warned = "".join(f" ⚠️ {prose(w)}." for w in entry["warnings"][:5])
    if entry["op"] == "create":
        return "; ".join(text(line, 120) for line in entry["summary"][:3])
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


def _output(change: dict) -> str:
    if change["note"]:
        return f"- {code(change['path'])}: {prose(change['note'])}"
    return f"- {code(change['path'])}: {_value(change['old'])} → {_value(change['new'])}"


def _cost(stack: dict) -> list[str]:
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
    return [*lines, ""]


def _findings(stack: dict) -> list[str]:
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


def _details(entries: list[dict], stack: dict) -> list[str]:
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


def _header(sha: str, run_url: str, conclusion: str) -> list[str]:
    verdict = "tests passed" if conclusion == "success" else f"the run concluded `{re.sub(r'[^a-z_]', '', conclusion)}`"
    return [
        MARKER,
        f"_Offline plan diff for commit `{_short(sha)}` ({verdict}; [workflow run]({run_url}))._",
        "Rendered by the base branch's `.github/scripts/plan_comment.py` from the data this pull request's code"
        " produced; every name and value in it is shown as text.",
        "",
    ]


def diff_comment(raw: bytes | str, sha: str, run_url: str, conclusion: str) -> str:
    """The comment for a run that produced diff data (`raw`, untrusted): rendered, or refused if not valid."""
    head = _header(sha, run_url, conclusion)
    try:
        doc = load(raw.encode() if isinstance(raw, str) else raw)
    except Invalid as exc:
        return "\n".join(
            [
                *head,
                "> [!WARNING]",
                f"> **The diff data is not valid**, so it is not shown: {text(str(exc), 400)}. The run's `plan-diff`"
                " artifact holds what the pull request's code wrote.",
                "",
            ]
        )
    for details, sections in ((True, True), (False, True), (False, False)):
        body = render_body(doc, details, sections)
        if len(body) <= LIMIT:
            break
    else:
        body = "\n".join(
            [BODY_START, "## Offline plan diff", "", "_Too large for a comment: see the run's `plan-diff` artifact._", BODY_END]
        )
    return "\n".join([*head, body, ""])


def failed_comment(sha: str, run_url: str, previous: str | None) -> str:
    lines = [
        MARKER,
        f"**Tests failed for commit `{_short(sha)}`** ([workflow run]({run_url})): there is no plan diff for it.",
    ]
    old = _previous_diff(previous)
    if old:
        old_sha, block = old
        lines += [
            "",
            f"<details><summary>Outdated: the diff for commit <code>{old_sha}</code></summary>",
            "",
            block,
            "",
            "</details>",
        ]
    return "\n".join([*lines, ""])


def _previous_diff(previous: str | None) -> tuple[str, str] | None:
    """The commit and the rendered body of the comment this script wrote before, if it holds a diff."""
    if not previous:
        return None
    lines = previous.splitlines()
    commit = next((m.group(1) for m in map(_FOR_COMMIT.match, lines) if m), None)
    if commit is None:
        return None
    if BODY_START in lines and BODY_END in lines[lines.index(BODY_START) :]:
        start = lines.index(BODY_START)
        end = lines.index(BODY_END, start)
        # Inside <details> alerts do not render (GitHub: alerts cannot be nested): the old ones stay plain quotes.
        return commit, "\n".join(lines[start : end + 1])
    # A comment from before the diff was data: its fenced block.
    start = next((i for i, line in enumerate(lines) if re.fullmatch(r"`{3,}markdown", line)), None)
    if start is None:
        return None
    ticks = lines[start].removesuffix("markdown")
    end = next((i for i in range(start + 1, len(lines)) if lines[i] == ticks), None)
    if end is None:
        return None
    return commit, "\n".join(lines[start : end + 1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["diff", "failed"])
    parser.add_argument("--sha", required=True)
    parser.add_argument("--run-url", required=True)
    parser.add_argument("--conclusion", default="success")
    parser.add_argument("--data", type=Path, help="the diff data (diff mode; default: standard input)")
    parser.add_argument("--previous", type=Path, help="the comment posted before (failed mode)")
    args = parser.parse_args(argv)
    if args.mode == "diff":
        if args.data is None:
            raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        elif args.data.is_file() and not args.data.is_symlink():
            with args.data.open("rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
        else:
            raw = b"(no diff data file)"
        sys.stdout.write(diff_comment(raw, args.sha, args.run_url, args.conclusion))
    else:
        previous = args.previous.read_text() if args.previous and args.previous.is_file() else None
        sys.stdout.write(failed_comment(args.sha, args.run_url, previous))
    return 0


if __name__ == "__main__":
    sys.exit(main())
