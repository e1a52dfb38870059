"""The pull-request comment, rendered by the trusted posting workflow (plan-comment.yml) from untrusted data.

The job that runs the pull request's code uploads the plan diff as data (JSON written by
`python -m offline diff --json`, tools/offline/diff_data.py), never Markdown. This script runs
from the base branch with the standard library only (no venv, none of the project's code; its
neighbours here are imported by name, from the folder python3 puts first on the path): it
validates the document (plan_schema.py: types, enumerations, lengths, no key it does not know) and
refuses anything else with a "the diff data is not valid" comment instead of rendering it; the body
is plan_markdown.py's, the one `make diff` prints, every string from the data escaped. The header
(the commit, what the tests concluded, the run's link) comes from the workflow run.

    python3 plan_comment.py diff   --sha SHA --run-url URL --conclusion success [--data diff.json | < diff.json]
    python3 plan_comment.py diff   --sha SHA --run-url URL --conclusion failure --shards plan-shards.json --data-dir DIR
                                   (DIR/diff-I.json: shard I's document, plan_shards.py)
    python3 plan_comment.py failed --sha SHA --run-url URL [--previous previous.md]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from plan_markdown import BODY_END, BODY_START, fitted_body, text
from plan_schema import MAX_BYTES, Invalid, load
from plan_shards import MAX_SHARDS, assemble, load_shards

MARKER = "<!-- offline-plan-diff -->"
_SHA = re.compile(r"[0-9a-f]{7,40}")
_FOR_COMMIT = re.compile(r"^_Offline plan diff for commit `([0-9a-f]{7,40})`")


def _short(sha: str) -> str:
    if not _SHA.fullmatch(sha):
        raise ValueError(f"not a commit sha: {sha!r}")
    return sha[:12]


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
        return _refused(head, exc)
    return "\n".join([*head, fitted_body(doc), ""])


def shards_comment(assignment: bytes, parts: dict[int, bytes | None], sha: str, run_url: str, conclusion: str) -> str:
    """The comment for a diff in shards (all untrusted: the assignment, each shard's document or None):
    one body, as one run's; a shard without valid data is named in it, the others' stacks shown."""
    head = _header(sha, run_url, conclusion)
    try:
        shards = load_shards(assignment)
    except Invalid as exc:
        return _refused(head, exc)
    return "\n".join([*head, fitted_body(assemble(shards, parts)), ""])


def _refused(head: list[str], exc: Invalid) -> str:
    return "\n".join(
        [
            *head,
            "> [!WARNING]",
            f"> **The diff data is not valid**, so it is not shown: {text(str(exc), 400)}. The run's `plan-diff`"
            " artifacts hold what the pull request's code wrote.",
            "",
        ]
    )


def _read(path: Path) -> bytes | None:
    """An untrusted file's first MAX_BYTES + 1 bytes (load() refuses more); None if it is not a plain file."""
    if not path.is_file() or path.is_symlink():
        return None
    with path.open("rb") as handle:
        return handle.read(MAX_BYTES + 1)


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
    opening = next((i for i, line in enumerate(lines) if re.fullmatch(r"`{3,}markdown", line)), None)
    if opening is None:
        return None
    ticks = lines[opening].removesuffix("markdown")
    closing = next((i for i in range(opening + 1, len(lines)) if lines[i] == ticks), None)
    if closing is None:
        return None
    return commit, "\n".join(lines[opening : closing + 1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["diff", "failed"])
    parser.add_argument("--sha", required=True)
    parser.add_argument("--run-url", required=True)
    parser.add_argument("--conclusion", default="success")
    parser.add_argument("--data", type=Path, help="the diff data (diff mode; default: standard input)")
    parser.add_argument("--shards", type=Path, help="the shard assignment (diff mode, with --data-dir: a diff in shards)")
    parser.add_argument("--data-dir", type=Path, help="the shards' documents, diff-1.json to diff-N.json")
    parser.add_argument("--previous", type=Path, help="the comment posted before (failed mode)")
    args = parser.parse_args(argv)
    if args.mode == "diff" and args.shards is not None:
        assignment = _read(args.shards) or b"(no shard assignment file)"
        folder = args.data_dir or Path(".")
        parts = {index: _read(folder / f"diff-{index}.json") for index in range(1, MAX_SHARDS + 1)}
        sys.stdout.write(shards_comment(assignment, parts, args.sha, args.run_url, args.conclusion))
    elif args.mode == "diff":
        raw = sys.stdin.buffer.read(MAX_BYTES + 1) if args.data is None else _read(args.data) or b"(no diff data file)"
        sys.stdout.write(diff_comment(raw, args.sha, args.run_url, args.conclusion))
    else:
        previous = args.previous.read_text() if args.previous and args.previous.is_file() else None
        sys.stdout.write(failed_comment(args.sha, args.run_url, previous))
    return 0


if __name__ == "__main__":
    sys.exit(main())
