"""What a tenant team can make of the platform's ALBs with kubectl, held at the API server.

A team's access entry lets it create and annotate Ingresses in its namespace by hand, outside any
stack and out of the policy pack's sight (the pack sees what Pulumi declares). The load balancer
controller would take them as they come (eksfargate/facts/alb_ingress_annotations.py): an Ingress
that names its class by the legacy annotation gets none of the IngressClassParams (TLS policy, access
logs, web ACL); `wafv2-acl-name: none` on any member detaches the web ACL the class pins by ARN
from the ALB every tenant shares; a rule for another tenant's host, or for none, or a default
backend, on the shared ALB answers that tenant's requests.

This ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1: GA, and always on, from Kubernetes
1.30, below every version the project supports; evaluated in the API server, no webhook to run) and
its binding refuse, for an Ingress created or changed in a tenant namespace (`tenant-*`) by anyone
but the controller itself (which writes finalizers and, under a feature gate, its plan):

- a class other than the platform's, and the legacy class annotation;
- every controller annotation but those of the Ingress's own rules and target groups (PER_BACKEND,
  PER_RULE) and the ones the tenant program sets on the ALB, each only with the value it sets
  (`PINNED`), its certificates, and a group.order within the controller's bounds;
- a host, in a rule or in TLS, other than the one its namespace's annotation names
  (TENANT_HOST_ANNOTATION, written by the tenant stack); on the shared ALB, no host or a default backend.

A group.order is not held to the tenant's own: every tenant's rules match its host alone, so the
order of two tenants' rules decides nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components import alb_controller
from components.cluster_context import ClusterContext
from components.ingress import (
    BASE_ANNOTATIONS,
    CERTIFICATE_ARN_ANNOTATION,
    GROUP_NAME_ANNOTATION,
    GROUP_ORDER_ANNOTATION,
    HTTPS_PORT,
    LISTEN_PORTS_ANNOTATION,
    SSL_REDIRECT_ANNOTATION,
    TLS_LISTEN_PORTS,
)
from eksfargate.contract import INGRESS_CLASS, SHARED_ALB_GROUP, TENANT_HOST_ANNOTATION, TENANT_NAMESPACE_PREFIX
from eksfargate.facts.alb_ingress_annotations import LEGACY_CLASS, PER_BACKEND, PER_RULE, PREFIX
from eksfargate.tenant_schema import GROUP_ORDER_RANGE

POLICY_NAME = "tenant-ingresses"
CONTROLLER_USER = f"system:serviceaccount:{alb_controller.NAMESPACE}:{alb_controller.SERVICE_ACCOUNT}"

SCHEME_ANNOTATION = f"{PREFIX}scheme"
# The annotations of the ALB (not of one Ingress's rules) a tenant's Ingress carries, each with the
# one value components/ingress.py renders: any other would change, or contradict, a setting of an
# ALB the other members of its group share.
PINNED = {
    SCHEME_ANNOTATION: BASE_ANNOTATIONS[SCHEME_ANNOTATION],
    LISTEN_PORTS_ANNOTATION: TLS_LISTEN_PORTS,
    SSL_REDIRECT_ANNOTATION: str(HTTPS_PORT),
    GROUP_NAME_ANNOTATION: SHARED_ALB_GROUP,
}
# Every controller annotation a tenant's Ingress may carry: certificates merge into the shared
# listener (served by SNI for their own hosts), the group.order is checked on its own.
ALLOWED = (
    *(PREFIX + suffix for suffix in (*PER_BACKEND, *PER_RULE)),
    *PINNED,
    CERTIFICATE_ARN_ANNOTATION,
    GROUP_ORDER_ANNOTATION,
)


@dataclass
class IngressGuardrailsArgs:
    """Inputs of `IngressGuardrails`.

    cluster: the cluster whose API server holds the policy.
    """

    cluster: ClusterContext


class IngressGuardrails(pulumi.ComponentResource):
    """The ValidatingAdmissionPolicy over tenants' Ingresses, and its binding (Deny)."""

    policy: k8s.admissionregistration.v1.ValidatingAdmissionPolicy
    binding: k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding

    def __init__(self, name: str, args: IngressGuardrailsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:tenancy:IngressGuardrails", name, None, opts)
        on_cluster = pulumi.ResourceOptions(parent=self, provider=args.cluster.provider)
        self.policy = k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
            f"{name}-policy", metadata={"name": POLICY_NAME}, spec=policy_spec(), opts=on_cluster
        )
        # A policy does nothing until a binding names it; Deny refuses the request (Warn or Audit would
        # only report it).
        self.binding = k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
            f"{name}-binding",
            metadata={"name": POLICY_NAME},
            spec={"policyName": self.policy.metadata.name, "validationActions": ["Deny"]},
            opts=on_cluster,
        )
        self.register_outputs({"policyName": self.policy.metadata.name})


def policy_spec() -> dict[str, Any]:
    """The policy's spec: which requests it sees, and the CEL expressions each must pass.

    The expressions use the CEL standard library and the strings extension only, which both the API
    server and the tests' evaluator (cel-expr-python) have; none of Kubernetes' own libraries.
    """
    annotations, namespace = "variables.annotations", "namespaceObject.metadata.annotations"
    return {
        # An expression that fails to evaluate refuses the request too.
        "failurePolicy": "Fail",
        "matchConstraints": {
            "resourceRules": [
                {
                    "apiGroups": ["networking.k8s.io"],
                    "apiVersions": ["v1"],
                    "operations": ["CREATE", "UPDATE"],
                    "resources": ["ingresses"],
                }
            ]
        },
        # By name, as the Fargate profile selects tenant namespaces: no label a namespace could lack.
        "matchConditions": [
            {
                "name": "in-a-tenant-namespace",
                "expression": f"has(request.namespace) && request.namespace.startsWith({_text(TENANT_NAMESPACE_PREFIX)})",
            },
            {
                "name": "not-the-load-balancer-controller",
                "expression": f"!has(request.userInfo.username) || request.userInfo.username != {_text(CONTROLLER_USER)}",
            },
        ],
        "variables": [
            {"name": "annotations", "expression": "has(object.metadata.annotations) ? object.metadata.annotations : {}"},
            {
                "name": "refused",
                "expression": f"{annotations}.filter(k, k.startsWith({_text(PREFIX)}) && !(k in {_texts(ALLOWED)}))",
            },
            {
                "name": "host",
                "expression": f"has({namespace}) && {_text(TENANT_HOST_ANNOTATION)} in {namespace} ? "
                f"{namespace}[{_text(TENANT_HOST_ANNOTATION)}] : ''",
            },
            {"name": "shared", "expression": f"{_text(GROUP_NAME_ANNOTATION)} in {annotations}"},
        ],
        "validations": [
            {
                "expression": f"has(object.spec.ingressClassName) && object.spec.ingressClassName == {_text(INGRESS_CLASS)}",
                "message": f"spec.ingressClassName must be {INGRESS_CLASS}, the platform's IngressClass: its "
                "IngressClassParams set the TLS policy, the access logs and the web ACL of every ALB",
            },
            {
                "expression": f"!({_text(LEGACY_CLASS)} in {annotations})",
                "message": f"no {LEGACY_CLASS} annotation: the load balancer controller reads it before "
                "spec.ingressClassName, and then applies none of the IngressClassParams",
            },
            {
                "expression": "size(variables.refused) == 0",
                "messageExpression": "'annotations ' + variables.refused.join(', ') + "
                + _text(
                    " set the ALB that the platform's IngressClass and the other tenants share (web ACL, TLS "
                    "policy, access logs, security groups, listeners) or rules for other hosts: a tenant's "
                    "Ingress carries its own rules' and target groups' annotations only, and those the tenant "
                    "program sets"
                ),
                "message": "annotations of the load balancer controller that set the shared ALB are the platform's",
            },
            *(
                {
                    "expression": f"!({_text(key)} in {annotations}) || {annotations}[{_text(key)}] == {_text(value)}",
                    "message": f"{key} is {value} or unset: it sets the ALB, which the other members of its "
                    "group share, and a tenant's Ingress sets it only as the tenant program does",
                }
                for key, value in PINNED.items()
            ),
            {
                "expression": _group_order_in_range(f"{annotations}[{_text(GROUP_ORDER_ANNOTATION)}]", annotations),
                "message": f"{GROUP_ORDER_ANNOTATION} is an integer from {GROUP_ORDER_RANGE[0]} to "
                f"{GROUP_ORDER_RANGE[1]}: over any other value the controller stops reconciling the whole group",
            },
            {
                "expression": "!has(object.spec.rules) || "
                "object.spec.rules.all(r, (has(r.host) ? r.host : '') == variables.host)",
                "messageExpression": _host_message("every rule"),
            },
            {
                "expression": "!has(object.spec.tls) || "
                "object.spec.tls.all(t, !has(t.hosts) || t.hosts.all(h, h == variables.host))",
                "messageExpression": _host_message("every TLS entry"),
            },
            {
                "expression": "!variables.shared || variables.host != ''",
                "message": f"on the shared ALB (group {SHARED_ALB_GROUP}) an Ingress needs its tenant's host "
                f"(namespace annotation {TENANT_HOST_ANNOTATION}): a rule without a host answers every tenant's requests",
            },
            {
                "expression": "!variables.shared || !has(object.spec.defaultBackend)",
                "message": "no spec.defaultBackend on the shared ALB: it becomes each listener's default action "
                "and answers every host no rule matches, the other tenants' included",
            },
        ],
    }


def _group_order_in_range(value: str, annotations: str) -> str:
    # Digits first: CEL's `&&` yields false over an int() that fails, so a non-number is refused, not an error.
    low, high = GROUP_ORDER_RANGE
    return (
        f"!({_text(GROUP_ORDER_ANNOTATION)} in {annotations}) || ({value}.matches('^-?[0-9]{{1,4}}$') && "
        f"int({value}) >= {low} && int({value}) <= {high})"
    )


def _host_message(what: str) -> str:
    source = _text(f" (annotation {TENANT_HOST_ANNOTATION} of the namespace, from its tenant stack)")
    none = _text(f"{what} must name no host: this namespace has none of its own")
    named, own = _text(f"{what} must name host "), _text(", the namespace's own, and no other")
    return f"variables.host == '' ? {none} + {source} : {named} + variables.host + {own} + {source}"


def _text(value: str) -> str:
    """A CEL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _texts(values: Iterable[str]) -> str:
    return "[" + ", ".join(_text(value) for value in values) + "]"
