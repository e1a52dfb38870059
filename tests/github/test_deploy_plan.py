"""The deployment order on main, the refusals (environments not restricted to main, protected stacks
without reviewers), the gate between waves and the record (deploy_plan.py, deploy_record.py), with
the GitHub API mocked. (tests/github/test_deploy_converges.py plans real git repositories.)"""

import copy
import importlib
import json
import subprocess
import sys
import urllib.error

import pytest

from offline import plan_document
from offline.harness import PROJECT_DIR
from tests.tools.offline.test_plan import dev_plan

SCRIPTS = PROJECT_DIR / ".github" / "scripts"
sys.path.insert(0, str(SCRIPTS))  # as a workflow runs them: deploy_plan imports deploy_record beside it
deploy_plan = importlib.import_module("deploy_plan")
deploy_record = importlib.import_module("deploy_record")
Deploy = deploy_plan.Deploy

MAIN_ONLY = {
    "deployment_branch_policy": {"protected_branches": False, "custom_branch_policies": True},
    "branch_policies": [{"name": "main", "type": "branch"}],
}
REVIEWED = dict(MAIN_ONLY, protection_rules=[{"type": "required_reviewers", "reviewers": [{"type": "Team"}]}])


def stacks():
    return [
        Deploy("c-dev", "platform", ".", "a" * 40, False, why=["plan changed since `aaaaaaaaaaaa`"]),
        Deploy("b-prod", "platform", ".", None, True, why=["no record of a deploy"]),
        Deploy("a-dev", "platform", ".", None, False),
        Deploy("team-prod", "tenant", "tenant", None, True, platform="b-prod"),
        Deploy("team-dev", "tenant", "tenant", None, False, platform="a-dev"),
        Deploy("other-dev", "tenant", "tenant", None, False, platform="z-dev"),  # its platform is converged
    ]


def test_platforms_before_their_tenants_unprotected_before_protected():
    ordered = deploy_plan.arrange(stacks())
    assert [(d.wave, d.stack) for d in ordered] == [
        (0, "a-dev"),
        (0, "c-dev"),
        (1, "other-dev"),
        (1, "team-dev"),
        (2, "b-prod"),
        (3, "team-prod"),
    ]
    needs = {d.stack: d.needs for d in ordered}
    assert needs["team-dev"] == ["a-dev"] and needs["other-dev"] == [] and needs["c-dev"] == []
    unprotected = ["a-dev", "c-dev", "other-dev", "team-dev"]
    assert needs["b-prod"] == unprotected and needs["team-prod"] == sorted([*unprotected, "b-prod"])
    assert ordered[3].matrix() == {"stack": "team-dev", "workdir": "tenant", "needs": "a-dev"}


def test_a_failure_stops_what_needs_the_failed_stack_and_the_others_go_on(tmp_path):
    target = "f" * 40
    (tmp_path / "c-dev").write_text(target + "\n")  # a-dev failed: no marker
    assert deploy_record.ready(["a-dev"], tmp_path, target) == ["a-dev"]  # team-dev waits for the next run
    assert deploy_record.ready([], tmp_path, target) == []  # other-dev goes on
    assert deploy_record.ready(["c-dev"], tmp_path, target) == []
    (tmp_path / "a-dev").write_text("0" * 40)  # a marker of another commit does not count
    assert deploy_record.ready(["a-dev", "c-dev"], tmp_path, target) == ["a-dev"]
    assert deploy_record.main(["ready", "--needs", "a-dev c-dev", "--deployed", str(tmp_path), "--target", target]) == 1


def test_the_gate_and_the_record_run_on_the_standard_library_alone(tmp_path):
    # The record job checks out .github/scripts alone and runs a bare python3: no project, no site-packages.
    (tmp_path / "c-dev").write_text("f" * 40 + "\n")
    gate = [sys.executable, "-I", "-S", str(SCRIPTS / "deploy_record.py"), "ready", "--needs", "c-dev"]
    done = subprocess.run([*gate, "--deployed", str(tmp_path), "--target", "f" * 40], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("env", "why"),
    [
        (None, "pulumi-a-dev does not exist"),
        ({"deployment_branch_policy": None}, "does not restrict deployments to main"),  # all branches
        ({"deployment_branch_policy": {"protected_branches": True, "custom_branch_policies": False}}, "to main"),
        (dict(MAIN_ONLY, branch_policies=[{"name": "main", "type": "branch"}, {"name": "release/*"}]), "to main"),
        (dict(MAIN_ONLY, branch_policies=[{"name": "main", "type": "tag"}]), "to main"),
        (dict(MAIN_ONLY, branch_policies=[]), "to main"),
    ],
)
def test_an_environment_not_restricted_to_main_is_refused_with_how_to_set_it(env, why):
    with pytest.raises(deploy_plan.Refused, match=why) as refused:
        deploy_plan.check_environments([Deploy("a-dev", "platform", ".", None, False)], [], lambda _: env)
    assert "Deployment branches and tags" in str(refused.value) and "Name pattern: main" in str(refused.value)


def test_a_protected_stack_without_reviewers_is_refused_and_the_drift_environments_are_checked():
    prod = Deploy("b-prod", "platform", ".", None, True)
    with pytest.raises(deploy_plan.Refused, match="pulumi-b-prod guards a protected stack without required reviewers"):
        deploy_plan.check_environments([prod], [], lambda _: MAIN_ONLY)
    deploy_plan.check_environments([prod], [], lambda _: REVIEWED)
    envs = {"pulumi-b-prod": REVIEWED, "pulumi-b-prod-drift": {"deployment_branch_policy": None}}
    with pytest.raises(deploy_plan.Refused, match="pulumi-b-prod-drift does not restrict"):
        deploy_plan.check_environments([prod], [prod], envs.get)
    # The drift environment holds a read-only role: no reviewers needed (a nightly run waits for no one).
    deploy_plan.check_environments([prod], [prod], {"pulumi-b-prod": REVIEWED, "pulumi-b-prod-drift": MAIN_ONLY}.get)


class FakeAPI:
    """GitHub's REST API for one repository, as far as the script uses it."""

    def __init__(self, refs=None, envs=None, policies=None):
        self.refs = dict(refs or {})
        self.envs = envs or {}
        self.policies = policies or {}
        self.calls = []

    def __call__(self, method, path, body=None):
        self.calls.append((method, path, body))
        if method == "GET" and path == "git/matching-refs/deployed/":
            return [{"ref": f"refs/deployed/{k}", "object": {"sha": v, "type": "commit"}} for k, v in self.refs.items()]
        if method == "GET" and path.endswith("/deployment-branch-policies?per_page=100"):
            name = path.split("/")[1]
            return {"total_count": len(self.policies[name]), "branch_policies": self.policies[name]}
        if method == "GET" and path.startswith("environments/"):
            return self.envs.get(path.split("/")[1])
        if method == "PATCH":
            stack = path.removeprefix("git/refs/deployed/")
            if stack not in self.refs:
                raise urllib.error.HTTPError(path, 422, "Reference does not exist", {}, None)
            self.refs[stack] = body["sha"]
            return {"ref": f"refs/deployed/{stack}"}
        if method == "POST" and path == "git/refs":
            self.refs[body["ref"].removeprefix("refs/deployed/")] = body["sha"]
            return {"ref": body["ref"]}
        raise AssertionError((method, path))


def test_records_are_read_and_moved_through_the_git_refs_api():
    fake = FakeAPI(refs={"dev": "1" * 40})
    assert deploy_record.records_from_api(fake) == {"dev": "1" * 40}
    deploy_record.record("dev", "2" * 40, fake)  # moved (force: the record follows main)
    deploy_record.record("payments-dev", "2" * 40, fake)  # created the first time
    assert fake.refs == {"dev": "2" * 40, "payments-dev": "2" * 40}
    assert ("PATCH", "git/refs/deployed/dev", {"sha": "2" * 40, "force": True}) in fake.calls
    assert ("POST", "git/refs", {"ref": "refs/deployed/payments-dev", "sha": "2" * 40}) in fake.calls


def test_the_environment_lookup_reads_custom_branch_policies():
    fake = FakeAPI(
        envs={"pulumi-dev": {"deployment_branch_policy": {"protected_branches": False, "custom_branch_policies": True}}},
        policies={"pulumi-dev": [{"id": 1, "name": "main", "type": "branch"}]},
    )
    env = deploy_plan.environment("pulumi-dev", fake)
    assert deploy_plan.main_only(env) and deploy_plan.environment("pulumi-nope", fake) is None


def test_the_plan_command_writes_waves_and_a_summary(monkeypatch, tmp_path):
    target = "f" * 40
    run = deploy_plan.Run(target, deploy_plan.arrange(stacks()), {"platform": "## Offline plan diff\n"}, stacks())
    monkeypatch.setattr(deploy_plan, "plan_run", lambda *a, **k: run)
    monkeypatch.setattr(deploy_plan, "records_from_api", lambda: {})
    out, summary = tmp_path / "out", tmp_path / "summary"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert deploy_plan.main(["plan", "--target", target, "--drift"]) == 0
    written = dict(line.split("=", 1) for line in out.read_text().splitlines())
    assert [m["stack"] for m in json.loads(written["wave1"])] == ["other-dev", "team-dev"]
    assert json.loads(written["any"]) is True and len(json.loads(written["drift"])) == 6
    assert "| 0 | `c-dev` | platform | plan changed since `aaaaaaaaaaaa` | — |" in summary.read_text()
    assert "no record of a deploy" in summary.read_text()


def test_the_planner_reads_a_refusal_from_the_offline_diffs_own_document(tmp_path):
    """Exit 3 (EKS would refuse the change) still writes the document: the refused stack is the planner's to hold back."""
    old = dev_plan()
    new = copy.deepcopy(old)
    (cluster,) = [r for r in new["resources"] if r["type"] == "eks:index:Cluster"]
    major, minor = cluster["inputs"]["version"].split(".")
    cluster["inputs"]["version"] = f"{major}.{int(minor) - 2}"  # two minors down: EKS rolls back one only
    (tmp_path / "old.json").write_text(plan_document.dumps(old))
    (tmp_path / "new.json").write_text(plan_document.dumps(new))
    command = [sys.executable, "-m", "offline", "diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]
    done = subprocess.run([*command, "--json", str(tmp_path / "diff.json")], cwd=PROJECT_DIR, capture_output=True, text=True)
    assert done.returncode == 3, done.stderr
    planned = deploy_plan.read_diff(deploy_plan.load((tmp_path / "diff.json").read_bytes()), "a" * 40, done.stdout)
    assert planned.changed == {} and "EKS would refuse it" in planned.failed[old["stack"]]
    assert "\n" not in planned.failed[old["stack"]]  # one line: a workflow command's message
