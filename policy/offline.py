"""Runs the policy pack over a recording of the program, offline: no engine, no cloud.

`check(recording)` hands every policy what the engine would: each resource's inputs as
`ResourceValidationArgs` (as `Analyze` does before a resource is created) and all resources'
outputs, ids, parents and dependencies as `StackValidationArgs` (as `AnalyzeStack` does), both
wrapped in the SDK's unknown-checking proxy. The plan command calls it, and so does the policy
command, which records a stack with the offline harness and so lives with the tools
(tools/offline/policy_check.py):

    python -m offline.policy_check --stack dev      # exit 1 on any mandatory violation
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policy.pack import POLICIES

if TYPE_CHECKING:  # what `check` is handed; the pack itself imports no tool
    from offline.harness import RecordedResource, Recording

PolicyArgs = TypeVar("PolicyArgs", contravariant=True)
ValidationArgs = TypeVar("ValidationArgs")


class Validating(Protocol[PolicyArgs]):
    """A resource or a stack policy, as `_run` calls it (Policy, their base, has no `validate`)."""

    name: str

    def validate(self, args: PolicyArgs, report_violation: ReportViolation) -> Awaitable[Any] | None: ...


@dataclass(frozen=True)
class Violation:
    """One report of one policy: which, how bad, about what, and what to change."""

    policy: str
    level: str  # "mandatory" or "advisory"
    message: str
    urn: str | None = None
    resource: str | None = None  # the resource's Pulumi name

    @property
    def mandatory(self) -> bool:
        return self.level == EnforcementLevel.MANDATORY.value

    def __str__(self) -> str:
        about = f" [{self.resource}]" if self.resource else ""
        return f"{self.level}: {self.policy}{about}: {self.message}"


def check(recording: Recording, policies: list[Policy] | None = None) -> list[Violation]:
    """Every violation the pack (or `policies`) reports for the recorded resources."""
    policies = POLICIES if policies is None else policies
    resources = [r for r in recording.resources if not r.type.startswith("pulumi:providers:")]
    providers = {r.urn: r for r in recording.resources if r.type.startswith("pulumi:providers:")}
    names = {r.urn: r.name for r in recording.resources}
    # Converted once: every policy still gets a proxy of its own, which copies the containers,
    # as the engine deserializes the properties anew for each policy.
    inputs = {r.urn: engine_value(r.inputs) for r in resources}
    outputs = {r.urn: engine_value(r.outputs or r.inputs) for r in resources}
    violations: list[Violation] = []

    for policy in policies:
        level = _level(policy)
        if level == EnforcementLevel.DISABLED.value:
            continue

        def collector(urn: str | None, policy: Policy = policy, level: str = level) -> ReportViolation:
            def report_violation(message: str, reported_urn: str | None = None) -> None:
                about = reported_urn or urn
                violations.append(Violation(policy.name, level, message, about, names.get(about or "")))

            return report_violation

        if isinstance(policy, ResourceValidationPolicy):
            for resource in resources:
                args = resource_args(resource, inputs[resource.urn], providers)
                _run(policy, args, collector(resource.urn), violations)
        elif isinstance(policy, StackValidationPolicy):
            _run(policy, stack_args(resources, outputs, providers), collector(None), violations)
    return violations


def resource_args(
    resource: RecordedResource, inputs: dict[str, Any], providers: dict[str, RecordedResource]
) -> ResourceValidationArgs:
    """What `Analyze` hands a resource policy: the resource's inputs (as `engine_value` converts them),
    type, name, options and provider."""
    return ResourceValidationArgs(
        resource_type=resource.type,
        props=unknown_checking_proxy(inputs),
        urn=resource.urn,
        name=resource.name,
        opts=_options(resource),
        provider=_provider(resource, providers),
    )


def stack_args(
    resources: list[RecordedResource], outputs: dict[str, dict[str, Any]], providers: dict[str, RecordedResource]
) -> StackValidationArgs:
    """What `AnalyzeStack` hands a stack policy: every resource's outputs (`outputs`, by URN, as `engine_value`
    converts them) with its id, linked together."""
    by_urn: dict[str, PolicyResource] = {}
    for resource in resources:
        props = dict(outputs[resource.urn])
        if resource.custom and resource.id:
            props.setdefault("id", resource.id)
        by_urn[resource.urn] = PolicyResource(
            resource_type=resource.type,
            props=unknown_checking_proxy(props),
            urn=resource.urn,
            name=resource.name,
            opts=_options(resource),
            provider=_provider(resource, providers),
            parent=None,
            dependencies=[],
            property_dependencies={},
        )
    for resource in resources:
        policy_resource = by_urn[resource.urn]
        policy_resource.parent = by_urn.get(resource.parent or "")
        policy_resource.dependencies = [by_urn[urn] for urn in resource.dependencies if urn in by_urn]
        policy_resource.property_dependencies = {
            key: [by_urn[urn] for urn in urns if urn in by_urn] for key, urns in resource.property_dependencies.items()
        }
    return StackValidationArgs(resources=list(by_urn.values()))


def engine_value(value: Any) -> Any:
    """A recorded value as the engine sends it to a policy pack: secrets unwrapped, unknowns as the SDK's sentinel."""
    if type(value).__name__ == "Unknown":  # pulumi.output.Unknown, from preview recordings
        return UNKNOWN_STRING_VALUE
    if isinstance(value, dict):
        if value.get(SPECIAL_SIG_KEY) == SPECIAL_SECRET_SIG:
            return engine_value(value.get("value"))
        return {key: engine_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [engine_value(item) for item in value]
    return value


def _level(policy: Policy) -> str:
    # The pack's own default (PolicyPack(enforcement_level=None)) is advisory.
    return (policy.enforcement_level or EnforcementLevel.ADVISORY).value


def _run(
    policy: Validating[ValidationArgs],
    args: ValidationArgs,
    report_violation: ReportViolation,
    violations: list[Violation],
) -> None:
    try:
        result = policy.validate(args, report_violation)
        if inspect.isawaitable(result):
            asyncio.run(_await(result))
    except UnknownValueError as error:
        # What the SDK does when a policy touches a value unknown during preview: an advisory note.
        urn = getattr(args, "urn", None)
        violations.append(Violation(policy.name, "advisory", f"can't run during preview: {error.message}", urn))


async def _await(result: Awaitable[Any]) -> None:
    await result


def _options(resource: RecordedResource) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=resource.protect,
        ignore_changes=[],
        delete_before_replace=resource.delete_before_replace,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=resource.parent,
    )


def _provider(resource: RecordedResource, providers: dict[str, RecordedResource]) -> PolicyProviderResource | None:
    if not resource.provider:
        return None
    urn = resource.provider.rsplit("::", 1)[0]  # a provider reference is "<urn>::<id>"
    provider = providers.get(urn)
    if provider is None:
        return None
    return PolicyProviderResource(
        provider.type, unknown_checking_proxy(engine_value(provider.inputs)), provider.urn, provider.name
    )
