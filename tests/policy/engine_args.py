"""What the engine hands a policy rule, built with the pulumi_policy SDK's own classes, for the pack's tests.

`validate_resource` hands one resource to a resource rule as Analyze does, `validate_stack` a stack's
resources (`resource`) to a stack rule as AnalyzeStack does: properties wrapped in the SDK's
unknown-checking proxy, unknowns as its sentinel `U`. `deployment`, `pod` and `container` build the
Kubernetes objects the rules read.
"""

from __future__ import annotations

import copy
from typing import Any

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policy.pack import POLICIES

U = UNKNOWN_STRING_VALUE  # what the engine sends for a value unknown during preview
OIDC_PROVIDER = "arn:aws:iam::1:oidc-provider/oidc.eks/id/X"

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
DAEMONSET = "kubernetes:apps/v1:DaemonSet"
STATEFULSET = "kubernetes:apps/v1:StatefulSet"
CRONJOB = "kubernetes:batch/v1:CronJob"
POD = "kubernetes:core/v1:Pod"
SERVICE = "kubernetes:core/v1:Service"
PV = "kubernetes:core/v1:PersistentVolume"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"
NAMESPACE = "kubernetes:core/v1:Namespace"
STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
RELEASE = "kubernetes:helm.sh/v3:Release"
ADDON = "aws:eks/addon:Addon"
PROFILE = "aws:eks/fargateProfile:FargateProfile"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
IGW = "aws:ec2/internetGateway:InternetGateway"
NAT = "aws:ec2/natGateway:NatGateway"
ROLE = "aws:iam/role:Role"
IAM_POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
EKS_COMPONENT = "eks:index:Cluster"
EKS_CLUSTER = "aws:eks/cluster:Cluster"


def policy(name: str):
    (found,) = [p for p in POLICIES if p.name == name]
    return found


def _options() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def resource_urn(type_: str, name: str) -> str:
    return f"urn:pulumi:test::eks-fargate::{type_}::{name}"


def validate_resource(name: str, type_: str, props: dict) -> list[str]:
    """Messages the resource policy `name` reports for one resource, handed over as Analyze does."""
    rule = policy(name)
    assert isinstance(rule, ResourceValidationPolicy)
    args = ResourceValidationArgs(
        type_, unknown_checking_proxy(copy.deepcopy(props)), resource_urn(type_, "r"), "r", _options(), None
    )
    messages: list[str] = []
    rule.validate(args, lambda message, urn=None: messages.append(message))
    return messages


def resource(type_: str, name: str, props: dict, **deps: list[PolicyResource]) -> PolicyResource:
    """A stack resource (as AnalyzeStack hands it); keyword arguments are property dependencies."""
    return PolicyResource(
        type_, unknown_checking_proxy(copy.deepcopy(props)), resource_urn(type_, name), name, _options(), None, None,
        [d for ds in deps.values() for d in ds], dict(deps),
    )  # fmt: skip


def validate_stack(name: str, *resources: PolicyResource) -> list[tuple[str, str | None]]:
    """(message, urn) pairs the stack policy `name` reports."""
    rule = policy(name)
    assert isinstance(rule, StackValidationPolicy)
    reports: list[tuple[str, str | None]] = []
    rule.validate(StackValidationArgs(list(resources)), lambda message, urn=None: reports.append((message, urn)))
    return reports


def pod(**spec: Any) -> dict:
    container = {"name": "app", "image": "nginx:1.27", "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}}}
    return {"containers": [container], **spec}


def deployment(spec: dict | None = None, namespace: str | None = "apps", labels: dict | None = None, **extra: Any) -> dict:
    template = {"metadata": {"labels": labels if labels is not None else {"app": "web"}}, "spec": spec or pod()}
    metadata = {"name": "web", **({"namespace": namespace} if namespace is not None else {})}
    return {"metadata": metadata, "spec": {"template": template, **extra}}


def container(name: str = "app", image: str = "nginx:1.27", cpu: Any = "250m", memory: Any = "256Mi", **extra: Any) -> dict:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    return {"name": name, "image": image, "resources": {"requests": requests}, **extra}
