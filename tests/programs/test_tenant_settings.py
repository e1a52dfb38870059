"""A tenant's bad settings, and settings its platform cannot serve: a SettingsError naming the key, before any resource."""

import pytest

from eksfargate import tenant_settings
from eksfargate.project import TENANT_PROJECT_DIR
from eksfargate.settings import SettingsError
from offline.harness import record
from tests.tenants import PROJECT, copy_projects

BAD_TENANT_SETTINGS = [
    ({"namespace": "kube-system"}, "namespace", "tenant-*"),
    ({"namespace": "default"}, "namespace", "tenant-*"),
    ({"namespace": "payments"}, "namespace", "tenant-*"),
    ({"namespace": "tenant-ledger"}, "namespace", "ledger-dev"),
    ({"accessLevel": "cluster-admin"}, "accessLevel", "one of ['edit', 'view']"),
    ({"accessLevel": "AmazonEKSClusterAdminPolicy"}, "accessLevel", "one of ['edit', 'view']"),
    ({"teamRoleArn": "arn:aws:iam::123456789012:user/alice"}, "teamRoleArn", "IAM role ARN"),
    ({"albMode": "shared", "host": ""}, "host", "host name of the tenant's own"),
    ({"defaultCpuRequest": "lots"}, "defaultCpuRequest", "millicores"),
    ({"quotaMemory": "8G"}, "quotaMemory", "Mi or Gi"),
    ({"serviceAccountPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]}, "serviceAccountPolicyArns", "narrower"),
    ({"platformStack": ""}, "platformStack", "the platform's stack"),
    ({"appReplicas": 11, "quotaPods": 10}, "appReplicas", "at most quotaPods (10)"),
    # Quotas in full (issue 16): CPU and memory at the most pods, a rollout's extra pod, the LimitRange's defaults.
    ({"app": "game", "appReplicas": 3, "quotaCpu": "500m"}, "quotaCpu", "at least 1: 4 pods (appReplicas 3, and 1 more"),
    ({"appReplicas": 2, "quotaMemory": "512Mi"}, "quotaMemory", "at least 768Mi"),
    ({"appReplicas": 2, "appMaxReplicas": 10, "quotaPods": 10}, "appMaxReplicas", "at most quotaPods (10) less 1"),
    ({"appReplicas": 2, "appMaxReplicas": 8, "quotaCpu": "2"}, "quotaCpu", "at least 2250m"),
    ({"appReplicas": 3, "appMaxReplicas": 2}, "appReplicas", "the autoscaler's minimum"),
    ({"defaultCpuRequest": "8"}, "defaultCpuRequest", "at most quotaCpu (4)"),
    ({"defaultMemoryRequest": "16Gi"}, "defaultMemoryRequest", "at most quotaMemory (8Gi)"),
    # The workload spec: a workload of the team's own says what it runs; a preset keeps its own port.
    ({"app": "orders"}, "appImage", "appImage, appPort, appProbePath must be set"),
    ({"app": "orders", "appImage": "ghcr.io/example/orders:1"}, "appPort", "appPort, appProbePath must be set"),
    ({**{"app": "orders", "appImage": "o:1", "appPort": 3000}, "appProbePath": "healthz"}, "appProbePath", "starting with '/'"),
    ({**{"app": "orders", "appImage": "o:1", "appProbePath": "/"}, "appPort": 443}, "appPort", "from 1024 to 65535"),
    ({"appPort": 3000}, "appPort", "left unset for app 'hello'"),
    ({"appCpu": "1", "appMemory": "256Mi"}, "appMemory", "with cpu 1"),
    ({"appWritablePaths": ["/tmp", "/etc/nginx"]}, "appWritablePaths", "/etc/nginx/nginx.conf is mounted read-only"),
    ({"app": "Orders_API"}, "app", "DNS-1123"),
]


@pytest.mark.parametrize(("overrides", "key", "allowed"), BAD_TENANT_SETTINGS, ids=lambda v: str(v)[:40])
def test_a_tenant_cannot_reach_outside_its_namespace(overrides, key, allowed):
    recording = record("checkout-dev", overrides=overrides, project_dir=TENANT_PROJECT_DIR)
    assert isinstance(recording.error, SettingsError)
    assert recording.error.key == f"{PROJECT}:{key}" and allowed in recording.error.allowed
    assert recording.resources == []


def test_a_tenant_autoscaler_needs_the_platforms_metrics_server(tmp_path, monkeypatch):
    """shared-dev runs metrics-server (appAutoscaling defaults to true); a copy with it off refuses the autoscaler."""
    assert record("checkout-dev", overrides={"appMaxReplicas": 4}, project_dir=TENANT_PROJECT_DIR).error is None
    platform_dir, _ = copy_projects(tmp_path)
    platform_file = platform_dir / "Pulumi.shared-dev.yaml"
    platform_file.write_text(platform_file.read_text() + "  eks-fargate:appAutoscaling: false\n")
    monkeypatch.setattr(tenant_settings, "PLATFORM_PROJECT_DIR", platform_dir)
    recording = record("checkout-dev", overrides={"appMaxReplicas": 4}, project_dir=TENANT_PROJECT_DIR)
    assert isinstance(recording.error, SettingsError) and recording.error.key == f"{PROJECT}:appMaxReplicas"
    assert "platform stack shared-dev runs no metrics-server" in recording.error.allowed


def test_a_tenant_in_another_region_than_its_platform_fails_naming_both():
    recording = record("checkout-dev", overrides={"aws:region": "us-east-1"}, project_dir=TENANT_PROJECT_DIR)
    assert isinstance(recording.error, SettingsError)
    assert recording.error.key == "aws:region" and recording.error.value == "us-east-1"
    assert "ap-northeast-2, the region of platform stack shared-dev" in recording.error.allowed
    assert recording.resources == []
