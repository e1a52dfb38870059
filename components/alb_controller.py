"""The AWS Load Balancer Controller: turns Ingresses into ALBs that target pod IPs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.alb_access_logs import LOG_PREFIX
from components.cluster_context import PodContext

# Chart and controller move together: from chart 3.0.0 on, the eks-charts chart version
# equals the controller version, and the IAM policy below is the one published for it.
CHART_REPOSITORY = "https://aws.github.io/eks-charts"
CHART_NAME = "aws-load-balancer-controller"
CHART_VERSION = "3.5.0"
CONTROLLER_VERSION = "v3.5.0"
POLICY_FILE = Path(__file__).parent / "data" / f"aws-load-balancer-controller-iam-policy-{CONTROLLER_VERSION}.json"

NAMESPACE = "kube-system"
SERVICE_ACCOUNT = "aws-load-balancer-controller"
ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"

# Two replicas (the chart's default, made explicit) keep the webhooks answering while one
# pod restarts. Requests equal limits: Fargate sizes each pod from them (0.25 vCPU / 0.5 GB
# once its own 256 MiB are added).
CONTROLLER_REPLICAS = 2
CONTROLLER_RESOURCES = {"cpu": "250m", "memory": "256Mi"}
CONTROLLER_DISRUPTION_BUDGET = {"maxUnavailable": 1}

# Every HTTPS listener of the class gets the policy AWS recommends (TLS 1.2 and 1.3, restricted
# ciphers, hybrid post-quantum key exchange; ALB user guide, "Security policies for your Application
# Load Balancer", read 2026-12). The controller's own default is ELBSecurityPolicy-2016-08, which
# still takes TLS 1.0.
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"

# Fargate starts each pod in a fresh micro-VM, which takes a minute or more; Helm's
# default of 300 s leaves little room for two replicas and a rollout.
HELM_TIMEOUT_SECONDS = 900


@dataclass
class AlbControllerArgs:
    """Inputs of `AlbController`.

    cluster: the cluster and what its pods start after. Its name, region and VPC are given to
        the controller explicitly, since Fargate pods have no instance metadata service to
        discover them from; its OIDC provider is for IRSA; a new Kubernetes version or log router
        setup rolls the controller's pods.
    runs_after: resources that must exist before the controller's pods can start
        (the kube-system Fargate profile, CoreDNS), and before it configures an ALB (the
        access-log bucket's policy).
    access_logs_bucket: when set, every ALB of the class writes its access logs there
        (components/alb_access_logs.py).
    web_acl_arn: when set, every ALB of the class is protected by this regional WAFv2 web ACL
        ("none": detached).
    """

    cluster: PodContext
    runs_after: Sequence[pulumi.Resource]
    access_logs_bucket: pulumi.Input[str] | None = None
    web_acl_arn: str = ""


class AlbController(pulumi.ComponentResource):
    """The controller's Helm release and the IAM role its service account assumes."""

    release: k8s.helm.v3.Release
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: AlbControllerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:albController:AlbController", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        cluster = args.cluster
        tags = dict(cluster.tags)

        role = aws.iam.Role(
            f"{name}-irsa",
            description="Assumed by the AWS Load Balancer Controller's service account through IRSA",
            assume_role_policy=pulumi.Output.all(cluster.oidc_provider_arn, cluster.oidc_issuer).apply(
                lambda values: json.dumps(service_account_trust(values[0], values[1], NAMESPACE, SERVICE_ACCOUNT))
            ),
            tags=tags,
            opts=child,
        )
        policy = aws.iam.Policy(
            f"{name}-policy",
            description=f"AWS Load Balancer Controller {CONTROLLER_VERSION}, as published by the project",
            policy=POLICY_FILE.read_text(),
            tags=tags,
            opts=child,
        )
        attachment = aws.iam.RolePolicyAttachment(f"{name}-policy", role=role.name, policy_arn=policy.arn, opts=child)

        self.release = k8s.helm.v3.Release(
            f"{name}-release",
            name=CHART_NAME,
            chart=CHART_NAME,
            version=CHART_VERSION,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=CHART_REPOSITORY),
            namespace=NAMESPACE,
            values={
                "clusterName": cluster.name,
                "region": cluster.region,
                "vpcId": cluster.network.vpc_id,
                "image": {"tag": CONTROLLER_VERSION},
                "replicaCount": CONTROLLER_REPLICAS,
                "serviceAccount": {
                    "create": True,
                    "name": SERVICE_ACCOUNT,
                    "annotations": {ROLE_ARN_ANNOTATION: role.arn},
                },
                "resources": {"requests": CONTROLLER_RESOURCES, "limits": CONTROLLER_RESOURCES},
                # Fargate's patch evictions take one controller pod at a time, never both
                # (the chart renders the budget only when replicaCount > 1).
                "podDisruptionBudget": CONTROLLER_DISRUPTION_BUDGET,
                # Fargate pods are only reachable as IP targets: an Ingress or Service that
                # leaves out the target-type annotation still works.
                "defaultTargetType": "ip",
                # The chart puts podAnnotations on the pod template: after a control-plane
                # upgrade, or a change to the pod logging setup, the controller's pods are
                # replaced and start on the new kubelet, with the new log router configuration.
                "podAnnotations": cluster.rollout.annotations(),
                # The ALBs, target groups and security groups the controller makes carry the
                # stack's tags too (team, cost center, owner).
                "defaultTags": tags,
                # Otherwise the chart makes a new webhook certificate at every render, and
                # every preview shows the release as changed.
                "keepTLSSecret": True,
                # The platform's edge rules, on the IngressClass every app's Ingress names: the
                # controller ignores an Ingress's own annotations for what is set here (but for a
                # web ACL name, below), and the members of a shared ALB's IngressGroup cannot
                # contradict each other on them. What a tenant's Ingress may still say is the
                # API server's to check (components/ingress_guardrails.py).
                "ingressClassParams": {"spec": ingress_class_params(args.access_logs_bucket, args.web_acl_arn)},
                # An Ingress that names its class by the kubernetes.io/ingress.class annotation gets
                # none of those parameters; the controller's webhook refuses any new use of it.
                "disableIngressClassAnnotation": True,
            },
            timeout=HELM_TIMEOUT_SECONDS,
            cleanup_on_fail=True,
            # The pods need their permissions at start, a Fargate profile to run on and DNS. And a
            # way out to the ELB, EC2 and STS APIs for as long as they run: on destroy the controller
            # deletes the ALBs of the Ingresses removed before it, which it cannot do once the NAT
            # gateway or the private routes are gone (an orphaned ALB, and the VPC then fails to delete).
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=cluster.provider,
                depends_on=cluster.pods_after(attachment, *args.runs_after, *cluster.network.egress),
            ),
        )
        self.role_arn = role.arn
        self.register_outputs({"roleArn": self.role_arn, "releaseStatus": self.release.status})


def ingress_class_params(access_logs_bucket: pulumi.Input[str] | None, web_acl_arn: str) -> dict[str, Any]:
    """The IngressClassParams spec (controller docs, guide/ingress/ingress_class.md)."""
    spec: dict[str, Any] = {"sslPolicy": TLS_POLICY}
    # Said either way: the controller only writes the attributes it is given, so logs turned off
    # again would otherwise stay on, writing to a bucket that is gone.
    spec["loadBalancerAttributes"] = [{"key": "access_logs.s3.enabled", "value": str(access_logs_bucket is not None).lower()}]
    if access_logs_bucket is not None:
        spec["loadBalancerAttributes"] += [
            {"key": "access_logs.s3.bucket", "value": access_logs_bucket},
            {"key": "access_logs.s3.prefix", "value": LOG_PREFIX},
        ]
    # Unset: the ALBs' web ACL is left as it is (a firewall manager may attach one); "none" detaches it.
    # By ARN, not by name (wafv2AclName): the controller finds a name with wafv2:ListWebACLs, which its
    # published IAM policy does not grant. Any member's wafv2-acl-name still comes before this ARN: the
    # API server refuses that annotation on tenants' Ingresses (components/ingress_guardrails.py).
    if web_acl_arn:
        spec["wafv2AclArn"] = web_acl_arn
    return spec


def service_account_trust(oidc_provider_arn: str, oidc_issuer: str, namespace: str, service_account: str) -> dict[str, Any]:
    """Trust policy letting exactly one Kubernetes service account assume a role through IRSA."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": oidc_provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{oidc_issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                        f"{oidc_issuer}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ],
    }
