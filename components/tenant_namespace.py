"""A tenant's namespace with its ResourceQuota and LimitRange, in what Fargate bills."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.cluster_context import TenantContext
from eksfargate.facts.pod_placement import READINESS_GATE_LABEL
from eksfargate.facts.pod_security import RESTRICTED_NAMESPACE_LABELS


@dataclass
class TenantNamespaceArgs:
    """Inputs of `TenantNamespace`.

    namespace: the namespace's name; the platform's Fargate profile must cover it.
    labels: labels of the namespace (team, cost center), e.g. for cost reports per namespace; it
        also carries the load balancer controller's readiness-gate label, as the platform app's
        does, and enforces the "restricted" Pod Security Standard.
    annotations: annotations of the namespace (who owns it: values a label cannot hold).
    pods, cpu, memory: the quota: at most this many pods, and this much CPU and memory
        requested and limited in all. On Fargate every pod is a micro-VM billed for its
        requests, so the quota is also a cap on what the tenant can cost.
    default_cpu, default_memory: the LimitRange's default request and limit per container, so
        that no container lands without requests (Fargate would size it 0.25 vCPU / 0.5 GB and the
        quota could not count it).
    cluster: the platform's cluster.
    """

    namespace: str
    labels: dict[str, str]
    annotations: dict[str, str]
    pods: int
    cpu: str
    memory: str
    default_cpu: str
    default_memory: str
    cluster: TenantContext


class TenantNamespace(pulumi.ComponentResource):
    """Namespace, ResourceQuota and LimitRange of one tenant."""

    namespace: k8s.core.v1.Namespace
    quota: k8s.core.v1.ResourceQuota
    limit_range: k8s.core.v1.LimitRange
    name: pulumi.Output[str]

    def __init__(self, name: str, args: TenantNamespaceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:tenant:TenantNamespace", name, None, opts)
        on_cluster = pulumi.ResourceOptions(parent=self, provider=args.cluster.provider)

        self.namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata={
                "name": args.namespace,
                # The controller gates only pods created in a labelled namespace: a pod counts as
                # Ready once its ALB target is healthy, so a rollout never drops the last healthy
                # targets. The API server refuses any pod of the team's that falls short of the
                # "restricted" Pod Security Standard, whoever creates it (kubectl included).
                "labels": {**args.labels, **READINESS_GATE_LABEL, **RESTRICTED_NAMESPACE_LABELS},
                "annotations": args.annotations,
            },
            opts=on_cluster,
        )
        self.name = self.namespace.metadata.name
        meta = {"namespace": self.name, "labels": args.labels}
        # With a quota on cpu and memory, Kubernetes rejects pods that do not state them;
        # the LimitRange fills them in first (admission runs LimitRanger before the quota).
        self.limit_range = k8s.core.v1.LimitRange(
            f"{name}-limits",
            metadata={**meta, "name": "fargate-defaults"},
            spec={
                "limits": [
                    {
                        "type": "Container",
                        # Requests equal limits: Fargate sizes the pod from its requests and runs it
                        # with guaranteed QoS.
                        "defaultRequest": {"cpu": args.default_cpu, "memory": args.default_memory},
                        "default": {"cpu": args.default_cpu, "memory": args.default_memory},
                    }
                ]
            },
            opts=on_cluster,
        )
        self.quota = k8s.core.v1.ResourceQuota(
            f"{name}-quota",
            metadata={**meta, "name": "fargate-quota"},
            spec={
                "hard": {
                    "pods": str(args.pods),
                    "requests.cpu": args.cpu,
                    "requests.memory": args.memory,
                    "limits.cpu": args.cpu,
                    "limits.memory": args.memory,
                }
            },
            # Created after the LimitRange: pods admitted in between would need explicit requests.
            opts=pulumi.ResourceOptions.merge(on_cluster, pulumi.ResourceOptions(depends_on=[self.limit_range])),
        )
        self.register_outputs({"name": self.name})
