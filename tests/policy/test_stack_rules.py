"""The pack's stack rules, each on a stack that passes and one that fails: Fargate coverage, storage claims,
disruption budgets, private subnets, pod logging."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import PolicyProviderResource, PolicyResource
from pulumi_policy.proxy import unknown_checking_proxy

from tests.policy.engine_args import (
    ADDON,
    ASSOCIATION,
    DEPLOYMENT,
    IGW,
    NAMESPACE,
    NAT,
    PROFILE,
    PV,
    PVC,
    RELEASE,
    ROUTE,
    ROUTE_TABLE,
    STATEFULSET,
    STORAGE_CLASS,
    SUBNET,
    U,
    deployment,
    resource,
    resource_urn,
    validate_stack,
)


def _profile(name: str, *selectors: dict) -> PolicyResource:
    return resource(PROFILE, name, {"fargateProfileName": name, "selectors": list(selectors), "subnetIds": []})


def test_workloads_in_a_covered_namespace_pass_and_others_fail() -> None:
    profiles = [_profile("kube-system", {"namespace": "kube-system"}), _profile("apps", {"namespace": "apps"})]
    covered = resource(DEPLOYMENT, "web", deployment(namespace="apps"))
    uncovered = resource(DEPLOYMENT, "reports", deployment(namespace="reports"))
    assert validate_stack("fargate-profile-covers-workload", *profiles, covered) == []
    ((message, urn),) = validate_stack("fargate-profile-covers-workload", *profiles, covered, uncovered)
    assert urn == uncovered.urn
    assert "Deployment 'web' in namespace 'reports'" in message and "matches no Fargate profile selector" in message
    assert "(selectors: apps, kube-system)" in message and "Add a selector for namespace 'reports'" in message


def test_label_and_wildcard_selectors() -> None:
    profiles = [
        _profile("batch", {"namespace": "batch", "labels": {"compute": "fargate"}}),
        _profile("teams", {"namespace": "team-?", "labels": {"tier": "*"}}),
    ]
    cases = [
        (deployment(namespace="batch", labels={"compute": "fargate", "app": "x"}), True),
        (deployment(namespace="batch", labels={"app": "x"}), False),
        (deployment(namespace="batch", labels={"compute": "ec2"}), False),
        (deployment(namespace="team-a", labels={"tier": "web"}), True),
        (deployment(namespace="team-ab", labels={"tier": "web"}), False),
        (deployment(namespace="team-a", labels={}), False),
    ]
    for props, passes in cases:
        reports = validate_stack("fargate-profile-covers-workload", *profiles, resource(DEPLOYMENT, "w", props))
        assert (reports == []) is passes, (props, reports)


def test_profile_pinned_by_label_must_cover_the_pod() -> None:
    profiles = [_profile("a", {"namespace": "apps"}), _profile("b", {"namespace": "other"})]
    pinned = deployment(namespace="apps", labels={"eks.amazonaws.com/fargate-profile": "b"})
    ((message, _),) = validate_stack("fargate-profile-covers-workload", *profiles, resource(DEPLOYMENT, "w", pinned))
    assert "pinned to profile 'b'" in message


def test_default_namespace_comes_from_the_kubernetes_provider() -> None:
    profiles = [_profile("apps", {"namespace": "apps"})]
    workload = resource(DEPLOYMENT, "w", deployment(namespace=None))
    ((message, _),) = validate_stack("fargate-profile-covers-workload", *profiles, workload)
    assert "in namespace 'default'" in message
    provider_props = unknown_checking_proxy({"namespace": "apps"})
    workload.provider = PolicyProviderResource("pulumi:providers:kubernetes", provider_props, "p", "p")
    assert validate_stack("fargate-profile-covers-workload", *profiles, workload) == []


def test_helm_releases_and_coredns_need_a_namespace_wide_selector() -> None:
    kube_system = _profile("kube-system", {"namespace": "kube-system"})
    release = resource(RELEASE, "controller", {"name": "aws-load-balancer-controller", "namespace": "kube-system"})
    coredns = resource(ADDON, "coredns", {"addonName": "coredns", "clusterName": "c"})
    assert validate_stack("fargate-profile-covers-workload", kube_system, release, coredns) == []
    labelled_only = _profile("kube-system", {"namespace": "kube-system", "labels": {"app": "x"}})
    reports = validate_stack("fargate-profile-covers-workload", labelled_only, release, coredns)
    assert [urn for _, urn in reports] == [release.urn, coredns.urn]
    assert "Helm release 'aws-load-balancer-controller' runs pods in namespace 'kube-system'" in reports[0][0]
    assert "the CoreDNS add-on in namespace 'kube-system'" in reports[1][0]


def test_coverage_says_nothing_while_selectors_or_namespaces_are_unknown() -> None:
    uncovered = resource(DEPLOYMENT, "w", deployment(namespace="elsewhere"))
    assert validate_stack("fargate-profile-covers-workload", resource(PROFILE, "p", {"selectors": U}), uncovered) == []
    unknown_namespace = resource(DEPLOYMENT, "w", deployment(namespace=U))
    assert validate_stack("fargate-profile-covers-workload", _profile("p", {"namespace": "apps"}), unknown_namespace) == []


def test_claims_on_ebs_storage_classes_of_the_stack_fail() -> None:
    ebs = resource(STORAGE_CLASS, "fast", {"metadata": {"name": "fast"}, "provisioner": "ebs.csi.aws.com"})
    efs = resource(STORAGE_CLASS, "efs", {"metadata": {"name": "efs-sc"}, "provisioner": "efs.csi.aws.com"})
    on_efs = resource(PVC, "shared", {"metadata": {"name": "shared"}, "spec": {"storageClassName": "efs-sc"}})
    on_ebs = resource(PVC, "data", {"metadata": {"name": "data"}, "spec": {"storageClassName": "fast"}})
    assert validate_stack("no-claims-on-ebs-storage-classes", ebs, efs, on_efs) == []
    ((message, urn),) = validate_stack("no-claims-on-ebs-storage-classes", ebs, efs, on_efs, on_ebs)
    assert urn == on_ebs.urn and "PersistentVolumeClaim 'data' asks for StorageClass 'fast', which provisions EBS" in message
    default_ebs = resource(
        STORAGE_CLASS,
        "gp3",
        {
            "metadata": {"name": "gp3", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "ebs.csi.aws.com",
        },
    )
    no_class = resource(STATEFULSET, "db", deployment(volumeClaimTemplates=[{"metadata": {"name": "data"}, "spec": {}}]))
    ((message, _),) = validate_stack("no-claims-on-ebs-storage-classes", default_ebs, no_class)
    assert "claim template 'data' of StatefulSet 'web' names no StorageClass, so it gets the default class 'gp3'" in message


def _efs_volume(name: str = "shared-pv", driver: str = "efs.csi.aws.com") -> PolicyResource:
    spec = {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteMany"], "csi": {"driver": driver, "volumeHandle": "fs-1"}}
    return resource(PV, name, {"metadata": {"name": name}, "spec": spec})


def _claim(name: str, **spec: Any) -> PolicyResource:
    return resource(PVC, name, {"metadata": {"name": name}, "spec": spec})


def test_claims_bound_to_efs_pass_whatever_the_class_is_called() -> None:
    efs_class = resource(STORAGE_CLASS, "files", {"metadata": {"name": "team-files"}, "provisioner": "efs.csi.aws.com"})
    by_class = _claim("by-class", storageClassName="team-files")
    by_volume = _claim("by-volume", storageClassName="", volumeName="shared-pv")
    template = resource(
        STATEFULSET,
        "db",
        deployment(volumeClaimTemplates=[{"metadata": {"name": "data"}, "spec": {"storageClassName": "team-files"}}]),
    )
    assert validate_stack("claims-on-efs-only", efs_class, _efs_volume(), by_class, by_volume, template) == []


@pytest.mark.parametrize(
    ("claim", "problem"),
    [
        (_claim("no-class"), "names no StorageClass, so it gets the cluster's default class"),
        (_claim("other", storageClassName="fast-files"), "StorageClass 'fast-files', whose provisioner is not efs.csi.aws.com"),
        (_claim("elsewhere", storageClassName="efs-sc"), "StorageClass 'efs-sc', which the stack does not declare"),
        (_claim("bound-nfs", volumeName="nfs-pv"), "PersistentVolume 'nfs-pv', whose CSI driver is not efs.csi.aws.com"),
        (_claim("bound-away", volumeName="ghost"), "PersistentVolume 'ghost', which the stack does not declare"),
        (_claim("nothing", storageClassName=""), "asks for no StorageClass and names no PersistentVolume"),
    ],
)
def test_claims_not_known_to_be_efs_fail(claim: PolicyResource, problem: str) -> None:
    other_class = resource(STORAGE_CLASS, "fast", {"metadata": {"name": "fast-files"}, "provisioner": "nfs.csi.k8s.io"})
    ((message, urn),) = validate_stack("claims-on-efs-only", other_class, _efs_volume("nfs-pv", "nfs.csi.k8s.io"), claim)
    assert urn == claim.urn and problem in message and "statically provisioned" in message


def test_efs_rule_leaves_ebs_claims_to_the_ebs_rules_and_unknowns_alone() -> None:
    ebs = resource(STORAGE_CLASS, "fast", {"metadata": {"name": "fast"}, "provisioner": "ebs.csi.aws.com"})
    assert (
        validate_stack("claims-on-efs-only", ebs, _claim("gp2", storageClassName="gp2"), _claim("ebs", storageClassName="fast"))
        == []
    )
    assert validate_stack("claims-on-efs-only", _claim("later", storageClassName=U)) == []


def _budget(namespace: str = "apps", labels: dict | None = None, **spec: Any) -> PolicyResource:
    selector = {"matchLabels": labels if labels is not None else {"app": "web"}}
    return resource(
        "kubernetes:policy/v1:PodDisruptionBudget",
        "pdb",
        {"metadata": {"name": "web", "namespace": namespace}, "spec": {"selector": selector, **spec}},
    )


def test_a_fargate_workload_with_a_budget_allowing_an_eviction_passes() -> None:
    apps = _profile("apps", {"namespace": "apps"})
    web = resource(DEPLOYMENT, "web", deployment(replicas=3))
    assert validate_stack("workload-has-disruption-budget", apps, web, _budget(maxUnavailable=1)) == []
    assert validate_stack("workload-has-disruption-budget", apps, web, _budget(minAvailable="50%")) == []


def test_a_fargate_workload_without_a_budget_is_flagged() -> None:
    apps = _profile("apps", {"namespace": "apps"})
    web = resource(DEPLOYMENT, "web", deployment(replicas=3))
    ((message, urn),) = validate_stack("workload-has-disruption-budget", apps, web, _budget(labels={"app": "other"}))
    assert urn == web.urn and "has no PodDisruptionBudget" in message
    ((message, _),) = validate_stack("workload-has-disruption-budget", apps, web, _budget(namespace="elsewhere"))
    assert "has no PodDisruptionBudget" in message
    # Not on Fargate: the coverage rule speaks for it.
    assert validate_stack("workload-has-disruption-budget", _profile("x", {"namespace": "other"}), web) == []


@pytest.mark.parametrize(
    ("replicas", "autoscaler_floor", "budget"),
    [
        (3, None, {"maxUnavailable": 0}),
        (3, None, {"minAvailable": 3}),
        (3, None, {"minAvailable": "100%"}),
        (None, 2, {"minAvailable": 2}),
    ],
)
def test_a_budget_that_allows_no_eviction_is_flagged(replicas: int | None, autoscaler_floor: int | None, budget: dict) -> None:
    apps = _profile("apps", {"namespace": "apps"})
    extra = {"replicas": replicas} if replicas is not None else {}
    web = resource(DEPLOYMENT, "web", deployment(**extra))
    stack = [apps, web, _budget(**budget)]
    if autoscaler_floor is not None:
        hpa = {
            "metadata": {"name": "web", "namespace": "apps"},
            "spec": {"scaleTargetRef": {"name": "web"}, "minReplicas": autoscaler_floor, "maxReplicas": 9},
        }
        stack.append(resource("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "hpa", hpa))
    ((message, urn),) = validate_stack("workload-has-disruption-budget", *stack)
    assert urn == web.urn and "allows no eviction" in message


class Network:
    """A VPC's worth of PolicyResources for the private-subnet rule, linked by ids and/or dependencies."""

    def __init__(self, ids: bool = True, deps: bool = True):
        self.ids, self.deps = ids, deps
        self.resources: list[PolicyResource] = []
        self.id_values: dict[str, str] = {}
        self.igw = self.add(IGW, "igw", "igw-1", {})
        self.nat = self.add(NAT, "nat", "nat-1", {})

    def add(self, type_: str, name: str, id_: str, props: dict, **deps: list[PolicyResource]) -> PolicyResource:
        self.id_values[resource_urn(type_, name)] = id_ if self.ids else U
        made = resource(type_, name, {**props, "id": self.id_values[resource_urn(type_, name)]}, **(deps if self.deps else {}))
        self.resources.append(made)
        return made

    def ref(self, target: PolicyResource) -> str:
        """How another resource's input names `target`: its id, or the unknown sentinel before deploy."""
        return self.id_values[target.urn]

    def subnet(self, name: str, public: bool = False, routes: list | None = None, via: list | None = None) -> PolicyResource:
        made = self.add(SUBNET, name, f"subnet-{name}", {"mapPublicIpOnLaunch": public})
        if routes is not None:
            table = self.add(ROUTE_TABLE, name, f"rtb-{name}", {"routes": routes}, routes=via or [])
            self.add(ASSOCIATION, name, f"rtbassoc-{name}", {"subnetId": self.ref(made), "routeTableId": self.ref(table)},
                     subnetId=[made], routeTableId=[table])  # fmt: skip
        return made

    def nat_route(self) -> dict:
        return {"cidrBlock": "0.0.0.0/0", "natGatewayId": self.ref(self.nat), "gatewayId": ""}

    def igw_route(self) -> dict:
        return {"cidrBlock": "0.0.0.0/0", "gatewayId": self.ref(self.igw)}

    def check(self, *subnets: PolicyResource) -> list[str]:
        props = {"fargateProfileName": "workloads", "subnetIds": [self.ref(s) for s in subnets]}
        profile = self.add(PROFILE, "workloads", "c:workloads", props, subnetIds=list(subnets))
        reports = validate_stack("fargate-profile-private-subnets", *self.resources)
        return [message for message, urn in reports if urn == profile.urn]


@pytest.mark.parametrize(("ids", "deps"), [(True, True), (True, False), (False, True)])
def test_private_subnets_pass_and_public_ones_fail(ids: bool, deps: bool) -> None:
    """Linked by ids (after deploy), by property dependencies (first preview: ids unknown), or both."""
    net = Network(ids, deps)
    private = net.subnet("private", routes=[net.nat_route()], via=[net.nat])
    assert net.check(private) == []

    net = Network(ids, deps)
    public_ip = net.subnet("public-ip", public=True, routes=[net.nat_route()], via=[net.nat])
    to_igw = net.subnet("to-igw", routes=[net.igw_route()], via=[net.igw])
    no_nat = net.subnet("no-nat", routes=[{"cidrBlock": "10.1.0.0/16", "vpcPeeringConnectionId": "pcx-1"}])
    unassociated = net.subnet("main-table")
    messages = net.check(public_ip, to_igw, no_nat, unassociated)
    assert len(messages) == 4, messages
    assert "uses subnet 'public-ip', which gives instances a public IP on launch" in messages[0]
    assert "uses subnet 'to-igw', whose route table 'to-igw' routes to an internet gateway" in messages[1]
    assert "uses subnet 'no-nat', whose route table 'no-nat' has no 0.0.0.0/0 route to a NAT gateway" in messages[2]
    assert "uses subnet 'main-table', which has no route table association in this stack" in messages[3]


def test_route_tables_whose_routes_are_unknown_are_judged_by_dependencies() -> None:
    """A first preview may know nothing of a table's routes but what they depend on."""
    for via, public in [("igw", True), ("nat", False), (None, False)]:
        net = Network(ids=False)
        subnet = net.subnet("s", routes=U, via=[getattr(net, via)] if via else [])
        messages = net.check(subnet)
        assert (messages != []) is public, (via, messages)
        assert all("routes to an internet gateway" in m for m in messages)


def test_separate_route_resources_count() -> None:
    net = Network()
    subnet = net.subnet("s", routes=[])
    (table,) = [r for r in net.resources if r.resource_type == ROUTE_TABLE]
    net.add(ROUTE, "default", "r-1", {"routeTableId": "rtb-s", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"},
            routeTableId=[table], gatewayId=[net.igw])  # fmt: skip
    (message,) = net.check(subnet)
    assert "routes to an internet gateway" in message


def test_subnets_outside_the_stack_are_not_judged() -> None:
    profile = resource(PROFILE, "p", {"fargateProfileName": "p", "subnetIds": ["subnet-existing1", "subnet-existing2"]})
    assert validate_stack("fargate-profile-private-subnets", profile) == []


CONFIG_MAP = "kubernetes:core/v1:ConfigMap"


def _logging(labels: Any = None, output: Any = "[OUTPUT]\n    Name cloudwatch_logs\n    Match kube.*\n") -> list:
    namespace = {"name": "aws-observability", "labels": {"aws-observability": "enabled"} if labels is None else labels}
    config_map = {"metadata": {"name": "aws-logging", "namespace": "aws-observability"}, "data": {"output.conf": output}}
    return [resource(NAMESPACE, "ns", {"metadata": namespace}), resource(CONFIG_MAP, "cm", config_map)]


def test_fargate_pods_without_the_log_router_are_reported() -> None:
    profile = _profile("p", {"namespace": "apps"})
    assert validate_stack("fargate-logging-off", profile, *_logging()) == []
    assert validate_stack("fargate-logging-off", *_logging()[:1]) == []  # no Fargate profile: nothing to log
    for resources, why in [
        ([], "declares no 'aws-observability' namespace"),
        (_logging()[:1], "declares no 'aws-logging' ConfigMap"),
        (_logging(labels={}), "lacks the label aws-observability: enabled"),
        (_logging(output=""), "has no [OUTPUT]"),
    ]:
        ((message, urn),) = validate_stack("fargate-logging-off", profile, *resources)
        assert why in message and "fargateLogging" in message and urn == profile.urn


def test_fargate_logging_rule_says_nothing_while_names_or_data_are_unknown() -> None:
    profile = _profile("p", {"namespace": "apps"})
    unknown = [resource(NAMESPACE, "ns", {"metadata": {"name": U, "labels": U}}), *_logging(output=U)[1:]]
    assert validate_stack("fargate-logging-off", profile, *unknown) == []
