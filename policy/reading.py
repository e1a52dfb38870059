"""Reading the properties the engine hands to a rule, for every rule module of the pack.

Unknown-safe property access (`get`, `get_list`, `get_map`: values the engine cannot know
during a preview become `UNKNOWN` instead of raising), pod templates, containers and their
requests, Fargate profile selectors, IAM policy documents, and the resource types more than
one rule module reads.

Values the engine cannot know during a preview (ids, ARNs, anything computed from them)
never count as a violation: resource policies see them again, resolved, when `pulumi up`
analyzes each resource before creating it. Stack policies link resources by their property
dependencies first and by ids second, so they work on a first preview too.

Imports only the standard library, `pulumi_policy` and its siblings in this folder, so it
loads both as `policy.reading` (tests, `policy.offline`) and as `reading` (the pack, which
the engine runs from its own folder).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs
from pulumi_policy.proxy import (
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

from eksfargate.facts.eks_wildcards import wildcard_matches
from eksfargate.facts.fargate_sizes import quantity
from eksfargate.facts.resource_types import FARGATE_PROFILE, STACK_REFERENCE

# Where each kind keeps its pod template (metadata + spec); a Pod is its own template.
_POD_TEMPLATE_PATH: dict[str, tuple[str, ...]] = {
    "Pod": (),
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "PodTemplate": ("template",),
}


# ---------------------------------------------------------------------------------------
# Reading properties that may be unknown during a preview
# ---------------------------------------------------------------------------------------


class _Unknown:
    """A value the engine cannot know yet (preview)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Any = _Unknown()
_SENTINELS = frozenset(
    {
        UNKNOWN_STRING_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)


def _is_sentinel(value: Any) -> bool:
    return isinstance(value, str) and value in _SENTINELS


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def get(obj: Any, *path: str | int, default: Any = None) -> Any:
    """`obj[p0][p1]...`: `default` where a key is missing or null, UNKNOWN where a value is unknown.

    Works on the engine's unknown-checking proxies (which raise on unknown values) and on
    plain dicts and lists holding the engine's unknown sentinels alike.
    """
    try:
        for key in path:
            if obj is UNKNOWN or _is_sentinel(obj):
                return UNKNOWN
            if isinstance(key, int):
                if not _is_list(obj) or not -len(obj) <= key < len(obj):
                    return default
            elif not isinstance(obj, Mapping) or key not in obj:
                return default
            obj = obj[key]
    except UnknownValueError:
        return UNKNOWN
    if _is_sentinel(obj):
        return UNKNOWN
    return default if obj is None else obj


def get_list(obj: Any, *path: str | int) -> Any:
    """The list at `path` (empty when missing, UNKNOWN when unknown); unknown elements become UNKNOWN."""
    value = get(obj, *path)
    if value is UNKNOWN:
        return UNKNOWN
    if not _is_list(value):
        return []
    return [get(value, index) for index in range(len(value))]


def get_map(obj: Any, *path: str | int) -> Any:
    """The mapping at `path` as a plain dict (empty when missing, UNKNOWN when it or a value is unknown)."""
    value = get(obj, *path)
    if value is UNKNOWN:
        return UNKNOWN
    if not isinstance(value, Mapping):
        return {}
    result = {}
    for key in list(value):
        item = get(value, key)
        if item is UNKNOWN:
            return UNKNOWN
        result[key] = item
    return result


def plain(value: Any) -> Any:
    """A proxy tree as plain dicts and lists, unknowns as UNKNOWN."""
    value = get({"v": value}, "v")
    if isinstance(value, Mapping):
        return {key: plain(get(value, key)) for key in list(value)}
    if _is_list(value):
        return [plain(get(value, index)) for index in range(len(value))]
    return value


def known_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value and not _is_sentinel(value) else None


def present(value: Any) -> bool:
    """Set to something: a non-empty value, or one that will be known after deploy."""
    return value is UNKNOWN or bool(value)


def kind_of(resource_type: str) -> str | None:
    """`Deployment` for `kubernetes:apps/v1:Deployment`; None for non-Kubernetes types, patches and lists."""
    parts = resource_type.split(":")
    if len(parts) != 3 or parts[0] != "kubernetes":
        return None
    kind = parts[2]
    if kind.endswith("Patch") or kind.endswith("List"):
        return None
    return kind


def display(kind: str, props: Any, fallback: str) -> str:
    name = known_str(get(props, "metadata", "name")) or fallback
    return f"{kind} '{name}'"


# ---------------------------------------------------------------------------------------
# Pod templates, containers, quantities
# ---------------------------------------------------------------------------------------


def pod_template(resource_type: str, props: Any) -> Any:
    """The pod template (`metadata`, `spec`) of a Kubernetes object that makes pods, else None."""
    kind = kind_of(resource_type)
    if kind not in _POD_TEMPLATE_PATH:
        return None
    path = _POD_TEMPLATE_PATH[kind]
    return get(props, *path) if path else props


@dataclass(frozen=True)
class Container:
    name: str
    section: str  # containers | initContainers | ephemeralContainers
    spec: Any

    @property
    def label(self) -> str:
        return f"{'init container' if self.section == 'initContainers' else 'container'} '{self.name}'"

    @property
    def sidecar(self) -> bool:
        return self.section == "initContainers" and get(self.spec, "restartPolicy") == "Always"


def containers(pod_spec: Any) -> list[Container]:
    found = []
    for section in ("initContainers", "containers", "ephemeralContainers"):
        items = get_list(pod_spec, section)
        if items is UNKNOWN:
            continue
        for index, spec in enumerate(items):
            if spec is UNKNOWN:
                continue
            found.append(Container(known_str(get(spec, "name")) or f"#{index}", section, spec))
    return found


def parse_quantity(value: Any) -> float | None:
    """A Kubernetes quantity ("250m", "0.5", "256Mi", "1e9", 2) in base units, or None if it is not one."""
    amount = None if value is UNKNOWN else quantity(value)
    return None if amount is None else float(amount)


def effective_request(container: Container, resource: str) -> Any:
    """The container's request for `resource` (Kubernetes copies the limit when only a limit is set)."""
    request = get(container.spec, "resources", "requests", resource)
    if request is None:
        request = get(container.spec, "resources", "limits", resource)
    return request


@dataclass(frozen=True)
class PodSize:
    vcpu: float
    memory_mib: float  # without the 256 MiB Fargate adds


def pod_size(pod_spec: Any) -> PodSize | None:
    """What Fargate sizes the pod from: max(largest init container, sum of the others); None if unknown.

    Sidecars (init containers with restartPolicy Always) run for the pod's lifetime, so they
    count with the long-running containers and under every later init container.
    """
    totals = {}
    for resource, unit in (("cpu", 1.0), ("memory", float(2**20))):
        running = 0.0
        sidecars = 0.0
        init_peak = 0.0
        for container in containers(pod_spec):
            if container.section == "ephemeralContainers":
                continue
            raw = effective_request(container, resource)
            if raw is UNKNOWN:
                return None
            amount = (parse_quantity(raw) or 0.0) / unit
            if container.sidecar:
                sidecars += amount
            elif container.section == "initContainers":
                init_peak = max(init_peak, amount + sidecars)
            else:
                running += amount
        totals[resource] = max(running + sidecars, init_peak)
    return PodSize(vcpu=totals["cpu"], memory_mib=totals["memory"])


def volumes(pod_spec: Any) -> list[tuple[str, Any]]:
    items = get_list(pod_spec, "volumes")
    if items is UNKNOWN:
        return []
    return [(known_str(get(v, "name")) or f"#{i}", v) for i, v in enumerate(items) if v is not UNKNOWN]


def pod_specs(args: ResourceValidationArgs) -> tuple[str, Any] | None:
    """(what, pod spec) for a resource that carries a known pod spec (`what` names the workload), else None."""
    kind = kind_of(args.resource_type)
    template = pod_template(args.resource_type, args.props)
    if template is None or template is UNKNOWN:
        return None
    spec = get(template, "spec")
    if spec is None or spec is UNKNOWN:
        return None
    return display(kind or "", args.props, args.name), spec


# ---------------------------------------------------------------------------------------
# Fargate profile selectors
# ---------------------------------------------------------------------------------------


@dataclass
class Selector:
    namespace: str
    labels: dict[str, str] = field(default_factory=dict)

    def matches(self, namespace: str, labels: Mapping[str, str]) -> bool:
        if not wildcard_matches(self.namespace, namespace):
            return False
        return all(
            any(
                wildcard_matches(key_pattern, key) and wildcard_matches(value_pattern, str(value))
                for key, value in labels.items()
            )
            for key_pattern, value_pattern in self.labels.items()
        )

    def __str__(self) -> str:
        if not self.labels:
            return self.namespace
        return f"{self.namespace} {json.dumps(self.labels, sort_keys=True)}"


@dataclass
class Profile:
    name: str
    urn: str
    selectors: list[Selector]


def fargate_profiles(resources: Iterable[PolicyResource]) -> list[Profile] | None:
    """The stack's Fargate profiles and their selectors; None if any selector is unknown."""
    profiles = []
    for resource in resources:
        if resource.resource_type != FARGATE_PROFILE:
            continue
        selectors = []
        items = get_list(resource.props, "selectors")
        if items is UNKNOWN:
            return None
        for item in items:
            namespace = get(item, "namespace")
            labels = get_map(item, "labels")
            if item is UNKNOWN or namespace is UNKNOWN or labels is UNKNOWN:
                return None
            if isinstance(namespace, str):
                selectors.append(Selector(namespace, {str(k): str(v) for k, v in labels.items()}))
        name = known_str(get(resource.props, "fargateProfileName")) or resource.name
        profiles.append(Profile(name, resource.urn, selectors))
    return profiles


def default_namespace(resource: PolicyResource | ResourceValidationArgs) -> str:
    provider = resource.provider
    namespace = known_str(get(provider.props, "namespace")) if provider is not None else None
    return namespace or "default"


# ---------------------------------------------------------------------------------------
# IAM documents
# ---------------------------------------------------------------------------------------


def policy_document(value: Any) -> dict[str, Any] | None:
    """An IAM policy document given as JSON text or as a mapping; None when unknown or unreadable."""
    value = plain(value)
    if isinstance(value, str) and not _is_sentinel(value):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def statements(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [s for s in as_list(document.get("Statement")) if isinstance(s, dict)]


def principals(statement: Mapping[str, Any], kind: str) -> list[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    if not isinstance(principal, dict):
        return []
    return [str(p) for p in as_list(principal.get(kind))]


def _actions(statement: Mapping[str, Any]) -> list[str]:
    return [str(a).lower() for a in as_list(statement.get("Action"))]


def allows_action(statement: Mapping[str, Any], action: str) -> bool:
    service = action.split(":")[0]
    return statement.get("Effect") == "Allow" and any(a in ("*", f"{service}:*", action.lower()) for a in _actions(statement))


def condition_values(statement: Mapping[str, Any]) -> dict[str, list[str]]:
    """Condition keys (lower case) and their values, whatever the operator."""
    found: dict[str, list[str]] = {}
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return found
    for block in condition.values():
        if isinstance(block, dict):
            for key, values in block.items():
                found.setdefault(str(key).lower(), []).extend(str(v) for v in as_list(values))
    return found


def only_wildcards(values: list[str]) -> bool:
    return not values or any(not v.replace("*", "").replace("?", "").strip() for v in values)


# ---------------------------------------------------------------------------------------
# Tenant stacks: the platform they read through a StackReference
# ---------------------------------------------------------------------------------------

# Output names a platform stack exports for its tenants (the program's eksfargate/contract.py
# PlatformOutput; the pack runs apart from the program, a test keeps the two equal).
TENANT_PROFILE_OUTPUT = "tenantFargateProfile"
TENANT_SELECTOR_OUTPUT = "tenantNamespaceSelector"


@dataclass(frozen=True)
class Platform:
    """The platform a tenant stack reads: its tenant profile and the namespace rule it selects."""

    stack: str
    urn: str
    profile: str
    selector: str


def tenant_platform(resources: Iterable[PolicyResource]) -> Platform | None:
    """The platform whose tenant outputs the stack reads, or None: not a tenant stack (or unknown yet)."""
    for resource in resources:
        if resource.resource_type != STACK_REFERENCE:
            continue
        profile = known_str(get(resource.props, "outputs", TENANT_PROFILE_OUTPUT))
        selector = known_str(get(resource.props, "outputs", TENANT_SELECTOR_OUTPUT))
        if profile and selector:
            return Platform(known_str(get(resource.props, "name")) or resource.name, resource.urn, profile, selector)
    return None


def platform_profiles(resources: Iterable[PolicyResource]) -> list[Profile]:
    """A tenant stack's covering profile: its platform's, whose selector is the tenant namespace rule."""
    platform = tenant_platform(resources)
    return [] if platform is None else [Profile(platform.profile, platform.urn, [Selector(platform.selector)])]
