"""Pods that roll when what they started with changes: the Kubernetes version and the pod logging setup.

Two things a Fargate pod takes once, when it starts, and keeps until it is replaced:

- its kubelet: only new pods get the cluster's new Kubernetes version (EKS user guide, "Update
  existing cluster to new Kubernetes version": "Any new Pods that are launched on Fargate have a
  kubelet version that matches your cluster version. Existing Fargate Pods aren't changed.");
- its log router's configuration, read from the aws-logging ConfigMap (EKS user guide, "Fargate
  logging": "Any changes to a ConfigMap are applied to new Pods only. Changes aren't applied to
  existing Pods."). Turning logging on or off is such a change too.

Every pod template the stack controls carries both as annotations (the game's Deployment, the load
balancer controller's Helm values, the CoreDNS and metrics-server add-ons' configuration): when either
moves, the template changes, so the same `pulumi up` rolls those pods, in the order the resources'
dependencies give (after the control plane, after the ConfigMap and the router's permissions), and
the plan diff shows it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

KUBERNETES_VERSION_ANNOTATION = "eks-fargate/kubernetes-version"
POD_LOGGING_ANNOTATION = "eks-fargate/pod-logging"
# The value with logging off: no aws-logging ConfigMap, so new pods start without a router.
POD_LOGGING_OFF = "off"


def pod_logging(router_configuration: Mapping[str, str] | None) -> str:
    """What a pod's log router starts with: a digest of the aws-logging ConfigMap's data, or "off".

    The digest covers exactly what Fargate reads (the ConfigMap's data, key order aside), so a
    change that the router would not see (the log group's retention, say) rolls no pod.
    """
    if router_configuration is None:
        return POD_LOGGING_OFF
    text = json.dumps(dict(router_configuration), sort_keys=True, separators=(",", ":"))
    return "sha256-" + hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class PodRollout:
    """What a Fargate pod starts with and keeps: the cluster's Kubernetes version and its log router's setup.

    pod_logging: `pod_logging(...)` of the stack's router configuration (FargateLogging.pod_logging),
        or POD_LOGGING_OFF.
    """

    kubernetes_version: str
    pod_logging: str = POD_LOGGING_OFF

    def annotations(self) -> dict[str, str]:
        """Pod-template annotations: when either value moves, the template changes and the pods roll."""
        return {KUBERNETES_VERSION_ANNOTATION: self.kubernetes_version, POD_LOGGING_ANNOTATION: self.pod_logging}
