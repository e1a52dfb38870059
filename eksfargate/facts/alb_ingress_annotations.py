"""The Ingress annotations of the pinned AWS Load Balancer Controller (v3.5.0), by what each acts on.

Every `IngressSuffix...` of pkg/annotations/constants.go at v3.5.0, under the prefix
`alb.ingress.kubernetes.io/`, sorted by where pkg/ingress/model_build_*.go applies it and by the
Location and MergeBehavior columns of docs/guide/ingress/annotations.md:

- `PER_BACKEND`: the target group and the authentication of the rules an Ingress's own paths make
  (Location "Ingress,Service": a Service's annotation wins over the Ingress's); `PER_RULE`: how
  those rules match paths and validate tokens. In an IngressGroup both still act on that Ingress's
  rules only.
- `LOAD_BALANCER`: the ALB, its listeners, its security groups, its web ACL and its group, which every
  member of an IngressGroup shares. The "Exclusive" ones must agree across the group, or the
  controller stops reconciling all of it; the "Merge" ones add to what the other members set. The
  IngressClassParams can set several of them for every Ingress of a class, over the annotation; the
  rest only an annotation sets.
- `FAMILIES`: annotations named `<family><name>`: an action, a set of conditions or transforms a
  rule's backend names, a listener's attributes by protocol and port, a target's control port. A
  `conditions.` annotation's host-header values join the rule's own host in one condition, whose
  values ALB ORs (model_build_listener_rules.go buildRuleConditions): a rule with them answers
  other hosts too.
- `CONTROLLER_WRITES`: what the controller itself writes on an Ingress (the model it plans, on the
  first member of a group, under its IngressPlanAnnotation feature gate: controllers/ingress/dryrun.go).

The web ACL, as the controller resolves it for a group (model_build_load_balancer_addons.go): a
WAFv2 web ACL *name* first, the IngressClassParams' `wafv2AclName` else the member's `wafv2-acl-name`;
only when no member yields a name, an ARN (`wafv2AclArn`, else `wafv2-acl-arn`). So one member's
`wafv2-acl-name: none` detaches the web ACL a class pins by ARN for every member. WAF Classic
(`waf-acl-id`, formerly `web-acl-id`) and Shield Advanced have no IngressClassParams field at all.

Standard library only.
"""

from __future__ import annotations

PREFIX = "alb.ingress.kubernetes.io/"
# Read before spec.ingressClassName (pkg/ingress/group_loader.go classifyIngress): an Ingress that
# names its class this way gets no IngressClassParams.
LEGACY_CLASS = "kubernetes.io/ingress.class"

PER_BACKEND = (
    "target-type", "backend-protocol", "backend-protocol-version", "target-group-attributes",
    "healthcheck-port", "healthcheck-protocol", "healthcheck-path", "healthcheck-interval-seconds",
    "healthcheck-timeout-seconds", "healthy-threshold-count", "unhealthy-threshold-count", "success-codes",
    "auth-type", "auth-idp-cognito", "auth-idp-oidc", "auth-on-unauthenticated-request", "auth-scope",
    "auth-session-cookie", "auth-session-timeout", "target-node-labels", "multi-cluster-target-group",
)  # fmt: skip
PER_RULE = ("use-regex-path-match", "jwt-validation")

WEB_ACL = ("wafv2-acl-name", "wafv2-acl-arn", "waf-acl-id", "web-acl-id")

LOAD_BALANCER = (
    *WEB_ACL, "shield-advanced-protection",
    "group.name", "group.order", "load-balancer-name", "tags", "ip-address-type", "scheme", "subnets",
    "customer-owned-ipv4-pool", "ipam-ipv4-pool-id", "load-balancer-attributes", "minimum-load-balancer-capacity",
    "security-groups", "manage-backend-security-group-rules", "security-group-prefix-lists", "inbound-cidrs",
    "listen-ports", "ssl-redirect", "certificate-arn", "ssl-policy", "mutual-authentication", "create-acm-cert",
    "acm-pca-arn",
    "enable-frontend-nlb", "frontend-nlb-scheme", "frontend-nlb-subnets", "frontend-nlb-security-groups",
    "frontend-nlb-listener-port-mapping", "frontend-nlb-eip-allocations", "frontend-nlb-healthcheck-port",
    "frontend-nlb-healthcheck-protocol", "frontend-nlb-healthcheck-path", "frontend-nlb-healthcheck-interval-seconds",
    "frontend-nlb-healthcheck-timeout-seconds", "frontend-nlb-healthcheck-healthy-threshold-count",
    "frontend-nlb-healthcheck-unhealthy-threshold-count", "frontend-nlb-healthcheck-success-codes",
    "frontend-nlb-attributes", "frontend-nlb-tags",
)  # fmt: skip

FAMILIES = ("actions.", "conditions.", "transforms.", "listener-attributes.", "target-control-port.")

CONTROLLER_WRITES = ("dry-run-plan",)
