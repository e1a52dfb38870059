"""External Secrets Operator: copies each app's secrets from AWS into a Kubernetes Secret of its namespace.

Why this and not another way (docs/secrets.md): the Secrets Store CSI driver and its AWS provider run
as a DaemonSet, which Fargate does not run; EKS Pod Identity does not work on Fargate; an app that
reads its secrets itself at start needs code of its own. ESO's three Deployments (controller, webhook,
certificate controller) run on Fargate unprivileged, in a namespace of their own.

The controller has no AWS rights at all: its service account gets no IAM role, and on Fargate there
is no instance metadata to fall back to. Every SecretStore authenticates as the app's own IRSA
service account (`auth.jwt.serviceAccountRef`, components/workload_secrets.py), so what a store can
read is what that app's role may; a store without auth reads nothing. Cluster-wide stores and
ExternalSecrets are neither installed nor processed: ESO cannot hold a cluster store to one namespace's
secrets (its multi-tenancy guide).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.cluster_context import PodContext
from eksfargate.facts.external_secrets import API_VERSION, CHART_NAME, OPERATOR_NAMESPACE
from eksfargate.facts.pod_security import RESTRICTED_NAMESPACE_LABELS

# Pinned: chart and operator share a version (the chart's appVersion). External Secrets' own chart
# repository (docs/introduction/getting-started.md); release commit cc5bfbc22 of external-secrets/external-secrets.
CHART_REPOSITORY = "https://charts.external-secrets.io"
CHART_VERSION = "2.9.0"
OPERATOR_VERSION = "v2.9.0"

# The chart's webhook listens on 10250 by default (values.yaml `webhook.port`), which Fargate keeps for
# its kubelet (EKS user guide, metrics-server: "Fargate ... port 10250 is reserved"); 9443 is free.
WEBHOOK_PORT = 9443

# Requests equal limits, each pod the smallest Fargate size (0.25 vCPU / 0.5 GB) once Fargate adds its
# 256 MiB; one replica each, the chart's default (the webhook only validates ESO's own kinds).
RESOURCES = {"cpu": "250m", "memory": "256Mi"}

# Fargate starts each pod in a fresh micro-VM; three pods and the CRDs take longer than Helm's 300 s.
HELM_TIMEOUT_SECONDS = 900

# The kinds that would reach across namespaces: not installed, not processed (values.yaml `crds.*`,
# `process*`: "If set to false you must also set process...: false").
CLUSTER_KINDS = ("ClusterExternalSecret", "ClusterSecretStore", "ClusterGenerator", "ClusterPushSecret")


@dataclass
class ExternalSecretsArgs:
    """Inputs of `ExternalSecrets`.

    cluster: the cluster and what its pods start after; a new Kubernetes version or log router setup
        rolls the operator's pods.
    runs_after: what its pods need first (its namespace's Fargate profile, CoreDNS).
    """

    cluster: PodContext
    runs_after: Sequence[pulumi.Resource]


def chart_values(pod_annotations: dict[str, str]) -> dict[str, Any]:
    """The chart's values: hardened, sized for Fargate, webhook off 10250, nothing cluster-wide, no AWS identity."""
    pod: dict[str, Any] = {
        "resources": {"requests": RESOURCES, "limits": RESOURCES},
        "podAnnotations": pod_annotations,
    }
    values: dict[str, Any] = {
        "installCRDs": True,
        "crds": {f"create{kind}": False for kind in CLUSTER_KINDS},
        **{f"process{kind.replace('SecretStore', 'Store')}": False for kind in CLUSTER_KINDS},
        "image": {"tag": OPERATOR_VERSION},
        # No eks.amazonaws.com/role-arn: the controller itself may read nothing in AWS.
        "serviceAccount": {"create": True, "annotations": {}},
        **pod,
        "webhook": {"port": WEBHOOK_PORT, "image": {"tag": OPERATOR_VERSION}, **pod},
        "certController": {"image": {"tag": OPERATOR_VERSION}, **pod},
    }
    return values


class ExternalSecrets(pulumi.ComponentResource):
    """The operator's Helm release, CRDs included, in its own namespace.

    The namespace enforces the "restricted" Pod Security Standard, which the chart's three pods meet by
    its defaults (values.yaml at 2.9.0: non-root, no privilege escalation, every capability dropped,
    RuntimeDefault seccomp, read-only root); the values leave those settings alone.
    """

    release: k8s.helm.v3.Release
    # The API its stores and ExternalSecrets use, once the release (its CRDs) is deployed: what tenants wait for.
    api_version: pulumi.Output[str]

    def __init__(self, name: str, args: ExternalSecretsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:externalSecrets:ExternalSecrets", name, None, opts)
        cluster = args.cluster
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata={"name": OPERATOR_NAMESPACE, "labels": {**RESTRICTED_NAMESPACE_LABELS}},
            opts=pulumi.ResourceOptions(parent=self, provider=cluster.provider),
        )
        self.release = k8s.helm.v3.Release(
            f"{name}-release",
            name=CHART_NAME,
            chart=CHART_NAME,
            version=CHART_VERSION,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=CHART_REPOSITORY),
            namespace=namespace.metadata.name,
            values=chart_values(cluster.rollout.annotations()),
            timeout=HELM_TIMEOUT_SECONDS,
            cleanup_on_fail=True,
            # Its pods stay Pending without their profile, and log only if the router is set up first.
            opts=pulumi.ResourceOptions(parent=self, provider=cluster.provider, depends_on=cluster.pods_after(*args.runs_after)),
        )
        self.api_version = self.release.status.apply(lambda _: API_VERSION)
        self.register_outputs({"releaseStatus": self.release.status, "apiVersion": self.api_version})
