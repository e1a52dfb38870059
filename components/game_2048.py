"""The platform's app behind an internet-facing ALB: the walkthrough's 2048 game, or any workload spec.

The app is a `WorkloadSpec` (eksfargate/workload.py) rendered hardened by components/workload.py;
the walkthrough's game is one instance (eksfargate.workload.nginx_preset), whose nginx
configuration is mounted from a ConfigMap. Objects keep the walkthrough's names (`deployment-2048`,
`service-2048`, `ingress-2048`) whatever the image: renaming them would replace them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components import ingress as ingresses
from components import workload
from components.ingress import READINESS_GATE_LABEL
from components.rollout import pod_annotations
from eksfargate.contract import INGRESS_CLASS
from eksfargate.workload import WorkloadSpec

APP_LABELS = {"app.kubernetes.io/name": "app-2048"}


@dataclass
class Game2048Args:
    """Inputs of `Game2048`.

    namespace: namespace made for the app; a Fargate profile must cover it.
    workload: what runs (image, port, probe, size, replicas or an autoscaler range; an HPA
        owns the replica count when it has one, which needs metrics-server).
    provider: the Kubernetes provider of the cluster.
    kubernetes_version: the cluster's Kubernetes version; a new one rolls the game's pods.
    pod_logging: what the pods' log router starts with (FargateLogging.pod_logging, or
        rollout.POD_LOGGING_OFF); a new value rolls the game's pods.
    ingress_controller: the load balancer controller's release; the Deployment, Service and
        Ingress are created or updated after it and deleted before it.
    runs_after: what must exist before pods can be scheduled (the namespace's Fargate profile).
    public_subnet_ids: when set, the ALB goes in these subnets instead of the ones the
        controller discovers by tag (existing VPCs whose subnets carry no tags).
    host: the host the app answers on; empty: any (the ALB's own DNS name).
    certificate_arn: an ACM certificate for `host`: HTTPS, with HTTP redirected to it.
    """

    namespace: str
    workload: WorkloadSpec
    provider: k8s.Provider
    kubernetes_version: str
    pod_logging: str
    ingress_controller: pulumi.Resource
    runs_after: Sequence[pulumi.Resource]
    public_subnet_ids: Sequence[pulumi.Input[str]] | None = None
    host: str = ""
    certificate_arn: pulumi.Input[str] | None = None


class Game2048(pulumi.ComponentResource):
    """Namespace, configuration, Deployment, autoscaler, disruption budget, Service and Ingress of the platform's app."""

    url: pulumi.Output[str]
    load_balancer_hostname: pulumi.Output[str]

    def __init__(self, name: str, args: Game2048Args, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:app:Game2048", name, None, opts)
        on_cluster = pulumi.ResourceOptions(parent=self, provider=args.provider)

        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace", metadata={"name": args.namespace, "labels": READINESS_GATE_LABEL}, opts=on_cluster
        )
        meta = {"namespace": namespace.metadata.name, "labels": APP_LABELS}

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

        ingress = k8s.networking.v1.Ingress(
            f"{name}-ingress",
            metadata={
                **meta,
                "name": "ingress-2048",
                "annotations": ingresses.alb_annotations(args.certificate_arn, public_subnet_ids=args.public_subnet_ids),
            },
            spec=ingresses.spec(INGRESS_CLASS, service.metadata.name, args.host),
            opts=after_controller,
        )

        spec = args.workload
        config_map = None
        if spec.config_files:
            # Named after its content: a new configuration is a new ConfigMap, created before the
            # pods roll onto it and deleted after (a fixed name would be deleted first).
            config_map = k8s.core.v1.ConfigMap(
                f"{name}-nginx-conf",
                metadata={**meta, "name": workload.config_map_name("nginx-2048", spec)},
                data=workload.config_data(spec),
                opts=on_cluster,
            ).metadata.name
        deployment_spec = workload.deployment_spec(
            spec, APP_LABELS, APP_LABELS, pod_annotations(args.kubernetes_version, args.pod_logging), config_map
        )
        deployment = k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata={**meta, "name": "deployment-2048"},
            spec=deployment_spec,
            # Without the namespace's Fargate profile the pods would stay Pending, and on
            # destroy the pods must go before the profile they run on. After the controller:
            # on an upgrade the game's pods roll last (control plane, CoreDNS, controller, app).
            # After the Service and Ingress: the controller injects readiness gates only into
            # pods created once those exist.
            opts=pulumi.ResourceOptions.merge(
                on_cluster, pulumi.ResourceOptions(depends_on=[*args.runs_after, args.ingress_controller, service, ingress])
            ),
        )

        k8s.policy.v1.PodDisruptionBudget(
            f"{name}-disruption-budget",
            metadata={**meta, "name": "deployment-2048"},
            spec=workload.budget_spec(APP_LABELS),
            opts=on_cluster,
        )

        if spec.autoscaling is not None:
            k8s.autoscaling.v2.HorizontalPodAutoscaler(
                f"{name}-autoscaler",
                metadata={**meta, "name": "deployment-2048"},
                spec=workload.autoscaler_spec(spec, deployment.metadata.name),
                opts=on_cluster,
            )

        self.load_balancer_hostname = ingresses.load_balancer_hostname(ingress)
        self.url = ingresses.url(args.host, args.certificate_arn is not None, self.load_balancer_hostname)
        self.register_outputs({"url": self.url})
