"""What the platform's components take from the cluster: where it is, how to reach it, and what its pods wait for.

Two stages, two types, so that a component that starts pods cannot be handed a context without
the pod ordering:

- `ClusterContext`, from `Cluster` once the control plane is declared: its name, Kubernetes
  provider, OIDC provider, network, region, version and tags. Pod logging and the Fargate
  profiles take it.
- `PodContext`, from `Fargate` once the pod execution role and the log router's setup are
  declared: the same, plus what rolls the pods (`PodRollout`) and what every pod must start after
  (the aws-logging ConfigMap and the role's log permissions: a Fargate pod reads both once, when
  it starts). The controller, metrics-server and the app take it.

A tenant stack works on its platform's cluster through a `TenantContext`: what the platform's
outputs give it (name, provider, OIDC provider) and its own tags. Its pods carry no rollout key:
the platform's Kubernetes version and log router setup are the platform's outputs, not known when
the tenant plans. An app takes either as `RunsPods`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Protocol

import pulumi
import pulumi_kubernetes as k8s

from components.network import NetworkIds
from components.rollout import PodRollout


class RunsPods(Protocol):
    """Where an app's pods run: the cluster, its VPC and security group, what their template carries, what they start after."""

    @property
    def name(self) -> pulumi.Output[str]: ...

    @property
    def provider(self) -> k8s.Provider: ...

    @property
    def vpc_id(self) -> pulumi.Input[str]: ...

    @property
    def security_group_id(self) -> pulumi.Output[str]: ...

    @property
    def tags(self) -> Mapping[str, str]: ...

    def pod_annotations(self) -> dict[str, str]: ...

    def pods_after(self, *first: pulumi.Resource) -> list[pulumi.Resource]: ...


@dataclass(frozen=True)
class ClusterContext:
    """The cluster every platform component works on.

    name: the cluster's name, as an output that resolves once the cluster exists (what uses it waits).
    provider: the Kubernetes provider of the cluster.
    oidc_provider_arn, oidc_issuer: the cluster's IAM OIDC provider, for IRSA.
    security_group_id: the security group EKS made for the cluster: on the control plane's network
        interfaces, and on every pod no SecurityGroupPolicy selects (CoreDNS, the controller).
    network: the VPC and subnets the cluster and its pods are in.
    region: the cluster's region.
    kubernetes_version: the control plane's version.
    tags: tags for every taggable AWS resource.
    """

    name: pulumi.Output[str]
    provider: k8s.Provider
    oidc_provider_arn: pulumi.Output[str]
    oidc_issuer: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    network: NetworkIds
    region: str
    kubernetes_version: str
    tags: Mapping[str, str]

    @property
    def vpc_id(self) -> pulumi.Input[str]:
        return self.network.vpc_id

    def for_pods(self, pod_logging: str, start_after: Sequence[pulumi.Resource]) -> PodContext:
        """This context, with what rolls the pods and what every pod starts after."""
        this = {f.name: getattr(self, f.name) for f in fields(ClusterContext)}
        return PodContext(**this, rollout=PodRollout(self.kubernetes_version, pod_logging), start_after=tuple(start_after))


@dataclass(frozen=True)
class PodContext(ClusterContext):
    """A `ClusterContext` for components that start pods on Fargate.

    rollout: what the pods start with; on every pod template the stack controls, so that a new
        Kubernetes version or log router setup rolls them.
    start_after: what a pod's log router needs before the pod starts (empty with logging off).
    """

    rollout: PodRollout
    start_after: tuple[pulumi.Resource, ...]

    def pod_annotations(self) -> dict[str, str]:
        return self.rollout.annotations()

    def pods_after(self, *first: pulumi.Resource) -> list[pulumi.Resource]:
        """`first` (a Fargate profile, say), then what every pod starts after."""
        return [*first, *self.start_after]


@dataclass(frozen=True)
class TenantContext:
    """A tenant's view of its platform's cluster.

    name: the cluster's name (a platform output).
    provider: a Kubernetes provider for the platform's cluster.
    oidc_provider_arn, oidc_issuer: the platform cluster's IAM OIDC provider, for IRSA.
    vpc_id, security_group_id: the platform's VPC and cluster security group.
    tags: the tenant's tags for every taggable AWS resource.
    """

    name: pulumi.Output[str]
    provider: k8s.Provider
    oidc_provider_arn: pulumi.Output[str]
    oidc_issuer: pulumi.Output[str]
    vpc_id: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    tags: Mapping[str, str]

    def pod_annotations(self) -> dict[str, str]:
        return {}

    def pods_after(self, *first: pulumi.Resource) -> list[pulumi.Resource]:
        return list(first)
