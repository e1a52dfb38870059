"""Teams as tenants of one shared platform stack: isolation, ordering, offline plan and cost.

The tenant project (tenant/) runs in this process like the platform project: it imports the
same shared modules from this checkout, and the harness answers its StackReference from the
platform stack's own offline plan (made once per process, in a process of its own).
"""

import ast
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from components.metrics_server import REPLICAS as METRICS_SERVER_REPLICAS
from cost import from_recording
from eksfargate import platform_reference, settings, stack_catalog, tenant_settings
from eksfargate.contract import (
    ACCESS_POLICIES,
    ACCESS_POLICY_ARN_PREFIX,
    TENANT_NAMESPACE_SELECTOR,
    TENANT_READS,
    PlatformOutput,
    host_annotation,
    selector_covers,
)
from eksfargate.estimate import load_prices
from eksfargate.facts.fargate_sizes import quantity
from eksfargate.facts.pod_placement import READINESS_GATE_LABEL
from eksfargate.facts.pod_security import RESTRICTED_NAMESPACE_LABELS
from eksfargate.project import TENANT_PROJECT_DIR
from eksfargate.settings import SettingsError
from eksfargate.stack_files import read_project
from offline.harness import PROJECT_DIR, Recording, record
from offline.plan import build
from teams import tenants as tenant_files
from tests import kubernetes_schemas
from tests.components.test_game_2048 import hardening_gaps
from tests.components.test_ingress_guardrails import refusals
from tests.conftest import recording_of
from tests.programs.test_kubernetes_schema import kubernetes_objects

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


@pytest.fixture(scope="module", params=TENANT_STACKS)
def tenant(request) -> Recording:
    return tenant_recording(request.param)


def config(recording: Recording, key: str) -> str:
    return recording.config[f"{PROJECT}:{key}"]


def namespace_of(recording: Recording) -> str:
    return recording.one(NAMESPACE).inputs["metadata"]["name"]


def platform_outputs(recording: Recording) -> dict:
    return recording.one(REFERENCE).outputs["outputs"]


def test_two_example_tenants_share_one_platform_stack():
    platforms = {config(tenant_recording(stack), "platformStack") for stack in TENANT_STACKS}
    assert len(TENANT_STACKS) >= 2 and len(platforms) == 1
    (platform,) = platforms
    platform_file = yaml.safe_load((PROJECT_DIR / f"Pulumi.{platform}.yaml").read_text())["config"]
    assert platform_file["eks-fargate:servesTenants"] is True


# --- isolation ------------------------------------------------------------------------------


def test_every_object_lives_in_the_tenants_own_namespace(tenant):
    namespace = namespace_of(tenant)
    assert selector_covers(TENANT_NAMESPACE_SELECTOR, namespace)
    for resource in tenant.resources:
        if resource.type.startswith("kubernetes:") and resource.custom and resource.type != NAMESPACE:
            assert resource.inputs["metadata"]["namespace"] == namespace, resource.name
    kinds = {r.type.split(":")[-1] for r in tenant.resources if r.type.startswith("kubernetes:") and r.custom}
    assert not kinds & {"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"}


def test_the_namespace_carries_team_and_cost_labels(tenant):
    labels = tenant.one(NAMESPACE).inputs["metadata"]["labels"]
    team = {"team": config(tenant, "team"), "cost-center": config(tenant, "costCenter") or config(tenant, "team")}
    assert labels == {**team, **READINESS_GATE_LABEL, **RESTRICTED_NAMESPACE_LABELS}


def test_the_access_entry_is_scoped_to_the_tenants_namespace_only(tenant):
    entry, association = tenant.one(ENTRY).inputs, tenant.one(ASSOCIATION).inputs
    assert entry["principalArn"] == association["principalArn"] == config(tenant, "teamRoleArn")
    assert association["accessScope"] == {"type": "namespace", "namespaces": [namespace_of(tenant)]}
    assert association["policyArn"] == ACCESS_POLICY_ARN_PREFIX + ACCESS_POLICIES[config(tenant, "accessLevel")]
    assert association["clusterName"] == platform_outputs(tenant)["clusterName"]


def test_the_quota_caps_pods_cpu_and_memory(tenant):
    quota = tenant.one(QUOTA).inputs["spec"]["hard"]
    assert quota["pods"] == config(tenant, "quotaPods")
    for resource in ("cpu", "memory"):
        setting = config(tenant, "quotaCpu" if resource == "cpu" else "quotaMemory")
        assert quota[f"requests.{resource}"] == quota[f"limits.{resource}"] == setting


def test_the_limit_range_gives_every_container_default_requests_equal_to_limits(tenant):
    (limits,) = tenant.one(LIMIT_RANGE).inputs["spec"]["limits"]
    assert limits["type"] == "Container"
    assert set(limits["defaultRequest"]) == {"cpu", "memory"}
    assert limits["defaultRequest"] == limits["default"]


def test_the_irsa_role_trusts_one_service_account_of_the_namespace_through_the_platforms_provider():
    recording = tenant_recording("checkout-dev")
    role = recording.one("aws:iam/role:Role", "service-account-irsa")
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    outputs = platform_outputs(recording)
    issuer = outputs["oidcIssuer"]
    assert statement["Principal"] == {"Federated": outputs["oidcProviderArn"]}
    account = config(recording, "serviceAccount")
    assert statement["Condition"]["StringEquals"] == {
        f"{issuer}:sub": f"system:serviceaccount:{namespace_of(recording)}:{account}",
        f"{issuer}:aud": "sts.amazonaws.com",
    }


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


# --- the workload: one hardened shape -----------------------------------------------------------


def pod_of(recording: Recording) -> dict:
    return recording.one(DEPLOYMENT).inputs["spec"]["template"]["spec"]


def test_tenant_workloads_are_hardened_with_probes_prestop_and_a_budget(tenant):
    pod = pod_of(tenant)
    # IRSA included: the pods run as the tenant's service account, and EKS's pod identity webhook
    # projects the web identity token itself; the Kubernetes API token stays out.
    assert hardening_gaps(pod) == []
    if config(tenant, "serviceAccount"):
        assert pod["serviceAccountName"] == config(tenant, "serviceAccount")
    (container,) = pod["containers"]
    assert container["lifecycle"]["preStop"]["sleep"]["seconds"] >= 30
    assert container["resources"]["requests"] == container["resources"]["limits"]
    labels = tenant.one(DEPLOYMENT).inputs["spec"]["selector"]["matchLabels"]
    (budget,) = tenant.of_type(BUDGET)
    assert budget.inputs["spec"]["selector"]["matchLabels"] == labels and budget.inputs["spec"]["maxUnavailable"] == 1


def test_a_tenant_rollout_never_needs_more_than_one_pod_above_its_replicas(tenant):
    strategy = tenant.one(DEPLOYMENT).inputs["spec"]["strategy"]
    assert strategy == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}


def test_every_committed_tenant_fits_its_quota_at_its_most_pods(tenant):
    """Pods, CPU and memory at the most pods (the autoscaler's maximum, or the replicas) plus a rollout's one."""
    hard = tenant.one(QUOTA).inputs["spec"]["hard"]
    spec = tenant.one(DEPLOYMENT).inputs["spec"]
    autoscalers = tenant.of_type(AUTOSCALER)
    most = autoscalers[0].inputs["spec"]["maxReplicas"] if autoscalers else spec["replicas"]
    pods = int(most + spec["strategy"]["rollingUpdate"]["maxSurge"])
    (container,) = spec["template"]["spec"]["containers"]
    assert pods <= int(hard["pods"])
    for resource in ("cpu", "memory"):
        assert quantity(container["resources"]["limits"][resource]) * pods <= quantity(hard[f"limits.{resource}"])
    (limits,) = tenant.one(LIMIT_RANGE).inputs["spec"]["limits"]
    for resource in ("cpu", "memory"):
        assert quantity(limits["default"][resource]) <= quantity(hard[f"limits.{resource}"])


def test_a_service_on_port_3000_runs_as_a_tenant_through_the_spec():
    overrides = {"app": "orders", "appImage": "ghcr.io/example/orders:1.4.2", "appPort": 3000, "appProbePath": "/healthz"}
    recording = record("ledger-dev", overrides=overrides | {"appMaxReplicas": 4}, project_dir=TENANT_PROJECT_DIR)
    assert recording.error is None, recording.error
    pod = pod_of(recording)
    (container,) = pod["containers"]
    assert container["name"] == "orders" and container["image"] == overrides["appImage"] and "command" not in container
    assert container["ports"] == [{"name": "http", "containerPort": 3000}]
    assert container["readinessProbe"]["httpGet"] == container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert hardening_gaps(pod) == []
    assert recording.one(SERVICE).inputs["spec"]["ports"][0]["targetPort"] == "http"
    assert recording.of_type(CONFIG_MAP) == []
    (autoscaler,) = recording.of_type(AUTOSCALER)
    assert (autoscaler.inputs["spec"]["minReplicas"], autoscaler.inputs["spec"]["maxReplicas"]) == (3, 4)
    assert "replicas" not in recording.one(DEPLOYMENT).inputs["spec"]


def test_the_presets_run_on_the_hardened_nginx_configuration(tenant):
    (container,) = pod_of(tenant)["containers"]
    assert container["ports"] == [{"name": "http", "containerPort": 8080}]
    assert any(m["mountPath"] == "/etc/nginx/nginx.conf" and m.get("readOnly") for m in container["volumeMounts"])
    (config_map,) = tenant.of_type(CONFIG_MAP)
    assert "listen 8080;" in config_map.inputs["data"]["nginx.conf"]


# --- ordering -------------------------------------------------------------------------------


def test_the_workload_waits_for_its_namespace_quota_limits_and_the_covering_fargate_selector(tenant):
    deployment = tenant.one(DEPLOYMENT)
    for type_ in (NAMESPACE, QUOTA, LIMIT_RANGE, REFERENCE):
        assert deployment.depends_on(tenant.one(type_)), type_
    # The pods name the platform profile the program checked covers their namespace.
    outputs = platform_outputs(tenant)
    pod_labels = deployment.inputs["spec"]["template"]["metadata"]["labels"]
    assert pod_labels["eks.amazonaws.com/fargate-profile"] == outputs["tenantFargateProfile"]
    assert selector_covers(outputs["tenantNamespaceSelector"], namespace_of(tenant))
    assert tenant.one(QUOTA).depends_on(tenant.one(LIMIT_RANGE))


# --- the shared ALB -------------------------------------------------------------------------


def test_shared_tenants_join_the_platforms_ingress_group_with_their_own_host_and_order(tenant):
    annotations = tenant.one(INGRESS).inputs["metadata"]["annotations"]
    (rule,) = tenant.one(INGRESS).inputs["spec"]["rules"]
    if config(tenant, "albMode") == "shared":
        assert annotations["alb.ingress.kubernetes.io/group.name"] == platform_outputs(tenant)["sharedAlbGroup"]
        assert annotations["alb.ingress.kubernetes.io/group.order"] == config(tenant, "albGroupOrder")
        assert rule["host"] == config(tenant, "host")
    else:
        assert "alb.ingress.kubernetes.io/group.name" not in annotations


def test_the_platforms_admission_policy_admits_the_ingress_each_tenant_declares_in_its_namespace(tenant):
    """What the tenant writes on its namespace (its host) and its Ingress pass the platform's policy."""
    namespace = tenant.one(NAMESPACE).inputs
    assert namespace["metadata"]["annotations"] == {"owner": config(tenant, "owner"), **host_annotation(config(tenant, "host"))}
    assert refusals(tenant.one(INGRESS).inputs, namespace) == []


def shared_alb_members() -> dict[str, list[Recording]]:
    """Every committed tenant on a shared ALB, by its platform stack."""
    members: dict[str, list[Recording]] = {}
    for stack in TENANT_STACKS:
        recording = tenant_recording(stack)
        if config(recording, "albMode") == "shared":
            members.setdefault(config(recording, "platformStack"), []).append(recording)
    return members


def test_the_tenants_of_a_shared_alb_agree_on_its_listeners_and_each_brings_its_own_certificate():
    """What the controller merges into one ALB (components/ingress.py) cannot conflict: one redirect setting,
    one protocol per port, distinct hosts; each TLS tenant's certificate joins the HTTPS listener."""
    for platform, members in shared_alb_members().items():
        annotations = [m.one(INGRESS).inputs["metadata"]["annotations"] for m in members]
        redirect = {a.get("alb.ingress.kubernetes.io/ssl-redirect") for a in annotations}
        assert len(redirect) == 1, f"{platform}'s shared ALB: tenants disagree on ssl-redirect {redirect}"
        per_port: dict[int, str] = {}
        for a in annotations:
            for listener in json.loads(a.get("alb.ingress.kubernetes.io/listen-ports", '[{"HTTP": 80}]')):
                for protocol, port in listener.items():
                    assert per_port.setdefault(port, protocol) == protocol, f"{platform}: port {port} is HTTP and HTTPS"
        hosts = [m.one(INGRESS).inputs["spec"]["rules"][0]["host"] for m in members]
        assert len(set(hosts)) == len(hosts)
        for member, found in zip(members, annotations, strict=True):
            if config(member, "certificateArn") or config(member, "hostedZone"):
                certificate = found["alb.ingress.kubernetes.io/certificate-arn"]
                assert certificate == (config(member, "certificateArn") or member.one(CERTIFICATE).outputs["arn"])


def test_two_tenants_on_tls_plan_the_shared_alb_with_both_certificates():
    """The committed example: checkout's certificate is made in its hosted zone, ledger's is one it has."""
    checkout, ledger = tenant_recording("checkout-dev"), tenant_recording("ledger-dev")
    certificates = {
        r.one(INGRESS).inputs["metadata"]["annotations"]["alb.ingress.kubernetes.io/certificate-arn"] for r in (checkout, ledger)
    }
    assert certificates == {checkout.one(CERTIFICATE).outputs["arn"], config(ledger, "certificateArn")}
    assert ledger.of_type(CERTIFICATE) == []
    assert {r.outputs["url"] for r in (checkout, ledger)} == {
        "https://checkout.apps.example.com",
        "https://ledger.apps.example.com",
    }


def test_a_shared_alb_tenant_whose_tls_differs_from_the_others_or_whose_host_is_taken_fails():
    members = shared_alb_members()
    platform, tenants_of = next((p, m) for p, m in members.items() if len(m) >= 2)
    first, other = tenants_of[0], tenants_of[1]
    tls = bool(config(first, "certificateArn") or config(first, "hostedZone"))
    flipped = (
        {"certificateArn": "", "hostedZone": "", "dnsRecord": False}
        if tls
        else {"certificateArn": "arn:aws:acm:ap-northeast-2:123456789012:certificate/4f0c8a2e-9b7d-4c1e-8a3f-2d6e5b7c9a10"}
    )
    recording = record(first.stack, overrides=flipped, project_dir=TENANT_PROJECT_DIR)
    assert isinstance(recording.error, SettingsError)
    assert recording.error.key == f"{PROJECT}:certificateArn"
    assert other.stack in recording.error.allowed and "redirect" in recording.error.allowed
    taken = record(first.stack, overrides={"host": config(other, "host")}, project_dir=TENANT_PROJECT_DIR)
    assert isinstance(taken.error, SettingsError) and taken.error.key == f"{PROJECT}:host"
    assert other.stack in taken.error.allowed


def test_an_own_alb_tenant_gets_no_group():
    recording = record(
        "ledger-dev",
        overrides={"albMode": "own", "host": "", "certificateArn": "", "hostedZone": "", "dnsRecord": False},
        project_dir=TENANT_PROJECT_DIR,
    )
    assert recording.error is None
    annotations = recording.one(INGRESS).inputs["metadata"]["annotations"]
    assert "alb.ingress.kubernetes.io/group.name" not in annotations
    assert "host" not in recording.one(INGRESS).inputs["spec"]["rules"][0]


# --- schema, plan, cost ---------------------------------------------------------------------


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


def plan_with_platform(tmp_path: Path, platform: str) -> subprocess.Popen:
    """`python -m offline plan` of checkout-dev moved onto another platform stack, in a process of its own."""
    stack_file = tmp_path / f"Pulumi.{platform}-tenant.yaml"
    values = yaml.safe_load((TENANT_PROJECT_DIR / "Pulumi.checkout-dev.yaml").read_text())["config"]
    values[f"{PROJECT}:platformStack"] = platform
    values[f"{PROJECT}:namespace"] = "tenant-moved"
    stack_file.write_text(yaml.safe_dump({"config": values}))
    command = [sys.executable, "-m", "offline", "plan", "--stack", f"{platform}-tenant", "--project-dir"]
    command += [str(TENANT_PROJECT_DIR), "--stack-file", str(stack_file), "--out", str(tmp_path / platform), "--quiet"]
    return subprocess.Popen(command, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_tenant_of_a_missing_or_dedicated_platform_fails_clearly(tmp_path):
    cases = {"no-such-platform": "the referenced stack does not exist", "dev": "does not serve tenants"}
    running = {platform: plan_with_platform(tmp_path, platform) for platform in cases}  # in parallel
    for platform, message in cases.items():
        _, stderr = running[platform].communicate(timeout=120)
        assert running[platform].returncode == 2, stderr
        assert "Traceback" not in stderr
        assert platform in stderr and message in stderr


# --- teams ----------------------------------------------------------------------------------


def test_the_committed_tenants_have_no_conflict():
    assert tenant_files.conflicts() == []


def copy_projects(tmp_path: Path) -> tuple[Path, Path]:
    for path in [*PROJECT_DIR.glob("Pulumi*.yaml")]:
        (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / "tenant").mkdir()
    for path in TENANT_PROJECT_DIR.glob("Pulumi*.yaml"):
        (tmp_path / "tenant" / path.name).write_text(path.read_text())
    return tmp_path, tmp_path / "tenant"


def test_teams_new_shared_writes_a_tenant_with_a_free_namespace(tmp_path):
    platform_dir, tenant_dir = copy_projects(tmp_path)
    taken = set(tenant_files.namespace_owners(tenant_dir))
    path, namespace = tenant_files.new_tenant_stack("ledger", "shared-dev", "prod", tenant_dir, platform_dir)
    assert namespace not in taken and selector_covers(TENANT_NAMESPACE_SELECTOR, namespace)
    assert yaml.safe_load(path.read_text())["config"][f"{PROJECT}:platformStack"] == "shared-dev"
    assert tenant_files.conflicts(platform_dir, tenant_dir) == []


def test_teams_new_shared_takes_the_team_role_alb_mode_and_host_and_the_file_plans(tmp_path, capsys):
    from teams.__main__ import main as teams_main

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
    from teams.__main__ import main as teams_main

    platform_dir, tenant_dir = copy_projects(tmp_path)
    assert teams_main(["--project-dir", str(platform_dir), "new", "billing", "--shared", "shared-dev", *extra]) == 2
    assert message in capsys.readouterr().err
    assert not (tenant_dir / "Pulumi.billing-dev.yaml").exists()


def test_teams_new_shared_without_a_role_says_the_team_has_no_access(tmp_path, capsys):
    from teams.__main__ import main as teams_main

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


def test_the_contract_lists_every_platform_output_the_tenant_program_reads():
    """TENANT_READS is what the diff lists under a platform whose outputs change: it must name all the tenant reads."""
    read = set()
    for path in (TENANT_PROJECT_DIR / "__main__.py", Path(platform_reference.__file__)):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "PlatformOutput":
                read.add(getattr(PlatformOutput, node.attr))
    assert read == set(TENANT_READS)
