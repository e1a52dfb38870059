"""What `python -m verify` reads from the Kubernetes API, as one table: the tool lists exactly these
(tools/verify/cluster.py), and the ClusterRole the stack binds to its verifiers' group
(components/cluster_readers.py) grants exactly these, no more.

Each is a list call: cluster-wide for nodes and for a platform's objects, in its namespace for a
tenant's (Kubernetes API reference: `GET /api/v1/nodes`, `GET /apis/apps/v1/namespaces/{namespace}/deployments`,
…). RBAC authorizes a list by its API group and resource, the same verb wherever it is made, and
a ClusterRoleBinding grants it in every namespace and for cluster-scoped kinds (Kubernetes docs,
"Using RBAC Authorization").

The group: an EKS access entry of type STANDARD names it in `kubernetesGroups`, and Kubernetes
authorizes the entry's principal by the RBAC bindings whose subject is that group; no EKS access
policy is needed (EKS user guide, "Create access entries"). The name must not start with `system:`,
which Kubernetes reserves (Kubernetes docs, "Using RBAC Authorization", referring to subjects) and EKS
refuses in an access entry (second-hand: "The kubernetes group name system:masters is invalid, it
cannot start with system:", terraform-aws-modules/terraform-aws-eks issue 2915); the other prefixes EKS
reserves for an access entry's username are kept out too.

Standard library only: the pack reads this folder on its own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClusterRead:
    """One list call: the API group ("" for the core group), its version, the resource, and whether
    the resource lives in namespaces. `label` is how the tool names it in a message."""

    group: str
    version: str
    resource: str
    namespaced: bool
    label: str

    def path(self, namespace: str | None = None) -> str:
        """The list's REST path: cluster-wide, or in one namespace."""
        base = f"/api/{self.version}" if not self.group else f"/apis/{self.group}/{self.version}"
        if namespace is None:
            return f"{base}/{self.resource}"
        if not self.namespaced:
            raise ValueError(f"{self.resource} are cluster-scoped: no list in a namespace")
        return f"{base}/namespaces/{namespace}/{self.resource}"


NODES = ClusterRead("", "v1", "nodes", namespaced=False, label="nodes")
PODS = ClusterRead("", "v1", "pods", namespaced=True, label="pods")
DEPLOYMENTS = ClusterRead("apps", "v1", "deployments", namespaced=True, label="deployments")
INGRESSES = ClusterRead("networking.k8s.io", "v1", "ingresses", namespaced=True, label="ingresses")
AUTOSCALERS = ClusterRead("autoscaling", "v2", "horizontalpodautoscalers", namespaced=True, label="horizontal pod autoscalers")

VERIFY_READS = (NODES, PODS, DEPLOYMENTS, INGRESSES, AUTOSCALERS)
# The tool only lists: no get of one object, no watch.
VERIFY_VERBS = ("list",)

# The Kubernetes group an access entry of a verifier names, and the ClusterRole and binding that give it the reads.
VERIFIER_GROUP = "eks-fargate-verifiers"
VERIFIER_ROLE = "eks-fargate-verifier"
# Prefixes a group name here must not start with: Kubernetes's own, and those EKS reserves for usernames.
RESERVED_PREFIXES = ("system:", "eks:", "aws:", "amazon:", "iam:")


def verifier_rules() -> list[dict[str, list[str]]]:
    """The ClusterRole's rules: one per API group, its resources of the table, the tool's verbs only."""
    groups: dict[str, list[str]] = {}
    for read in VERIFY_READS:
        groups.setdefault(read.group, []).append(read.resource)
    return [{"apiGroups": [group], "resources": resources, "verbs": list(VERIFY_VERBS)} for group, resources in groups.items()]
