"""Who may read the cluster for the deploy checks: an EKS access entry per verifier principal (the drift
role), in a Kubernetes group bound to a ClusterRole that lists exactly what `python -m verify` reads.

Narrower than EKS's AmazonEKSAdminViewPolicy, which gets, lists and watches every resource, Secrets
included (EKS user guide, "Review access policy permissions"): the rules are the table verify reads
from (eksfargate/facts/cluster_reads.py), the list verb alone. No access policy is associated: a
STANDARD access entry whose `kubernetesGroups` names the group is authorized by the RBAC objects bound
to it (EKS user guide, "Create access entries"). The entries are declared here, not in pulumi-eks's
`accessEntries`, so that the plan and the policy pack see each entry and its group, and the cluster's
own inputs do not change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.cluster_context import ClusterContext
from eksfargate.facts.cluster_reads import VERIFIER_GROUP, VERIFIER_ROLE, verifier_rules

RBAC_API_GROUP = "rbac.authorization.k8s.io"


@dataclass
class ClusterReadersArgs:
    """Inputs of `ClusterReaders`.

    cluster: the cluster (its name, Kubernetes provider and tags).
    principal_arns: IAM roles or users that may list what verify reads; none may have an access entry already.
    """

    cluster: ClusterContext
    principal_arns: Sequence[str]


class ClusterReaders(pulumi.ComponentResource):
    """The verifiers' access entries, their group's ClusterRole and its ClusterRoleBinding."""

    def __init__(self, name: str, args: ClusterReadersArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:cluster:ClusterReaders", name, None, opts)
        cluster = args.cluster
        on_cluster = pulumi.ResourceOptions(parent=self, provider=cluster.provider)
        entries = [
            aws.eks.AccessEntry(
                f"{name}-{principal_key(arn)}",
                cluster_name=cluster.name,
                principal_arn=arn,
                type="STANDARD",
                kubernetes_groups=[VERIFIER_GROUP],
                tags=dict(cluster.tags),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for arn in args.principal_arns
        ]
        role = k8s.rbac.v1.ClusterRole(f"{name}-role", metadata={"name": VERIFIER_ROLE}, rules=verifier_rules(), opts=on_cluster)
        k8s.rbac.v1.ClusterRoleBinding(
            f"{name}-binding",
            metadata={"name": VERIFIER_ROLE},
            role_ref={"apiGroup": RBAC_API_GROUP, "kind": "ClusterRole", "name": role.metadata.name},
            subjects=[{"apiGroup": RBAC_API_GROUP, "kind": "Group", "name": VERIFIER_GROUP}],
            opts=on_cluster,
        )
        self.register_outputs(
            {
                "principalArns": [entry.principal_arn for entry in entries],
                "group": VERIFIER_GROUP,
                "clusterRole": role.metadata.name,
            }
        )


def principal_key(principal_arn: str) -> str:
    """A stable name part for the principal's entry: its account, kind and path, not its list position."""
    account, resource = principal_arn.split(":", 5)[4:]
    return re.sub(r"[^A-Za-z0-9-]", "-", f"{account}-{resource}")
