"""Which ports of namespace B a pod of namespace A can open: reachability computed from a plan's security groups.

`network_of(...)` reads what a stack's plan declares (security groups, their rules, the
SecurityGroupPolicies, the namespaces that run pods and the ports the load balancer targets), with
the cluster security group it works with, into a `PodNetwork`; the offline plan records it
(plan.json `podNetwork`). `merged` joins a platform's with its tenants'. `reachable` answers the
question for two namespaces, and `table` for every pair, with the load balancer as one more source.

The model is AWS's (eksfargate/facts/pod_network.py): a pod carries its namespace's policy groups,
or the cluster group when no policy selects it; security groups are stateful, so a connection
needs an outbound rule of the source's group and an inbound rule of the destination's group that
both admit it. A rule to a CIDR is taken to reach every pod (pods are in the VPC, and a CIDR narrow
enough to leave them out is not worth telling apart here): the answer errs on the open side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eksfargate.facts.pod_network import ALL_PORTS, ALL_PROTOCOLS, CLUSTER_GROUP_DEFAULT_RULES
from eksfargate.facts.resource_types import (
    DEPLOYMENT,
    EKS_ADDON,
    EKS_CLUSTER_COMPONENT,
    HELM_RELEASE,
    INGRESS,
    SECURITY_GROUP,
    SECURITY_GROUP_EGRESS_RULE,
    SECURITY_GROUP_INGRESS_RULE,
    SECURITY_GROUP_POLICY,
    STATEFUL_SET,
)

KUBE_SYSTEM = "kube-system"
LOAD_BALANCER = "load balancer"
# What puts pods in kube-system: the cluster itself (CoreDNS), its add-ons and the controller's chart.
CLUSTER_WORKLOAD_TYPES = (EKS_CLUSTER_COMPONENT, EKS_ADDON, HELM_RELEASE)


@dataclass(frozen=True, order=True)
class Ports:
    """A protocol ("tcp", "udp", or "-1" for all) and an inclusive port range."""

    protocol: str
    low: int
    high: int

    def meet(self, other: Ports) -> Ports | None:
        """What both admit, or None."""
        if ALL_PROTOCOLS not in (self.protocol, other.protocol) and self.protocol != other.protocol:
            return None
        protocol = other.protocol if self.protocol == ALL_PROTOCOLS else self.protocol
        low, high = max(self.low, other.low), min(self.high, other.high)
        return Ports(protocol, low, high) if low <= high else None

    def __str__(self) -> str:
        if self.protocol == ALL_PROTOCOLS and (self.low, self.high) == ALL_PORTS:
            return "all"
        ports = str(self.low) if self.low == self.high else f"{self.low}-{self.high}"
        return f"{'all protocols' if self.protocol == ALL_PROTOCOLS else self.protocol} {ports}"


@dataclass(frozen=True)
class Rule:
    """One rule of one group: `peer` is another group's id, or a CIDR."""

    group: str
    direction: str
    ports: Ports
    peer: str
    peer_is_group: bool


@dataclass
class PodNetwork:
    cluster_group: str | None = None
    groups: dict[str, str] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    policies: dict[str, list[str]] = field(default_factory=dict)
    namespaces: set[str] = field(default_factory=set)
    load_balancer_ports: dict[str, set[int]] = field(default_factory=dict)

    def on_cluster_group(self) -> list[str]:
        """The namespaces whose pods carry the cluster group (no policy selects them): kube-system and the
        platform's own operators."""
        return sorted(ns for ns in self.namespaces if not self.policies.get(ns))

    def groups_of(self, namespace: str) -> list[str]:
        """The groups a pod of `namespace` carries: its policies' groups, else the cluster group."""
        return self.policies.get(namespace) or ([self.cluster_group] if self.cluster_group else [])

    def all_rules(self) -> list[Rule]:
        defaults = []
        if self.cluster_group:
            for direction, protocol, (low, high), peer in CLUSTER_GROUP_DEFAULT_RULES:
                is_group = peer == "self"
                target = self.cluster_group if is_group else peer
                defaults.append(Rule(self.cluster_group, direction, Ports(protocol, low, high), target, is_group))
        return [*defaults, *self.rules]

    def to_json(self) -> dict[str, Any]:
        return {
            "clusterGroup": self.cluster_group,
            "groups": dict(sorted(self.groups.items())),
            "rules": [
                {
                    "group": r.group,
                    "direction": r.direction,
                    "protocol": r.ports.protocol,
                    "from": r.ports.low,
                    "to": r.ports.high,
                    ("peerGroup" if r.peer_is_group else "peerCidr"): r.peer,
                }
                for r in sorted(self.rules, key=lambda r: (r.group, r.direction, r.ports, r.peer))
            ],
            "policies": {ns: sorted(groups) for ns, groups in sorted(self.policies.items())},
            "namespaces": sorted(self.namespaces),
            "loadBalancerPorts": {ns: sorted(ports) for ns, ports in sorted(self.load_balancer_ports.items())},
        }

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> PodNetwork:
        return PodNetwork(
            cluster_group=data.get("clusterGroup"),
            groups=dict(data.get("groups") or {}),
            rules=[
                Rule(
                    r["group"],
                    r["direction"],
                    Ports(r["protocol"], r["from"], r["to"]),
                    r.get("peerGroup") or r["peerCidr"],
                    "peerGroup" in r,
                )
                for r in data.get("rules") or []
            ],
            policies={ns: list(groups) for ns, groups in (data.get("policies") or {}).items()},
            namespaces=set(data.get("namespaces") or []),
            load_balancer_ports={ns: set(ports) for ns, ports in (data.get("loadBalancerPorts") or {}).items()},
        )


def network_of(
    resources: Iterable[Mapping[str, Any]], stack: str, group_id: Callable[[Mapping[str, Any]], str], cluster_group: str | None
) -> PodNetwork:
    """A stack's pod network from its planned resources (plan.json `resources`).

    group_id: how the plan spells a security group's id (known only after deploy). The groups the
        stack declares are named `<stack>/<id>` here, so that two stacks' groups of one name stay two.
    cluster_group: the cluster security group's id as the plan spells it (a platform's export, or
        a tenant's from its platform), or None where there is no cluster.
    """
    network = PodNetwork(cluster_group=cluster_group)
    resources = list(resources)
    own = {group_id(r): r["name"] for r in resources if r["type"] == SECURITY_GROUP}
    network.groups = {f"{stack}/{gid}": name for gid, name in own.items()}

    def named(gid: Any) -> str:
        return f"{stack}/{gid}" if gid in own else str(gid)

    deployments: dict[str, list[Mapping[str, Any]]] = {}
    ingress_namespaces: set[str] = set()
    for resource in resources:
        kind, inputs = resource["type"], resource.get("inputs") or {}
        if kind in (SECURITY_GROUP_INGRESS_RULE, SECURITY_GROUP_EGRESS_RULE):
            protocol = str(inputs.get("ipProtocol"))
            low, high = ALL_PORTS if protocol == ALL_PROTOCOLS else (int(inputs["fromPort"]), int(inputs["toPort"]))
            group_peer = inputs.get("referencedSecurityGroupId")
            peer = (
                named(group_peer)
                if group_peer
                else str(inputs.get("cidrIpv4") or inputs.get("cidrIpv6") or inputs.get("prefixListId"))
            )
            direction = "ingress" if kind == SECURITY_GROUP_INGRESS_RULE else "egress"
            network.rules.append(
                Rule(named(inputs["securityGroupId"]), direction, Ports(protocol, low, high), peer, bool(group_peer))
            )
        elif kind == SECURITY_GROUP_POLICY:
            namespace = inputs["metadata"]["namespace"]
            network.policies.setdefault(namespace, []).extend(named(g) for g in inputs["spec"]["securityGroups"]["groupIds"])
        elif kind == DEPLOYMENT:
            deployments.setdefault(inputs["metadata"].get("namespace", "default"), []).append(inputs)
        elif kind == INGRESS:
            ingress_namespaces.add(inputs["metadata"].get("namespace", "default"))
    if cluster_group and any(r["type"] in CLUSTER_WORKLOAD_TYPES for r in resources):
        # CoreDNS, metrics-server and the controller run there, on the cluster group.
        network.namespaces.add(KUBE_SYSTEM)
    network.namespaces |= deployments.keys()
    # A StatefulSet's and a chart's pods count too (the metrics collector's, the secrets operator's):
    # with no policy of their namespace they are on the cluster group, like kube-system's.
    network.namespaces |= {
        str(resource["inputs"]["metadata"].get("namespace", "default"))
        for resource in resources
        if resource["type"] == STATEFUL_SET
    }
    network.namespaces |= {
        str((resource.get("inputs") or {}).get("namespace") or "default")
        for resource in resources
        if resource["type"] == HELM_RELEASE
    }
    for namespace in ingress_namespaces & deployments.keys():
        # The controller adds a rule for each target group: the pod port its Service targets.
        network.load_balancer_ports[namespace] = {
            int(port["containerPort"])
            for deployment in deployments[namespace]
            for container in deployment["spec"]["template"]["spec"]["containers"]
            for port in container.get("ports") or []
            if port.get("name") == "http"
        }
    return network


def merged(networks: Iterable[PodNetwork]) -> PodNetwork:
    """One cluster's pod network from its stacks' (a platform's and its tenants')."""
    out = PodNetwork()
    for network in networks:
        out.cluster_group = out.cluster_group or network.cluster_group
        out.groups |= network.groups
        out.rules += network.rules
        for namespace, groups in network.policies.items():
            out.policies.setdefault(namespace, []).extend(groups)
        out.namespaces |= network.namespaces
        for namespace, ports in network.load_balancer_ports.items():
            out.load_balancer_ports.setdefault(namespace, set()).update(ports)
    return out


def _admitted(rules: list[Rule], group: str, direction: str, peers: list[str]) -> list[Ports]:
    return [r.ports for r in rules if r.group == group and r.direction == direction and (not r.peer_is_group or r.peer in peers)]


def reachable(network: PodNetwork, source: str, destination: str) -> list[Ports]:
    """What a pod of `source` can open on a pod of `destination` (or, `source` LOAD_BALANCER, the ALB)."""
    rules = network.all_rules()
    to_groups = network.groups_of(destination)
    if source == LOAD_BALANCER:
        found = {Ports("tcp", port, port) for port in network.load_balancer_ports.get(destination, ())} if to_groups else set()
        return sorted(found)
    from_groups = network.groups_of(source)
    found = set()
    for out in {p for g in from_groups for p in _admitted(rules, g, "egress", to_groups)}:
        for into in {p for g in to_groups for p in _admitted(rules, g, "ingress", from_groups)}:
            met = out.meet(into)
            if met:
                found.add(met)
    # A range inside another says nothing more.
    return sorted(p for p in found if not any(q != p and q.meet(p) == p for q in found))


def table(network: PodNetwork) -> tuple[list[str], list[str], dict[tuple[str, str], list[Ports]]]:
    """Sources (the load balancer and every namespace), destinations (every namespace), and each cell."""
    namespaces = sorted(network.namespaces, key=lambda ns: (ns != KUBE_SYSTEM, ns in network.policies, ns))
    sources = [LOAD_BALANCER, *namespaces]
    return sources, namespaces, {(s, d): reachable(network, s, d) for s in sources for d in namespaces}


def crossings(plan: Mapping[str, Any] | None) -> set[str]:
    """Every way a plan's pods reach another namespace's (or the load balancer a namespace), one line each:
    what the diff compares, so that a change in reachability is a finding."""
    network = PodNetwork.from_json((plan or {}).get("podNetwork") or {})
    sources, destinations, cells = table(network)
    return {
        f"reachability: {source} → {destination}: {', '.join(str(p) for p in cells[source, destination])}"
        for source in sources
        for destination in destinations
        if source != destination and cells[source, destination]
    }


def render(network: PodNetwork) -> str:
    """The table as Markdown: a row per source, a column per destination namespace."""
    sources, destinations, cells = table(network)
    lines = [
        "| from \\ to | " + " | ".join(f"`{d}`" for d in destinations) + " |",
        "| --- |" + " --- |" * len(destinations),
    ]
    for source in sources:
        label = source if source == LOAD_BALANCER else f"`{source}`"
        row = [", ".join(str(p) for p in cells[source, d]) or "—" for d in destinations]
        lines.append(f"| {label} | " + " | ".join(row) + " |")
    return "\n".join(lines)
