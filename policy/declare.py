"""How a rule of the pack is declared: `@resource_policy`, `@stack_policy` or `@pod_policy`
over its check turns it into the `pulumi_policy` Policy the assembling module (`pack.py`)
lists.

A check reports with `report_violation(message, urn)`. pulumi_policy's `ReportViolation` type
takes both arguments (the engine's callback defaults the urn to None, the type does not say
so): a resource rule passes None, the engine files its violation under the resource it
validates; a stack rule passes the urn of the resource at fault, or None for the stack itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from policy.reading import pod_specs

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY

ResourceCheck = Callable[[ResourceValidationArgs, ReportViolation], None]
StackCheck = Callable[[StackValidationArgs, ReportViolation], None]
# (what, pod spec, report_violation): `what` names the workload, the spec is its engine properties.
PodCheck = Callable[[str, Any, ReportViolation], None]


def resource_policy(name: str, level: EnforcementLevel, description: str) -> Callable[[ResourceCheck], ResourceValidationPolicy]:
    """A policy that sees one resource's inputs: `validate(args, report_violation)`."""

    def declare(validate: ResourceCheck) -> ResourceValidationPolicy:
        return ResourceValidationPolicy(name=name, description=description, validate=validate, enforcement_level=level)

    return declare


def stack_policy(name: str, level: EnforcementLevel, description: str) -> Callable[[StackCheck], StackValidationPolicy]:
    """A policy that sees every resource of the stack at once: `validate(args, report_violation)`."""

    def declare(validate: StackCheck) -> StackValidationPolicy:
        return StackValidationPolicy(name=name, description=description, validate=validate, enforcement_level=level)

    return declare


def pod_policy(name: str, level: EnforcementLevel, description: str) -> Callable[[PodCheck], ResourceValidationPolicy]:
    """A resource policy over a workload's pod spec: `check(what, pod_spec, report_violation)`,
    called only for resources that carry a known pod spec (`what` names the workload)."""

    def declare(check: PodCheck) -> ResourceValidationPolicy:
        def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
            found = pod_specs(args)
            if found:
                check(*found, report_violation)

        return resource_policy(name, level, description)(validate)

    return declare
