"""A `WorkloadSpec` (eksfargate/workload.py) as Kubernetes objects: the hardened pod every app gets.

Pure functions, no resources: components/web_app.py declares the Deployment, budget, autoscaler and
ConfigMap of every app, the platform's and each tenant's, and takes their specs from here:

- a non-root user and group, a read-only root filesystem, no privilege escalation, every
  capability dropped, the RuntimeDefault seccomp profile (the "restricted" Pod Security Standard);
- no Kubernetes API token, IRSA included (IRSA's own token is projected by EKS's webhook);
- readiness and liveness probes on the spec's path, so the ALB and the kubelet watch the same thing;
- requests equal to limits (Fargate sizes the pod from its requests, guaranteed QoS);
- a preStop sleep at least as long as the target group's deregistration delay, and a grace
  period that covers it: a terminating pod serves until the ALB has drained it;
- a PodDisruptionBudget that lets Fargate's patching evict one pod at a time.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Mapping
from typing import Any

import pulumi

from eksfargate import secrets
from eksfargate.workload import WorkloadSpec

# Draining, so that a rolling update or a Fargate patch eviction drops no request. A terminating
# pod leaves the target group (deregistration starts) while preStop keeps it serving; the ALB
# stops routing new requests to it and lets those in flight finish within the deregistration
# delay (ALB default 300 s, far longer than a web request needs). preStop lasts at least that
# long, so the app only stops once the ALB has let go of it, and the grace period covers preStop
# plus the app's own shutdown.
DEREGISTRATION_DELAY_SECONDS = 30
PRE_STOP_SLEEP_SECONDS = 30
TERMINATION_GRACE_PERIOD_SECONDS = 45
TARGET_GROUP_ATTRIBUTES = f"deregistration_delay.timeout_seconds={DEREGISTRATION_DELAY_SECONDS}"

# Fargate patches pods by evicting them (the Eviction API honours this budget), one zone at a
# time; a budget that allows no disruption makes those evictions fail until EKS deletes the
# pods anyway. One pod at a time may go.
DISRUPTION_BUDGET = {"maxUnavailable": 1}

# The container runtime's default seccomp profile, as the "restricted" Pod Security Standard asks.
POD_SECURITY_CONTEXT = {"seccompProfile": {"type": "RuntimeDefault"}}
PORT_NAME = "http"
# A secret file: readable by its owner and the pod's fsGroup (the app's own group), by no one else.
SECRET_FILE_MODE = 0o440

# How often the kubelet probes a pod, and the ALB its target: one period, so that both see a
# failure within the same time.
PROBE_PERIOD_SECONDS = 10
# The HTTP answers the kubelet's httpGet probe counts as success: 200 <= code < 400
# (k8s.io/kubernetes/pkg/probe/http, DoHTTPProbe). The ALB's health check takes the same range
# (its matcher accepts codes 200-499), so a redirect or a 3xx answer is healthy to both.
PROBE_SUCCESS_CODES = "200-399"


def container_security_context(spec: WorkloadSpec) -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": spec.run_as,
        "runAsGroup": spec.run_as,
        "capabilities": {"drop": ["ALL"]},
    }


def volume_name(path: str) -> str:
    """An emptyDir's volume name from its path: /tmp -> tmp, /var/cache/app -> var-cache-app."""
    return path.strip("/").replace("/", "-").replace("_", "-").replace(".", "-").lower()[:63].strip("-")


def probe_port(spec: WorkloadSpec) -> int | str:
    """The port the probes ask: the serving port by name, or the spec's own probe port."""
    return PORT_NAME if spec.probe_port in (None, spec.port) else spec.probe_port


def readiness_probe(spec: WorkloadSpec) -> dict[str, Any]:
    """What the kubelet asks, and the ALB's health check with it (components/ingress.py health_check_annotations)."""
    return {"httpGet": {"path": spec.probe_path, "port": probe_port(spec)}, "periodSeconds": PROBE_PERIOD_SECONDS}


def container(spec: WorkloadSpec) -> dict[str, Any]:
    resources = {"cpu": spec.cpu, "memory": spec.memory}
    probe = readiness_probe(spec)
    # Always: a moved tag is picked up. It costs nothing on Fargate, where every pod is a micro-VM of
    # its own with no image cache from earlier pods; and :latest defaults to it anyway.
    body: dict[str, Any] = {"name": spec.name, "image": spec.image, "imagePullPolicy": "Always"}
    if spec.command:
        body["command"] = list(spec.command)
    if spec.args:
        body["args"] = list(spec.args)
    env: list[dict[str, Any]] = [{"name": name, "value": value} for name, value in spec.env]
    env += [{"name": s.name, "valueFrom": {"secretKeyRef": {"name": s.secret, "key": s.key}}} for s in spec.secret_env]
    env += [
        {"name": s.target, "valueFrom": {"secretKeyRef": {"name": target_secret(spec, s.service), "key": s.secret_key}}}
        for s in spec.aws_secrets.items
        if not s.is_file
    ]
    if env:
        body["env"] = env
    body |= {
        "ports": [{"name": PORT_NAME, "containerPort": spec.port}],
        "resources": {"requests": resources, "limits": resources},
        "readinessProbe": probe,
        # Restarts an app that hangs; three misses in a row, so a slow start is not one.
        "livenessProbe": {**probe, "failureThreshold": 3},
        "lifecycle": {"preStop": {"sleep": {"seconds": PRE_STOP_SLEEP_SECONDS}}},
        "securityContext": container_security_context(spec),
        "volumeMounts": [{"name": volume_name(path), "mountPath": path} for path in spec.writable_paths]
        + [{"name": f.volume, "mountPath": f.path, "subPath": f.key, "readOnly": True} for f in spec.config_files]
        # The whole directory, never a subPath: the kubelet updates a mounted Secret's files, not a subPath's.
        + [{"name": secret_volume_name(path), "mountPath": path, "readOnly": True} for path in spec.secret_mounts],
    }
    return body


def target_secret(spec: WorkloadSpec, service: str) -> str:
    """The Kubernetes Secret ESO writes the app's values from `service` into (components/workload_secrets.py)."""
    return secrets.service_object_name(spec.name, service)


def secret_volume_name(path: str) -> str:
    return f"aws-secrets-{volume_name(path)}"[:63].strip("-")


def secret_volume(spec: WorkloadSpec, path: str) -> dict[str, Any]:
    """One directory's files, each from its service's Secret; read-only to the app's user alone."""
    sources = []
    for service in secrets.services(spec.aws_secrets.items):
        items = [
            {"key": s.secret_key, "path": posixpath.basename(s.target)}
            for s in spec.aws_secrets.items
            if s.service == service and s.is_file and s.mount_directory == path
        ]
        if items:
            sources.append({"secret": {"name": target_secret(spec, service), "items": items}})
    return {"name": secret_volume_name(path), "projected": {"sources": sources, "defaultMode": SECRET_FILE_MODE}}


def pod_spec(spec: WorkloadSpec, config_map: pulumi.Input[str] | None = None) -> dict[str, Any]:
    """The pod: hardened, with the spec's writable paths as emptyDirs and its files from `config_map`."""
    pod: dict[str, Any] = {}
    if spec.service_account:
        # IRSA: the pod runs as the service account whose IAM role it assumes.
        pod["serviceAccountName"] = spec.service_account
    # Never the Kubernetes API token, IRSA included: EKS's pod identity webhook adds IRSA's web
    # identity token as a projected volume of its own, whatever this says (its source,
    # aws/amazon-eks-pod-identity-webhook pkg/handler/handler.go, never reads it).
    pod["automountServiceAccountToken"] = False
    pod |= {
        "securityContext": POD_SECURITY_CONTEXT,
        "terminationGracePeriodSeconds": TERMINATION_GRACE_PERIOD_SECONDS,
        "containers": [container(spec)],
        "volumes": [{"name": volume_name(path), "emptyDir": {}} for path in spec.writable_paths]
        + [{"name": f.volume, "configMap": {"name": config_map}} for f in spec.config_files]
        + [secret_volume(spec, path) for path in spec.secret_mounts],
    }
    if spec.secret_mounts:
        # The projected files belong to this group, so the app's user reads them with mode 0440.
        pod["securityContext"] = {**POD_SECURITY_CONTEXT, "fsGroup": spec.run_as}
    return pod


def config_data(spec: WorkloadSpec) -> dict[str, str]:
    """The ConfigMap's data: each configuration file under its file name."""
    return {f.key: f.content for f in spec.config_files}


def config_checksum(spec: WorkloadSpec) -> str:
    """On the pod template, so that a new configuration rolls the pods (a mounted ConfigMap alone would not)."""
    return hashlib.sha256("".join(f"{f.path}\n{f.content}" for f in spec.config_files).encode()).hexdigest()


def config_map_name(base: str, spec: WorkloadSpec) -> str:
    """`base` and the first 10 hex digits of the configuration's checksum."""
    return f"{base}-{config_checksum(spec)[:10]}"


def deployment_spec(
    spec: WorkloadSpec,
    labels: dict[str, str],
    pod_labels: Mapping[str, pulumi.Input[str]],
    pod_annotations: Mapping[str, pulumi.Input[str]],
    config_map: pulumi.Input[str] | None = None,
) -> dict[str, Any]:
    annotations = dict(pod_annotations)
    if spec.config_files:
        annotations["checksum/config"] = config_checksum(spec)
    template_meta: dict[str, Any] = {"labels": dict(pod_labels)}
    if annotations:
        template_meta["annotations"] = annotations
    body: dict[str, Any] = {
        "selector": {"matchLabels": labels},
        "template": {"metadata": template_meta, "spec": pod_spec(spec, config_map)},
    }
    if spec.surge is not None:
        # Never below the replicas during a rollout, and never more than `surge` pods above them
        # (what a namespace's quota must leave room for).
        body["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": spec.surge, "maxUnavailable": 0}}
    if spec.autoscaling is None:
        # With an HPA, spec.replicas stays out: under server-side apply the field then belongs
        # to the HPA (the scale subresource), and `pulumi up` never resets it.
        body["replicas"] = spec.replicas
    return body


def budget_spec(labels: dict[str, str]) -> dict[str, Any]:
    return {**DISRUPTION_BUDGET, "selector": {"matchLabels": labels}}


def autoscaler_spec(spec: WorkloadSpec, deployment: pulumi.Input[str]) -> dict[str, Any]:
    assert spec.autoscaling is not None
    return {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment},
        "minReplicas": spec.autoscaling.min_replicas,
        "maxReplicas": spec.autoscaling.max_replicas,
        "metrics": [
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": spec.autoscaling.cpu_target_percent},
                },
            }
        ],
    }
