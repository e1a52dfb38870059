"""A tenant's web workload behind the platform's load balancer controller.

`hello` is the reference walkthrough's simple API server (nginx answering on port 80), `game`
the 2048 game; both are one Deployment, a Service and an Ingress in the tenant's namespace.
With `group` set the Ingress joins that IngressGroup of the controller: one ALB for every
tenant in it, the tenant's rules matching its own host only; otherwise the tenant gets an ALB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.game_2048 import CONTAINER_RESOURCES, INGRESS_ANNOTATIONS

# Images: nginx from the ECR Public gallery (pinned minor, Alpine), and the one 2048 image.
IMAGES = {
    "hello": "public.ecr.aws/nginx/nginx:1.27-alpine",
    "game": "public.ecr.aws/l6m2t8p7/docker-2048:latest",
}
# Both images' nginx listens on port 80, as they are published (the dedicated stack's game runs a
# hardened nginx configuration of its own on another port).
CONTAINER_PORT = 80
GROUP_NAME_ANNOTATION = "alb.ingress.kubernetes.io/group.name"
GROUP_ORDER_ANNOTATION = "alb.ingress.kubernetes.io/group.order"
# Pods carry the Fargate profile that must run them: EKS schedules a pod with this label on
# that profile only (and the policy pack checks the profile covers it).
FARGATE_PROFILE_LABEL = "eks.amazonaws.com/fargate-profile"


@dataclass
class TenantAppArgs:
    """Inputs of `TenantApp`.

    app: `hello` or `game`.
    namespace: the tenant's namespace (an output: everything waits for it).
    replicas: Deployment replicas, each one Fargate pod.
    fargate_profile: the platform profile whose selector covers the namespace, as an output
        that resolves only once the platform's selector is known to cover it.
    ingress_class: the platform controller's IngressClass.
    group, group_order, host: the shared ALB's IngressGroup, this tenant's order in it and
        the host its rules match; group None: an ALB of the tenant's own (host optional).
    provider: the Kubernetes provider of the platform's cluster.
    runs_after: what pods need first: the namespace's quota and LimitRange.
    """

    app: str
    namespace: pulumi.Input[str]
    replicas: int
    fargate_profile: pulumi.Input[str]
    ingress_class: pulumi.Input[str]
    group: pulumi.Input[str] | None
    group_order: int
    host: str
    provider: k8s.Provider
    runs_after: Sequence[pulumi.Resource]


class TenantApp(pulumi.ComponentResource):
    """Deployment, Service and Ingress of a tenant's web workload."""

    url: pulumi.Output[str]

    def __init__(self, name: str, args: TenantAppArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:tenant:TenantApp", name, None, opts)
        on_cluster = pulumi.ResourceOptions(parent=self, provider=args.provider)
        labels = {"app.kubernetes.io/name": args.app}
        meta = {"namespace": args.namespace, "labels": labels}

        k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata={**meta, "name": args.app},
            spec={
                "replicas": args.replicas,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": {**labels, FARGATE_PROFILE_LABEL: args.fargate_profile}},
                    "spec": {
                        "containers": [
                            {
                                "name": args.app,
                                "image": IMAGES[args.app],
                                "ports": [{"name": "http", "containerPort": CONTAINER_PORT}],
                                "resources": {"requests": CONTAINER_RESOURCES, "limits": CONTAINER_RESOURCES},
                                "readinessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 10},
                            }
                        ]
                    },
                },
            },
            # Pods wait for the quota and LimitRange that admit them; the profile label above
            # makes them wait for the platform's selector too.
            opts=pulumi.ResourceOptions.merge(on_cluster, pulumi.ResourceOptions(depends_on=list(args.runs_after))),
        )
        service = k8s.core.v1.Service(
            f"{name}-service",
            metadata={**meta, "name": args.app},
            spec={
                "type": "ClusterIP",
                "selector": labels,
                "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
            },
            opts=on_cluster,
        )

        annotations: dict[str, pulumi.Input[str]] = dict(INGRESS_ANNOTATIONS)
        if args.group:
            annotations[GROUP_NAME_ANNOTATION] = args.group
            annotations[GROUP_ORDER_ANNOTATION] = str(args.group_order)
        rule: dict[str, Any] = {
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
        if args.host:
            rule["host"] = args.host
        ingress = k8s.networking.v1.Ingress(
            f"{name}-ingress",
            metadata={**meta, "name": args.app, "annotations": annotations},
            spec={"ingressClassName": args.ingress_class, "rules": [rule]},
            opts=on_cluster,
        )
        hostname = ingress.status.apply(lambda status: status.load_balancer.ingress[0].hostname)
        self.url = hostname.apply(lambda alb: f"http://{args.host}" if args.host else f"http://{alb}")
        self.register_outputs({"url": self.url})
