"""Loopback servers for the verify tests: an imitation of the Kubernetes API's list endpoints, serving
objects recorded in the API's shape, and a web app whose answers a test scripts. No API server can
run here, so the first imitates one: the paths, the list envelope and the objects are the API's, the
behaviour behind them (watches, selectors, admission) is not.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "k8s-aws-v1.SECRET-BEARER-TOKEN-never-printed"

# The list endpoints the tool reads, as the Kubernetes API serves them.
KINDS = {
    "nodes": ("/api/v1/nodes", None),
    "pods": ("/api/v1/pods", "/api/v1/namespaces/{ns}/pods"),
    "deployments": ("/apis/apps/v1/deployments", "/apis/apps/v1/namespaces/{ns}/deployments"),
    "ingresses": ("/apis/networking.k8s.io/v1/ingresses", "/apis/networking.k8s.io/v1/namespaces/{ns}/ingresses"),
    "autoscalers": (
        "/apis/autoscaling/v2/horizontalpodautoscalers",
        "/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers",
    ),
}
LIST_KINDS = {
    "nodes": "NodeList",
    "pods": "PodList",
    "deployments": "DeploymentList",
    "ingresses": "IngressList",
    "autoscalers": "HorizontalPodAutoscalerList",
}


class FakeApi:
    """What the server holds and what it saw: the objects by kind, the requests (method, path, Authorization)."""

    def __init__(self, objects: dict[str, list[dict[str, Any]]], status: int = 200) -> None:
        self.objects = objects
        self.status = status
        self.requests: list[tuple[str, str, str]] = []

    def answer(self, path: str) -> tuple[int, dict[str, Any]]:
        path = path.split("?")[0]
        if self.status != 200:
            return self.status, {
                "kind": "Status",
                "apiVersion": "v1",
                "status": "Failure",
                "reason": "Forbidden",
                "code": self.status,
            }
        for kind, (everywhere, namespaced) in KINDS.items():
            items = self.objects.get(kind, [])
            if path == everywhere:
                return 200, {"kind": LIST_KINDS[kind], "apiVersion": "v1", "metadata": {}, "items": items}
            if namespaced:
                prefix, suffix = namespaced.split("{ns}")
                if path.startswith(prefix) and path.endswith(suffix):
                    ns = path[len(prefix) : -len(suffix)]
                    mine = [item for item in items if item["metadata"].get("namespace") == ns]
                    return 200, {"kind": LIST_KINDS[kind], "apiVersion": "v1", "metadata": {}, "items": mine}
        return 404, {"kind": "Status", "status": "Failure", "reason": "NotFound", "code": 404}


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def kubernetes_api(api: FakeApi) -> Iterator[dict[str, Any]]:
    """The fake API on loopback; yields a kubeconfig for it, with a bearer token as EKS's would carry."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _any(self) -> None:
            api.requests.append((self.command, self.path, self.headers.get("Authorization", "")))
            status, body = api.answer(self.path) if self.command == "GET" else (405, {"kind": "Status", "code": 405})
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

    with serve(Handler) as url:
        yield kubeconfig(url)


def kubeconfig(server: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "eks", "cluster": {"server": server}}],
        "contexts": [{"name": "aws", "context": {"cluster": "eks", "user": "aws"}}],
        "current-context": "aws",
        "users": [{"name": "aws", "user": {"token": TOKEN}}],
    }


# ------------------------------------------------------------------ recorded-shape objects


def fargate_node(name: str = "fargate-ip-10-0-1-23.ap-northeast-2.compute.internal") -> dict[str, Any]:
    """A Fargate node's metadata as EKS registers it (the labels EKS sets on every Fargate node)."""
    return {
        "metadata": {
            "name": name,
            "labels": {
                "eks.amazonaws.com/compute-type": "fargate",
                "failure-domain.beta.kubernetes.io/region": "ap-northeast-2",
                "kubernetes.io/hostname": name.split(".")[0],
                "kubernetes.io/os": "linux",
                "topology.kubernetes.io/zone": "ap-northeast-2a",
            },
        },
        "spec": {"providerID": f"aws:///ap-northeast-2a/0123456789-abcdef/{name}"},
    }


def ec2_node(name: str = "ip-10-0-2-45.ap-northeast-2.compute.internal") -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "labels": {
                "kubernetes.io/os": "linux",
                "node.kubernetes.io/instance-type": "t3.medium",
                "eks.amazonaws.com/nodegroup": "ng-1",
            },
        },
        "spec": {"providerID": "aws:///ap-northeast-2a/i-0abc1234def567890"},
    }


def deployment(name: str, namespace: str, replicas: int = 2, status: dict[str, Any] | None = None) -> dict[str, Any]:
    settled = {
        "observedGeneration": 3,
        "replicas": replicas,
        "updatedReplicas": replicas,
        "readyReplicas": replicas,
        "availableReplicas": replicas,
        "conditions": [
            {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"},
        ],
    }
    return {
        "metadata": {"name": name, "namespace": namespace, "generation": 3},
        "spec": {"replicas": replicas},
        "status": settled | (status or {}),
    }


STUCK_ROLLOUT = {
    "updatedReplicas": 1,
    "availableReplicas": 1,
    "readyReplicas": 1,
    "unavailableReplicas": 1,
    "conditions": [
        {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
        {
            "type": "Progressing",
            "status": "False",
            "reason": "ProgressDeadlineExceeded",
            "message": 'ReplicaSet "game-2048-5d9c7f8b6" has timed out progressing.',
        },
    ],
}


def pod(
    name: str, namespace: str, node: str | None = "fargate-ip-10-0-1-23.ap-northeast-2.compute.internal", ready: bool = True
) -> dict[str, Any]:
    gate = "target-health.elbv2.k8s.aws/k8s-game2048-service2-0123456789"
    conditions = [
        {"type": gate, "status": "True" if ready else "False"},
        {"type": "Initialized", "status": "True"},
        {"type": "Ready", "status": "True" if ready else "False", **({} if ready else {"reason": "ReadinessGatesNotReady"})},
        {"type": "ContainersReady", "status": "True"},
        {"type": "PodScheduled", "status": "True"},
    ]
    if node is None:
        conditions = [
            {
                "type": "PodScheduled",
                "status": "False",
                "reason": "Unschedulable",
                "message": "0/2 nodes are available: 2 node(s) had untolerated taint {eks.amazonaws.com/compute-type: fargate}.",
            }
        ]
    return {
        "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/name": "app-2048"}},
        "spec": {
            "schedulerName": "fargate-scheduler",
            "readinessGates": [{"conditionType": gate}],
            **({"nodeName": node} if node else {}),
        },
        "status": {"phase": "Running" if node else "Pending", "conditions": conditions},
    }


def ingress(
    name: str, namespace: str, hostname: str | None = "k8s-game2048-ingress2-0123456789.ap-northeast-2.elb.amazonaws.com"
) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"ingressClassName": "alb"},
        "status": {"loadBalancer": {"ingress": [{"hostname": hostname}]} if hostname else {}},
    }


def autoscaler(name: str, namespace: str, metrics: bool = True) -> dict[str, Any]:
    active = (
        {
            "type": "ScalingActive",
            "status": "True",
            "reason": "ValidMetricFound",
            "message": "the HPA was able to successfully calculate a replica count from cpu resource utilization"
            " (percentage of request)",
        }
        if metrics
        else {
            "type": "ScalingActive",
            "status": "False",
            "reason": "FailedGetResourceMetric",
            "message": "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get"
            " metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find"
            " the requested resource (get pods.metrics.k8s.io)",
        }
    )
    return {
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"minReplicas": 2, "maxReplicas": 5},
        "status": {
            "currentReplicas": 2,
            "desiredReplicas": 2,
            "conditions": [{"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale"}, active],
        },
    }
