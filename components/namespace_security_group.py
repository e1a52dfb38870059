"""A namespace's network boundary on Fargate: a security group for its pods, and the policy that puts them in it.

Without it a Fargate pod gets the EKS cluster security group, whose rule admits all traffic from
itself: every pod of every namespace reaches every other (eksfargate/facts/pod_network.py). With
it, the namespace's pods carry this group alone, and it admits:

- inbound: the namespace's own pods; the control plane (the cluster group) on the kubelet's port,
  for `kubectl logs` and `exec` and the metrics server; and the load balancer, whose rule the load
  balancer controller adds itself, from its backend group to the target port, for each target
  group (so it is not declared here);
- outbound: the namespace's own pods; the API server and CoreDNS (both on the cluster group); the
  internet through the NAT gateway on the workload's ports.

Nothing from another namespace's group, from the VPC's CIDR or from anywhere. The cluster group
admits only itself by default, so it gets the rules that let this group reach the API server and
CoreDNS, and nothing more.

The rules are resources of their own, never inline: the load balancer controller adds rules to
the group outside Pulumi, and inline rules would remove them on every update.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from eksfargate.facts.pod_network import (
    ALL_PROTOCOLS,
    API_SERVER_PORT,
    CLUSTER_TAG_PREFIX,
    DNS_PORT,
    KUBELET_PORT,
    SECURITY_GROUP_POLICY_API_VERSION,
    SECURITY_GROUP_POLICY_KIND,
)

INTERNET = "0.0.0.0/0"
POLICY_NAME = "namespace-pods"


@dataclass
class NamespaceSecurityGroupArgs:
    """Inputs of `NamespaceSecurityGroup`.

    namespace: the namespace whose every pod the policy selects (an output: the policy waits for it).
    cluster_name: the cluster's name, for the tag the load balancer controller looks for.
    vpc_id: the cluster's VPC.
    cluster_security_group_id: the EKS cluster security group (control plane, CoreDNS).
    egress_ports: TCP ports the pods may open on the internet, through the NAT gateway.
    provider: the Kubernetes provider of the cluster.
    tags: tags of the group and its rules.
    """

    namespace: pulumi.Input[str]
    cluster_name: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    cluster_security_group_id: pulumi.Input[str]
    egress_ports: Sequence[int]
    provider: k8s.Provider
    tags: Mapping[str, str]


class NamespaceSecurityGroup(pulumi.ComponentResource):
    """The security group of a namespace's pods, its rules, and the SecurityGroupPolicy that selects every pod."""

    group_id: pulumi.Output[str]
    # Pods created before it keep the cluster group: every pod of the namespace starts after it.
    policy: pulumi.Resource

    def __init__(self, name: str, args: NamespaceSecurityGroupArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:network:NamespaceSecurityGroup", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        group = aws.ec2.SecurityGroup(
            f"{name}-pods",
            description="Pods of one namespace: its own pods, the control plane, the load balancer",
            vpc_id=args.vpc_id,
            # With one group per pod the controller uses it tagged or not; tagged, it also removes
            # its rules again when a target group goes.
            tags=pulumi.Output.from_input(args.cluster_name).apply(
                lambda cluster: {**tags, f"{CLUSTER_TAG_PREFIX}{cluster}": "shared"}
            ),
            # The controller's rules reference its backend group: revoked first, the group can go.
            revoke_rules_on_delete=True,
            opts=child,
        )
        cluster_group = args.cluster_security_group_id

        def rule(kind: str, key: str, on: pulumi.Input[str], protocol: str, port: int | None, **peer: pulumi.Input[str]) -> None:
            ports = {} if protocol == ALL_PROTOCOLS else {"from_port": port, "to_port": port}
            resource = aws.vpc.SecurityGroupIngressRule if kind == "ingress" else aws.vpc.SecurityGroupEgressRule
            resource(f"{name}-{key}", security_group_id=on, ip_protocol=protocol, **ports, **peer, tags=tags, opts=child)

        rule("ingress", "from-namespace", group.id, ALL_PROTOCOLS, None, referenced_security_group_id=group.id)
        rule("ingress", "from-kubelet-clients", group.id, "tcp", KUBELET_PORT, referenced_security_group_id=cluster_group)
        rule("egress", "to-namespace", group.id, ALL_PROTOCOLS, None, referenced_security_group_id=group.id)
        rule("egress", "to-api-server", group.id, "tcp", API_SERVER_PORT, referenced_security_group_id=cluster_group)
        for protocol in ("tcp", "udp"):
            rule("egress", f"to-dns-{protocol}", group.id, protocol, DNS_PORT, referenced_security_group_id=cluster_group)
            rule("ingress", f"cluster-dns-{protocol}", cluster_group, protocol, DNS_PORT, referenced_security_group_id=group.id)
        rule("ingress", "cluster-api-server", cluster_group, "tcp", API_SERVER_PORT, referenced_security_group_id=group.id)
        for port in args.egress_ports:
            rule("egress", f"to-internet-{port}", group.id, "tcp", port, cidr_ipv4=INTERNET)

        self.policy = k8s.apiextensions.CustomResource(
            f"{name}-policy",
            api_version=SECURITY_GROUP_POLICY_API_VERSION,
            kind=SECURITY_GROUP_POLICY_KIND,
            metadata={"name": POLICY_NAME, "namespace": args.namespace},
            # An empty selector selects every pod of the namespace.
            spec={"podSelector": {}, "securityGroups": {"groupIds": [group.id]}},
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider),
        )
        self.group_id = group.id
        self.register_outputs({"groupId": self.group_id})
