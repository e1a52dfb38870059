"""The pull-request comment, built by the trusted posting workflow (plan-comment.yml) from untrusted text.

The diff Markdown comes from the pull request's own code, so a fork decides what it says. It is
shown verbatim inside a code fence longer than any run of backticks in it: GitHub renders no
mention, link, image, HTML or callout inside a fenced code block, so the text cannot ping anyone,
point anywhere or pose as this workflow's verdict. The header, written here, says where the text
came from and what the tests concluded (from the workflow run, not from the text).

    python3 plan_comment.py diff   --sha SHA --run-url URL --conclusion success < comment.md
    python3 plan_comment.py failed --sha SHA --run-url URL [--previous previous.md]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

MARKER = "<!-- offline-plan-diff -->"
LIMIT = 60_000  # GitHub refuses comments over 65,536 characters
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_SHA = re.compile(r"[0-9a-f]{7,40}")
_FOR_COMMIT = re.compile(r"^_Offline plan diff for commit `([0-9a-f]{7,40})`")


def fence(text: str) -> str:
    """`text` as a fenced code block no line of it can close."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n"))
    if len(text) > LIMIT:
        text = text[:LIMIT] + "\n… (cut: the full diff is in the run's plan-diff artifact)\n"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}markdown\n{text.rstrip()}\n{ticks}"


def _short(sha: str) -> str:
    if not _SHA.fullmatch(sha):
        raise ValueError(f"not a commit sha: {sha!r}")
    return sha[:12]


def diff_comment(untrusted: str, sha: str, run_url: str, conclusion: str) -> str:
    verdict = "tests passed" if conclusion == "success" else f"the run concluded `{re.sub(r'[^a-z_]', '', conclusion)}`"
    return "\n".join(
        [
            MARKER,
            f"_Offline plan diff for commit `{_short(sha)}` ({verdict}; [workflow run]({run_url}))._",
            "The text below was produced by this pull request's own code and is shown verbatim, as text.",
            "",
            fence(untrusted),
            "",
        ]
    )


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
    """The commit and the fenced block of the comment this script wrote before, if it holds a diff."""
    if not previous:
        return None
    lines = previous.splitlines()
    commit = next((m.group(1) for m in map(_FOR_COMMIT.match, lines) if m), None)
    start = next((i for i, line in enumerate(lines) if re.fullmatch(r"`{3,}markdown", line)), None)
    if commit is None or start is None:
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
    parser.add_argument("--previous", type=Path, help="the comment posted before (failed mode)")
    args = parser.parse_args(argv)
    if args.mode == "diff":
        sys.stdout.write(diff_comment(sys.stdin.read(), args.sha, args.run_url, args.conclusion))
    else:
        previous = args.previous.read_text() if args.previous and args.previous.is_file() else None
        sys.stdout.write(failed_comment(args.sha, args.run_url, previous))
    return 0


if __name__ == "__main__":
    sys.exit(main())
