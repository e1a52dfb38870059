"""The policies of the EKS-on-Fargate pack: what Fargate cannot run, and insecure settings.

Kept apart from `__main__.py` (which starts the pack's server) so that tests and the offline
plan import them. This module imports only the standard library, `pulumi_policy` and its
sibling fargate_sizes.py, so it loads both as `policy.fargate_rules` (tests, `policy.offline`) and as `fargate_rules` (the
pack, which the engine runs from its own folder).

Values the engine cannot know during a preview (ids, ARNs, anything computed from them)
never count as a violation here: resource policies see them again, resolved, when
`pulumi up` analyzes each resource before creating it. Stack policies link resources by
their property dependencies first and by ids second, so they work on a first preview too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

try:  # as the package `policy` (tests, policy.offline, the plan)
    from policy.fargate_sizes import LARGEST_MEMORY_MIB, LARGEST_VCPU, RESERVED_MEMORY_MIB, quantity
except ModuleNotFoundError:  # as the pack the engine runs from this folder
    from fargate_sizes import LARGEST_MEMORY_MIB, LARGEST_VCPU, RESERVED_MEMORY_MIB, quantity
from pulumi_policy.proxy import (
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

PACK_NAME = "eks-fargate"

# The largest Fargate pod, and the memory Fargate adds to every pod (fargate_sizes.py).
FARGATE_MAX_VCPU = int(LARGEST_VCPU)
FARGATE_MAX_MEMORY_MIB = LARGEST_MEMORY_MIB
FARGATE_OVERHEAD_MIB = RESERVED_MEMORY_MIB

# The StorageClass EKS creates in every cluster, backed by EBS.
EKS_BUILTIN_EBS_CLASSES = frozenset({"gp2"})
EBS_PROVISIONERS = frozenset({"kubernetes.io/aws-ebs", "ebs.csi.aws.com"})

# AWS Load Balancer Controller annotations and classes.
ALB_TARGET_TYPE = "alb.ingress.kubernetes.io/target-type"
LEGACY_INGRESS_CLASS = "kubernetes.io/ingress.class"
NLB_TYPE = "service.beta.kubernetes.io/aws-load-balancer-type"
NLB_TARGET_TYPE = "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"
NLB_CLASS = "service.k8s.aws/nlb"
# A pod carrying this label is scheduled only through the named profile.
FARGATE_PROFILE_LABEL = "eks.amazonaws.com/fargate-profile"
FARGATE_PODS_SERVICE = "eks-fargate-pods.amazonaws.com"

FARGATE_PROFILE = "aws:eks/fargateProfile:FargateProfile"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
EKS_ADDON = "aws:eks/addon:Addon"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
EKS_COMPONENT = "eks:index:Cluster"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
IAM_ROLE = "aws:iam/role:Role"

# Kinds whose pods the coverage rule follows (a workload's pods must land on Fargate).
WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "Job", "CronJob", "Pod", "ReplicaSet", "ReplicationController"})
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


def _known_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value and not _is_sentinel(value) else None


def _present(value: Any) -> bool:
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


def _display(kind: str, props: Any, fallback: str) -> str:
    name = _known_str(get(props, "metadata", "name")) or fallback
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
            found.append(Container(_known_str(get(spec, "name")) or f"#{index}", section, spec))
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


def _volumes(pod_spec: Any) -> list[tuple[str, Any]]:
    items = get_list(pod_spec, "volumes")
    if items is UNKNOWN:
        return []
    return [(_known_str(get(v, "name")) or f"#{i}", v) for i, v in enumerate(items) if v is not UNKNOWN]


# ---------------------------------------------------------------------------------------
# Fargate profile selectors
# ---------------------------------------------------------------------------------------


def _wildcard(pattern: str) -> re.Pattern[str]:
    """Fargate selectors accept `*` (any run of characters) and `?` (one character)."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern) + r"\Z")


def _matches(pattern: str, value: str) -> bool:
    return bool(_wildcard(pattern).match(value))


@dataclass
class Selector:
    namespace: str
    labels: dict[str, str] = field(default_factory=dict)

    def matches(self, namespace: str, labels: Mapping[str, str]) -> bool:
        if not _matches(self.namespace, namespace):
            return False
        return all(
            any(_matches(key_pattern, key) and _matches(value_pattern, str(value)) for key, value in labels.items())
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
        name = _known_str(get(resource.props, "fargateProfileName")) or resource.name
        profiles.append(Profile(name, resource.urn, selectors))
    return profiles


def _default_namespace(resource: PolicyResource | ResourceValidationArgs) -> str:
    provider = resource.provider
    namespace = _known_str(get(provider.props, "namespace")) if provider is not None else None
    return namespace or "default"


# ---------------------------------------------------------------------------------------
# IAM documents
# ---------------------------------------------------------------------------------------


def policy_document(value: Any) -> dict | None:
    """An IAM policy document given as JSON text or as a mapping; None when unknown or unreadable."""
    value = plain(value)
    if isinstance(value, str) and not _is_sentinel(value):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def statements(document: Mapping) -> list[dict]:
    return [s for s in _as_list(document.get("Statement")) if isinstance(s, dict)]


def _principals(statement: Mapping, kind: str) -> list[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    if not isinstance(principal, dict):
        return []
    return [str(p) for p in _as_list(principal.get(kind))]


def _actions(statement: Mapping) -> list[str]:
    return [str(a).lower() for a in _as_list(statement.get("Action"))]


def _allows_action(statement: Mapping, action: str) -> bool:
    service = action.split(":")[0]
    return statement.get("Effect") == "Allow" and any(a in ("*", f"{service}:*", action.lower()) for a in _actions(statement))


def _conditions(statement: Mapping) -> dict[str, list[str]]:
    """Condition keys (lower case) and their values, whatever the operator."""
    found: dict[str, list[str]] = {}
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return found
    for block in condition.values():
        if isinstance(block, dict):
            for key, values in block.items():
                found.setdefault(str(key).lower(), []).extend(str(v) for v in _as_list(values))
    return found


def _only_wildcards(values: list[str]) -> bool:
    return not values or any(not v.replace("*", "").replace("?", "").strip() for v in values)


# ---------------------------------------------------------------------------------------
# The policies
# ---------------------------------------------------------------------------------------

POLICIES: list[Policy] = []


def _resource_policy(name: str, level: EnforcementLevel, description: str):
    def register(validate: Callable[[ResourceValidationArgs, ReportViolation], None]):
        POLICIES.append(ResourceValidationPolicy(name=name, description=description, validate=validate, enforcement_level=level))
        return validate

    return register


def _stack_policy(name: str, level: EnforcementLevel, description: str):
    def register(validate: Callable[[StackValidationArgs, ReportViolation], None]):
        POLICIES.append(StackValidationPolicy(name=name, description=description, validate=validate, enforcement_level=level))
        return validate

    return register


def _pod_policy(name: str, level: EnforcementLevel, description: str):
    """A resource policy over a workload's pod spec: `check(what, pod_spec, report_violation)`,
    called only for resources that carry a known pod spec (`what` names the workload)."""

    def register(check: Callable[[str, Any, ReportViolation], None]):
        def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
            found = _pod_specs(args)
            if found:
                check(*found, report_violation)

        _resource_policy(name, level, description)(validate)
        return check

    return register


MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY


# --- every workload lands on Fargate ----------------------------------------------------


def _workload_targets(resource: PolicyResource) -> tuple[str, str, dict[str, str] | None] | None:
    """(what, namespace, pod labels or None when only the namespace counts) for something that runs pods."""
    props = resource.props
    kind = kind_of(resource.resource_type)
    if kind in WORKLOAD_KINDS:
        template = pod_template(resource.resource_type, props)
        namespace = get(props, "metadata", "namespace")
        labels = get_map(template, "metadata", "labels") if template is not UNKNOWN else UNKNOWN
        if namespace is UNKNOWN or labels is UNKNOWN:
            return None
        return _display(kind, props, resource.name), namespace or _default_namespace(resource), labels
    if resource.resource_type == HELM_RELEASE:
        namespace = get(props, "namespace")
        if namespace is UNKNOWN:
            return None
        chart = _known_str(get(props, "name")) or _known_str(get(props, "chart")) or resource.name
        return f"Helm release '{chart}'", namespace or _default_namespace(resource), None
    if resource.resource_type == EKS_ADDON and get(props, "addonName") == "coredns":
        return "the CoreDNS add-on", "kube-system", {"k8s-app": "kube-dns", "eks.amazonaws.com/component": "coredns"}
    return None


@_stack_policy(
    "fargate-profile-covers-workload",
    MANDATORY,
    "Every workload's namespace and pod labels match a Fargate profile selector; otherwise its pods stay Pending forever.",
)
def fargate_profile_covers_workload(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    profiles = fargate_profiles(args.resources)
    if profiles is None:
        return  # a selector is unknown until deploy: nothing can be said yet
    covered = sorted({str(s) for p in profiles for s in p.selectors}) or ["none"]
    for resource in args.resources:
        target = _workload_targets(resource)
        if target is None:
            continue
        what, namespace, labels = target
        if labels is None:
            # A chart's pod labels are not visible here: only a namespace-wide selector shows coverage.
            if any(s.matches(namespace, {}) for p in profiles for s in p.selectors if not s.labels):
                continue
            report_violation(
                f"{what} runs pods in namespace '{namespace}', which no label-free Fargate profile selector covers "
                f"(selectors: {', '.join(covered)}): its pods would stay Pending forever. Add a selector for namespace "
                f"'{namespace}' to a Fargate profile.",
                resource.urn,
            )
            continue
        pinned = labels.get(FARGATE_PROFILE_LABEL)
        candidates = [p for p in profiles if pinned is None or p.name == pinned]
        if any(s.matches(namespace, labels) for p in candidates for s in p.selectors):
            continue
        shown = json.dumps(labels, sort_keys=True) if labels else "no labels"
        pin = f" (pinned to profile '{pinned}' by label {FARGATE_PROFILE_LABEL})" if pinned is not None else ""
        report_violation(
            f"{what} in namespace '{namespace}' with pod labels {shown}{pin} matches no Fargate profile selector "
            f"(selectors: {', '.join(covered)}): its pods would stay Pending forever. Add a selector for namespace "
            f"'{namespace}' (and the pod labels it should require) to a Fargate profile, or move the workload into a "
            "namespace a profile covers.",
            resource.urn,
        )


# --- what Fargate cannot run ---------------------------------------------------------------


@_resource_policy(
    "no-daemonsets",
    MANDATORY,
    "No DaemonSets: Fargate has no nodes to run one pod per node on, so a DaemonSet never schedules.",
)
def no_daemonsets(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if kind_of(args.resource_type) == "DaemonSet":
        report_violation(
            f"{_display('DaemonSet', args.props, args.name)} would never schedule on Fargate. Run the agent as a sidecar "
            "container in the pods that need it, or, for logs, use Fargate's built-in log router (namespace "
            "aws-observability labelled aws-observability: enabled, ConfigMap aws-logging)."
        )


def _pod_specs(args: ResourceValidationArgs) -> tuple[str, Any] | None:
    kind = kind_of(args.resource_type)
    template = pod_template(args.resource_type, args.props)
    if template is None or template is UNKNOWN:
        return None
    spec = get(template, "spec")
    if spec is None or spec is UNKNOWN:
        return None
    return _display(kind or "", args.props, args.name), spec


@_resource_policy(
    "no-host-path-volumes",
    MANDATORY,
    "No hostPath volumes: a Fargate pod has no host to mount from.",
)
def no_host_path_volumes(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if kind_of(args.resource_type) == "PersistentVolume" and _present(get(args.props, "spec", "hostPath")):
        report_violation(
            f"{_display('PersistentVolume', args.props, args.name)} is a hostPath volume, which Fargate pods cannot "
            "mount. Back it with EFS (CSI driver efs.csi.aws.com) instead."
        )
        return
    found = _pod_specs(args)
    if not found:
        return
    what, spec = found
    for name, volume in _volumes(spec):
        if _present(get(volume, "hostPath")):
            report_violation(
                f"volume '{name}' of {what} is a hostPath volume, which Fargate does not support. Use an emptyDir for "
                "scratch space, a ConfigMap or Secret for files, or an EFS-backed PersistentVolumeClaim for shared data."
            )


@_pod_policy(
    "no-host-network-pid-ipc-or-ports",
    MANDATORY,
    "No hostNetwork, hostPID, hostIPC or hostPort: Fargate isolates every pod in its own micro-VM.",
)
def no_host_namespaces(what: str, spec: Any, report_violation: ReportViolation) -> None:
    for setting in ("hostNetwork", "hostPID", "hostIPC"):
        if get(spec, setting) is True:
            report_violation(f"{what} sets {setting}: true, which Fargate rejects. Remove {setting} from the pod spec.")
    for container in containers(spec):
        ports = get_list(container.spec, "ports")
        for port in ports if ports is not UNKNOWN else []:
            host_port = get(port, "hostPort")
            if host_port not in (None, 0, UNKNOWN):
                shown = f"{host_port:g}" if isinstance(host_port, int | float) else str(host_port)
                report_violation(
                    f"{container.label} of {what} sets hostPort {shown}, which Fargate rejects. Remove hostPort and "
                    "reach the pod through a Service (ClusterIP, or an ALB/NLB with IP targets)."
                )


@_pod_policy(
    "no-privileged-containers",
    MANDATORY,
    "No privileged containers: Fargate does not run them.",
)
def no_privileged_containers(what: str, spec: Any, report_violation: ReportViolation) -> None:
    for container in containers(spec):
        if get(container.spec, "securityContext", "privileged") is True:
            report_violation(
                f"{container.label} of {what} is privileged, which Fargate does not allow. Remove "
                "securityContext.privileged: true (the pod is rejected, not just restricted)."
            )


def _claim_class(spec: Any) -> Any:
    """The StorageClass a PersistentVolumeClaim spec asks for ('' = none, None = the cluster default)."""
    return get(spec, "storageClassName")


_EBS_ADVICE = "Fargate pods cannot mount EBS volumes: use EFS (CSI driver efs.csi.aws.com) for persistent data."


@_resource_policy(
    "no-ebs-volumes",
    MANDATORY,
    "No EBS-backed volumes and no claims on EKS's EBS storage class gp2: Fargate pods cannot mount EBS.",
)
def no_ebs_volumes(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    kind = kind_of(args.resource_type)
    props = args.props
    if kind == "PersistentVolume":
        if _present(get(props, "spec", "awsElasticBlockStore")) or get(props, "spec", "csi", "driver") == "ebs.csi.aws.com":
            report_violation(f"{_display(kind, props, args.name)} is an EBS volume. {_EBS_ADVICE}")
        return
    if kind == "PersistentVolumeClaim":
        if _claim_class(get(props, "spec")) in EKS_BUILTIN_EBS_CLASSES:
            report_violation(f"{_display(kind, props, args.name)} asks for StorageClass gp2, which is EBS. {_EBS_ADVICE}")
        return
    found = _pod_specs(args)
    if not found:
        return
    what, spec = found
    for name, volume in _volumes(spec):
        if _present(get(volume, "awsElasticBlockStore")):
            report_violation(f"volume '{name}' of {what} is an awsElasticBlockStore volume. {_EBS_ADVICE}")
        if _claim_class(get(volume, "ephemeral", "volumeClaimTemplate", "spec")) in EKS_BUILTIN_EBS_CLASSES:
            report_violation(f"ephemeral volume '{name}' of {what} asks for StorageClass gp2, which is EBS. {_EBS_ADVICE}")
    if kind == "StatefulSet":
        templates = get_list(props, "spec", "volumeClaimTemplates")
        for index, claim in enumerate(templates if templates is not UNKNOWN else []):
            if _claim_class(get(claim, "spec")) in EKS_BUILTIN_EBS_CLASSES:
                name = _known_str(get(claim, "metadata", "name")) or f"#{index}"
                report_violation(f"volume claim template '{name}' of {what} asks for StorageClass gp2 (EBS). {_EBS_ADVICE}")


def _claims(resource: PolicyResource) -> list[tuple[str, Any]]:
    """(what, claim spec) for every claim a resource makes: PVCs, volume claim templates, ephemeral volumes."""
    kind = kind_of(resource.resource_type)
    props = resource.props
    if kind == "PersistentVolumeClaim":
        return [(_display(kind, props, resource.name), get(props, "spec"))]
    claims = []
    template = pod_template(resource.resource_type, props)
    if template is not None and template is not UNKNOWN:
        what = _display(kind or "", props, resource.name)
        for name, volume in _volumes(get(template, "spec")):
            spec = get(volume, "ephemeral", "volumeClaimTemplate", "spec")
            if spec is not None:
                claims.append((f"ephemeral volume '{name}' of {what}", spec))
        if kind == "StatefulSet":
            templates = get_list(props, "spec", "volumeClaimTemplates")
            for index, claim in enumerate(templates if templates is not UNKNOWN else []):
                name = _known_str(get(claim, "metadata", "name")) or f"#{index}"
                claims.append((f"volume claim template '{name}' of {what}", get(claim, "spec")))
    return claims


@_stack_policy(
    "no-claims-on-ebs-storage-classes",
    MANDATORY,
    "No persistent volume claims on an EBS StorageClass declared in the stack (by name, or as the default class).",
)
def no_claims_on_ebs_storage_classes(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    ebs_classes: set[str] = set()
    ebs_default: str | None = None
    for resource in args.resources:
        if kind_of(resource.resource_type) != "StorageClass" or get(resource.props, "provisioner") not in EBS_PROVISIONERS:
            continue
        name = _known_str(get(resource.props, "metadata", "name"))
        if name:
            ebs_classes.add(name)
        annotations = get_map(resource.props, "metadata", "annotations")
        if annotations is not UNKNOWN and annotations.get("storageclass.kubernetes.io/is-default-class") == "true":
            ebs_default = name or resource.name
    if not ebs_classes and ebs_default is None:
        return
    for resource in args.resources:
        for what, spec in _claims(resource):
            if spec is UNKNOWN:
                continue
            wanted = _claim_class(spec)
            if wanted is UNKNOWN or wanted in EKS_BUILTIN_EBS_CLASSES:
                continue  # unknown, or already reported by no-ebs-volumes
            if wanted in ebs_classes:
                report_violation(f"{what} asks for StorageClass '{wanted}', which provisions EBS. {_EBS_ADVICE}", resource.urn)
            elif wanted is None and ebs_default is not None:
                report_violation(
                    f"{what} names no StorageClass, so it gets the default class '{ebs_default}', which provisions EBS. "
                    f"{_EBS_ADVICE}",
                    resource.urn,
                )


# --- sizing ---------------------------------------------------------------------------------


@_pod_policy(
    "workload-requests-cpu-and-memory",
    MANDATORY,
    "Every container of a workload requests CPU and memory: Fargate sizes (and bills) each pod from its requests.",
)
def workload_requests(what: str, spec: Any, report_violation: ReportViolation) -> None:
    for container in containers(spec):
        if container.section == "ephemeralContainers":
            continue
        missing = []
        for resource in ("cpu", "memory"):
            request = effective_request(container, resource)
            if request is UNKNOWN:
                continue
            if request is None or parse_quantity(request) is None:
                missing.append(resource)
        if missing:
            report_violation(
                f"{container.label} of {what} requests no {' and no '.join(missing)} (or not as a Kubernetes quantity): "
                "Fargate would size the pod from whatever is set, 0.25 vCPU / 0.5 GB if nothing is. Set "
                f"resources.requests.{' and resources.requests.'.join(missing)}, equal to the limits (Fargate runs pods with "
                "guaranteed QoS)."
            )


def _format_mib(mib: float) -> str:
    return f"{mib / 1024:g} GiB" if mib >= 1024 else f"{mib:g} MiB"


@_pod_policy(
    "pod-fits-largest-fargate-size",
    MANDATORY,
    f"No pod asks for more than the largest Fargate size, {FARGATE_MAX_VCPU} vCPU / {FARGATE_MAX_MEMORY_MIB // 1024} GB "
    f"including the {FARGATE_OVERHEAD_MIB} MB Fargate adds.",
)
def pod_fits_largest_fargate_size(what: str, spec: Any, report_violation: ReportViolation) -> None:
    size = pod_size(spec)
    if size is None:
        return
    memory = size.memory_mib + FARGATE_OVERHEAD_MIB
    if size.vcpu > FARGATE_MAX_VCPU or memory > FARGATE_MAX_MEMORY_MIB:
        report_violation(
            f"pods of {what} need {size.vcpu:g} vCPU and {_format_mib(memory)} of memory ({_format_mib(size.memory_mib)} "
            f"requested + {FARGATE_OVERHEAD_MIB} MiB Fargate adds), more than the largest Fargate pod "
            f"({FARGATE_MAX_VCPU} vCPU / {FARGATE_MAX_MEMORY_MIB // 1024} GB): they would never be scheduled. Lower the "
            "requests (max of the largest init container and the sum of the others) or split the work across pods."
        )


# --- load balancers --------------------------------------------------------------------------


@_resource_policy(
    "alb-ingress-ip-targets",
    MANDATORY,
    "ALB Ingresses use target type ip: Fargate has no nodes for instance (NodePort) targets.",
)
def alb_ingress_ip_targets(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if kind_of(args.resource_type) != "Ingress":
        return
    annotations = get_map(args.props, "metadata", "annotations")
    ingress_class = get(args.props, "spec", "ingressClassName")
    if annotations is UNKNOWN or ingress_class is UNKNOWN:
        return
    if ingress_class != "alb" and annotations.get(LEGACY_INGRESS_CLASS) != "alb":
        return
    target_type = annotations.get(ALB_TARGET_TYPE)
    if target_type != "ip":
        shown = f"'{target_type}'" if target_type else "'instance' (the default)"
        report_violation(
            f"{_display('Ingress', args.props, args.name)} asks the ALB for target type {shown}, whose NodePort targets "
            f"never turn healthy on Fargate. Set the annotation {ALB_TARGET_TYPE}: ip."
        )


@_resource_policy(
    "load-balancer-service-nlb-ip-targets",
    MANDATORY,
    "Services of type LoadBalancer use the AWS Load Balancer Controller's NLB with IP targets.",
)
def load_balancer_service_nlb_ip(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if kind_of(args.resource_type) != "Service" or get(args.props, "spec", "type") != "LoadBalancer":
        return
    annotations = get_map(args.props, "metadata", "annotations")
    lb_class = get(args.props, "spec", "loadBalancerClass")
    if annotations is UNKNOWN or lb_class is UNKNOWN:
        return
    lb_type = annotations.get(NLB_TYPE)
    if lb_type == "nlb-ip":
        return  # the controller's older spelling of an NLB with IP targets
    by_controller = lb_class == NLB_CLASS or lb_type == "external"
    if by_controller and annotations.get(NLB_TARGET_TYPE) == "ip":
        return
    problem = (
        "gets an NLB with instance targets" if by_controller else "is left to the in-tree cloud provider, which targets nodes"
    )
    report_violation(
        f"{_display('Service', args.props, args.name)} of type LoadBalancer {problem}; Fargate has no nodes, so the "
        f"targets never turn healthy. Set spec.loadBalancerClass: {NLB_CLASS} (or the annotation {NLB_TYPE}: external) "
        f"and the annotation {NLB_TARGET_TYPE}: ip."
    )


# --- Fargate profiles use private subnets only -------------------------------------------------


class _Stack:
    """Links between the stack's resources, by property dependency first and by id second."""

    def __init__(self, resources: Sequence[PolicyResource]):
        self.resources = resources
        self.by_type: dict[str, list[PolicyResource]] = {}
        for resource in resources:
            self.by_type.setdefault(resource.resource_type, []).append(resource)

    @staticmethod
    def id_of(resource: PolicyResource) -> str | None:
        return _known_str(get(resource.props, "id"))

    def referenced(self, holder: PolicyResource, prop: str, type_: str, values: Iterable[Any]) -> list[PolicyResource]:
        """Resources of `type_` that `holder.prop` names: through its dependencies or by id."""
        found = [r for r in holder.property_dependencies.get(prop, []) if r.resource_type == type_]
        ids = {v for v in values if _known_str(v)}
        for resource in self.by_type.get(type_, []):
            if resource not in found and self.id_of(resource) in ids:
                found.append(resource)
        return found

    def names(self, holder: PolicyResource, prop: str, target: PolicyResource, value: Any) -> bool:
        """Whether `holder.prop` (value `value`) refers to `target`."""
        if target in holder.property_dependencies.get(prop, []):
            return True
        target_id = self.id_of(target)
        return target_id is not None and _known_str(value) == target_id


@dataclass
class _Route:
    destination: Any
    gateway: Any  # gatewayId
    nat: Any  # natGatewayId
    to_igw: bool


def _routes(stack: _Stack, table: PolicyResource) -> tuple[list[_Route], bool]:
    """The table's routes (inline and separate `Route` resources), and whether some are unknown until deploy."""
    igws = stack.by_type.get(INTERNET_GATEWAY, [])
    igw_ids = {stack.id_of(g) for g in igws} - {None}

    def depends_on_igw(holder: PolicyResource, prop: str) -> bool:
        return any(d.resource_type == INTERNET_GATEWAY for d in holder.property_dependencies.get(prop, []))

    def is_igw(gateway: Any, holder: PolicyResource, prop: str) -> bool:
        gateway_id = _known_str(gateway)
        if gateway_id:
            return gateway_id.startswith("igw-") or gateway_id in igw_ids
        # Unknown until deploy: the property's dependencies tell what it will be.
        return gateway is UNKNOWN and depends_on_igw(holder, prop)

    routes = []
    inline = get_list(table.props, "routes")
    undecided = inline is UNKNOWN
    if undecided and depends_on_igw(table, "routes"):
        routes.append(_Route(UNKNOWN, UNKNOWN, None, True))
    for route in inline if inline is not UNKNOWN else []:
        if route is UNKNOWN:
            undecided = True
            continue
        gateway = get(route, "gatewayId")
        destination = get(route, "cidrBlock")
        undecided = undecided or destination is UNKNOWN
        routes.append(_Route(destination, gateway, get(route, "natGatewayId"), is_igw(gateway, table, "routes")))
    for route in stack.by_type.get(ROUTE, []):
        if stack.names(route, "routeTableId", table, get(route.props, "routeTableId")):
            gateway = get(route.props, "gatewayId")
            destination = get(route.props, "destinationCidrBlock")
            undecided = undecided or destination is UNKNOWN
            routes.append(_Route(destination, gateway, get(route.props, "natGatewayId"), is_igw(gateway, route, "gatewayId")))
    return routes, undecided


@_stack_policy(
    "fargate-profile-private-subnets",
    MANDATORY,
    "Fargate profiles use only private subnets: no public IP on launch, 0.0.0.0/0 routed to a NAT gateway, no route to an "
    "internet gateway.",
)
def fargate_profile_private_subnets(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = _Stack(args.resources)
    for profile in stack.by_type.get(FARGATE_PROFILE, []):
        profile_name = _known_str(get(profile.props, "fargateProfileName")) or profile.name
        subnet_ids = get_list(profile.props, "subnetIds")
        subnets = stack.referenced(profile, "subnetIds", SUBNET, subnet_ids if subnet_ids is not UNKNOWN else [])
        # Subnets the stack does not declare (an existing VPC) cannot be checked from here.
        for subnet in subnets:
            where = f"Fargate profile '{profile_name}' uses subnet '{subnet.name}'"
            if get(subnet.props, "mapPublicIpOnLaunch") is True:
                report_violation(
                    f"{where}, which gives instances a public IP on launch (mapPublicIpOnLaunch: true), i.e. a public "
                    "subnet. Fargate pods run in private subnets only: give the profile the private subnets.",
                    profile.urn,
                )
                continue
            associations = [
                a for a in stack.by_type.get(ASSOCIATION, []) if stack.names(a, "subnetId", subnet, get(a.props, "subnetId"))
            ]
            if not associations:
                report_violation(
                    f"{where}, which has no route table association in this stack, so it uses the VPC's main route "
                    "table. Associate a route table that sends 0.0.0.0/0 to a NAT gateway.",
                    profile.urn,
                )
                continue
            for association in associations:
                tables = stack.referenced(association, "routeTableId", ROUTE_TABLE, [get(association.props, "routeTableId")])
                for table in tables:
                    routes, undecided = _routes(stack, table)
                    has_nat = any(route.destination == "0.0.0.0/0" and _present(route.nat) for route in routes)
                    if any(route.to_igw for route in routes):
                        report_violation(
                            f"{where}, whose route table '{table.name}' routes to an internet gateway, i.e. a public "
                            "subnet. Fargate pods run in private subnets only: use subnets whose route table sends "
                            "0.0.0.0/0 to a NAT gateway.",
                            profile.urn,
                        )
                    elif not has_nat and not undecided:
                        report_violation(
                            f"{where}, whose route table '{table.name}' has no 0.0.0.0/0 route to a NAT gateway: pods "
                            "could not pull images from public registries. Route 0.0.0.0/0 to a NAT gateway.",
                            profile.urn,
                        )


# --- IAM ----------------------------------------------------------------------------------------


def _trust_policy(args: ResourceValidationArgs) -> dict | None:
    if args.resource_type != IAM_ROLE:
        return None
    return policy_document(get(args.props, "assumeRolePolicy"))


@_resource_policy(
    "irsa-trust-sub-and-aud",
    MANDATORY,
    "Roles for service accounts (web identity through the cluster's OIDC provider) trust only with sub and aud conditions.",
)
def irsa_trust_sub_and_aud(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    document = _trust_policy(args)
    if document is None:
        return
    for statement in statements(document):
        federated = [p for p in _principals(statement, "Federated") if "cognito-identity.amazonaws.com" not in p]
        if not federated or not _allows_action(statement, "sts:AssumeRoleWithWebIdentity"):
            continue
        conditions = _conditions(statement)
        subs = [values for key, values in conditions.items() if key.endswith(":sub")]
        missing = []
        if not subs or all(_only_wildcards(values) for values in subs):
            missing.append("a 'sub' condition naming the service account")
        if not any(key.endswith(":aud") for key in conditions):
            missing.append("an 'aud' condition")
        if missing:
            report_violation(
                f"role '{args.name}' lets web identities from {', '.join(federated)} assume it without "
                f"{' or '.join(missing)}, so any service account of the cluster (or any token of the provider) could. "
                "Add StringEquals {'<issuer>:sub': 'system:serviceaccount:<namespace>:<service account>', "
                "'<issuer>:aud': 'sts.amazonaws.com'}."
            )


@_resource_policy(
    "pod-execution-role-source-arn",
    MANDATORY,
    "The Fargate pod execution role trusts eks-fargate-pods.amazonaws.com only for this cluster's Fargate profiles "
    "(aws:SourceArn condition).",
)
def pod_execution_role_source_arn(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    document = _trust_policy(args)
    if document is None:
        return
    for statement in statements(document):
        if FARGATE_PODS_SERVICE not in _principals(statement, "Service") or not _allows_action(statement, "sts:AssumeRole"):
            continue
        source_arns = _conditions(statement).get("aws:sourcearn", [])
        if not source_arns or _only_wildcards(source_arns) or not all(":fargateprofile/" in arn for arn in source_arns):
            report_violation(
                f"role '{args.name}' trusts {FARGATE_PODS_SERVICE} without an aws:SourceArn condition naming the "
                "cluster's Fargate profiles, so Fargate could assume it for other clusters (confused deputy). Add "
                "ArnLike {'aws:SourceArn': 'arn:<partition>:eks:<region>:<account>:fargateprofile/<cluster>/*'}."
            )


ADMINISTRATOR_ACCESS = ":policy/AdministratorAccess"
_POLICY_DOCUMENTS = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
}
_POLICY_ATTACHMENTS = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
}


def _allows_everything(document: Mapping) -> bool:
    for statement in statements(document):
        if statement.get("Effect") != "Allow":
            continue
        actions = [str(a) for a in _as_list(statement.get("Action"))]
        resources = [str(r) for r in _as_list(statement.get("Resource"))]
        if any(a in ("*", "*:*") for a in actions) and "*" in resources:
            return True
    return False


@_resource_policy(
    "no-iam-allow-all",
    MANDATORY,
    "No IAM policy allows every action on every resource (Action '*' on Resource '*', or AdministratorAccess).",
)
def no_iam_allow_all(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    advice = "Grant only the actions and resources the role needs."
    documents: list[tuple[str, Any]] = []
    if args.resource_type in _POLICY_DOCUMENTS:
        documents.append((f"policy '{args.name}'", get(args.props, _POLICY_DOCUMENTS[args.resource_type])))
    elif args.resource_type == IAM_ROLE:
        inline = get_list(args.props, "inlinePolicies")
        for item in inline if inline is not UNKNOWN else []:
            label = _known_str(get(item, "name")) or "?"
            documents.append((f"inline policy '{label}' of role '{args.name}'", get(item, "policy")))
        managed = get_list(args.props, "managedPolicyArns")
        for arn in managed if managed is not UNKNOWN else []:
            if _known_str(arn) and arn.endswith(ADMINISTRATOR_ACCESS):
                report_violation(f"role '{args.name}' has AdministratorAccess: every action on every resource. {advice}")
    elif args.resource_type in _POLICY_ATTACHMENTS:
        arn = _known_str(get(args.props, "policyArn"))
        if arn and arn.endswith(ADMINISTRATOR_ACCESS):
            report_violation(f"'{args.name}' attaches AdministratorAccess, which allows every action on every resource. {advice}")
    for label, value in documents:
        document = policy_document(value)
        if document is not None and _allows_everything(document):
            report_violation(f"{label} allows Action '*' on Resource '*'. {advice}")


# --- advisory: cluster settings and images ----------------------------------------------------------


def _cluster_settings(args: ResourceValidationArgs) -> dict[str, Any] | None:
    """The settings the advisory rules read, from pulumi-eks's component or from the EKS cluster itself."""
    props = args.props
    if args.resource_type == EKS_COMPONENT:
        return {
            "public": get(props, "endpointPublicAccess", default=True),
            "cidrs": get_list(props, "publicAccessCidrs"),
            "logs": get_list(props, "enabledClusterLogTypes"),
            "encrypted": _present(get(props, "encryptionConfigKeyArn")),
        }
    if args.resource_type == EKS_CLUSTER:
        resources = get_list(props, "encryptionConfig", "resources")
        return {
            "public": get(props, "vpcConfig", "endpointPublicAccess", default=True),
            "cidrs": get_list(props, "vpcConfig", "publicAccessCidrs"),
            "logs": get_list(props, "enabledClusterLogTypes"),
            "encrypted": resources is UNKNOWN or "secrets" in resources,
        }
    return None


def _cluster_name(args: ResourceValidationArgs) -> str:
    return _known_str(get(args.props, "name")) or args.name


@_resource_policy(
    "cluster-endpoint-not-open-to-world",
    ADVISORY,
    "The cluster's public API endpoint is not open to 0.0.0.0/0.",
)
def cluster_endpoint_not_open(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    settings = _cluster_settings(args)
    if settings is None or settings["public"] is not True or settings["cidrs"] is UNKNOWN:
        return
    cidrs = settings["cidrs"] or ["0.0.0.0/0"]  # EKS's default when none are given
    if "0.0.0.0/0" in cidrs:
        report_violation(
            f"the Kubernetes API endpoint of cluster '{_cluster_name(args)}' is public and open to 0.0.0.0/0. Narrow "
            "publicAccessCidrs (stack setting publicAccessCidrs) to your office or VPN ranges, or turn "
            "endpointPublicAccess off and reach the API from inside the VPC."
        )


@_resource_policy(
    "cluster-control-plane-logging",
    ADVISORY,
    "The cluster sends control-plane logs (at least api, audit, authenticator) to CloudWatch.",
)
def cluster_control_plane_logging(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    settings = _cluster_settings(args)
    if settings is None or settings["logs"] is UNKNOWN:
        return
    if not settings["logs"]:
        report_violation(
            f"control-plane logging of cluster '{_cluster_name(args)}' is off. Set enabledClusterLogTypes (stack setting "
            "clusterLogTypes), e.g. [api, audit, authenticator]."
        )


@_resource_policy(
    "cluster-secrets-encryption",
    ADVISORY,
    "Kubernetes secrets are envelope-encrypted with a KMS key.",
)
def cluster_secrets_encryption(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    settings = _cluster_settings(args)
    if settings is not None and not settings["encrypted"]:
        report_violation(
            f"Kubernetes secrets of cluster '{_cluster_name(args)}' are not envelope-encrypted with KMS. Set "
            "encryptionConfigKeyArn (stack setting secretsEncryption: true)."
        )


def image_tag(image: str) -> str | None:
    """The tag of an image reference ('' when it has none), or None when it is pinned by digest."""
    if "@" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    return last.rsplit(":", 1)[1] if ":" in last else ""


@_pod_policy(
    "image-tag-pinned",
    ADVISORY,
    "Container images name a version tag or a digest, not 'latest' or nothing.",
)
def image_tag_pinned(what: str, spec: Any, report_violation: ReportViolation) -> None:
    for container in containers(spec):
        image = _known_str(get(container.spec, "image"))
        if image is None:
            continue
        tag = image_tag(image)
        if tag in ("", "latest"):
            report_violation(
                f"{container.label} of {what} runs image '{image}' ({'no tag, so latest' if tag == '' else 'tag latest'}): "
                "the image can change under the stack with no diff, and rollbacks cannot go back to it. Pin a version "
                "tag or a digest (@sha256:...)."
            )
