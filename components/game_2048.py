"""The 2048 game behind an internet-facing ALB: the stack's reference workload."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.rollout import pod_annotations

APP_LABELS = {"app.kubernetes.io/name": "app-2048"}
CONTAINER_PORT = 80

# Requests equal limits (Fargate runs pods with guaranteed QoS and sizes them from the
# requests). 0.25 vCPU and 256 MiB, plus the 256 MiB Fargate reserves for its own
# components, is the smallest Fargate size: 0.25 vCPU / 0.5 GB.
CONTAINER_RESOURCES = {"cpu": "250m", "memory": "256Mi"}

INGRESS_ANNOTATIONS = {
    # The controller's default scheme is internal; the game is for the internet.
    "alb.ingress.kubernetes.io/scheme": "internet-facing",
    # Fargate has no nodes to send NodePort traffic to: the ALB must target pod IPs.
    "alb.ingress.kubernetes.io/target-type": "ip",
}


@dataclass
class Game2048Args:
    """Inputs of `Game2048`.

    namespace: namespace made for the game; a Fargate profile must cover it.
    replicas: Deployment replicas, each one Fargate pod.
    image: the game's container image.
    provider: the Kubernetes provider of the cluster.
    kubernetes_version: the cluster's Kubernetes version; a new one rolls the game's pods.
    ingress_controller: the load balancer controller's release; the Deployment, Service and
        Ingress are created or updated after it and deleted before it.
    runs_after: what must exist before pods can be scheduled (the namespace's Fargate profile).
    public_subnet_ids: when set, the ALB goes in these subnets instead of the ones the
        controller discovers by tag (existing VPCs whose subnets carry no tags).
    """

    namespace: str
    replicas: int
    image: str
    provider: k8s.Provider
    kubernetes_version: str
    ingress_controller: pulumi.Resource
    runs_after: Sequence[pulumi.Resource]
    public_subnet_ids: Sequence[pulumi.Input[str]] | None = None


class Game2048(pulumi.ComponentResource):
    """Namespace, Deployment, Service and Ingress of the 2048 game."""

    url: pulumi.Output[str]

    def __init__(self, name: str, args: Game2048Args, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:app:Game2048", name, None, opts)
        on_cluster = pulumi.ResourceOptions(parent=self, provider=args.provider)

        namespace = k8s.core.v1.Namespace(f"{name}-namespace", metadata={"name": args.namespace}, opts=on_cluster)
        meta = {"namespace": namespace.metadata.name, "labels": APP_LABELS}

        k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata={**meta, "name": "deployment-2048"},
            spec={
                "replicas": args.replicas,
                "selector": {"matchLabels": APP_LABELS},
                "template": {
                    "metadata": {"labels": APP_LABELS, "annotations": pod_annotations(args.kubernetes_version)},
                    "spec": {
                        "containers": [
                            {
                                "name": "app-2048",
                                "image": args.image,
                                "ports": [{"name": "http", "containerPort": CONTAINER_PORT}],
                                "resources": {"requests": CONTAINER_RESOURCES, "limits": CONTAINER_RESOURCES},
                                "readinessProbe": {
                                    "httpGet": {"path": "/", "port": "http"},
                                    "periodSeconds": 10,
                                },
                            }
                        ]
                    },
                },
            },
            # Without the namespace's Fargate profile the pods would stay Pending, and on
            # destroy the pods must go before the profile they run on. After the controller:
            # on an upgrade the game's pods roll last (control plane, CoreDNS, controller, app).
            opts=pulumi.ResourceOptions.merge(
                on_cluster, pulumi.ResourceOptions(depends_on=[*args.runs_after, args.ingress_controller])
            ),
        )

        # The controller's webhooks reject Services and Ingresses until its pods are ready,
        # and the Ingress must be deleted while the controller still runs to remove the ALB.
        after_controller = pulumi.ResourceOptions.merge(on_cluster, pulumi.ResourceOptions(depends_on=[args.ingress_controller]))
        service = k8s.core.v1.Service(
            f"{name}-service",
            metadata={**meta, "name": "service-2048"},
            spec={
                # With IP targets the ALB reaches pods directly; no NodePort is needed.
                "type": "ClusterIP",
                "selector": APP_LABELS,
                "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
            },
            opts=after_controller,
        )

        annotations: dict[str, pulumi.Input[str]] = dict(INGRESS_ANNOTATIONS)
        if args.public_subnet_ids:
            annotations["alb.ingress.kubernetes.io/subnets"] = pulumi.Output.all(*args.public_subnet_ids).apply(",".join)
        ingress = k8s.networking.v1.Ingress(
            f"{name}-ingress",
            metadata={**meta, "name": "ingress-2048", "annotations": annotations},
            spec={
                "ingressClassName": "alb",
                "rules": [
                    {
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": service.metadata.name, "port": {"name": "http"}}},
                                }
                            ]
                        }
                    }
                ],
            },
            opts=after_controller,
        )

        self.url = ingress.status.apply(lambda status: f"http://{status.load_balancer.ingress[0].hostname}")
        self.register_outputs({"url": self.url})
