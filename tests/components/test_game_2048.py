"""The 2048 game: namespace on Fargate, Deployment, Service, an internet-facing ALB Ingress,
its autoscaler, its disruption budget and a hardened pod."""

import copy
import hashlib
import re

import pytest

from policy.workload_rules import allows_an_eviction
from tests.stackfacts import PROFILE, RELEASE, setting

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
AUTOSCALER = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
DISRUPTION_BUDGET = "kubernetes:policy/v1:PodDisruptionBudget"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
NAMESPACE = "kubernetes:core/v1:Namespace"


@pytest.fixture
def stack(stack):
    """Every stack file that deploys the game (a platform stack may leave it out)."""
    if setting(stack, "appEnabled") == "false":
        pytest.skip("no game in this stack (appEnabled false)")
    return stack


def test_ingress_is_an_internet_facing_alb_with_ip_targets(stack):
    ingress = stack.one(INGRESS).inputs
    assert ingress["spec"]["ingressClassName"] == "alb"
    annotations = ingress["metadata"]["annotations"]
    assert annotations["alb.ingress.kubernetes.io/scheme"] == "internet-facing"
    assert annotations["alb.ingress.kubernetes.io/target-type"] == "ip"


def test_ingress_routes_to_the_service_which_selects_the_pods(stack):
    ingress, service, deployment = stack.one(INGRESS).inputs, stack.one(SERVICE).inputs, stack.one(DEPLOYMENT).inputs
    (rule,) = ingress["spec"]["rules"]
    (path,) = rule["http"]["paths"]
    backend = path["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    target_port = next(p["targetPort"] for p in service["spec"]["ports"] if p["name"] == backend["port"]["name"])
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert target_port in {p["name"] for p in container["ports"]}


def test_everything_is_in_the_app_namespace_which_a_profile_covers(stack):
    namespace = stack.config["eks-fargate:appNamespace"]
    assert stack.one("kubernetes:core/v1:Namespace", "game-2048-namespace").inputs["metadata"]["name"] == namespace
    for type_ in (DEPLOYMENT, SERVICE, INGRESS):
        assert stack.one(type_).inputs["metadata"]["namespace"] == namespace
    selectors = [s for p in stack.of_type(PROFILE) for s in p.inputs["selectors"]]
    assert any(s["namespace"] == namespace and not s.get("labels") for s in selectors)


def test_deployment_replicas_image_and_fargate_sized_requests(stack):
    spec = stack.one(DEPLOYMENT).inputs["spec"]
    if setting(stack, "appAutoscaling") == "true":
        # The autoscaler owns the count; appReplicas is its floor.
        assert "replicas" not in spec
        assert stack.one(AUTOSCALER).inputs["spec"]["minReplicas"] == int(setting(stack, "appReplicas"))
    else:
        assert spec["replicas"] == int(setting(stack, "appReplicas"))
        assert stack.of_type(AUTOSCALER) == []
    (container,) = spec["template"]["spec"]["containers"]
    assert container["image"] == stack.config["eks-fargate:appImage"]
    assert container["resources"]["requests"] == container["resources"]["limits"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/", "port": "http"}, probe


def test_with_the_autoscaler_on_it_owns_the_replica_count(dev):
    """Under server-side apply, whoever declares spec.replicas owns it: a Deployment that
    declared it would take it back from the HPA at every `pulumi up`."""
    deployment, autoscaler = dev.one(DEPLOYMENT).inputs, dev.one(AUTOSCALER).inputs
    assert "replicas" not in deployment["spec"]
    target = autoscaler["spec"]["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"], target["name"]) == ("apps/v1", "Deployment", deployment["metadata"]["name"])
    assert autoscaler["metadata"]["namespace"] == deployment["metadata"]["namespace"]
    assert autoscaler["spec"]["minReplicas"] == int(dev.config["eks-fargate:appReplicas"])
    assert autoscaler["spec"]["minReplicas"] <= autoscaler["spec"]["maxReplicas"]
    ((metric),) = autoscaler["spec"]["metrics"]
    assert metric["type"] == "Resource" and metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"]["type"] == "Utilization"


def test_with_the_autoscaler_off_the_deployment_runs_exactly_app_replicas(existing_vpc):
    assert existing_vpc.config["eks-fargate:appAutoscaling"] == "false"
    assert existing_vpc.one(DEPLOYMENT).inputs["spec"]["replicas"] == int(existing_vpc.config["eks-fargate:appReplicas"])
    assert existing_vpc.of_type(AUTOSCALER) == []


def test_service_and_ingress_are_created_after_the_controller_and_deleted_before_it(stack):
    release = stack.one(RELEASE, "alb-controller-release")
    assert stack.one(SERVICE).depends_on(release)
    assert stack.one(INGRESS).depends_on(release)


def test_pods_wait_for_their_fargate_profile(stack):
    workload_profile = next(
        p for p in stack.of_type(PROFILE) if {"namespace": stack.config["eks-fargate:appNamespace"]} in p.inputs["selectors"]
    )
    assert stack.one(DEPLOYMENT).depends_on(workload_profile)


def test_ingress_url_is_the_host_or_the_albs_name_over_https_exactly_with_a_certificate(stack):
    hostname = stack.one(INGRESS).outputs["status"]["loadBalancer"]["ingress"][0]["hostname"]
    host = setting(stack, "appHost")
    tls = bool(setting(stack, "appCertificateArn") or setting(stack, "appHostedZone"))
    assert stack.outputs["ingressUrl"] == f"{'https' if tls else 'http'}://{host or hostname}"


def test_existing_vpc_ingress_names_its_public_subnets(existing_vpc):
    annotations = existing_vpc.one(INGRESS).inputs["metadata"]["annotations"]
    assert annotations["alb.ingress.kubernetes.io/subnets"].split(",") == existing_vpc.outputs["publicSubnetIds"]


def test_created_vpc_ingress_leaves_subnet_choice_to_tag_discovery(stack):
    assert "alb.ingress.kubernetes.io/subnets" not in stack.one(INGRESS).inputs["metadata"]["annotations"]


# ---------------------------------------------------------------- disruptions


def test_the_game_has_a_budget_that_lets_fargate_evict_a_pod_at_its_smallest(dev, existing_vpc):
    for recording in (dev, existing_vpc):
        budget, deployment = (
            recording.one(DISRUPTION_BUDGET, "game-2048-disruption-budget").inputs,
            recording.one(DEPLOYMENT).inputs,
        )
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert budget["metadata"]["namespace"] == deployment["metadata"]["namespace"]
        assert budget["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        assert not ("maxUnavailable" in budget["spec"] and "minAvailable" in budget["spec"])
        autoscaler = recording.of_type(AUTOSCALER)
        fewest = autoscaler[0].inputs["spec"]["minReplicas"] if autoscaler else deployment["spec"]["replicas"]
        assert allows_an_eviction(budget["spec"], max(fewest, 1))


def test_pods_get_alb_readiness_gates_and_are_created_after_their_service_and_ingress(dev):
    namespace = dev.one(NAMESPACE, "game-2048-namespace").inputs
    assert namespace["metadata"]["labels"]["elbv2.k8s.aws/pod-readiness-gate-inject"] == "enabled"
    deployment = dev.one(DEPLOYMENT)
    assert deployment.depends_on(dev.one(SERVICE)) and deployment.depends_on(dev.one(INGRESS))


def test_a_terminating_pod_serves_until_the_alb_has_drained_it(dev):
    annotations = dev.one(INGRESS).inputs["metadata"]["annotations"]
    attributes = dict(a.split("=") for a in annotations["alb.ingress.kubernetes.io/target-group-attributes"].split(","))
    delay = int(attributes["deregistration_delay.timeout_seconds"])
    pod = dev.one(DEPLOYMENT).inputs["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    pre_stop = container["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert delay < 300  # deliberately below the ALB's default
    assert pre_stop >= delay
    assert pod["terminationGracePeriodSeconds"] > pre_stop


# ---------------------------------------------------------------- the hardened pod


def hardening_gaps(pod: dict) -> list[str]:
    """What a pod spec lacks of the hardening this stack promises (docs/reference.md "Security posture")."""
    gaps = []
    if pod.get("automountServiceAccountToken") is not False:
        gaps.append("service account token mounted")
    if (pod.get("securityContext") or {}).get("seccompProfile") != {"type": "RuntimeDefault"}:
        gaps.append("no RuntimeDefault seccomp profile")
    for container in pod["containers"]:
        context = container.get("securityContext") or {}
        if context.get("allowPrivilegeEscalation") is not False:
            gaps.append("privilege escalation allowed")
        if context.get("readOnlyRootFilesystem") is not True:
            gaps.append("writable root filesystem")
        if context.get("runAsNonRoot") is not True or not context.get("runAsUser"):
            gaps.append("may run as root")
        if (context.get("capabilities") or {}).get("drop") != ["ALL"] or (context.get("capabilities") or {}).get("add"):
            gaps.append("capabilities kept")
        if "livenessProbe" not in container or "readinessProbe" not in container:
            gaps.append("a probe missing")
    return gaps


def test_the_game_pod_is_hardened(dev):
    assert hardening_gaps(dev.one(DEPLOYMENT).inputs["spec"]["template"]["spec"]) == []


@pytest.mark.parametrize(
    "path,value",
    [
        (("automountServiceAccountToken",), None),
        (("securityContext", "seccompProfile"), None),
        (("containers", 0, "securityContext", "allowPrivilegeEscalation"), None),
        (("containers", 0, "securityContext", "readOnlyRootFilesystem"), False),
        (("containers", 0, "securityContext", "runAsNonRoot"), None),
        (("containers", 0, "securityContext", "capabilities", "add"), ["NET_BIND_SERVICE"]),
        (("containers", 0, "livenessProbe"), None),
    ],
)
def test_a_missing_hardening_field_is_caught(dev, path, value):
    pod = copy.deepcopy(dev.one(DEPLOYMENT).inputs["spec"]["template"]["spec"])
    *parents, last = path
    holder = pod
    for key in parents:
        holder = holder[key]
    if value is None:
        del holder[last]
    else:
        holder[last] = value
    assert len(hardening_gaps(pod)) == 1


def test_nginx_listens_on_the_container_port_and_writes_only_to_writable_mounts(dev):
    pod = dev.one(DEPLOYMENT).inputs["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    (config_map,) = [c.inputs for c in dev.of_type(CONFIG_MAP) if c.inputs["metadata"]["name"].startswith("nginx-2048-")]
    conf = config_map["data"]["nginx.conf"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: volumes[m["name"]] for m in container["volumeMounts"]}
    assert mounts["/etc/nginx/nginx.conf"]["configMap"]["name"] == config_map["metadata"]["name"]
    (listen,) = re.findall(r"^\s*listen (\d+);", conf, re.MULTILINE)
    assert {p["containerPort"] for p in container["ports"]} == {int(listen)}
    assert int(listen) >= 1024  # a non-root process cannot bind below
    written = re.findall(r"^\s*(?:pid|access_log|\w+_temp_path) (\S+);", conf, re.MULTILINE)
    assert len(written) == 7
    # Nothing opened by path outside the writable mounts: the error log is nginx's own stderr.
    assert re.findall(r"^\s*error_log (\S+)", conf, re.MULTILINE) == ["stderr"]
    writable = [path for path, volume in mounts.items() if "emptyDir" in volume]
    for path in written:
        assert any(path.startswith(f"{mount}/") for mount in writable), path
    # A new configuration changes the pod template, so the pods roll.
    checksum = dev.one(DEPLOYMENT).inputs["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
    assert checksum == hashlib.sha256(f"/etc/nginx/nginx.conf\n{conf}".encode()).hexdigest()
    assert config_map["metadata"]["name"] == f"nginx-2048-{checksum[:10]}"
