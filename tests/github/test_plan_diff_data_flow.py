"""The pull-request comment's data flow: the PR's code uploads data (one JSON for both projects), the trusted
workflow renders it; no Markdown from the pull request reaches the comment; `make diff` prints the comment's
body, rendered from the same data by the same code."""

from offline import diff as offline_diff
from offline import diff_data, diff_render
from offline.comment_scripts import markdown
from tests.github.test_plan_comment import RUN, SHA, plan_comment, rich_diff
from tests.github.test_workflows import load, steps


def test_the_pull_request_uploads_one_json_document_for_both_projects_and_no_markdown():
    job = load("pull-request.yml")["jobs"]["plan-diff"]
    (diff_step,) = [s for s in job["steps"] if "python -m offline diff" in s.get("run", "")]
    run = diff_step["run"]
    platform, tenant = [line for line in run.splitlines() if line.strip().startswith("python -m offline diff")]
    assert "--json parts/platform.json" in platform and "--project-dir" not in platform
    assert "--project-dir tenant --json parts/tenant.json" in tenant
    assert all('--shard "$SHARD"' in line for line in (platform, tenant))  # this shard's stacks of each project
    assert 'python -m offline.diff_data merge "plan-diff/diff-$INDEX.json" parts/platform.json parts/tenant.json' in run
    # The Markdown (for this run's own summary page) is written outside the uploaded folder.
    assert "plan-diff/" not in run.replace('"plan-diff/diff-$INDEX.json"', "")
    (upload,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["with"]["name"] == "plan-diff-${{ matrix.shard }}" and upload["with"]["path"] == "plan-diff/"


def test_the_trusted_workflow_renders_the_data_with_the_base_branchs_script():
    workflow = load("plan-comment.yml")
    all_steps = steps(workflow)
    (build,) = [s for s in all_steps if "plan_comment.py diff" in s.get("run", "")]
    assert "--shards untrusted/plan-shards.json --data-dir untrusted/diffs > body.md" in build["run"]
    assert "comment.md" not in build["run"]
    downloads = [s for s in all_steps if s.get("uses", "").startswith("actions/download-artifact@")]
    assert [d["with"].get("name", d["with"].get("pattern")) for d in downloads] == ["pr-number", "plan-diff-*"]
    assert [d["with"]["path"] for d in downloads] == ["untrusted", "untrusted/diffs"]
    assert all(d["with"]["run-id"] == "${{ github.event.workflow_run.id }}" for d in downloads)
    find = next(s["with"]["script"] for s in all_steps if s.get("uses", "").startswith("actions/github-script@"))
    assert f"const marker = '{plan_comment.MARKER}';" in find  # the renderer's first line is what finds the comment


def diffs() -> list[offline_diff.StackDiff]:
    """Every section the body has: a rich stack, one that could not be planned, one whose configuration alone differs."""
    config_only = offline_diff.StackDiff("test", "a", "b", config=[offline_diff.Change("eks-fargate:owner", "a", "b")])
    return [rich_diff("dev"), offline_diff.StackDiff("prod", "a", "b", error="could not plan"), config_only]


def comment_body(comment: str) -> str:
    """What follows the comment's header: the body, from its first marker on."""
    head, start, rest = comment.partition(markdown.BODY_START)
    assert start and markdown.BODY_START not in head
    return start + rest


def test_make_diff_prints_the_comments_body_of_the_same_document():
    printed = diff_render.render(diffs())
    comment = plan_comment.diff_comment(diff_data.dumps(diff_data.document(diffs())), SHA, RUN, "success")
    assert comment_body(comment) == printed
    assert "### Stack <code>test</code>" in printed and "Could not plan" in printed and "PROTECTED" in printed


def test_make_diff_and_the_comment_render_with_one_renderer(monkeypatch):
    """A second renderer on either side would not follow a change to the one both use."""
    monkeypatch.setattr(markdown, "_why", lambda entry: f"why {entry['name']} (one renderer)")
    printed = diff_render.render(diffs())
    comment = plan_comment.diff_comment(diff_data.dumps(diff_data.document(diffs())), SHA, RUN, "success")
    for text in (printed, comment):
        assert "| <code>cluster-eks</code> | <code>eks:index:Cluster</code> | why cluster-eks (one renderer) |" in text
