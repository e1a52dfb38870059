"""The platform's app and every tenant's are one component (components/web_app.py): the same shape in every stack.

Asserted over every committed stack file of both projects, so that a second copy of the app's
objects, or an ordering one kind of app has and the other lacks, fails here.
"""

import pytest

from eksfargate.facts.pod_placement import READINESS_GATE_LABEL
from offline.harness import RecordedResource, Recording
from tests.tenants import TENANT_STACKS, tenant_recording

APP_TYPES = ("eksfargate:app:Game2048", "eksfargate:tenant:TenantApp")
NAMESPACE = "kubernetes:core/v1:Namespace"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
BUDGET = "kubernetes:policy/v1:PodDisruptionBudget"
AUTOSCALER = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
NETWORK = "eksfargate:network:NamespaceSecurityGroup"
SECRETS = "eksfargate:secrets:WorkloadSecrets"
APP_SERVICE_ACCOUNT = "eksfargate:app:AppServiceAccount"


def apps_of(recording: Recording) -> list[tuple[RecordedResource, dict[str, RecordedResource]]]:
    """Each app component with its children by type (one of each)."""
    found = []
    for component in recording.resources:
        if component.type in APP_TYPES:
            children = recording.children(component)
            by_type = {child.type: child for child in children}
            assert len(by_type) == len(children), f"{component.name}: two children of one type"
            found.append((component, by_type))
    return found


@pytest.fixture(scope="module", params=["platform", *TENANT_STACKS])
def recordings(request, committed) -> list[Recording]:
    if request.param == "platform":
        return list(committed.values())
    return [tenant_recording(request.param)]


def every_app(recordings: list[Recording]):
    apps = [(recording, *app) for recording in recordings for app in apps_of(recording)]
    assert apps, "no app in these stacks"
    return apps


def test_every_app_is_the_same_set_of_objects(recordings):
    for recording, component, children in every_app(recordings):
        deployment = children[DEPLOYMENT]
        spec = deployment.inputs["spec"]
        expected = {DEPLOYMENT, SERVICE, INGRESS, BUDGET, NETWORK}
        if spec["template"]["spec"]["volumes"] and any("configMap" in v for v in spec["template"]["spec"]["volumes"]):
            expected.add(CONFIG_MAP)
        if "replicas" not in spec:
            expected.add(AUTOSCALER)
        if any("secretKeyRef" in str(c.get("env")) for c in spec["template"]["spec"]["containers"]) or any(
            "projected" in v for v in spec["template"]["spec"]["volumes"]
        ):
            expected.add(SECRETS)
            if recording.project == "eks-fargate":  # a tenant's service account is its own component
                expected.add(APP_SERVICE_ACCOUNT)
        assert set(children) - {NAMESPACE} == expected, (recording.stack, component.name)


def test_every_apps_namespace_gates_pods_on_their_alb_target(recordings):
    """The controller injects a readiness gate only in a labelled namespace: the pods of every app,
    a tenant's too, count as Ready once the ALB finds them healthy."""
    for recording, component, children in every_app(recordings):
        namespace = children[DEPLOYMENT].inputs["metadata"]["namespace"]
        (made,) = [r for r in recording.of_type(NAMESPACE) if r.inputs["metadata"]["name"] == namespace]
        labels = made.inputs["metadata"]["labels"]
        assert READINESS_GATE_LABEL.items() <= labels.items(), (recording.stack, component.name, labels)


def test_every_apps_pods_start_after_their_service_and_ingress(recordings):
    """The controller injects readiness gates only into pods created once the Service and Ingress exist."""
    for recording, component, children in every_app(recordings):
        deployment = children[DEPLOYMENT]
        assert deployment.depends_on(children[SERVICE]), (recording.stack, component.name)
        assert deployment.depends_on(children[INGRESS]), (recording.stack, component.name)


def test_every_apps_service_and_ingress_route_to_the_pods_http_port(recordings):
    for recording, component, children in every_app(recordings):
        labels = children[DEPLOYMENT].inputs["spec"]["template"]["metadata"]["labels"]
        service = children[SERVICE].inputs
        assert service["spec"]["selector"].items() <= labels.items(), (recording.stack, component.name)
        assert [p["targetPort"] for p in service["spec"]["ports"]] == ["http"]
        (rule,) = children[INGRESS].inputs["spec"]["rules"]
        (path,) = rule["http"]["paths"]
        assert path["backend"]["service"] == {"name": service["metadata"]["name"], "port": {"name": "http"}}


def kubelet_success(code: int) -> bool:
    """What the kubelet's httpGet probe counts as success (k8s.io/kubernetes/pkg/probe/http)."""
    return 200 <= code < 400


def alb_success(matcher: str, code: int) -> bool:
    """What an ALB health-check matcher ("200", "200,202", "200-399") counts as success."""
    for part in matcher.split(","):
        low, _, high = part.partition("-")
        if int(low) <= code <= int(high or low):
            return True
    return False


def test_every_ingress_health_check_asks_what_its_workloads_readiness_probe_asks(recordings):
    """The ALB must judge a target as the kubelet judges the pod: same path, same port, same answers,
    same period. Otherwise an app that answers only on its probe path serves 503."""
    for recording, component, children in every_app(recordings):
        annotations = children[INGRESS].inputs["metadata"]["annotations"]
        (container,) = children[DEPLOYMENT].inputs["spec"]["template"]["spec"]["containers"]
        probe = container["readinessProbe"]
        where = (recording.stack, component.name)
        assert annotations["alb.ingress.kubernetes.io/healthcheck-path"] == probe["httpGet"]["path"], where
        ports = {port["name"]: port["containerPort"] for port in container["ports"]}
        probed = probe["httpGet"]["port"]
        asked = annotations["alb.ingress.kubernetes.io/healthcheck-port"]
        # IP targets: the traffic port is the container port the Service's targetPort names.
        assert (ports[probed] if probed in ports else probed) == (ports["http"] if asked == "traffic-port" else int(asked)), where
        matcher = annotations["alb.ingress.kubernetes.io/success-codes"]
        assert all(alb_success(matcher, code) == kubelet_success(code) for code in range(200, 500)), where
        assert int(annotations["alb.ingress.kubernetes.io/healthcheck-interval-seconds"]) == probe["periodSeconds"], where
