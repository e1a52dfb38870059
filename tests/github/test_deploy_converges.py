"""Deploys converge: each stack's last successful deploy is recorded (a git ref refs/deployed/<stack>), and
a run deploys every stack whose plan at the new main differs from its plan at that record, or that has none.

Real git repositories, built here from this checkout's committed files with one platform stack file
(shared-dev) and one tenant stack file (checkout-dev, a tenant of shared-dev): the planning is the real
`python -m offline diff`. Recording stands in for the workflow's `record` job (a ref moved after a
successful `pulumi up`); the GitHub API is not called (the environments check is given a stub).

The runs of the first tests read one history of main, made once for the module (`History`): a diff
is a function of its two commits and its project, so each one a run asks for is made once, by the
real diff, and read by every run that asks it again (`History.diff`). One change is planned for real
besides the base, whose plans the diffs keep in one plan cache for the module, as CI's do in theirs
(offline/plan_cache.py, keyed by what a plan reads). The tests that make commits of their own clone it.
"""

import copy
import importlib.util
import io
import ipaddress
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from eksfargate.stack_catalog import project, stack_files
from offline import diff as offline_diff
from offline import diff_data, upgrade
from offline.harness import PROJECT_DIR
from offline.plan_cache import CACHE_ENV

SCRIPT = PROJECT_DIR / ".github" / "scripts" / "deploy_plan.py"
sys.path.insert(0, str(SCRIPT.parent))  # as the workflow runs it: it imports deploy_record beside it
spec = importlib.util.spec_from_file_location("deploy_plan", SCRIPT)
deploy_plan = importlib.util.module_from_spec(spec)
sys.modules.setdefault("deploy_plan", deploy_plan)  # its dataclasses look their module up
spec.loader.exec_module(deploy_plan)
import deploy_record  # noqa: E402 - beside deploy_plan.py, on the path from the line above

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


@dataclass
class History:
    """main's commits, as the first tests' runs read them, in order."""

    repo: Path
    base: str  # this checkout's committed tree with the two stack files
    superseded: str  # the platform's owner b: a merge whose run the next one supersedes (never planned)
    moved: str  # owner a and another VPC, so a new cluster: the tenant's kubeconfig changes with it
    empty: str  # an empty commit: no plan changes
    diffs: dict[tuple[str, str, str], object] = field(default_factory=dict)

    def diff(self, repo, workdir, since, target):
        """The planner's offline diff (`deploy_plan.offline_diff`, the real one), made once per project
        and pair of trees: a plan reads its commit's files, so commits with one tree (`moved`, `empty`)
        give the same diff from the same record, whichever run asks."""
        key = (workdir, since, git(repo, "rev-parse", f"{target}^{{tree}}"))
        if key not in self.diffs:
            self.diffs[key] = deploy_plan.offline_diff(repo, workdir, since, target)
        return copy.deepcopy(self.diffs[key])


@pytest.fixture(scope="module")
def origin(tmp_path_factory):
    """This checkout's committed tree with two stack files, as a repository with one commit, then the
    commits of `History` after it."""
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
    git(repo, "config", "user.name", "t")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    superseded = commit(repo, "owner b", owner="b@example.com")
    moved = commit(repo, "owner a, another VPC", owner="a@example.com", vpcCidr=another_vpc(repo))
    return History(repo, base, superseded, moved, commit(repo, "empty"))


@pytest.fixture
def main(origin):
    """The module's history, with no stack recorded and nothing changed by the test before."""
    yield origin
    for ref in git(origin.repo, "for-each-ref", "--format=%(refname)", "refs/deployed/").split():
        git(origin.repo, "update-ref", "-d", ref)
    git(origin.repo, "checkout", "-q", "main")
    git(origin.repo, "reset", "-q", "--hard", origin.empty)


@pytest.fixture
def repo(origin, tmp_path):
    """A clone of the module's history, at its last commit, for a test's commits of its own."""
    clone = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(origin.repo), str(clone)], check=True)
    git(clone, "config", "user.name", "t")
    git(clone, "config", "user.email", "t@example.com")
    return clone


def commit(repo, message, owner=None, **settings):
    """A commit on main; with `owner`, the platform stack file's owner changes (its plan changes); with
    `settings`, those keys of the platform stack file."""
    if owner:
        settings["owner"] = owner
    path = repo / f"Pulumi.{PLATFORM}.yaml"
    for key, value in settings.items():
        text = "".join(line for line in path.read_text().splitlines(True) if f"eks-fargate:{key}:" not in line)
        path.write_text(text + f"  eks-fargate:{key}: {value}\n")
    git(repo, "commit", "-q", "-a", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def platform_setting(repo, key):
    """The platform stack's value for `key`: its stack file's, else Pulumi.yaml's default."""
    platform = project(repo)
    (stack,) = [s for s in stack_files(repo) if s.stack == PLATFORM]
    return str(platform.setting(stack, key))


def another_vpc(repo):
    """A /16 other than the platform stack's own."""
    network = ipaddress.ip_network(platform_setting(repo, "vpcCidr"))
    return next(str(n) for n in ipaddress.ip_network("10.0.0.0/8").subnets(new_prefix=16) if not n.overlaps(network))


def record(main, rev):
    """Both stacks recorded as deployed at `rev`."""
    for stack in (PLATFORM, TENANT):
        git(main.repo, "update-ref", f"refs/deployed/{stack}", rev)


def deploy(main, target, fail=()):
    """What a run does: check out `target`, plan, then `pulumi up` each stack in order, recording each
    success; a stack in `fail` fails, and a stack whose needed stack did not deploy is held back by the
    gate between waves (deploy_record.py `ready`, over the run's markers as the workflow leaves them)."""
    git(main.repo, "checkout", "-q", "--detach", target)
    run = deploy_plan.plan_run(main.repo, target, deploy_plan.records_from_git(main.repo), lambda _: GUARDED, diff=main.diff)
    with tempfile.TemporaryDirectory() as markers:
        for item in run.deploys:
            if item.stack in fail or deploy_record.ready(item.needs, Path(markers), target):
                continue
            (Path(markers) / item.stack).write_text(target)
            git(main.repo, "update-ref", f"refs/deployed/{item.stack}", target)
    return run


def deployed(run):
    return [(item.stack, item.since) for item in run.deploys]


def test_a_failed_deploy_is_made_good_by_the_next_run_even_after_an_empty_commit(main, tmp_path):
    record(main, main.base)
    failed = deploy(main, main.moved, fail={PLATFORM})
    assert PLATFORM in [item.stack for item in failed.deploys]
    # Then an empty commit. The old rule (the push's previous commit against the pushed one) sees nothing
    # to deploy: the lost deploy.
    changed = tmp_path / "changed.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "offline",
            "diff",
            f"{main.moved}:*",
            f"{main.empty}:*",
            "--project-dir",
            str(main.repo),
            "--changed-stacks",
            str(changed),
        ],
        cwd=main.repo,
        check=True,
        capture_output=True,
    )
    assert json.loads(changed.read_text()) == []
    # The record says the platform is still at `base`: the next run deploys it.
    again = deploy(main, main.empty)
    assert (PLATFORM, main.base) in deployed(again)
    assert git(main.repo, "rev-parse", f"refs/deployed/{PLATFORM}") == main.empty


def test_two_merges_in_quick_succession_deploy_once_with_the_later_plan(main):
    record(main, main.base)
    # `superseded` (owner b), then `moved` (owner a): the run of the first is superseded, never runs.
    later = main.moved
    run = deploy(main, later)
    assert [stack for stack, _ in deployed(run)].count(PLATFORM) == 1
    assert (PLATFORM, main.base) in deployed(run) and run.target == later
    shown = run.diffs["platform"].replace("\u200d", "")  # the Markdown keeps `@` from mentioning with a zero-width joiner
    assert "a@example.com" in shown and "b@example.com" not in shown
    assert deploy(main, later).deploys == []  # and then it is converged


def test_a_stack_without_a_record_deploys_platform_before_its_tenant(main):
    run = deploy(main, main.base)
    assert deployed(run) == [(PLATFORM, None), (TENANT, None)]
    (platform, tenant) = run.deploys
    assert tenant.needs == [PLATFORM] and tenant.wave > platform.wave and tenant.workdir == "tenant"


def test_nothing_deploys_when_everything_is_converged(main):
    record(main, main.moved)
    assert deploy(main, main.moved).deploys == []
    # An empty commit changes no plan: still nothing to deploy.
    assert deploy(main, main.empty).deploys == []


def test_a_tenant_whose_platform_replaces_what_it_reads_is_redeployed_in_the_wave_after_it(main):
    record(main, main.base)
    run = deploy(main, main.moved)  # a new VPC, so a new cluster
    assert deployed(run) == [(PLATFORM, main.base), (TENANT, main.base)]
    platform, tenant = run.deploys
    assert tenant.wave == platform.wave + 1 and tenant.needs == [PLATFORM]
    # Why: the outputs it reads from the platform, and what in the platform changes them.
    assert any(PLATFORM in why and "kubeconfig" in why for why in tenant.why)
    shown = run.diffs["tenant"]
    assert "the offline plans are identical" not in shown
    assert "kubeconfig" in shown and "Cluster:cluster-eks" in shown
    assert deploy(main, main.moved).deploys == []  # and then both are converged


def unchanged(repo, workdir, since, target):
    """The offline diff of a change outside the program's code: no plan changes (both sides plan in one venv)."""
    return deploy_plan.Planned({}, {}, set(), "")


def bump(version):
    """1.2.3 → 1.2.4"""
    *head, last = version.split(".")
    return ".".join([*head, str(int(last) + 1)])


def bump_pin(repo, path, pattern):
    """The version `pattern` (one group) finds in the file at `path`, one patch release up."""
    file = repo / path
    text = file.read_text()
    found = re.search(pattern, text, flags=re.M)
    file.write_text(text[: found.start(1)] + bump(found.group(1)) + text[found.end(1) :])
    return found.group(1)


@pytest.mark.parametrize(
    ("path", "pattern", "named"),
    [
        ("requirements.txt", r"^pulumi-aws==(\S+)$", "pulumi-aws"),  # a provider
        (".github/workflows/deploy-stack.yml", r"^\s*PULUMI_VERSION:\s*(\S+)", "the Pulumi CLI"),
    ],
)
def test_a_runtime_pin_bump_deploys_every_stack_in_waves_though_no_plan_changes(repo, path, pattern, named):
    base = git(repo, "rev-parse", "HEAD")
    for stack in (PLATFORM, TENANT):
        git(repo, "update-ref", f"refs/deployed/{stack}", base)
    was = bump_pin(repo, path, pattern)
    target = commit(repo, f"bump {named}")
    run = deploy_plan.plan_run(repo, target, deploy_plan.records_from_git(repo), lambda _: GUARDED, diff=unchanged)
    assert deployed(run) == [(PLATFORM, base), (TENANT, base)]
    platform, tenant = run.deploys
    assert tenant.wave == platform.wave + 1 and tenant.needs == [PLATFORM]
    for item in run.deploys:
        assert any(named in why and was in why and bump(was) in why for why in item.why), item.why


def test_a_requirements_change_that_moves_no_pin_deploys_nothing(repo):
    base = git(repo, "rev-parse", "HEAD")
    for stack in (PLATFORM, TENANT):
        git(repo, "update-ref", f"refs/deployed/{stack}", base)
    with (repo / "requirements.txt").open("a") as file:
        file.write("# a comment\n\n")
    target = commit(repo, "a comment")
    assert deploy_plan.plan_run(repo, target, deploy_plan.records_from_git(repo), lambda _: GUARDED, diff=unchanged).deploys == []


def diff_saying(**stacks):
    """An offline diff whose document says, for each stack, what its diff is (its StackDiff's fields)."""

    def diff(repo, workdir, since, target):
        found = [offline_diff.StackDiff(name, "old", "new", **fields) for name, fields in stacks.items()]
        return deploy_plan.read_diff(json.loads(diff_data.dumps(diff_data.document(found))), since, "")

    return diff


def replaced():
    """A resource change that makes a diff `changed`."""
    return [offline_diff.ResourceChange("update", {"type": "aws:ec2/vpc:Vpc", "name": "vpc", "urn": "u", "inputs": {}})]


@pytest.mark.parametrize("reads_platform", [False, True])
def test_a_refused_platform_is_a_failed_check_and_the_others_deploy(repo, reads_platform):
    base = git(repo, "rev-parse", "HEAD")
    for stack in (PLATFORM, TENANT):
        git(repo, "update-ref", f"refs/deployed/{stack}", base)
    target = commit(repo, "a downgrade and a tenant change")
    refusal = upgrade.Finding(True, f"Stack `{PLATFORM}`, cluster `cluster-eks`: Kubernetes 1.36 → 1.35. EKS cannot downgrade")
    reads = [offline_diff.Change("kubeconfig", "x", "x", note="new value (known after deploy)")] if reads_platform else []
    diff = diff_saying(
        **{
            PLATFORM: {"resources": replaced(), "upgrade": [refusal]},
            TENANT: {"resources": replaced(), "platform": PLATFORM, "platform_reads": reads},
        }
    )
    run = deploy_plan.plan_run(repo, target, deploy_plan.records_from_git(repo), lambda _: GUARDED, diff=diff)
    failed = {f.stack: f.why for f in run.failed}
    assert "EKS cannot downgrade" in failed[PLATFORM]
    if reads_platform:  # its change is the platform's, which does not deploy: it waits too, as a failed check
        assert run.deploys == [] and PLATFORM in failed[TENANT]
    else:
        assert deployed(run) == [(TENANT, base)] and run.deploys[0].needs == []
    out = deploy_plan.outputs(run, drift=False)
    assert [m["stack"] for m in json.loads(out["failed"])] == sorted(failed, key=[PLATFORM, TENANT].index)
    assert f"| `{PLATFORM}` | platform | EKS would refuse it" in deploy_plan.summary(run)


def test_a_project_whose_diff_cannot_run_fails_its_stacks_and_the_other_project_deploys(repo):
    base = git(repo, "rev-parse", "HEAD")
    for stack in (PLATFORM, TENANT):
        git(repo, "update-ref", f"refs/deployed/{stack}", base)
    target = commit(repo, "a change")

    def diff(repo, workdir, since, target):
        if workdir == "tenant":
            raise deploy_plan.PlanFailed("offline diff failed, exit 2: git archive: no such revision")
        return diff_saying(**{PLATFORM: {"resources": replaced()}})(repo, workdir, since, target)

    run = deploy_plan.plan_run(repo, target, deploy_plan.records_from_git(repo), lambda _: GUARDED, diff=diff)
    assert deployed(run) == [(PLATFORM, base)]
    assert [(f.stack, f.project) for f in run.failed] == [(TENANT, "tenant")] and "git archive" in run.failed[0].why
