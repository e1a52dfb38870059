"""The policy pack: each rule on a resource that passes and one that fails, then on the dev stack.

Rules get what the engine would hand them: `ResourceValidationArgs` / `StackValidationArgs`
built with the SDK's classes, properties wrapped in its unknown-checking proxy, unknowns as
its sentinels. The stack-level checks run the pack over the dev recording (`policy.offline`).
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import json
import runpy
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pulumi_policy
import pytest
import yaml
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from components.alb_controller import POLICY_FILE, service_account_trust
from components.container_insights import NAMESPACE as METRICS_NAMESPACE
from components.fargate import _pod_execution_trust
from eksfargate.project import PLATFORM_PROJECT_DIR
from offline.harness import RecordedResource, Recording
from policy import offline as policy_offline
from policy.pack import PACK_NAME, POLICIES
from policy.reading import parse_quantity, pod_size

POLICY_DIR = PLATFORM_PROJECT_DIR / "policy"
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


# --- building the SDK's arguments ------------------------------------------------------------------


def policy(name: str):
    (found,) = [p for p in POLICIES if p.name == name]
    return found


def _options() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def _urn(type_: str, name: str) -> str:
    return f"urn:pulumi:test::eks-fargate::{type_}::{name}"


def validate_resource(name: str, type_: str, props: dict) -> list[str]:
    """Messages the resource policy `name` reports for one resource, handed over as Analyze does."""
    rule = policy(name)
    assert isinstance(rule, ResourceValidationPolicy)
    args = ResourceValidationArgs(type_, unknown_checking_proxy(copy.deepcopy(props)), _urn(type_, "r"), "r", _options(), None)
    messages: list[str] = []
    rule.validate(args, lambda message, urn=None: messages.append(message))
    return messages


def resource(type_: str, name: str, props: dict, **deps: list[PolicyResource]) -> PolicyResource:
    """A stack resource (as AnalyzeStack hands it); keyword arguments are property dependencies."""
    return PolicyResource(
        type_, unknown_checking_proxy(copy.deepcopy(props)), _urn(type_, name), name, _options(), None, None,
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


# --- resource rules: a resource that passes, one that fails --------------------------------------------

CASES = [
    # (rule, type, props, fragment of the expected message or None when it passes)
    ("no-daemonsets", DEPLOYMENT, deployment(), None),
    ("no-daemonsets", DAEMONSET, deployment(), "DaemonSet 'web' would never schedule on Fargate"),
    ("no-host-path-volumes", DEPLOYMENT, deployment(pod(volumes=[{"name": "tmp", "emptyDir": {}}])), None),
    ("no-host-path-volumes", DEPLOYMENT, deployment(pod(volumes=[{"name": "logs", "hostPath": {"path": "/var/log"}}])),
     "volume 'logs' of Deployment 'web' is a hostPath volume"),
    ("no-host-path-volumes", PV, {"metadata": {"name": "pv"}, "spec": {"hostPath": {"path": "/data"}}},
     "PersistentVolume 'pv' is a hostPath volume"),
    ("no-host-network-pid-ipc-or-ports", DEPLOYMENT, deployment(pod(hostNetwork=False)), None),
    ("no-host-network-pid-ipc-or-ports", DEPLOYMENT, deployment(pod(hostNetwork=True)), "sets hostNetwork: true"),
    ("no-host-network-pid-ipc-or-ports", POD, {"metadata": {"name": "p"}, "spec": pod(hostPID=True)},
     "Pod 'p' sets hostPID: true"),
    ("no-host-network-pid-ipc-or-ports", DEPLOYMENT, deployment(pod(hostIPC=True)), "sets hostIPC: true"),
    ("no-host-network-pid-ipc-or-ports", DEPLOYMENT,
     deployment({"containers": [container(ports=[{"containerPort": 80.0, "hostPort": 8080.0}])]}),
     "container 'app' of Deployment 'web' sets hostPort 8080"),
    ("no-privileged-containers", DEPLOYMENT,
     deployment({"containers": [container(securityContext={"privileged": False})]}), None),
    ("no-privileged-containers", CRONJOB,
     {"metadata": {"name": "nightly"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {
         "initContainers": [container("setup", securityContext={"privileged": True})], "containers": [container()]}}}}}},
     "init container 'setup' of CronJob 'nightly' is privileged"),
    ("no-ebs-volumes", PV, {"metadata": {"name": "shared"}, "spec": {"csi": {"driver": "efs.csi.aws.com"}}}, None),
    ("no-ebs-volumes", PV, {"metadata": {"name": "disk"}, "spec": {"csi": {"driver": "ebs.csi.aws.com"}}},
     "PersistentVolume 'disk' is an EBS volume"),
    ("no-ebs-volumes", PV, {"metadata": {"name": "old"}, "spec": {"awsElasticBlockStore": {"volumeID": "vol-1"}}},
     "PersistentVolume 'old' is an EBS volume"),
    ("no-ebs-volumes", PVC, {"metadata": {"name": "data"}, "spec": {"storageClassName": "efs-sc"}}, None),
    ("no-ebs-volumes", PVC, {"metadata": {"name": "data"}, "spec": {"storageClassName": "gp2"}},
     "PersistentVolumeClaim 'data' asks for StorageClass gp2"),
    ("no-ebs-volumes", DEPLOYMENT, deployment(pod(volumes=[{"name": "d", "awsElasticBlockStore": {"volumeID": "vol-1"}}])),
     "volume 'd' of Deployment 'web' is an awsElasticBlockStore volume"),
    ("no-ebs-volumes", STATEFULSET,
     deployment(volumeClaimTemplates=[{"metadata": {"name": "data"}, "spec": {"storageClassName": "gp2"}}]),
     "volume claim template 'data' of StatefulSet 'web' asks for StorageClass gp2"),
    ("no-ebs-volumes", DEPLOYMENT,
     deployment(pod(volumes=[{"name": "scratch", "ephemeral": {"volumeClaimTemplate": {"spec": {"storageClassName": "gp2"}}}}])),
     "ephemeral volume 'scratch' of Deployment 'web' asks for StorageClass gp2"),
    ("workload-requests-cpu-and-memory", DEPLOYMENT, deployment(), None),
    ("workload-requests-cpu-and-memory", DEPLOYMENT,  # Kubernetes copies limits into missing requests
     deployment({"containers": [{"name": "app", "image": "a:1", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}), None),
    ("workload-requests-cpu-and-memory", DEPLOYMENT, deployment({"containers": [container(memory=None)]}),
     "container 'app' of Deployment 'web' requests no memory"),
    ("workload-requests-cpu-and-memory", DEPLOYMENT,
     deployment({"initContainers": [container("init", cpu=None, memory=None)], "containers": [container()]}),
     "init container 'init' of Deployment 'web' requests no cpu and no memory"),
    ("workload-requests-cpu-and-memory", DEPLOYMENT, deployment({"containers": [container(cpu="a lot")]}), "requests no cpu"),
    ("pod-fits-largest-fargate-size", DEPLOYMENT, deployment({"containers": [container(cpu="16", memory="119Gi")]}), None),
    ("pod-fits-largest-fargate-size", DEPLOYMENT, deployment({"containers": [container(cpu="16", memory="120Gi")]}),
     "need 16 vCPU and 120.25 GiB of memory"),
    ("pod-fits-largest-fargate-size", DEPLOYMENT,
     deployment({"containers": [container("a", cpu="10"), container("b", cpu="7000m")]}), "need 17 vCPU"),
    ("pod-fits-largest-fargate-size", DEPLOYMENT,  # the largest init container, not the sum, counts
     deployment({"initContainers": [container("i1", cpu="12"), container("i2", cpu="12")], "containers": [container(cpu="1")]}),
     None),
    ("pod-fits-largest-fargate-size", DEPLOYMENT,
     deployment({"initContainers": [container("big", cpu="20")], "containers": [container(cpu="1")]}), "need 20 vCPU"),
    ("alb-ingress-ip-targets", INGRESS,
     {"metadata": {"name": "web", "annotations": {"alb.ingress.kubernetes.io/target-type": "ip"}},
      "spec": {"ingressClassName": "alb"}}, None),
    ("alb-ingress-ip-targets", INGRESS, {"metadata": {"name": "web"}, "spec": {"ingressClassName": "nginx"}}, None),
    ("alb-ingress-ip-targets", INGRESS, {"metadata": {"name": "web"}, "spec": {"ingressClassName": "alb"}},
     "Ingress 'web' asks the ALB for target type 'instance' (the default)"),
    ("alb-ingress-ip-targets", INGRESS,
     {"metadata": {"name": "web", "annotations": {"kubernetes.io/ingress.class": "alb",
                                                  "alb.ingress.kubernetes.io/target-type": "instance"}}, "spec": {}},
     "target type 'instance'"),
    ("ingress-has-tls", INGRESS,
     {"metadata": {"name": "web", "annotations": {"alb.ingress.kubernetes.io/scheme": "internet-facing"}},
      "spec": {"ingressClassName": "alb"}},
     "Ingress 'web' is internet-facing on plain HTTP"),
    ("ingress-has-tls", INGRESS,
     {"metadata": {"name": "web", "annotations": {"alb.ingress.kubernetes.io/scheme": "internet-facing",
                                                  "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:x"}},
      "spec": {"ingressClassName": "alb"}}, None),
    ("ingress-has-tls", INGRESS,  # the controller discovers the certificate from the hosts
     {"metadata": {"name": "web", "annotations": {"alb.ingress.kubernetes.io/scheme": "internet-facing",
                                                  "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS": 443}]'}},
      "spec": {"ingressClassName": "alb"}}, None),
    ("ingress-has-tls", INGRESS,  # internal: not on the internet
     {"metadata": {"name": "web", "annotations": {}}, "spec": {"ingressClassName": "alb"}}, None),
    ("ingress-has-tls", INGRESS,
     {"metadata": {"name": "web", "annotations": {"alb.ingress.kubernetes.io/scheme": "internet-facing"}},
      "spec": {"ingressClassName": "nginx"}}, None),
    ("load-balancer-service-nlb-ip-targets", SERVICE, {"metadata": {"name": "s"}, "spec": {"type": "ClusterIP"}}, None),
    ("load-balancer-service-nlb-ip-targets", SERVICE,
     {"metadata": {"name": "s", "annotations": {"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip"}},
      "spec": {"type": "LoadBalancer", "loadBalancerClass": "service.k8s.aws/nlb"}}, None),
    ("load-balancer-service-nlb-ip-targets", SERVICE,
     {"metadata": {"name": "s", "annotations": {"service.beta.kubernetes.io/aws-load-balancer-type": "external",
                                                "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip"}},
      "spec": {"type": "LoadBalancer"}}, None),
    ("load-balancer-service-nlb-ip-targets", SERVICE, {"metadata": {"name": "s"}, "spec": {"type": "LoadBalancer"}},
     "Service 's' of type LoadBalancer is left to the in-tree cloud provider"),
    ("load-balancer-service-nlb-ip-targets", SERVICE,
     {"metadata": {"name": "s", "annotations": {"service.beta.kubernetes.io/aws-load-balancer-type": "external"}},
      "spec": {"type": "LoadBalancer"}}, "gets an NLB with instance targets"),
    ("irsa-trust-sub-and-aud", ROLE,
     {"assumeRolePolicy": json.dumps(service_account_trust(OIDC_PROVIDER, "oidc.eks/id/X", "ns", "sa"))}, None),
    ("pod-execution-role-source-arn", ROLE,
     {"assumeRolePolicy": json.dumps(_pod_execution_trust("ap-northeast-2", "aws", "123456789012", "c"))}, None),
    ("no-iam-allow-all", IAM_POLICY, {"policy": POLICY_FILE.read_text()}, None),
    ("no-iam-allow-all", IAM_POLICY,
     {"policy": json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})},
     "policy 'r' allows Action '*' on Resource '*'"),
    ("no-iam-allow-all", IAM_POLICY,  # a deny of everything is fine
     {"policy": {"Statement": [{"Effect": "Deny", "Action": ["*"], "Resource": ["*"]}]}}, None),
    ("no-iam-allow-all", ROLE,
     {"inlinePolicies": [{"name": "all", "policy": json.dumps({"Statement": [{"Effect": "Allow", "Action": ["s3:*", "*:*"],
                                                                            "Resource": ["*"]}]})}]},
     "inline policy 'all' of role 'r' allows Action '*'"),
    ("no-iam-allow-all", ATTACHMENT, {"role": "r", "policyArn": "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"}, None),
    ("no-iam-allow-all", ATTACHMENT, {"role": "r", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
     "attaches AdministratorAccess"),
    ("cluster-endpoint-not-open-to-world", EKS_COMPONENT, {"name": "c", "publicAccessCidrs": ["203.0.113.0/24"]}, None),
    ("cluster-endpoint-not-open-to-world", EKS_COMPONENT, {"name": "c", "endpointPublicAccess": False}, None),
    ("cluster-endpoint-not-open-to-world", EKS_COMPONENT, {"name": "c"},
     "endpoint of cluster 'c' is public and open to 0.0.0.0/0"),
    ("cluster-endpoint-not-open-to-world", EKS_CLUSTER,
     {"name": "c", "vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}}, "open to 0.0.0.0/0"),
    ("kubernetes-version-in-standard-support", EKS_COMPONENT, {"name": "c", "version": "1.36"}, None),
    ("cluster-control-plane-logging", EKS_COMPONENT, {"name": "c", "enabledClusterLogTypes": ["api", "audit"]}, None),
    ("cluster-control-plane-logging", EKS_COMPONENT, {"name": "c", "enabledClusterLogTypes": []},
     "control-plane logging of cluster 'c' is off"),
    ("cluster-control-plane-logging", EKS_CLUSTER, {"name": "c"}, "logging of cluster 'c' is off"),
    ("cluster-secrets-encryption", EKS_COMPONENT, {"name": "c", "encryptionConfigKeyArn": "arn:aws:kms:r:1:key/k"}, None),
    ("cluster-secrets-encryption", EKS_COMPONENT, {"name": "c"}, "secrets of cluster 'c' are not envelope-encrypted"),
    ("cluster-secrets-encryption", EKS_CLUSTER, {"name": "c", "encryptionConfig": {"resources": ["secrets"]}}, None),
    ("cluster-secrets-encryption", EKS_CLUSTER, {"name": "c"}, "not envelope-encrypted"),
    ("image-tag-pinned", DEPLOYMENT, deployment({"containers": [container(image="registry.local:5000/team/app:1.4.2")]}), None),
    ("image-tag-pinned", DEPLOYMENT, deployment({"containers": [container(image="nginx@sha256:" + "a" * 64)]}), None),
    ("image-tag-pinned", DEPLOYMENT, deployment({"containers": [container(image="nginx:latest")]}),
     "image 'nginx:latest' (tag latest)"),
    ("image-tag-pinned", DEPLOYMENT, deployment({"containers": [container(image="registry.local:5000/team/app")]}),
     "(no tag, so latest)"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "type_", "props", "expected"), CASES)
def test_resource_rule(rule: str, type_: str, props: dict, expected: str | None) -> None:
    messages = validate_resource(rule, type_, props)
    if expected is None:
        assert messages == []
    else:
        assert len(messages) == 1 and expected in messages[0], messages


def test_every_resource_rule_has_a_passing_and_a_failing_case() -> None:
    resource_rules = {p.name for p in POLICIES if isinstance(p, ResourceValidationPolicy)}
    passing = {rule for rule, *_, expected in CASES if expected is None}
    failing = {rule for rule, *_, expected in CASES if expected is not None}
    assert resource_rules - {
        "irsa-trust-sub-and-aud",
        "pod-execution-role-source-arn",
        "kubernetes-version-in-standard-support",
    } <= (passing & failing)
    # the two trust rules fail in their own tests below, the support calendar's in the next one (it depends on the date)


@pytest.mark.parametrize(("today", "policy", "expected"), [
    ("2027-01-10", {"supportType": "EXTENDED"}, "Kubernetes 1.35 leaves EKS standard support on 2027-03-27; upgrade to 1.36"),
    ("2027-04-01", {"supportType": "STANDARD"}, "with supportType STANDARD, EKS will upgrade the cluster's control plane itself"),
    ("2026-12-26", {"supportType": "EXTENDED"}, None),
])  # fmt: skip
def test_the_support_calendar_advisory(monkeypatch: pytest.MonkeyPatch, today: str, policy: dict, expected: str | None) -> None:
    monkeypatch.setenv("EKSFARGATE_TODAY", today)
    messages = validate_resource(
        "kubernetes-version-in-standard-support", EKS_COMPONENT, {"name": "c", "version": "1.35", "upgradePolicy": policy}
    )
    assert messages == [] if expected is None else len(messages) == 1 and expected in messages[0], messages


def _trust(statement: dict) -> dict:
    return {"assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}


def _web_identity(conditions: dict) -> dict:
    return {
        "Effect": "Allow",
        "Principal": {"Federated": OIDC_PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
        **({"Condition": conditions} if conditions else {}),
    }


@pytest.mark.parametrize(
    ("conditions", "missing"),
    [
        ({}, "without a 'sub' condition naming the service account or an 'aud' condition"),
        ({"StringEquals": {"oidc.eks/id/X:aud": "sts.amazonaws.com"}}, "without a 'sub' condition"),
        ({"StringEquals": {"oidc.eks/id/X:sub": "system:serviceaccount:a:b"}}, "without an 'aud' condition"),
        ({"StringLike": {"oidc.eks/id/X:sub": "*", "oidc.eks/id/X:aud": "sts.amazonaws.com"}}, "without a 'sub' condition"),
    ],
)
def test_irsa_trust_without_sub_or_aud_fails(conditions: dict, missing: str) -> None:
    (message,) = validate_resource("irsa-trust-sub-and-aud", ROLE, _trust(_web_identity(conditions)))
    assert missing in message and OIDC_PROVIDER in message


def test_irsa_rule_ignores_other_trusts() -> None:
    service = {"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}
    assert validate_resource("irsa-trust-sub-and-aud", ROLE, _trust(service)) == []


@pytest.mark.parametrize(
    "condition",
    [None, {"ArnLike": {"aws:SourceArn": "*"}}, {"StringEquals": {"aws:SourceAccount": "123456789012"}}],
)
def test_pod_execution_trust_without_source_arn_fails(condition: dict | None) -> None:
    statement = {"Effect": "Allow", "Principal": {"Service": ["eks-fargate-pods.amazonaws.com"]}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    (message,) = validate_resource("pod-execution-role-source-arn", ROLE, _trust(statement))
    assert "without an aws:SourceArn condition" in message and "fargateprofile/<cluster>/*" in message


def test_resource_rules_skip_values_unknown_during_preview() -> None:
    unknown_everything = deployment({"containers": [container(image=U, cpu=U, memory=U)], "volumes": U, "hostNetwork": U})
    for rule in [p.name for p in POLICIES if isinstance(p, ResourceValidationPolicy)]:
        assert validate_resource(rule, DEPLOYMENT, unknown_everything) == [], rule
        assert validate_resource(rule, ROLE, {"assumeRolePolicy": U}) == [], rule


def test_quantities_and_pod_size() -> None:
    assert parse_quantity("250m") == 0.25 and parse_quantity("1.5") == 1.5 and parse_quantity(2.0) == 2.0
    assert parse_quantity("256Mi") == 256 * 2**20 and parse_quantity("1e3") == 1000 and parse_quantity("1E") == 1e18
    assert parse_quantity("1G") == 1e9 and parse_quantity("lots") is None
    # a sidecar (init container that keeps running) counts with the containers and under later init containers
    spec = unknown_checking_proxy(
        {
            "initContainers": [container("proxy", cpu="1", memory="1Gi", restartPolicy="Always"), container("migrate", cpu="4")],
            "containers": [container("app", cpu="2", memory="2Gi")],
        }
    )
    size = pod_size(spec)
    assert size is not None and size.vcpu == 5 and size.memory_mib == 3 * 1024


# --- stack rules -----------------------------------------------------------------------------------------


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
        self.id_values[_urn(type_, name)] = id_ if self.ids else U
        made = resource(type_, name, {**props, "id": self.id_values[_urn(type_, name)]}, **(deps if self.deps else {}))
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


# --- the dev stack, and variants of it ----------------------------------------------------------------------


def test_dev_stack_passes_every_mandatory_rule(dev: Recording) -> None:
    violations = policy_offline.check(dev)
    assert [v for v in violations if v.mandatory] == []
    # What it does get is advisory, and known: the dev API endpoint is open, the game image is :latest
    # and the game is served on plain HTTP.
    assert sorted((v.policy, v.resource) for v in violations) == [
        ("cluster-endpoint-not-open-to-world", "cluster-eks"),
        ("image-tag-pinned", "game-2048-deployment"),
        ("ingress-has-tls", "game-2048-ingress"),
    ]


def _extra(dev: Recording, kind_type: str, name: str, props: dict) -> RecordedResource:
    """A Kubernetes resource as the program would register it, on the dev stack's cluster provider."""
    game = dev.one(DEPLOYMENT)
    urn = game.urn.replace("game-2048-deployment", name).replace(DEPLOYMENT, kind_type)
    return RecordedResource(
        urn=urn, type=kind_type, name=name, parent=game.parent, custom=True, remote=False, provider=game.provider,
        protect=False, delete_before_replace=False, dependencies=[], property_dependencies={},
        inputs=props, id=name, outputs=dict(props),
    )  # fmt: skip


def test_variant_with_uncovered_namespace_daemonset_and_host_path_fails(dev: Recording) -> None:
    log_agent = deployment(namespace="kube-system", labels={"app": "log-agent"})
    log_agent["metadata"]["name"] = "log-agent"
    app_namespace = dev.config["eks-fargate:appNamespace"]
    debug = deployment(pod(volumes=[{"name": "host-logs", "hostPath": {"path": "/var/log"}}]), namespace=app_namespace)
    debug["metadata"]["name"] = "debug"
    extras = [
        _extra(dev, NAMESPACE, "reports-namespace", {"metadata": {"name": "reports"}}),
        _extra(dev, DEPLOYMENT, "reports", {**deployment(namespace="reports"), "kind": "Deployment"}),
        _extra(dev, DAEMONSET, "log-agent", log_agent),
        _extra(dev, DEPLOYMENT, "debug", debug),
    ]
    variant = dataclasses.replace(dev, resources=[*dev.resources, *extras])
    mandatory = sorted((v.policy, v.resource, v.message) for v in policy_offline.check(variant) if v.mandatory)
    assert [(policy, resource) for policy, resource, _ in mandatory] == [
        ("fargate-profile-covers-workload", "reports"),
        ("no-daemonsets", "log-agent"),
        ("no-host-path-volumes", "debug"),
    ]
    messages = [message for *_, message in mandatory]
    assert "namespace 'reports'" in messages[0] and "matches no Fargate profile selector" in messages[0]
    metrics = [METRICS_NAMESPACE] if dev.config["eks-fargate:containerInsights"] == "true" else []
    covered = [app_namespace, "kube-system", *metrics]
    assert f"(selectors: {', '.join(sorted(covered))})" in messages[0]
    assert "DaemonSet 'log-agent' would never schedule on Fargate" in messages[1]
    assert "volume 'host-logs' of Deployment 'debug' is a hostPath volume" in messages[2]
    assert len(dev.resources) + len(extras) == len(variant.resources)  # the shared recording is untouched


def test_dev_without_the_workload_profile_leaves_the_game_uncovered(dev: Recording) -> None:
    variant = dataclasses.replace(dev, resources=[r for r in dev.resources if r.name != "fargate-workloads"])
    mandatory = [v for v in policy_offline.check(variant) if v.mandatory]
    assert [(v.policy, v.resource) for v in mandatory] == [("fargate-profile-covers-workload", "game-2048-deployment")]


def test_dev_profile_on_public_subnets_fails(dev: Recording) -> None:
    public = [s for s in dev.of_type(SUBNET) if s.inputs["mapPublicIpOnLaunch"]]
    workloads = copy.deepcopy(dev.one(PROFILE, "fargate-workloads"))
    workloads.inputs["subnetIds"] = workloads.outputs["subnetIds"] = [s.id for s in public]
    workloads.property_dependencies["subnetIds"] = [s.urn for s in public]
    variant = dataclasses.replace(dev, resources=[workloads if r.name == workloads.name else r for r in dev.resources])
    mandatory = [v for v in policy_offline.check(variant) if v.mandatory]
    assert {v.policy for v in mandatory} == {"fargate-profile-private-subnets"} and len(mandatory) == len(public) == 3
    name = workloads.inputs["fargateProfileName"]
    assert all(f"Fargate profile '{name}'" in v.message and "public IP on launch" in v.message for v in mandatory)


def test_the_offline_command_runs_as_a_module_of_the_tools() -> None:
    """`python -m offline.policy_check` runs the command (tools/offline/policy_check.py) with its exit codes."""
    done = subprocess.run(
        [sys.executable, "-m", "offline.policy_check", "--stack", "no-such-stack"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and "no stack file Pulumi.no-such-stack.yaml" in done.stderr


def test_offline_command_exit_codes(dev: Recording, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    from offline import policy_check

    monkeypatch.setattr(policy_check, "record", lambda *args, **kwargs: dev)
    assert policy_check.main(["--stack", "dev"]) == 0
    out = capsys.readouterr().out
    assert "0 mandatory and 3 advisory violations" in out and "advisory: image-tag-pinned" in out

    no_profiles = dataclasses.replace(dev, resources=[r for r in dev.resources if r.type != PROFILE])
    monkeypatch.setattr(policy_check, "record", lambda *args, **kwargs: no_profiles)
    assert policy_check.main(["--stack", "dev"]) == 1
    assert "mandatory: fargate-profile-covers-workload" in capsys.readouterr().out


# --- the pack itself ----------------------------------------------------------------------------------------


def test_pack_serves_every_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    """`__main__.py` builds one PolicyPack of all the policies (the real one would start serving here)."""
    built: dict[str, Any] = {}
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kwargs: built.update(kwargs))
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "pack", raising=False)
    runpy.run_path(str(POLICY_DIR), run_name="__main__")  # as the engine runs the pack: its folder
    sys.modules.pop("pack", None)
    assert built["name"] == PACK_NAME
    assert [p.name for p in built["policies"]] == [p.name for p in POLICIES]
    assert len({p.name for p in POLICIES}) == len(POLICIES)
    levels = {p.name: p.enforcement_level for p in POLICIES}
    assert {name for name, level in levels.items() if level == EnforcementLevel.ADVISORY} == {
        "ingress-has-tls",
        "cluster-endpoint-not-open-to-world",
        "cluster-control-plane-logging",
        "cluster-secrets-encryption",
        "kubernetes-version-in-standard-support",
        "fargate-logging-off",
        "image-tag-pinned",
        "workload-has-disruption-budget",
        "tenant-team-has-access",
    }
    assert set(levels.values()) == {EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY}


def test_the_engine_loads_the_pack_from_a_folder_of_any_name_without_the_project(tmp_path: Path) -> None:
    """As `pulumi.policy` runs the pack: its folder, under another name, and nothing of this checkout importable
    but what the project's venv has installed (the library, whose domain facts the rules read)."""
    folder = tmp_path / "eks-fargate-pack"
    shutil.copytree(POLICY_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    serve = (
        "import runpy, sys, pulumi_policy\n"
        "built = {}\n"
        "pulumi_policy.PolicyPack = lambda **kwargs: built.update(kwargs)\n"
        f"sys.path.insert(0, {str(folder)!r})\n"
        f"runpy.run_path({str(folder)!r}, run_name='__main__')\n"
        "print(built['name'], len(built['policies']), sys.modules['policy'].__file__)\n"
    )
    # -I: no current folder, no PYTHONPATH, no user site: only the pack's folder and the venv's packages.
    done = subprocess.run([sys.executable, "-I", "-c", serve], cwd=folder, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [PACK_NAME, str(len(POLICIES)), str(folder / "__init__.py")]


def test_every_declared_rule_is_in_the_pack() -> None:
    """A rule declared in a `*_rules.py` module but not listed in `pack.py` would silently never run."""
    declared = []
    for path in sorted(POLICY_DIR.glob("*_rules.py")):
        module = importlib.import_module(f"policy.{path.stem}")
        declared += [value for value in vars(module).values() if isinstance(value, Policy)]
    assert len(declared) >= 20
    assert sorted(map(id, declared)) == sorted(map(id, POLICIES))


def test_pack_project_and_pins() -> None:
    project = yaml.safe_load((POLICY_DIR / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python" and project["runtime"]["options"]["virtualenv"] == "../venv"
    requirements = (POLICY_DIR / "requirements.txt").read_text().split()
    assert requirements == [f"pulumi-policy=={pulumi_policy_version()}", f"pulumi=={pulumi_version()}"]


def pulumi_policy_version() -> str:
    from importlib.metadata import version

    return version("pulumi_policy")


def pulumi_version() -> str:
    from importlib.metadata import version

    return version("pulumi")


def _as_first_preview(dev: Recording) -> Recording:
    """The dev recording as a first `pulumi preview` sees it: every id, ARN and value computed from one unknown."""
    computed = {r.id for r in dev.resources if r.id} | {"arn:", "123456789012", "oidc.eks."}

    def blank(value: Any) -> Any:
        if isinstance(value, str) and any(marker in value for marker in computed):
            return U
        if isinstance(value, dict):
            return {key: blank(item) for key, item in value.items()}
        if isinstance(value, list):
            return [blank(item) for item in value]
        return value

    resources = [dataclasses.replace(r, inputs=blank(r.inputs), outputs=blank(r.outputs), id="") for r in dev.resources]
    return dataclasses.replace(dev, resources=resources)


def test_first_preview_with_unknown_ids_passes_and_still_catches_public_subnets(dev: Recording) -> None:
    preview = _as_first_preview(dev)
    profile = preview.one(PROFILE, "fargate-workloads")
    assert profile.inputs["subnetIds"] == [U, U, U] and profile.inputs["podExecutionRoleArn"] == U
    assert [v for v in policy_offline.check(preview) if v.mandatory] == []

    # Only property dependencies tell which subnets and route tables are meant now.
    public = [s for s in preview.of_type(SUBNET) if s.inputs["mapPublicIpOnLaunch"]]
    public_table = preview.one(ROUTE_TABLE, "network-public")
    swapped = []
    for r in preview.resources:
        if r.name == "fargate-workloads":
            r = dataclasses.replace(r, property_dependencies={**r.property_dependencies, "subnetIds": [s.urn for s in public]})
        elif r.type == ASSOCIATION and r.name.startswith("network-private-"):
            r = dataclasses.replace(r, property_dependencies={**r.property_dependencies, "routeTableId": [public_table.urn]})
        swapped.append(r)
    mandatory = [v for v in policy_offline.check(dataclasses.replace(preview, resources=swapped)) if v.mandatory]
    by_profile = {}
    for v in mandatory:
        assert v.policy == "fargate-profile-private-subnets"
        by_profile.setdefault(v.resource, []).append(v.message)
    assert all("public IP on launch" in m for m in by_profile["fargate-workloads"]) and len(by_profile["fargate-workloads"]) == 3
    # kube-system keeps the private subnets, now associated with the public route table (routes to the gateway)
    assert len(by_profile["fargate-kube-system"]) == 3
    assert all("route table 'network-public' routes to an internet gateway" in m for m in by_profile["fargate-kube-system"])


# --- fargate-logging-off -------------------------------------------------------------------------------------

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


def test_a_stack_with_fargate_logging_off_gets_the_advisory(dev: Recording, logging_off: Recording) -> None:
    assert [v for v in policy_offline.check(dev) if v.policy == "fargate-logging-off"] == []
    (violation,) = [v for v in policy_offline.check(logging_off) if v.policy == "fargate-logging-off"]
    assert not violation.mandatory and violation.resource == "fargate-kube-system"
