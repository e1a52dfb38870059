"""metrics-server, as an EKS add-on on Fargate: the resource metrics a HorizontalPodAutoscaler reads."""

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
from components.cluster_context import PodContext
from components.rollout import PodRollout

ADDON_NAME = "metrics-server"

# The EKS add-on (a community add-on), not the upstream manifest: on Fargate port 10250 is
# reserved for the Fargate agent, and the add-on comes set to listen on 10251 instead (EKS
# user guide, metrics-server.html). Its versions are pinned in components/addon_versions.py.

# One replica (the chart's default): the HPA only pauses while it restarts. Requests equal
# limits; with the 256 MiB Fargate adds this is the smallest size, 0.25 vCPU / 0.5 GB.
# `replicas` and `resources` are the upstream chart's value names, which the add-on's
# configuration schema takes over.
REPLICAS = 1
RESOURCES = {"cpu": "250m", "memory": "256Mi"}
CONFIGURATION = {"replicas": REPLICAS, "resources": {"requests": RESOURCES, "limits": RESOURCES}}


def configuration(rollout: PodRollout) -> dict[str, Any]:
    """The add-on's configurationValues: CONFIGURATION, and the pod-template annotations that roll
    its pods on a Kubernetes upgrade or a pod logging change (where the schema takes them,
    components/addon_versions.py POD_ANNOTATIONS_IN_SCHEMA)."""
    if not accepts_pod_annotations(ADDON_NAME):
        return dict(CONFIGURATION)
    return {**CONFIGURATION, "podAnnotations": rollout.annotations()}


@dataclass
class MetricsServerArgs:
    """Inputs of `MetricsServer`.

    cluster: the cluster and what its pods start after; its Kubernetes version picks the add-on
        version, and a new version or log router setup rolls the add-on's pods.
    runs_after: what must exist before its pods can start (the kube-system Fargate profile).
    """

    cluster: PodContext
    runs_after: Sequence[pulumi.Resource]


class MetricsServer(pulumi.ComponentResource):
    """The metrics-server EKS add-on, pinned per Kubernetes version and sized for Fargate."""

    addon: aws.eks.Addon

    def __init__(self, name: str, args: MetricsServerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:addons:MetricsServer", name, None, opts)
        self.addon = aws.eks.Addon(
            f"{name}-addon",
            cluster_name=args.cluster.name,
            addon_name=ADDON_NAME,
            addon_version=addon_version(ADDON_NAME, args.cluster.kubernetes_version),
            configuration_values=json.dumps(configuration(args.cluster.rollout)),
            resolve_conflicts_on_create=RESOLVE_CONFLICTS_ON_CREATE,
            resolve_conflicts_on_update=RESOLVE_CONFLICTS_ON_UPDATE,
            tags=dict(args.cluster.tags),
            # Its pods stay Pending (and the add-on degraded) until a profile covers kube-system,
            # and log from their first line only once the router's setup exists.
            opts=pulumi.ResourceOptions(parent=self, depends_on=args.cluster.pods_after(*args.runs_after)),
        )
        self.register_outputs({"addonVersion": self.addon.addon_version})
