"""What the tenants of one platform must not share, read from the tenant stack files (eksfargate/stack_catalog.py).

- A namespace: each is one tenant's (its quota, access entry and objects are scoped to it).
- A host on the platform's shared ALB: the ALB sends a host's requests to the rules that match it,
  so a host two tenants claim would send one tenant's traffic to the other.
- TLS on the shared ALB: the tenants' Ingresses merge into one ALB (components/ingress.py), and
  once one of them turns HTTPS on, every HTTP listener of the ALB redirects; a tenant without a
  certificate would be redirected to a listener that has none for its host. So all or none.

The tenant program refuses a stack that breaks one (eksfargate/tenant_settings.py), `teams new`
writes none that does, and `teams list` reports each one the stack files break (tools/teams/tenants.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from eksfargate.stack_catalog import Tenant


def namespace_holders(namespace: str, tenants: Iterable[Tenant], stack: str = "") -> list[str]:
    """The tenant stacks, other than `stack`, that claim `namespace`."""
    return [t.stack for t in tenants if t.namespace == namespace and t.stack != stack]


def host_holders(platform: str, host: str, tenants: Iterable[Tenant], stack: str = "") -> list[str]:
    """The tenant stacks, other than `stack`, that claim `host` on platform stack `platform`'s shared ALB."""
    return [t.stack for t in tenants if t.on_shared_alb_of(platform) and t.host == host and t.stack != stack]


def tls_disagreeing(platform: str, tls: bool, tenants: Iterable[Tenant], stack: str = "") -> list[str]:
    """The tenant stacks, other than `stack`, on platform stack `platform`'s shared ALB whose TLS is not `tls`."""
    return [t.stack for t in tenants if t.on_shared_alb_of(platform) and t.tls != tls and t.stack != stack]


def namespace_conflicts(tenants: list[Tenant]) -> list[str]:
    """Each namespace more than one tenant stack claims, one line each."""
    found = []
    for namespace in sorted({t.namespace for t in tenants}):
        holders = namespace_holders(namespace, tenants)
        if len(holders) > 1:
            found.append(f"namespace {namespace} is claimed by tenant stacks {', '.join(holders)}")
    return found


def shared_alb_conflicts(tenants: list[Tenant]) -> list[str]:
    """Each host more than one tenant claims on a shared ALB, and each shared ALB whose tenants' TLS differs."""
    found = []
    shared = sorted({(t.platform, t.host) for t in tenants if t.alb_mode == "shared"})
    for platform, host in shared:
        holders = host_holders(platform, host, tenants)
        if len(holders) > 1:
            found.append(f"host {host} on platform {platform}'s shared ALB is claimed by {', '.join(holders)}")
    for platform in sorted({p for p, _ in shared}):
        with_tls, without = tls_disagreeing(platform, False, tenants), tls_disagreeing(platform, True, tenants)
        if with_tls and without:
            found.append(
                f"platform {platform}'s shared ALB serves {', '.join(with_tls)} with TLS and {', '.join(without)} "
                "without: one redirect setting holds for every tenant of a shared ALB"
            )
    return found
