"""The resource types and invokes the offline tools know, one entry each (offline/registry/entry.py):
how the harness's mocks answer for a type, what replaces it in the diff, whether its name is
fixed, what the plan's tree shows of it. A type the programs declare gets its entry in the module
of its domain, and nowhere else; its token comes from eksfargate/facts/resource_types.py where the
programs or the pack name it too. tests/tools/offline/test_registry.py holds every type the
programs record to exactly one entry.
"""

from __future__ import annotations

from typing import Any

from offline.registry import edge, eks, iam, invokes, kubernetes, network, observability, pulumi_types
from offline.registry.entry import Invoke, NewResource, ResourceType, is_kubernetes_object

RESOURCE_TYPES: tuple[ResourceType, ...] = (
    *network.TYPES,
    *eks.TYPES,
    *iam.TYPES,
    *edge.TYPES,
    *kubernetes.TYPES,
    *observability.TYPES,
    *pulumi_types.TYPES,
)
INVOKES: tuple[Invoke, ...] = (*invokes.INVOKES, *observability.INVOKES)

_BY_TOKEN = {entry.token: entry for entry in RESOURCE_TYPES}
_INVOKES = {invoke.token: invoke for invoke in INVOKES}


def entry_of(token: str) -> ResourceType | None:
    return _BY_TOKEN.get(token)


def deployed(resource: NewResource) -> tuple[str, dict[str, Any]]:
    """The id and outputs a resource has after a deploy."""
    entry = _BY_TOKEN.get(resource.token)
    resource_id = entry.id_of(resource) if entry and entry.id_of else resource.default_id
    outputs = dict(resource.inputs)
    if entry and entry.outputs:
        outputs.update(entry.outputs(resource, resource_id))
    return resource_id, outputs


def previewed(resource: NewResource) -> tuple[str, dict[str, Any]]:
    """The id and outputs a first `pulumi preview` knows: the inputs; what AWS assigns, the id and an
    AWS resource's ARN among them, as placeholders."""
    entry = _BY_TOKEN.get(resource.token)
    outputs = dict(resource.inputs)
    if resource.token.startswith("aws:"):
        outputs.setdefault("arn", resource.placeholder("arn"))
    if entry and entry.preview_outputs:
        outputs.update(entry.preview_outputs(resource))
    return resource.placeholder("id"), outputs


def answer(token: str, arguments: dict[str, Any], region: str, preview: bool) -> dict[str, Any]:
    """What an invoke returns after a deploy, or in a first preview."""
    invoke = _INVOKES.get(token)
    if invoke is None:
        raise NotImplementedError(f"no offline answer for the invoke {token}")
    result = invoke.answer(arguments, region)
    if preview and invoke.preview:
        result.update(invoke.preview(arguments))
    return result


def summarize(res: dict[str, Any]) -> list[str]:
    """The few properties of a plan's resource a reviewer looks at, as short strings."""
    entry = _BY_TOKEN.get(res["type"])
    if entry and entry.summary:
        return entry.summary(res)
    if is_kubernetes_object(res["type"]):
        return kubernetes.object_summary(res)
    return []
