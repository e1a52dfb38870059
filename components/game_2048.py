"""The 2048 game behind an internet-facing ALB: the stack's reference workload."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.rollout import pod_annotations
from eksfargate.contract import INGRESS_CLASS
from eksfargate.settings import AutoscalingSettings

APP_LABELS = {"app.kubernetes.io/name": "app-2048"}
# Unprivileged: nginx runs as a non-root user (below) and cannot bind ports under 1024.
CONTAINER_PORT = 8080

# Requests equal limits (Fargate runs pods with guaranteed QoS and sizes them from the
# requests). 0.25 vCPU and 256 MiB, plus the 256 MiB Fargate reserves for its own
# components, is the smallest Fargate size: 0.25 vCPU / 0.5 GB.
CONTAINER_RESOURCES = {"cpu": "250m", "memory": "256Mi"}

# Draining, so that a rolling update or a Fargate patch eviction drops no request. A
# terminating pod leaves the target group (deregistration starts) while preStop keeps nginx
# serving; the ALB stops routing new requests to it and lets those in flight finish within
# the deregistration delay (ALB default 300 s, far longer than a static page needs). preStop
# lasts at least that long, so nginx only stops once the ALB has let go of it, and the grace
# period covers preStop plus nginx's own shutdown.
DEREGISTRATION_DELAY_SECONDS = 30
PRE_STOP_SLEEP_SECONDS = 30
TERMINATION_GRACE_PERIOD_SECONDS = 45

INGRESS_ANNOTATIONS = {
    # The controller's default scheme is internal; the game is for the internet.
    "alb.ingress.kubernetes.io/scheme": "internet-facing",
    # Fargate has no nodes to send NodePort traffic to: the ALB must target pod IPs.
    "alb.ingress.kubernetes.io/target-type": "ip",
    "alb.ingress.kubernetes.io/target-group-attributes": f"deregistration_delay.timeout_seconds={DEREGISTRATION_DELAY_SECONDS}",
}

# The controller injects a readiness gate into new pods of a namespace with this label
# (IP targets only): a pod counts as Ready only once the ALB finds its target healthy, so a
# rollout or an eviction never takes the last healthy targets out first.
READINESS_GATE_LABEL = {"elbv2.k8s.aws/pod-readiness-gate-inject": "enabled"}

# Fargate patches pods by evicting them (the Eviction API honours this budget), one zone at
# a time; a budget that allows no disruption makes those evictions fail until EKS deletes
# the pods anyway. One pod at a time may go.
DISRUPTION_BUDGET = {"maxUnavailable": 1}

# The image's own nginx configuration runs the master as root (port 80, workers switched to
# another user, pid and temp files under /run and /var/lib/nginx). This one, mounted over
# it, needs no privilege: an unprivileged port, pid and temp files in /tmp (an emptyDir, the
# root filesystem is read-only), logs to the container's output, and the same document root
# (the image copies the game to /usr/share/nginx/html).
NGINX_CONF_PATH = "/etc/nginx/nginx.conf"
NGINX_CONF = f"""worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr warn;
events {{
    worker_connections 1024;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log /dev/stdout;
    client_body_temp_path /tmp/client_body;
    proxy_temp_path /tmp/proxy;
    fastcgi_temp_path /tmp/fastcgi;
    uwsgi_temp_path /tmp/uwsgi;
    scgi_temp_path /tmp/scgi;
    server {{
        listen {CONTAINER_PORT};
        root /usr/share/nginx/html;
        index index.html;
    }}
}}
"""
# Any user will do: the game's files are world-readable. A high UID and GID, which no host
# or image account uses.
RUN_AS_ID = 10101
CONTAINER_SECURITY_CONTEXT = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "runAsUser": RUN_AS_ID,
    "runAsGroup": RUN_AS_ID,
    "capabilities": {"drop": ["ALL"]},
}
# The container runtime's default seccomp profile, as the "restricted" Pod Security Standard asks.
POD_SECURITY_CONTEXT = {"seccompProfile": {"type": "RuntimeDefault"}}


@dataclass
class Game2048Args:
    """Inputs of `Game2048`.

    namespace: namespace made for the game; a Fargate profile must cover it.
    replicas: Deployment replicas, each one Fargate pod; with `autoscaling`, the HPA's minimum.
    autoscaling: when set, a HorizontalPodAutoscaler owns the replica count (needs metrics-server).
    image: the game's container image.
    provider: the Kubernetes provider of the cluster.
    kubernetes_version: the cluster's Kubernetes version; a new one rolls the game's pods.
    pod_logging: what the pods' log router starts with (FargateLogging.pod_logging, or
        rollout.POD_LOGGING_OFF); a new value rolls the game's pods.
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
    pod_logging: str
    ingress_controller: pulumi.Resource
    runs_after: Sequence[pulumi.Resource]
    public_subnet_ids: Sequence[pulumi.Input[str]] | None = None
    autoscaling: AutoscalingSettings | None = None


class Game2048(pulumi.ComponentResource):
    """Namespace, nginx configuration, Deployment, autoscaler, disruption budget, Service and Ingress of the 2048 game."""

    url: pulumi.Output[str]

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

        annotations: dict[str, pulumi.Input[str]] = dict(INGRESS_ANNOTATIONS)
        if args.public_subnet_ids:
            annotations["alb.ingress.kubernetes.io/subnets"] = pulumi.Output.all(*args.public_subnet_ids).apply(",".join)
        ingress = k8s.networking.v1.Ingress(
            f"{name}-ingress",
            metadata={**meta, "name": "ingress-2048", "annotations": annotations},
            spec={
                "ingressClassName": INGRESS_CLASS,
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

        nginx_conf = k8s.core.v1.ConfigMap(
            f"{name}-nginx-conf", metadata={**meta, "name": "nginx-2048"}, data={"nginx.conf": NGINX_CONF}, opts=on_cluster
        )
        deployment_spec: dict[str, Any] = {
            "selector": {"matchLabels": APP_LABELS},
            "template": {
                # A new configuration rolls the pods (a mounted ConfigMap alone would not).
                "metadata": {
                    "labels": APP_LABELS,
                    "annotations": {
                        **pod_annotations(args.kubernetes_version, args.pod_logging),
                        "checksum/nginx-conf": _sha256(NGINX_CONF),
                    },
                },
                "spec": _pod_spec(args.image, nginx_conf.metadata.name),
            },
        }
        if args.autoscaling is None:
            # With an HPA, spec.replicas stays out: under server-side apply the field then
            # belongs to the HPA (the scale subresource), and `pulumi up` never resets it.
            deployment_spec["replicas"] = args.replicas
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
            spec={**DISRUPTION_BUDGET, "selector": {"matchLabels": APP_LABELS}},
            opts=on_cluster,
        )

        if args.autoscaling is not None:
            k8s.autoscaling.v2.HorizontalPodAutoscaler(
                f"{name}-autoscaler",
                metadata={**meta, "name": "deployment-2048"},
                spec={
                    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment.metadata.name},
                    "minReplicas": args.autoscaling.min_replicas,
                    "maxReplicas": args.autoscaling.max_replicas,
                    "metrics": [
                        {
                            "type": "Resource",
                            "resource": {
                                "name": "cpu",
                                "target": {"type": "Utilization", "averageUtilization": args.autoscaling.cpu_target_percent},
                            },
                        }
                    ],
                },
                opts=on_cluster,
            )

        self.url = ingress.status.apply(lambda status: f"http://{status.load_balancer.ingress[0].hostname}")
        self.register_outputs({"url": self.url})


def _pod_spec(image: str, nginx_conf_map: pulumi.Input[str]) -> dict[str, Any]:
    probe = {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 10}
    return {
        # The game never calls the Kubernetes API.
        "automountServiceAccountToken": False,
        "securityContext": POD_SECURITY_CONTEXT,
        "terminationGracePeriodSeconds": TERMINATION_GRACE_PERIOD_SECONDS,
        "containers": [
            {
                "name": "app-2048",
                "image": image,
                "ports": [{"name": "http", "containerPort": CONTAINER_PORT}],
                "resources": {"requests": CONTAINER_RESOURCES, "limits": CONTAINER_RESOURCES},
                "readinessProbe": probe,
                # Restarts an nginx that hangs; three misses in a row, so a slow start is not one.
                "livenessProbe": {**probe, "failureThreshold": 3},
                "lifecycle": {"preStop": {"sleep": {"seconds": PRE_STOP_SLEEP_SECONDS}}},
                "securityContext": CONTAINER_SECURITY_CONTEXT,
                "volumeMounts": [
                    {"name": "tmp", "mountPath": "/tmp"},
                    {"name": "nginx-conf", "mountPath": NGINX_CONF_PATH, "subPath": "nginx.conf", "readOnly": True},
                ],
            }
        ],
        "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "nginx-conf", "configMap": {"name": nginx_conf_map}}],
    }


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
