"""A tenant stack's IAM policies read secrets and parameters of its own team's prefix only.

A tenant's workload reads its secrets as its own IRSA role (components/workload_secrets.py); the
program grants exactly the names its settings list, all under `<team>/` (Secrets Manager) or
`/<team>/` (Parameter Store). A policy the stack declares that lets any principal read a value
elsewhere, a `*` resource included, would let the team read another team's secrets: refused. The
team is the `team` label of the namespace the stack declares.
"""

from __future__ import annotations

import re

from pulumi_policy import PolicyResource, ReportViolation, StackValidationArgs

from eksfargate.facts.external_secrets import READ_ACTIONS
from eksfargate.facts.resource_types import IAM_POLICY, IAM_ROLE_POLICY
from policy.declare import MANDATORY, stack_policy
from policy.reading import allows_action, as_list, get, known_str, policy_document, statements, tenant_platform

NAMESPACE = "kubernetes:core/v1:Namespace"


def _team(resources: list[PolicyResource]) -> str | None:
    for resource in resources:
        if resource.resource_type == NAMESPACE:
            team = known_str(get(resource.props, "metadata", "labels", "team"))
            if team:
                return team
    return None


def within_prefix(resource: str, team: str) -> bool:
    """A secret's or parameter's ARN (a pattern of one) under the team's own prefix, no wildcard before it."""
    escaped = re.escape(team)
    return bool(
        re.match(rf"^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:[^:*?]+:secret:{escaped}/[^*?]", resource)
        or re.match(rf"^arn:[a-z-]+:ssm:[a-z0-9-]+:[^:*?]+:parameter/{escaped}/[^*?]", resource)
    )


@stack_policy(
    "tenant-secrets-within-prefix",
    MANDATORY,
    "A tenant's IAM policies read Secrets Manager secrets and SSM parameters under its own team's prefix only.",
)
def tenant_secrets_within_prefix(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    if tenant_platform(args.resources) is None:
        return
    team = _team(list(args.resources)) or "(no team label on the stack's namespace)"
    for resource in args.resources:
        if resource.resource_type not in (IAM_ROLE_POLICY, IAM_POLICY):
            continue
        document = policy_document(get(resource.props, "policy"))
        for statement in statements(document or {}):
            actions = [action for action in READ_ACTIONS if allows_action(statement, action)]
            outside = [str(r) for r in as_list(statement.get("Resource")) if not within_prefix(str(r), team)]
            if actions and outside:
                report_violation(
                    f"IAM policy {resource.name} lets {', '.join(actions)} read {', '.join(outside)}: outside team "
                    f"{team}'s own secrets ({team}/...) and parameters (/{team}/...), which another team's may be.",
                    resource.urn,
                )
