"""A tenant's workload: one hardened shape, within its quota, ordered after its namespace and its platform's profile."""

from eksfargate.contract import selector_covers
from eksfargate.facts.fargate_sizes import quantity
from eksfargate.project import TENANT_PROJECT_DIR
from offline.harness import Recording, record
from tests.components.test_game_2048 import hardening_gaps
from tests.tenants import (
    AUTOSCALER,
    BUDGET,
    CONFIG_MAP,
    DEPLOYMENT,
    LIMIT_RANGE,
    NAMESPACE,
    QUOTA,
    REFERENCE,
    SERVICE,
    config,
    namespace_of,
    platform_outputs,
)


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
