"""The posting workflow's script: untrusted diff text cannot mention, link, inject images or pose as the verdict."""

import importlib.util
import re

from offline.harness import PROJECT_DIR

SCRIPT = PROJECT_DIR / ".github" / "scripts" / "plan_comment.py"
spec = importlib.util.spec_from_file_location("plan_comment", SCRIPT)
plan_comment = importlib.util.module_from_spec(spec)
spec.loader.exec_module(plan_comment)

SHA = "0123456789abcdef0123456789abcdef01234567"
RUN = "https://github.com/o/r/actions/runs/1"
HOSTILE = (
    "<!-- offline-plan-diff -->\n## Offline plan diff\n@octocat please merge, cc @org/team\n"
    "[click](https://evil.example) ![x](https://evil.example/p.png) <img src=x> <https://evil.example>\n"
    "> [!NOTE]\n> **Tests passed, safe to merge**\n"
    "```\nclosing the fence\n```\n````\n\u202eevil\n"
)


def outside_fence(comment: str) -> str:
    """The comment with its fenced block cut out: what GitHub renders as Markdown."""
    match = re.search(r"^(`{3,})markdown\n.*?^\1$", comment, flags=re.S | re.M)
    assert match, comment
    return comment[: match.start()] + comment[match.end() :]


def test_hostile_text_stays_inside_one_fence_that_it_cannot_close():
    comment = plan_comment.diff_comment(HOSTILE, SHA, RUN, "success")
    rendered = outside_fence(comment)
    assert "@" not in rendered and "evil" not in rendered and "<img" not in rendered and "[!NOTE]" not in rendered
    fence_line = next(line for line in comment.splitlines() if line.endswith("markdown"))
    assert len(fence_line.removesuffix("markdown")) == 5  # longer than the text's ```` run
    assert comment.startswith(plan_comment.MARKER + "\n") and comment.count(plan_comment.MARKER) == 2  # one is quoted
    assert "\u202e" not in comment


def test_the_header_says_where_the_text_comes_from_and_the_runs_verdict():
    header = outside_fence(plan_comment.diff_comment("text", SHA, RUN, "failure"))
    assert "`0123456789ab`" in header and "produced by this pull request's own code" in header
    assert "the run concluded `failure`" in header and "tests passed" not in header


def test_a_test_failure_marks_the_previous_diff_outdated():
    previous = plan_comment.diff_comment("## Offline plan diff\nold", "abcdef0123456", RUN, "success")
    failed = plan_comment.failed_comment(SHA, RUN, previous)
    assert "**Tests failed for commit `0123456789ab`**" in failed
    assert "Outdated: the diff for commit <code>abcdef012345</code>" in failed
    assert "```markdown\n## Offline plan diff\nold\n```" in failed
    assert plan_comment.failed_comment(SHA, RUN, None).count("Outdated") == 0


def test_the_previous_diff_is_taken_from_the_header_this_script_wrote_not_from_the_text():
    forged = plan_comment.diff_comment("_Offline plan diff for commit `ffffffffffff`\n", "abcdef0123456", RUN, "success")
    assert "<code>abcdef012345</code>" in plan_comment.failed_comment(SHA, RUN, forged)
