"""Deploys converge: each stack's last successful deploy is recorded (a git ref refs/deployed/<stack>), and
a run deploys every stack whose plan at the new main differs from its plan at that record, or that has none.

Real git repositories, built here from this checkout's committed files with one platform stack file
(shared-dev) and one tenant stack file (checkout-dev, a tenant of shared-dev): the planning is the real
`python -m offline diff`. Recording stands in for the workflow's `record` job (a ref moved after a
successful `pulumi up`); the GitHub API is not called (the environments check is given a stub).
The diffs keep their plans in one plan cache for the module, as CI's do in theirs (offline/plan_cache.py,
keyed by what a plan reads): a revision whose files another test's repository already planned is
looked up, not planned again; every commit's tree is planned for real once.
"""

import importlib.util
import io
import json
import shutil
import subprocess
import sys
import tarfile

import pytest

from offline.harness import PROJECT_DIR
from offline.plan_cache import CACHE_ENV

SCRIPT = PROJECT_DIR / ".github" / "scripts" / "deploy_plan.py"
sys.path.insert(0, str(SCRIPT.parent))  # as the workflow runs it: it imports deploy_record beside it
spec = importlib.util.spec_from_file_location("deploy_plan", SCRIPT)
deploy_plan = importlib.util.module_from_spec(spec)
sys.modules.setdefault("deploy_plan", deploy_plan)  # its dataclasses look their module up
spec.loader.exec_module(deploy_plan)

PLATFORM, TENANT = "shared-dev", "checkout-dev"
GUARDED = {
    "protection_rules": [{"type": "required_reviewers", "reviewers": [{"type": "Team"}]}],
    "deployment_branch_policy": {"protected_branches": False, "custom_branch_policies": True},
    "branch_policies": [{"name": "main", "type": "branch"}],
}


def git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module", autouse=True)
def one_plan_cache(shared_dir):
    """One plan cache for the diffs of every test here, on whichever test worker it runs (the suite's is off)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(shared_dir / "deploy-converges-plans"))
        yield


@pytest.fixture(scope="module")
def origin(tmp_path_factory):
    """This checkout's committed tree with two stack files, as a repository with one commit."""
    repo = tmp_path_factory.mktemp("origin")
    archive = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=PROJECT_DIR, check=True, capture_output=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(repo, filter="data")
    for folder, keep in ((repo, PLATFORM), (repo / "tenant", TENANT)):
        for path in folder.glob("Pulumi.*.yaml"):
            if path.name != f"Pulumi.{keep}.yaml":
                path.unlink()
    for docs in ("docs", "tests"):
        shutil.rmtree(repo / docs, ignore_errors=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "base")
    return repo


@pytest.fixture
def repo(origin, tmp_path):
    clone = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    git(clone, "config", "user.name", "t")
    git(clone, "config", "user.email", "t@example.com")
    return clone


def commit(repo, message, owner=None):
    """A commit on main; with `owner`, the platform stack file's owner changes (its plan changes)."""
    if owner:
        path = repo / f"Pulumi.{PLATFORM}.yaml"
        text = "".join(line for line in path.read_text().splitlines(True) if "eks-fargate:owner:" not in line)
        path.write_text(text + f"  eks-fargate:owner: {owner}\n")
    git(repo, "commit", "-q", "-a", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def deploy(repo, target, fail=()):
    """What a run does: plan, then `pulumi up` each stack in order, recording each success."""
    run = deploy_plan.plan_run(repo, target, deploy_plan.records_from_git(repo), lambda _: GUARDED)
    for item in run.deploys:
        if item.stack not in fail:
            git(repo, "update-ref", f"refs/deployed/{item.stack}", target)
    return run


def deployed(run):
    return [(item.stack, item.since) for item in run.deploys]


def test_a_failed_deploy_is_made_good_by_the_next_run_even_after_an_empty_commit(repo):
    base = git(repo, "rev-parse", "HEAD")
    for stack in (PLATFORM, TENANT):
        git(repo, "update-ref", f"refs/deployed/{stack}", base)
    change = commit(repo, "owner a", owner="a@example.com")
    failed = deploy(repo, change, fail={PLATFORM})
    assert PLATFORM in [item.stack for item in failed.deploys]
    empty = commit(repo, "empty")
    # The old rule (the push's previous commit against the pushed one) sees nothing to deploy: the lost deploy.
    changed = repo / "changed.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "offline",
            "diff",
            f"{change}:*",
            f"{empty}:*",
            "--project-dir",
            str(repo),
            "--changed-stacks",
            str(changed),
        ],
        cwd=repo,
        check=True,
        capture_output=True,
    )
    assert json.loads(changed.read_text()) == []
    # The record says the platform is still at `base`: the next run deploys it.
    again = deploy(repo, empty)
    assert (PLATFORM, base) in deployed(again)
    assert git(repo, "rev-parse", f"refs/deployed/{PLATFORM}") == empty


def test_two_merges_in_quick_succession_deploy_once_with_the_later_plan(repo):
    base = git(repo, "rev-parse", "HEAD")
    for stack in (PLATFORM, TENANT):
        git(repo, "update-ref", f"refs/deployed/{stack}", base)
    commit(repo, "owner a", owner="a@example.com")  # its run is superseded: never runs
    later = commit(repo, "owner b", owner="b@example.com")
    run = deploy(repo, later)
    assert [stack for stack, _ in deployed(run)].count(PLATFORM) == 1
    assert (PLATFORM, base) in deployed(run) and run.target == later
    shown = run.diffs["platform"].replace("\u200d", "")  # the Markdown keeps `@` from mentioning with a zero-width joiner
    assert "b@example.com" in shown and "a@example.com" not in shown
    assert deploy(repo, later).deploys == []  # and then it is converged


def test_a_stack_without_a_record_deploys_platform_before_its_tenant(repo):
    head = git(repo, "rev-parse", "HEAD")
    run = deploy(repo, head)
    assert deployed(run) == [(PLATFORM, None), (TENANT, None)]
    (platform, tenant) = run.deploys
    assert tenant.needs == [PLATFORM] and tenant.wave > platform.wave and tenant.workdir == "tenant"


def test_nothing_deploys_when_everything_is_converged(repo):
    base = git(repo, "rev-parse", "HEAD")
    for stack in (PLATFORM, TENANT):
        git(repo, "update-ref", f"refs/deployed/{stack}", base)
    assert deploy(repo, base).deploys == []
    # An empty commit changes no plan: still nothing to deploy.
    assert deploy(repo, commit(repo, "empty")).deploys == []
