"""The committed tenant stacks (tenant/) and small readers over a tenant's recording, for the tests of tenants."""

from pathlib import Path

from eksfargate.project import TENANT_PROJECT_DIR
from offline.harness import PROJECT_DIR, Recording
from tests.conftest import recording_of

TENANT_STACKS = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in TENANT_PROJECT_DIR.glob("Pulumi.*.yaml"))
PROJECT = "eks-fargate-tenant"
NAMESPACE = "kubernetes:core/v1:Namespace"
QUOTA = "kubernetes:core/v1:ResourceQuota"
LIMIT_RANGE = "kubernetes:core/v1:LimitRange"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
ENTRY = "aws:eks/accessEntry:AccessEntry"
CERTIFICATE = "aws:acm/certificate:Certificate"
REFERENCE = "pulumi:pulumi:StackReference"
BUDGET = "kubernetes:policy/v1:PodDisruptionBudget"
AUTOSCALER = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
SERVICE = "kubernetes:core/v1:Service"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"


def tenant_recording(stack: str) -> Recording:
    """The committed tenant stack file's recording, once per session (`recording_of`)."""
    return recording_of(stack, TENANT_PROJECT_DIR / f"Pulumi.{stack}.yaml", TENANT_PROJECT_DIR)


def config(recording: Recording, key: str) -> str:
    return recording.config[f"{PROJECT}:{key}"]


def namespace_of(recording: Recording) -> str:
    return recording.one(NAMESPACE).inputs["metadata"]["name"]


def platform_outputs(recording: Recording) -> dict:
    return recording.one(REFERENCE).outputs["outputs"]


def copy_projects(tmp_path: Path) -> tuple[Path, Path]:
    for path in [*PROJECT_DIR.glob("Pulumi*.yaml")]:
        (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / "tenant").mkdir()
    for path in TENANT_PROJECT_DIR.glob("Pulumi*.yaml"):
        (tmp_path / "tenant" / path.name).write_text(path.read_text())
    return tmp_path, tmp_path / "tenant"
