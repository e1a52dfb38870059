"""The committed tenants planned offline: every object against the Kubernetes schemas, each plan from its platform's
plan, their costs; and a tenant whose platform is missing or serves no tenants refused by the plan command."""

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from cost import from_recording
from eksfargate import settings
from eksfargate.estimate import load_prices
from eksfargate.project import TENANT_PROJECT_DIR
from offline.__main__ import main as offline_main
from offline.harness import PROJECT_DIR
from offline.plan import build
from tests import kubernetes_schemas
from tests.programs.test_kubernetes_schema import kubernetes_objects
from tests.tenants import PROJECT, REFERENCE, TENANT_STACKS, config, namespace_of, tenant_recording


@pytest.mark.parametrize("version", settings.SUPPORTED_KUBERNETES_VERSIONS)
def test_every_tenant_object_validates_strictly_against_each_supported_version(version):
    objects = [o for stack in TENANT_STACKS for o in kubernetes_objects(tenant_recording(stack))]
    assert {o["kind"] for o in objects} >= {"Namespace", "ResourceQuota", "LimitRange", "ServiceAccount", "Deployment", "Ingress"}
    for manifest in objects:
        kubernetes_schemas.validate(manifest, f"{version}.0")


@pytest.mark.parametrize("stack", TENANT_STACKS)
def test_each_tenant_plans_offline_from_its_platforms_plan(stack):
    plan = build(stack, project_dir=TENANT_PROJECT_DIR)
    (reference,) = [r for r in plan["resources"] if r["type"] == REFERENCE]
    assert reference["inputs"]["name"].endswith(f"/eks-fargate/{config(tenant_recording(stack), 'platformStack')}")
    assert plan["outputs"]["namespace"] == namespace_of(tenant_recording(stack))


def test_the_shared_alb_is_split_between_its_tenants_and_a_tenant_pays_no_cluster():
    estimates = [from_recording(tenant_recording(stack)) for stack in TENANT_STACKS]
    prices = load_prices(estimates[0].region)
    shared = [e for e, s in zip(estimates, TENANT_STACKS, strict=True) if config(tenant_recording(s), "albMode") == "shared"]
    alb_hours = sum(next(line.monthly_usd for line in e.lines if line.item == "Application Load Balancers") for e in shared)
    assert abs(alb_hours - prices.alb_hour * prices.hours_per_month) <= Decimal("0.02")
    for estimate in estimates:
        assert not {"EKS", "NAT", "KMS"} & {line.category for line in estimate.lines}


def plan_args(tmp_path: Path, platform: str) -> list[str]:
    """The plan command's arguments for checkout-dev moved onto another platform stack."""
    stack_file = tmp_path / f"Pulumi.{platform}-tenant.yaml"
    values = yaml.safe_load((TENANT_PROJECT_DIR / "Pulumi.checkout-dev.yaml").read_text())["config"]
    values[f"{PROJECT}:platformStack"] = platform
    values[f"{PROJECT}:namespace"] = "tenant-moved"
    stack_file.write_text(yaml.safe_dump({"config": values}))
    args = ["plan", "--stack", f"{platform}-tenant", "--project-dir", str(TENANT_PROJECT_DIR), "--stack-file", str(stack_file)]
    return [*args, "--out", str(tmp_path / platform), "--quiet"]


def test_a_tenant_of_a_missing_or_dedicated_platform_fails_clearly(tmp_path, capsys):
    # A missing platform: `python -m offline plan` in a process of its own (its exit code and what it prints).
    command = [sys.executable, "-m", "offline", *plan_args(tmp_path, "no-such-platform")]
    missing = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120, check=False)
    assert missing.returncode == 2, missing.stderr
    assert "Traceback" not in missing.stderr
    assert "no-such-platform" in missing.stderr and "the referenced stack does not exist" in missing.stderr
    # A dedicated platform (dev): the same command in this process, whose failing program ends the same way.
    assert offline_main(plan_args(tmp_path, "dev")) == 2
    stderr = capsys.readouterr().err
    assert "Traceback" not in stderr
    assert "dev" in stderr and "does not serve tenants" in stderr
