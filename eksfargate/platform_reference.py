"""What a tenant program checks in its platform's outputs before it schedules a pod."""

from __future__ import annotations

from typing import Any

import pulumi

from eksfargate.contract import PlatformOutput, selector_covers

# What only a platform that serves tenants (servesTenants true) exports.
TENANT_OUTPUTS = (PlatformOutput.TENANT_PROFILE, PlatformOutput.TENANT_SELECTOR, PlatformOutput.SHARED_ALB_GROUP)


class PlatformError(pulumi.RunError):
    """The platform stack cannot host this tenant."""


def platform_output(platform: pulumi.StackReference, platform_stack: str, name: str) -> pulumi.Output[Any]:
    """One output of the platform stack; fails the update, naming what is wrong, when it has none."""

    def present(value: Any) -> Any:
        if value is None:
            why = " (it does not serve tenants: set servesTenants: true in its stack file)" if name in TENANT_OUTPUTS else ""
            if name == PlatformOutput.SECRET_STORE_API:
                why = " (it runs no External Secrets Operator, which copies appAwsSecrets: set externalSecrets: true)"
            raise PlatformError(f"platform stack {platform_stack} exports no {name}{why}")
        return value

    return platform.get_output(name).apply(present)


def covering_profile(platform: pulumi.StackReference, platform_stack: str, namespace: str) -> pulumi.Output[str]:
    """The name of the platform's Fargate profile that covers `namespace`; fails the update if none does.

    Pods whose namespace no profile covers stay Pending forever on a Fargate-only cluster, so a
    tenant's workload takes this output (as its pods' profile label) and waits for the check.
    """

    def check(values: list[str]) -> str:
        profile, selector = values
        if not selector_covers(selector, namespace):
            raise PlatformError(
                f"platform stack {platform_stack}'s Fargate profile {profile} selects namespaces {selector!r}, "
                f"not {namespace!r}: its pods would stay Pending"
            )
        return profile

    return pulumi.Output.all(
        platform_output(platform, platform_stack, PlatformOutput.TENANT_PROFILE),
        platform_output(platform, platform_stack, PlatformOutput.TENANT_SELECTOR),
    ).apply(check)
