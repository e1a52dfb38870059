"""Fargate profiles, their pod execution role, and CoreDNS running on Fargate."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.addon_versions import (
    RESOLVE_CONFLICTS_ON_CREATE,
    RESOLVE_CONFLICTS_ON_UPDATE,
    accepts_pod_annotations,
    addon_version,
)
from components.cluster_context import ClusterContext, PodContext
from components.fargate_logging import FargateLogging
from components.rollout import POD_LOGGING_OFF, PodRollout
from eksfargate.contract import TENANT_PROFILE

KUBE_SYSTEM = "kube-system"
KUBE_SYSTEM_PROFILE = "kube-system"
MAX_SELECTORS_PER_PROFILE = 5

POD_EXECUTION_POLICY = "AmazonEKSFargatePodExecutionRolePolicy"

# CoreDNS sized so that, with the 256 MiB Fargate adds for its own components, each pod
# fits the smallest Fargate size (0.25 vCPU / 0.5 GB). Requests equal limits, as Fargate
# bills and schedules on requests.
COREDNS_CONFIGURATION = {
    "computeType": "Fargate",
    "resources": {
        "requests": {"cpu": "0.25", "memory": "256Mi"},
        "limits": {"cpu": "0.25", "memory": "256Mi"},
    },
    # Fargate's patch evictions take one CoreDNS pod at a time (the add-on's default budget,
    # made explicit so that it is reviewed here).
    "podDisruptionBudget": {"enabled": True, "maxUnavailable": 1},
}


def coredns_configuration(rollout: PodRollout) -> dict[str, Any]:
    """CoreDNS's configurationValues: COREDNS_CONFIGURATION, and the pod-template annotations that
    roll its pods on a Kubernetes upgrade (also when the add-on's pinned version stays the same) or a
    pod logging change, where the schema takes them (components/addon_versions.py POD_ANNOTATIONS_IN_SCHEMA)."""
    if not accepts_pod_annotations("coredns"):
        return dict(COREDNS_CONFIGURATION)
    return {**COREDNS_CONFIGURATION, "podAnnotations": rollout.annotations()}


@dataclass
class FargateArgs:
    """Inputs of `Fargate`.

    cluster: the cluster; its Kubernetes version picks the CoreDNS add-on version, its region
        goes in the pod execution role's source-ARN condition, and Fargate pods run in its
        private subnets (Fargate accepts private subnets only).
    logging: the pods' log router setup (components/fargate_logging.py), None when logging is off:
        the pod execution role gets its log permissions, and every pod starts after both.
    workload_namespaces: namespaces, besides kube-system, whose pods run on Fargate (at most 5;
        none: no workloads profile).
    workload_profile_name: name of the Fargate profile for them (a new name replaces the profile).
    tenant_namespace_selector: when set, a `tenants` profile selecting namespaces by this
        wildcard pattern (a platform stack's tenants; see eksfargate/contract.py).
    operator_namespace: when set, a profile of that name for that namespace (External Secrets
        Operator's, components/external_secrets.py).
    metrics_namespace: when set, a profile of its own, named after it, for the metrics collector's
        namespace (components/container_insights.py).
    """

    cluster: ClusterContext
    logging: FargateLogging | None
    workload_namespaces: Sequence[str]
    workload_profile_name: str
    tenant_namespace_selector: str | None = None
    operator_namespace: str | None = None
    metrics_namespace: str | None = None


class Fargate(pulumi.ComponentResource):
    """Makes every pod of kube-system and of the workload namespaces run on Fargate."""

    pod_execution_role_arn: pulumi.Output[str]
    kube_system_profile: aws.eks.FargateProfile
    workload_profile: aws.eks.FargateProfile | None
    tenant_profile: aws.eks.FargateProfile | None
    operator_profile: aws.eks.FargateProfile | None
    metrics_profile: aws.eks.FargateProfile | None
    coredns: aws.eks.Addon
    pods: PodContext
    profile_names: list[pulumi.Output[str]]

    def __init__(self, name: str, args: FargateArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:fargate:Fargate", name, None, opts)
        if len(args.workload_namespaces) > MAX_SELECTORS_PER_PROFILE:
            raise ValueError(
                f"a Fargate profile takes at most {MAX_SELECTORS_PER_PROFILE} selectors, got {list(args.workload_namespaces)}"
            )
        child = pulumi.ResourceOptions(parent=self)
        cluster = args.cluster
        tags = dict(cluster.tags)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self))

        # Only the Fargate agent of this cluster's profiles may assume the role (confused-deputy guard).
        trust_policy = pulumi.Output.all(partition.partition, identity.account_id, cluster.name).apply(
            lambda values: json.dumps(_pod_execution_trust(cluster.region, *values))
        )
        role = aws.iam.Role(
            f"{name}-pod-execution",
            description="Fargate pod execution role: pulls images and ships logs for the cluster's pods",
            assume_role_policy=trust_policy,
            tags=tags,
            opts=child,
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-pod-execution",
            role=role.name,
            policy_arn=partition.partition.apply(lambda p: f"arn:{p}:iam::aws:policy/{POD_EXECUTION_POLICY}"),
            opts=child,
        )

        # What a pod's log router needs before the pod starts: its ConfigMap and its permissions.
        router_ready: list[pulumi.Resource] = []
        if args.logging is not None:
            router_ready = [
                args.logging.config_map,
                aws.iam.RolePolicy(f"{name}-pod-logging", role=role.id, policy=args.logging.log_permissions_policy, opts=child),
            ]
        self.pods = cluster.for_pods(args.logging.pod_logging if args.logging else POD_LOGGING_OFF, router_ready)

        def profile(
            key: str, profile_name: str, namespaces: Sequence[str], after: list[pulumi.Resource]
        ) -> aws.eks.FargateProfile:
            return aws.eks.FargateProfile(
                f"{name}-{key}",
                cluster_name=cluster.name,
                fargate_profile_name=profile_name,
                pod_execution_role_arn=role.arn,
                subnet_ids=list(cluster.network.private_subnet_ids),
                selectors=[aws.eks.FargateProfileSelectorArgs(namespace=ns) for ns in namespaces],
                tags=tags,
                # Every field of a profile is immutable, and its name is given (not generated),
                # so a change must delete the old profile before creating the new one.
                opts=pulumi.ResourceOptions(parent=self, depends_on=after, delete_before_replace=True),
            )

        # Pods scheduled through a profile pull their images with the role's policy.
        self.kube_system_profile = profile(KUBE_SYSTEM_PROFILE, KUBE_SYSTEM_PROFILE, [KUBE_SYSTEM], [attachment])
        # EKS creates or deletes one profile of a cluster at a time: chaining them keeps
        # creates in this order and deletes in the reverse one.
        chain = [self.kube_system_profile]
        self.workload_profile = None
        if args.workload_namespaces:
            self.workload_profile = profile(
                "workloads", args.workload_profile_name, list(args.workload_namespaces), [attachment, *chain]
            )
            chain.append(self.workload_profile)
        # One profile for every tenant, by a namespace wildcard: tenants never create or delete
        # profiles themselves, so they neither collide nor use up the cluster's 10.
        self.tenant_profile = None
        if args.tenant_namespace_selector:
            self.tenant_profile = profile(
                TENANT_PROFILE, TENANT_PROFILE, [args.tenant_namespace_selector], [attachment, chain[-1]]
            )
            chain.append(self.tenant_profile)
        # Appended to the chain, so adding it changes no other profile; before the collector's, in a
        # fixed order.
        self.operator_profile = None
        if args.operator_namespace:
            self.operator_profile = profile(
                args.operator_namespace, args.operator_namespace, [args.operator_namespace], [attachment, chain[-1]]
            )
            chain.append(self.operator_profile)
        # Its own profile, as AWS's Container Insights guide for Fargate makes, appended last to the chain:
        # adding the namespace to the workloads profile would replace that profile, and deleting a
        # profile deletes the pods it scheduled.
        self.metrics_profile = None
        if args.metrics_namespace:
            self.metrics_profile = profile(
                args.metrics_namespace, args.metrics_namespace, [args.metrics_namespace], [attachment, chain[-1]]
            )
            chain.append(self.metrics_profile)

        self.coredns = aws.eks.Addon(
            f"{name}-coredns",
            cluster_name=cluster.name,
            addon_name="coredns",
            addon_version=addon_version("coredns", cluster.kubernetes_version),
            resolve_conflicts_on_create=RESOLVE_CONFLICTS_ON_CREATE,
            resolve_conflicts_on_update=RESOLVE_CONFLICTS_ON_UPDATE,
            configuration_values=json.dumps(coredns_configuration(self.pods.rollout)),
            tags=tags,
            # CoreDNS pods stay Pending (and the add-on degraded) until a profile covers kube-system.
            # Its cluster_name comes from the cluster, so on an upgrade the add-on's new version
            # is applied after the control plane's.
            # Fargate's log router reads its ConfigMap and gets its permissions when a pod starts.
            opts=pulumi.ResourceOptions(parent=self, depends_on=self.pods.pods_after(self.kube_system_profile)),
        )

        self.pod_execution_role_arn = role.arn
        self.profile_names = [created.fargate_profile_name for created in chain]
        self.register_outputs({"podExecutionRoleArn": self.pod_execution_role_arn, "profileNames": self.profile_names})


def _pod_execution_trust(region: str, partition: str, account_id: str, cluster_name: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "eks-fargate-pods.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "ArnLike": {"aws:SourceArn": f"arn:{partition}:eks:{region}:{account_id}:fargateprofile/{cluster_name}/*"}
                },
            }
        ],
    }
