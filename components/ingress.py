"""An app's Ingress for the AWS Load Balancer Controller: the platform's app and every tenant's.

Pure functions, no resources. The annotations and their merge rules are those of the pinned
controller (components/alb_controller.py; docs/guide/ingress/annotations.md at that tag):

- listen-ports is merged across an IngressGroup, per port; certificate-arn is merged too, so on
  a shared ALB one HTTPS listener holds every tenant's certificate (the first member's first as
  the default, every other one by SNI).
- ssl-redirect is exclusive: once one member of a group sets it, every HTTP listener of the ALB
  redirects. On a shared ALB either every tenant has TLS or none (eksfargate/tenant_settings.py).
- The TLS policy, access logs and web ACL are not set here: they are the platform's, on the
  IngressClass (components/alb_controller.py), so no Ingress can weaken or contradict them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components import workload
from eksfargate.workload import WorkloadSpec

BASE_ANNOTATIONS = {
    # The controller's default scheme is internal; the apps are for the internet.
    "alb.ingress.kubernetes.io/scheme": "internet-facing",
    # Fargate has no nodes to send NodePort traffic to: the ALB must target pod IPs.
    "alb.ingress.kubernetes.io/target-type": "ip",
    # Matched by the pods' preStop sleep (components/workload.py).
    "alb.ingress.kubernetes.io/target-group-attributes": workload.TARGET_GROUP_ATTRIBUTES,
}

GROUP_NAME_ANNOTATION = "alb.ingress.kubernetes.io/group.name"
GROUP_ORDER_ANNOTATION = "alb.ingress.kubernetes.io/group.order"
LISTEN_PORTS_ANNOTATION = "alb.ingress.kubernetes.io/listen-ports"
SSL_REDIRECT_ANNOTATION = "alb.ingress.kubernetes.io/ssl-redirect"
CERTIFICATE_ARN_ANNOTATION = "alb.ingress.kubernetes.io/certificate-arn"
SUBNETS_ANNOTATION = "alb.ingress.kubernetes.io/subnets"
HEALTHCHECK_PATH_ANNOTATION = "alb.ingress.kubernetes.io/healthcheck-path"
HEALTHCHECK_PORT_ANNOTATION = "alb.ingress.kubernetes.io/healthcheck-port"
HEALTHCHECK_INTERVAL_ANNOTATION = "alb.ingress.kubernetes.io/healthcheck-interval-seconds"
SUCCESS_CODES_ANNOTATION = "alb.ingress.kubernetes.io/success-codes"

# The Service port every rule's backend names; the controller tags the target group with it
# (eksfargate/facts/alb_controller_tags.py).
BACKEND_PORT = "http"
HTTPS_PORT = 443
# With a certificate and no listen-ports the controller opens 443 only; both are asked for, and
# port 80 answers with a redirect (HTTP 301) to 443.
TLS_LISTEN_PORTS = json.dumps([{"HTTP": 80}, {"HTTPS": HTTPS_PORT}])


def health_check_annotations(spec: WorkloadSpec) -> dict[str, str]:
    """The target group's health check: what the workload's readiness probe asks (components/workload.py).

    Without them the controller checks `GET /` on the traffic port, which an app that answers
    only on its probe path fails: every target unhealthy, the ALB answering 503, and pods behind
    the readiness gate never Ready. Per Ingress (each has target groups of its own, also on a
    shared ALB); a Service's annotations would override them, and the stack sets none there.
    """
    port = workload.probe_port(spec)
    return {
        HEALTHCHECK_PATH_ANNOTATION: spec.probe_path,
        # With IP targets the traffic port is the pod's container port (the Service's targetPort).
        HEALTHCHECK_PORT_ANNOTATION: "traffic-port" if port == workload.PORT_NAME else str(port),
        SUCCESS_CODES_ANNOTATION: workload.PROBE_SUCCESS_CODES,
        # The controller's default timeout (5 s) stays below it, as ELB requires.
        HEALTHCHECK_INTERVAL_ANNOTATION: str(workload.PROBE_PERIOD_SECONDS),
    }


def alb_annotations(
    spec: WorkloadSpec,
    certificate_arn: pulumi.Input[str] | None = None,
    group: pulumi.Input[str] | None = None,
    group_order: int = 0,
    public_subnet_ids: Sequence[pulumi.Input[str]] | None = None,
) -> dict[str, pulumi.Input[str]]:
    """The Ingress's annotations: `spec`'s health check, TLS with `certificate_arn`, the IngressGroup `group`, subnets."""
    found: dict[str, pulumi.Input[str]] = {**BASE_ANNOTATIONS, **health_check_annotations(spec)}
    if certificate_arn is not None:
        found |= {
            LISTEN_PORTS_ANNOTATION: TLS_LISTEN_PORTS,
            SSL_REDIRECT_ANNOTATION: str(HTTPS_PORT),
            CERTIFICATE_ARN_ANNOTATION: certificate_arn,
        }
    if group is not None:
        found |= {GROUP_NAME_ANNOTATION: group, GROUP_ORDER_ANNOTATION: str(group_order)}
    if public_subnet_ids:
        found[SUBNETS_ANNOTATION] = pulumi.Output.all(*public_subnet_ids).apply(",".join)
    return found


def spec(ingress_class: pulumi.Input[str], service: pulumi.Input[str], host: str = "") -> dict[str, Any]:
    """One rule: every path to the Service's http port, for `host` only when there is one."""
    rule: dict[str, Any] = {
        "http": {
            "paths": [
                {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": service, "port": {"name": BACKEND_PORT}}}}
            ]
        }
    }
    if host:
        rule["host"] = host
    return {"ingressClassName": ingress_class, "rules": [rule]}


def load_balancer_hostname(ingress: k8s.networking.v1.Ingress) -> pulumi.Output[str]:
    """The ALB's DNS name, once the controller has written it to the Ingress's status."""
    hostname: pulumi.Output[str] = ingress.status.apply(lambda status: status.load_balancer.ingress[0].hostname)
    return hostname


def url(host: str, tls: bool, alb_hostname: pulumi.Output[str]) -> pulumi.Output[str]:
    scheme = "https" if tls else "http"
    return alb_hostname.apply(lambda alb: f"{scheme}://{host or alb}")
