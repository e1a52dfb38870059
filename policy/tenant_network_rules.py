"""Rules for a tenant stack's network boundary: its security groups are its own, and nothing enters them from an address range.

A tenant's pods carry its namespace's security group alone (components/namespace_security_group.py):
a rule that names another group, or a SecurityGroupPolicy that lists one, would join the tenant to
another tenant's pods (or, with the cluster group, to every pod no policy selects). So every group
a tenant's rule or policy names must come from a security group the stack declares, or, for the
rules that let its pods reach CoreDNS and the API server, from its platform's cluster group (read
through the StackReference); a group id typed in, which comes from neither, is refused. Inbound
from a CIDR is refused too: it would admit every pod of the VPC, whatever its namespace.
"""

from __future__ import annotations

from pulumi_policy import PolicyResource, ReportViolation, StackValidationArgs

from eksfargate.facts.resource_types import (
    SECURITY_GROUP,
    SECURITY_GROUP_EGRESS_RULE,
    SECURITY_GROUP_INGRESS_RULE,
    SECURITY_GROUP_POLICY,
    STACK_REFERENCE,
)
from policy.declare import MANDATORY, stack_policy
from policy.reading import get, known_str, tenant_platform

RULES = (SECURITY_GROUP_INGRESS_RULE, SECURITY_GROUP_EGRESS_RULE)
CIDR_SOURCES = ("cidrIpv4", "cidrIpv6", "prefixListId")


def _comes_from(resource: PolicyResource, prop: str, sources: tuple[str, ...]) -> bool:
    return any(d.resource_type in sources for d in resource.property_dependencies.get(prop, []))


@stack_policy(
    "tenant-security-groups-are-its-own",
    MANDATORY,
    "A tenant's security group rules and SecurityGroupPolicies name only its own groups (and its platform's cluster group).",
)
def tenant_security_groups_are_its_own(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    if tenant_platform(args.resources) is None:
        return
    for resource in args.resources:
        if resource.resource_type in RULES:
            for prop in ("securityGroupId", "referencedSecurityGroupId"):
                named = get(resource.props, prop)
                if named is not None and not _comes_from(resource, prop, (SECURITY_GROUP, STACK_REFERENCE)):
                    report_violation(
                        f"Security group rule {resource.name}: its {prop} {named!r} is neither a security group this "
                        "stack declares nor the platform's cluster group: it could open another tenant's pods to "
                        "yours, or yours to theirs.",
                        resource.urn,
                    )
        elif resource.resource_type == SECURITY_GROUP_POLICY and not _comes_from(resource, "spec", (SECURITY_GROUP,)):
            namespace = known_str(get(resource.props, "metadata", "namespace"))
            report_violation(
                f"SecurityGroupPolicy in namespace '{namespace}' lists groups this stack does not declare: its pods "
                "would carry another tenant's group (or the cluster group, which every unselected pod shares).",
                resource.urn,
            )


@stack_policy(
    "tenant-no-inbound-from-address-ranges",
    MANDATORY,
    "A tenant's security group rules admit nothing inbound from a CIDR or prefix list.",
)
def tenant_no_inbound_from_address_ranges(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    if tenant_platform(args.resources) is None:
        return
    for resource in args.resources:
        if resource.resource_type != SECURITY_GROUP_INGRESS_RULE:
            continue
        for prop in CIDR_SOURCES:
            source = get(resource.props, prop)
            if source is not None:
                report_violation(
                    f"Security group rule {resource.name} admits {prop} {source!r} inbound: every pod in that range, "
                    "any tenant's, could reach yours. Name a security group instead (the load balancer's rule is the "
                    "controller's own).",
                    resource.urn,
                )
