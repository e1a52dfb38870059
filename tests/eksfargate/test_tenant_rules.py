"""What tenants of one platform must not share (eksfargate/tenancy.py), and the namespace a tenant
gets when its stack file names none: the same answer for the tenant program, the catalog and `teams`."""

import shutil

import yaml

from eksfargate.contract import default_namespace, is_tenant_namespace
from eksfargate.project import TENANT_PROJECT_DIR
from eksfargate.stack_catalog import Tenant, tenants
from eksfargate.tenancy import host_holders, namespace_conflicts, namespace_holders, shared_alb_conflicts, tls_disagreeing
from offline.harness import record


def tenant(stack: str, namespace: str = "", platform: str = "shared-dev", alb_mode: str = "shared", host: str = "", tls=False):
    return Tenant(
        stack=stack,
        file=f"tenant/Pulumi.{stack}.yaml",
        team=stack.split("-")[0],
        namespace=namespace or default_namespace(stack),
        platform=platform,
        quota_pods=10,
        alb_mode=alb_mode,
        host=host or f"{stack}.example.com",
        tls=tls,
    )


def test_a_namespace_is_one_tenants_and_a_tenant_never_clashes_with_itself():
    catalog = [tenant("a", namespace="tenant-x"), tenant("b", namespace="tenant-x"), tenant("c")]
    assert namespace_holders("tenant-x", catalog, stack="a") == ["b"]
    assert namespace_holders(default_namespace("c"), catalog, stack="c") == []
    assert namespace_conflicts(catalog) == ["namespace tenant-x is claimed by tenant stacks a, b"]


def test_a_host_clashes_only_on_the_same_platforms_shared_alb():
    catalog = [
        tenant("a", host="shop.example.com"),
        tenant("own", host="shop.example.com", alb_mode="own"),  # its own ALB: its rules see only its traffic
        tenant("elsewhere", host="shop.example.com", platform="other-dev"),
    ]
    assert host_holders("shared-dev", "shop.example.com", catalog) == ["a"]
    assert host_holders("shared-dev", "shop.example.com", catalog, stack="a") == []
    assert shared_alb_conflicts(catalog) == []
    twin = [*catalog, tenant("b", host="shop.example.com")]
    assert shared_alb_conflicts(twin) == ["host shop.example.com on platform shared-dev's shared ALB is claimed by a, b"]


def test_tls_must_agree_across_one_shared_alb_only():
    catalog = [tenant("a", tls=True), tenant("b", tls=True), tenant("own", tls=False, alb_mode="own")]
    assert tls_disagreeing("shared-dev", False, catalog) == ["a", "b"]
    assert tls_disagreeing("shared-dev", True, catalog) == []
    assert shared_alb_conflicts(catalog) == []
    mixed = [*catalog, tenant("plain", tls=False)]
    (conflict,) = shared_alb_conflicts(mixed)
    assert "shared-dev's shared ALB serves a, b with TLS and plain without" in conflict


def test_a_tenant_without_a_namespace_gets_the_same_one_in_the_program_and_the_catalog(tmp_path):
    (tmp_path / "tenant").mkdir()
    for stack_file in TENANT_PROJECT_DIR.glob("Pulumi*.yaml"):
        shutil.copy(stack_file, tmp_path / "tenant")
    path = tmp_path / "tenant" / "Pulumi.checkout-dev.yaml"
    values = yaml.safe_load(path.read_text())["config"]
    values.pop("eks-fargate-tenant:namespace", None)
    path.write_text(yaml.safe_dump({"config": values}))
    team = values["eks-fargate-tenant:team"]

    (listed,) = [t for t in tenants(tmp_path / "tenant") if t.stack == "checkout-dev"]
    recording = record("checkout-dev", overrides={"namespace": ""}, project_dir=TENANT_PROJECT_DIR)
    assert recording.error is None, recording.error
    planned = recording.one("kubernetes:core/v1:Namespace").inputs["metadata"]["name"]
    assert listed.namespace == planned == default_namespace(team)
    assert is_tenant_namespace(planned)
