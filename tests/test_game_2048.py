"""The 2048 game: namespace on Fargate, Deployment, Service, and an internet-facing ALB Ingress."""

from offline.harness import record
from tests.stackfacts import PINNED_DEV, PROFILE, RELEASE, setting

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"


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
    assert {p["containerPort"] for p in container["ports"]} == {80}


def test_everything_is_in_the_app_namespace_which_a_profile_covers(stack):
    namespace = stack.config["eks-fargate:appNamespace"]
    assert stack.one("kubernetes:core/v1:Namespace", "game-2048-namespace").inputs["metadata"]["name"] == namespace
    for type_ in (DEPLOYMENT, SERVICE, INGRESS):
        assert stack.one(type_).inputs["metadata"]["namespace"] == namespace
    selectors = [s for p in stack.of_type(PROFILE) for s in p.inputs["selectors"]]
    assert any(s["namespace"] == namespace and not s.get("labels") for s in selectors)


def test_deployment_replicas_image_and_fargate_sized_requests(stack):
    spec = stack.one(DEPLOYMENT).inputs["spec"]
    assert spec["replicas"] == int(setting(stack, "appReplicas"))
    (container,) = spec["template"]["spec"]["containers"]
    assert container["image"] == stack.config["eks-fargate:appImage"]
    assert container["resources"]["requests"] == container["resources"]["limits"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/"


def test_replicas_follow_the_setting():
    recording = record("dev", overrides={"appReplicas": 3}, stack_file=PINNED_DEV)
    assert recording.one(DEPLOYMENT).inputs["spec"]["replicas"] == 3


def test_service_and_ingress_are_created_after_the_controller_and_deleted_before_it(stack):
    release = stack.one(RELEASE)
    assert stack.one(SERVICE).depends_on(release)
    assert stack.one(INGRESS).depends_on(release)


def test_pods_wait_for_their_fargate_profile(stack):
    workload_profile = next(
        p for p in stack.of_type(PROFILE) if {"namespace": stack.config["eks-fargate:appNamespace"]} in p.inputs["selectors"]
    )
    assert stack.one(DEPLOYMENT).depends_on(workload_profile)


def test_ingress_url_is_built_from_the_ingress_status(stack):
    hostname = stack.one(INGRESS).outputs["status"]["loadBalancer"]["ingress"][0]["hostname"]
    assert stack.outputs["ingressUrl"] == f"http://{hostname}"


def test_existing_vpc_ingress_names_its_public_subnets(existing_vpc):
    annotations = existing_vpc.one(INGRESS).inputs["metadata"]["annotations"]
    assert annotations["alb.ingress.kubernetes.io/subnets"].split(",") == existing_vpc.outputs["publicSubnetIds"]
    assert existing_vpc.one(DEPLOYMENT).inputs["spec"]["replicas"] == 3


def test_created_vpc_ingress_leaves_subnet_choice_to_tag_discovery(stack):
    assert "alb.ingress.kubernetes.io/subnets" not in stack.one(INGRESS).inputs["metadata"]["annotations"]
