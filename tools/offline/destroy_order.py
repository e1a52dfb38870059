"""The order `pulumi destroy` deletes a plan's resources in, from the plan's dependency graph.

Pulumi deletes a resource only once everything that needs it is gone: what depends on it, the
children of a component, and whatever a provider resource serves. Resources with nothing left
that needs them go together, in one wave.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any


def needs(resource: Mapping[str, Any]) -> set[str]:
    """The URNs a resource needs while it exists: its dependencies, its parent, its provider."""
    found = set(resource.get("dependencies") or ())
    found.update(urn for urn in (resource.get("parent"), resource.get("provider")) if urn)
    return found


def destroy_waves(resources: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Each resource's wave in a destroy (0 is deleted first), by URN."""
    by_urn = {resource["urn"]: resource for resource in resources}
    needed_by: dict[str, set[str]] = defaultdict(set)
    for urn, resource in by_urn.items():
        for needed in needs(resource) & by_urn.keys():
            needed_by[needed].add(urn)

    @cache
    def wave(urn: str) -> int:
        return 1 + max((wave(user) for user in needed_by[urn]), default=-1)

    return {urn: wave(urn) for urn in by_urn}
