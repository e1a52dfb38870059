"""Every namespace is a network boundary: what holds for every stack file's plan, and the reachability model itself.

The properties are asserted over every committed platform stack file (and a rewritten copy of each),
and over each shared platform with its tenants, as `make plan` shows them: whatever the values,
no app namespace reaches another's pods, and each reaches of the cluster's only DNS and the API.
"""

import json
import shutil

import pytest

from components.container_insights import NAMESPACE as METRICS_NAMESPACE
from eksfargate.facts.external_secrets import OPERATOR_NAMESPACE
from eksfargate.facts.pod_network import API_SERVER_PORT, DNS_PORT, KUBELET_PORT
from eksfargate.pod_network import KUBE_SYSTEM, LOAD_BALANCER, PodNetwork, Ports, Rule, merged, reachable, table
from eksfargate.project import PLATFORM_PROJECT_DIR, TENANT_PROJECT_DIR
from offline.harness import keep_referenced_plan, record
from offline.plan import files, from_recording, record_stack
from offline.reachability import cluster_network
from tests.stackfacts import PINNED_DEV
from tests.tenants import TENANT_STACKS, tenant_recording

CLUSTER_SERVICES = {
    Ports("tcp", DNS_PORT, DNS_PORT),
    Ports("udp", DNS_PORT, DNS_PORT),
    Ports("tcp", API_SERVER_PORT, API_SERVER_PORT),
}
SECURITY_GROUP_POLICY = "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"


# The platform's own pods that run on the cluster group, beside kube-system's: the secrets operator's
# and the metrics collector's (each with no AWS rights or only its own log group's).
PLATFORM_NAMESPACES = {KUBE_SYSTEM, OPERATOR_NAMESPACE, METRICS_NAMESPACE}


def app_namespaces(network: PodNetwork) -> list[str]:
    return sorted(network.namespaces - set(network.on_cluster_group()))


def assert_isolated(network: PodNetwork) -> None:
    apps = app_namespaces(network)
    sources, destinations, cells = table(network)
    assert set(network.on_cluster_group()) <= PLATFORM_NAMESPACES
    for source in apps:
        for destination in apps:
            if source != destination:
                assert cells[source, destination] == [], (source, destination, cells[source, destination])
        for platform in network.on_cluster_group():
            assert set(cells[source, platform]) == CLUSTER_SERVICES, (source, platform)
            # The control plane (and the cluster group's pods) reach the kubelet only.
            assert cells[platform, source] == [Ports("tcp", KUBELET_PORT, KUBELET_PORT)], (platform, source)
        assert cells[LOAD_BALANCER, source] == sorted(Ports("tcp", p, p) for p in network.load_balancer_ports.get(source, ()))
    # Nothing admits a CIDR inbound on an app's group.
    own = {g for ns in apps for g in network.policies.get(ns, [])}
    assert not [r for r in network.rules if r.group in own and r.direction == "ingress" and not r.peer_is_group]


def test_every_platform_stack_keeps_its_app_namespace_to_itself(stack):
    plan = from_recording(stack)
    network = PodNetwork.from_json(plan["podNetwork"])
    assert network.cluster_group
    assert_isolated(network)
    # Every namespace with pods but the platform's own has a policy: no app pod gets the cluster group.
    assert network.namespaces - PLATFORM_NAMESPACES <= network.policies.keys()


@pytest.fixture(scope="module")
def shared_cluster(tmp_path_factory) -> tuple[PodNetwork, list[str]]:
    """The shared platform with its tenants, as `make plan` shows them, from a copy of the projects elsewhere
    than this checkout (a revision's checkout is planned the same way)."""
    platforms = {tenant_recording(t).config["eks-fargate-tenant:platformStack"] for t in TENANT_STACKS}
    (platform,) = platforms
    copy = tmp_path_factory.mktemp("checkout")
    for path in [*PLATFORM_PROJECT_DIR.glob("Pulumi*.yaml"), PLATFORM_PROJECT_DIR / "__main__.py"]:
        shutil.copy(path, copy)
    shutil.copytree(TENANT_PROJECT_DIR, copy / "tenant", ignore=shutil.ignore_patterns("out", "__pycache__"))
    plan = from_recording(record_stack(platform, project_dir=copy))
    # As the plan command hands its own plan to the tenants its reachability check records
    # (offline/commands.py, make_plan): without it each tenant plans the platform in a process of its own.
    keep_referenced_plan(copy, platform, files(plan)["plan.json"])
    return cluster_network(plan, copy)


STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"


def test_every_namespace_that_runs_pods_is_in_the_table(stack):
    """A StatefulSet's or a chart's pods are pods too (the metrics collector's, the secrets operator's):
    the table leaves out no namespace the stack starts pods in."""
    plan = from_recording(stack)
    network = PodNetwork.from_json(plan["podNetwork"])
    started = {r.inputs["metadata"]["namespace"] for r in stack.of_type(STATEFUL_SET)}
    started |= {r.inputs["namespace"] for r in stack.of_type(HELM_RELEASE)}
    started |= {r.inputs["metadata"]["namespace"] for r in stack.of_type(DEPLOYMENT)}
    assert started <= network.namespaces


def test_tenants_of_a_shared_cluster_reach_nothing_of_each_other(shared_cluster):
    network, tenants = shared_cluster
    assert sorted(tenants) == TENANT_STACKS
    assert len(app_namespaces(network)) == len(TENANT_STACKS)
    assert_isolated(network)


def test_every_app_pod_starts_after_its_namespaces_security_group_policy(committed):
    for recording in [*committed.values(), *(tenant_recording(t) for t in TENANT_STACKS)]:
        policies = {r.inputs["metadata"]["namespace"]: r for r in recording.of_type(SECURITY_GROUP_POLICY)}
        for deployment in recording.of_type(DEPLOYMENT):
            policy = policies[deployment.inputs["metadata"]["namespace"]]
            assert deployment.depends_on(policy), (recording.stack, deployment.name)


# --- the model --------------------------------------------------------------------------------


def two_namespaces(*extra: Rule) -> PodNetwork:
    rules = [
        Rule("a", "egress", Ports("-1", 0, 65535), "0.0.0.0/0", False),
        Rule("b", "ingress", Ports("tcp", 8080, 8080), "b", True),
        *extra,
    ]
    return PodNetwork(cluster_group="cluster", rules=rules, policies={"ns-a": ["a"], "ns-b": ["b"]}, namespaces={"ns-a", "ns-b"})


def test_a_connection_needs_the_sources_outbound_and_the_destinations_inbound_rule():
    assert reachable(two_namespaces(), "ns-a", "ns-b") == []
    opened = two_namespaces(Rule("b", "ingress", Ports("tcp", 8000, 9000), "a", True))
    assert reachable(opened, "ns-a", "ns-b") == [Ports("tcp", 8000, 9000)]
    # Inbound from a CIDR admits every pod.
    cidr = two_namespaces(Rule("b", "ingress", Ports("tcp", 5432, 5432), "10.0.0.0/16", False))
    assert reachable(cidr, "ns-a", "ns-b") == [Ports("tcp", 5432, 5432)]


def test_a_namespace_without_a_policy_is_on_the_cluster_group_which_admits_itself():
    network = PodNetwork(cluster_group="cluster", namespaces={"x", "y"})
    assert reachable(network, "x", "y") == [Ports("-1", 0, 65535)]


def test_networks_of_several_stacks_merge_into_one_cluster():
    platform = PodNetwork(cluster_group="cluster", policies={"app": ["p/app"]}, namespaces={"app", KUBE_SYSTEM})
    tenant = PodNetwork(cluster_group="cluster", policies={"tenant-x": ["t/x"]}, namespaces={"tenant-x"})
    both = merged([platform, tenant])
    assert both.namespaces == {"app", "tenant-x", KUBE_SYSTEM} and both.groups_of("tenant-x") == ["t/x"]
    assert PodNetwork.from_json(both.to_json()).to_json() == both.to_json()


def test_a_workloads_pods_open_on_the_internet_only_the_ports_it_declares(committed):
    for recording in [*committed.values(), *(tenant_recording(t) for t in TENANT_STACKS)]:
        key = next(k for k in recording.config if k.endswith(":appEgressPorts"))
        declared = sorted(json.loads(recording.config[key]))
        internet = sorted(
            int(r.inputs["fromPort"])
            for r in recording.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
            if r.inputs.get("cidrIpv4") == "0.0.0.0/0"
        )
        assert internet == declared * len(recording.of_type(SECURITY_GROUP_POLICY)), recording.stack


def test_other_egress_ports_are_what_the_group_opens(tmp_path):
    recording = record("dev", stack_file=PINNED_DEV, overrides={"appEgressPorts": [443, 5432]})
    internet = sorted(
        int(r.inputs["fromPort"])
        for r in recording.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
        if r.inputs.get("cidrIpv4")
    )
    assert internet == [443, 5432]
