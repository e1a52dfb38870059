"""The pack's resource rules: each on a resource that passes and on one that fails, as the engine hands it over."""

from __future__ import annotations

import json

import pytest
from pulumi_policy import ResourceValidationPolicy
from pulumi_policy.proxy import unknown_checking_proxy

from components.alb_controller import POLICY_FILE, service_account_trust
from components.fargate import _pod_execution_trust
from policy.pack import POLICIES
from policy.reading import parse_quantity, pod_size
from tests.policy.engine_args import (
    ATTACHMENT,
    CRONJOB,
    DAEMONSET,
    DEPLOYMENT,
    EKS_CLUSTER,
    EKS_COMPONENT,
    IAM_POLICY,
    INGRESS,
    OIDC_PROVIDER,
    POD,
    PV,
    PVC,
    ROLE,
    SERVICE,
    STATEFULSET,
    U,
    container,
    deployment,
    pod,
    validate_resource,
)

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
