"""`teams` over tenant stack files (tools/teams/tenants.py): a new tenant of a shared platform, and `teams list`'s conflicts."""

import pytest
import yaml

from components.metrics_server import REPLICAS as METRICS_SERVER_REPLICAS
from eksfargate import stack_catalog
from eksfargate.contract import TENANT_NAMESPACE_SELECTOR, selector_covers
from eksfargate.project import TENANT_PROJECT_DIR
from eksfargate.stack_files import read_project
from offline.harness import record
from teams import tenants as tenant_files
from teams.__main__ import main as teams_main
from tests.tenants import ENTRY, INGRESS, PROJECT, copy_projects

# Most of these tests read the committed platform stack file, copied: planned once (tests/tools/teams/conftest.py).
pytestmark = pytest.mark.usefixtures("platform_plans_once")


def test_the_committed_tenants_have_no_conflict():
    assert tenant_files.conflicts() == []


def test_teams_new_shared_writes_a_tenant_with_a_free_namespace(tmp_path):
    platform_dir, tenant_dir = copy_projects(tmp_path)
    taken = set(tenant_files.namespace_owners(tenant_dir))
    path, namespace = tenant_files.new_tenant_stack("ledger", "shared-dev", "prod", tenant_dir, platform_dir)
    assert namespace not in taken and selector_covers(TENANT_NAMESPACE_SELECTOR, namespace)
    assert yaml.safe_load(path.read_text())["config"][f"{PROJECT}:platformStack"] == "shared-dev"
    assert tenant_files.conflicts(platform_dir, tenant_dir) == []


def test_teams_new_shared_takes_the_team_role_alb_mode_and_host_and_the_file_plans(tmp_path, capsys):
    platform_dir, tenant_dir = copy_projects(tmp_path)
    role = "arn:aws:iam::123456789012:role/billing-developers"
    args = ["--project-dir", str(platform_dir), "new", "billing", "--shared", "shared-dev", "--team-role", role]
    tls = ["--hosted-zone", "apps.example.com"] if any(t.tls for t in stack_catalog.tenants(tenant_dir)) else []
    assert teams_main([*args, "--alb-mode", "shared", "--host", "billing.apps.example.com", *tls]) == 0
    path = tenant_dir / "Pulumi.billing-dev.yaml"
    values = yaml.safe_load(path.read_text())["config"]
    assert values[f"{PROJECT}:teamRoleArn"] == role
    assert (values[f"{PROJECT}:albMode"], values[f"{PROJECT}:host"]) == ("shared", "billing.apps.example.com")
    assert tenant_files.conflicts(platform_dir, tenant_dir) == []
    recording = record("billing-dev", project_dir=TENANT_PROJECT_DIR, stack_file=path)
    assert recording.error is None, recording.error
    assert recording.one(ENTRY).inputs["principalArn"] == role
    assert recording.one(INGRESS).inputs["spec"]["rules"][0]["host"] == "billing.apps.example.com"


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--alb-mode", "shared"], "needs --host"),
        (["--alb-mode", "shared", "--host", "checkout.apps.example.com"], "claimed by checkout-dev"),
        (["--team-role", "billing-developers"], "must be an IAM role ARN"),
        (["--host", "Not A Host"], "must be a DNS host name"),
    ],
)
def test_teams_new_shared_refuses_a_tenant_it_cannot_make(tmp_path, capsys, extra, message):
    platform_dir, tenant_dir = copy_projects(tmp_path)
    assert teams_main(["--project-dir", str(platform_dir), "new", "billing", "--shared", "shared-dev", *extra]) == 2
    assert message in capsys.readouterr().err
    assert not (tenant_dir / "Pulumi.billing-dev.yaml").exists()


def test_teams_new_shared_without_a_role_says_the_team_has_no_access(tmp_path, capsys):
    platform_dir, _ = copy_projects(tmp_path)
    assert teams_main(["--project-dir", str(platform_dir), "new", "billing", "--shared", "shared-dev"]) == 0
    assert "the team has no access to its namespace" in capsys.readouterr().out


def test_teams_list_catches_a_claimed_namespace_a_missing_platform_and_too_many_pods(tmp_path):
    platform_dir, tenant_dir = copy_projects(tmp_path)
    # A /20 platform VPC: private subnets of /23, 507 usable addresses each, 3 zones.
    platform_file = platform_dir / "Pulumi.shared-dev.yaml"
    platform_file.write_text(platform_file.read_text().replace("10.20.0.0/16", "10.20.0.0/20"))
    base = yaml.safe_load((tenant_dir / "Pulumi.checkout-dev.yaml").read_text())["config"]
    extra = {
        "twin": {"host": "twin.apps.example.com"},
        "orphan": {"platformStack": "gone", "namespace": "tenant-orphan"},
        **{f"greedy{n}": {"namespace": f"tenant-g{n}", "host": f"g{n}.apps.example.com", "quotaPods": 500} for n in range(4)},
    }
    for name, changes in extra.items():
        values = base | {f"{PROJECT}:{key}": value for key, value in changes.items()}
        (tenant_dir / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump({"config": values}))
    found = "\n".join(tenant_files.conflicts(platform_dir, tenant_dir))
    assert "namespace tenant-checkout is claimed by tenant stacks checkout-dev, twin" in found
    assert "tenant stack orphan: its platform stack gone has no stack file" in found
    assert "more than the 507 each private subnet has" in found


def test_a_platform_with_the_game_counts_its_pods_at_most(tmp_path):
    """Its tenants' room is what is left after the game at its HPA maximum and metrics-server, as the plan counts."""
    platform_dir, _ = copy_projects(tmp_path)
    platform_file = platform_dir / "Pulumi.shared-dev.yaml"
    values = yaml.safe_load(platform_file.read_text())["config"]
    platform = read_project(platform_dir).name  # the platform project's config namespace
    game = {f"{platform}:appEnabled": True, f"{platform}:appReplicas": 2, f"{platform}:appMaxReplicas": 7}
    platform_file.write_text(yaml.safe_dump({"config": values | game | {f"{platform}:appAutoscaling": True}}))
    autoscaled = tenant_files.platforms(platform_dir)["shared-dev"].own_pods
    platform_file.write_text(yaml.safe_dump({"config": values | game | {f"{platform}:appAutoscaling": False}}))
    fixed = tenant_files.platforms(platform_dir)["shared-dev"].own_pods
    assert autoscaled - fixed == (7 - 2) + METRICS_SERVER_REPLICAS
