"""How a rule of the pack is declared: `@resource_policy`, `@stack_policy` or `@pod_policy`
over its check turns it into the `pulumi_policy` Policy the assembling module (`pack.py`)
lists.
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


def resource_policy(name: str, level: EnforcementLevel, description: str):
    """A policy that sees one resource's inputs: `validate(args, report_violation)`."""

    def declare(validate: Callable[[ResourceValidationArgs, ReportViolation], None]) -> ResourceValidationPolicy:
        return ResourceValidationPolicy(name=name, description=description, validate=validate, enforcement_level=level)

    return declare


def stack_policy(name: str, level: EnforcementLevel, description: str):
    """A policy that sees every resource of the stack at once: `validate(args, report_violation)`."""

    def declare(validate: Callable[[StackValidationArgs, ReportViolation], None]) -> StackValidationPolicy:
        return StackValidationPolicy(name=name, description=description, validate=validate, enforcement_level=level)

    return declare


def pod_policy(name: str, level: EnforcementLevel, description: str):
    """A resource policy over a workload's pod spec: `check(what, pod_spec, report_violation)`,
    called only for resources that carry a known pod spec (`what` names the workload)."""

    def declare(check: Callable[[str, Any, ReportViolation], None]) -> ResourceValidationPolicy:
        def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
            found = pod_specs(args)
            if found:
                check(*found, report_violation)

        return resource_policy(name, level, description)(validate)

    return declare
