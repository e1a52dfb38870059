"""The results as a table: check, expected, found, and a line that says how it ended."""

from __future__ import annotations

from verify.results import Result, Status

HEADER = ("check", "expected", "found", "result")
MARK = {Status.PASSED: "✅ passed", Status.FAILED: "❌ failed", Status.UNREADABLE: "⚠️ could not read"}


def _cells(result: Result) -> tuple[str, str, str, str]:
    return result.check, result.expected, result.found, result.status.value


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ")


def markdown(stack: str, results: list[Result], verdict: str) -> str:
    lines = [f"### `python -m verify --stack {stack}`: {verdict}", "", "| " + " | ".join(HEADER) + " |"]
    lines.append("| " + " | ".join("---" for _ in HEADER) + " |")
    for result in results:
        check, expected, found, _ = (_escape(cell) for cell in _cells(result))
        lines.append(f"| {check} | {expected} | {found} | {MARK[result.status]} |")
    return "\n".join(lines) + "\n"


def plain(stack: str, results: list[Result], verdict: str) -> str:
    rows = [HEADER, *(_cells(result) for result in results)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADER) - 1)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)) + "  " + row[-1] for row in rows]
    return "\n".join([*lines, f"{stack}: {verdict}"]) + "\n"
