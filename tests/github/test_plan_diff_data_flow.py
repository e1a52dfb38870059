"""The pull-request comment's data flow: the PR's code uploads data (one JSON for both projects), the trusted
workflow renders it; no Markdown from the pull request reaches the comment."""

from tests.github.test_plan_comment import plan_comment
from tests.github.test_workflows import load, steps


def test_the_pull_request_uploads_one_json_document_for_both_projects_and_no_markdown():
    job = load("pull-request.yml")["jobs"]["plan-diff"]
    (diff_step,) = [s for s in job["steps"] if "python -m offline diff" in s.get("run", "")]
    run = diff_step["run"]
    platform, tenant = [line for line in run.splitlines() if line.strip().startswith("python -m offline diff")]
    assert "--json parts/platform.json" in platform and "--project-dir" not in platform
    assert "--project-dir tenant --json parts/tenant.json" in tenant
    assert "python -m offline.diff_data merge plan-diff/diff.json parts/platform.json parts/tenant.json" in run
    # The Markdown (for this run's own summary page) is written outside the uploaded folder.
    assert "plan-diff/" not in run.replace("plan-diff/diff.json", "")
    (upload,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["with"]["name"] == "plan-diff" and upload["with"]["path"] == "plan-diff/"


def test_the_trusted_workflow_renders_the_data_with_the_base_branchs_script():
    workflow = load("plan-comment.yml")
    all_steps = steps(workflow)
    (build,) = [s for s in all_steps if "plan_comment.py diff" in s.get("run", "")]
    assert "--data untrusted/diff.json > body.md" in build["run"] and "comment.md" not in build["run"]
    downloads = [s for s in all_steps if s.get("uses", "").startswith("actions/download-artifact@")]
    assert {d["with"]["name"] for d in downloads} == {"pr-number", "plan-diff"}
    assert all(d["with"]["path"] == "untrusted" for d in downloads)
    assert all(d["with"]["run-id"] == "${{ github.event.workflow_run.id }}" for d in downloads)
    find = next(s["with"]["script"] for s in all_steps if s.get("uses", "").startswith("actions/github-script@"))
    assert f"const marker = '{plan_comment.MARKER}';" in find  # the renderer's first line is what finds the comment
