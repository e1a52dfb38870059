"""Rules on the pods a workload runs: they land on Fargate, ask for nothing Fargate cannot give
(nodes, host access, privilege, more than its largest size), request CPU and memory, run
pinned images, and have a disruption budget Fargate's patching can work with.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs

from eksfargate.facts.fargate_sizes import LARGEST_MEMORY_MIB, LARGEST_VCPU, RESERVED_MEMORY_MIB
from eksfargate.facts.pod_placement import FARGATE_PROFILE_LABEL
from eksfargate.facts.resource_types import EKS_ADDON, HELM_RELEASE
from policy.declare import ADVISORY, MANDATORY, pod_policy, resource_policy, stack_policy
from policy.reading import (
    UNKNOWN,
    containers,
    default_namespace,
    display,
    effective_request,
    fargate_profiles,
    get,
    get_list,
    get_map,
    kind_of,
    known_str,
    parse_quantity,
    platform_profiles,
    pod_size,
    pod_specs,
    pod_template,
    present,
    volumes,
)

# The largest Fargate pod, and the memory Fargate adds to every pod (fargate_sizes.py).
FARGATE_MAX_VCPU = int(LARGEST_VCPU)
FARGATE_MAX_MEMORY_MIB = LARGEST_MEMORY_MIB
FARGATE_OVERHEAD_MIB = RESERVED_MEMORY_MIB


# Kinds whose pods the coverage rule follows (a workload's pods must land on Fargate).
WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "Job", "CronJob", "Pod", "ReplicaSet", "ReplicationController"})

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
        return display(kind, props, resource.name), namespace or default_namespace(resource), labels
    if resource.resource_type == HELM_RELEASE:
        namespace = get(props, "namespace")
        if namespace is UNKNOWN:
            return None
        chart = known_str(get(props, "name")) or known_str(get(props, "chart")) or resource.name
        return f"Helm release '{chart}'", namespace or default_namespace(resource), None
    if resource.resource_type == EKS_ADDON and get(props, "addonName") == "coredns":
        return "the CoreDNS add-on", "kube-system", {"k8s-app": "kube-dns", "eks.amazonaws.com/component": "coredns"}
    return None


@stack_policy(
    "fargate-profile-covers-workload",
    MANDATORY,
    "Every workload's namespace and pod labels match a Fargate profile selector; otherwise its pods stay Pending forever.",
)
def fargate_profile_covers_workload(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    profiles = fargate_profiles(args.resources)
    if profiles is None:
        return  # a selector is unknown until deploy: nothing can be said yet
    profiles += platform_profiles(args.resources)  # a tenant stack's pods run on its platform's profile
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


@resource_policy(
    "no-daemonsets",
    MANDATORY,
    "No DaemonSets: Fargate has no nodes to run one pod per node on, so a DaemonSet never schedules.",
)
def no_daemonsets(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if kind_of(args.resource_type) == "DaemonSet":
        report_violation(
            f"{display('DaemonSet', args.props, args.name)} would never schedule on Fargate. Run the agent as a sidecar "
            "container in the pods that need it, or, for logs, use Fargate's built-in log router (namespace "
            "aws-observability labelled aws-observability: enabled, ConfigMap aws-logging).",
            None,
        )


@resource_policy(
    "no-host-path-volumes",
    MANDATORY,
    "No hostPath volumes: a Fargate pod has no host to mount from.",
)
def no_host_path_volumes(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if kind_of(args.resource_type) == "PersistentVolume" and present(get(args.props, "spec", "hostPath")):
        report_violation(
            f"{display('PersistentVolume', args.props, args.name)} is a hostPath volume, which Fargate pods cannot "
            "mount. Back it with EFS (CSI driver efs.csi.aws.com) instead.",
            None,
        )
        return
    found = pod_specs(args)
    if not found:
        return
    what, spec = found
    for name, volume in volumes(spec):
        if present(get(volume, "hostPath")):
            report_violation(
                f"volume '{name}' of {what} is a hostPath volume, which Fargate does not support. Use an emptyDir for "
                "scratch space, a ConfigMap or Secret for files, or an EFS-backed PersistentVolumeClaim for shared data.",
                None,
            )


@pod_policy(
    "no-host-network-pid-ipc-or-ports",
    MANDATORY,
    "No hostNetwork, hostPID, hostIPC or hostPort: Fargate isolates every pod in its own micro-VM.",
)
def no_host_namespaces(what: str, spec: Any, report_violation: ReportViolation) -> None:
    for setting in ("hostNetwork", "hostPID", "hostIPC"):
        if get(spec, setting) is True:
            report_violation(f"{what} sets {setting}: true, which Fargate rejects. Remove {setting} from the pod spec.", None)
    for container in containers(spec):
        ports = get_list(container.spec, "ports")
        for port in ports if ports is not UNKNOWN else []:
            host_port = get(port, "hostPort")
            if host_port not in (None, 0, UNKNOWN):
                shown = f"{host_port:g}" if isinstance(host_port, int | float) else str(host_port)
                report_violation(
                    f"{container.label} of {what} sets hostPort {shown}, which Fargate rejects. Remove hostPort and "
                    "reach the pod through a Service (ClusterIP, or an ALB/NLB with IP targets).",
                    None,
                )


@pod_policy(
    "no-privileged-containers",
    MANDATORY,
    "No privileged containers: Fargate does not run them.",
)
def no_privileged_containers(what: str, spec: Any, report_violation: ReportViolation) -> None:
    for container in containers(spec):
        if get(container.spec, "securityContext", "privileged") is True:
            report_violation(
                f"{container.label} of {what} is privileged, which Fargate does not allow. Remove "
                "securityContext.privileged: true (the pod is rejected, not just restricted).",
                None,
            )


# --- sizing ---------------------------------------------------------------------------------


@pod_policy(
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
                "guaranteed QoS).",
                None,
            )


def _format_mib(mib: float) -> str:
    return f"{mib / 1024:g} GiB" if mib >= 1024 else f"{mib:g} MiB"


@pod_policy(
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
            "requests (max of the largest init container and the sum of the others) or split the work across pods.",
            None,
        )


# --- images ---------------------------------------------------------------------------------


def image_tag(image: str) -> str | None:
    """The tag of an image reference ('' when it has none), or None when it is pinned by digest."""
    if "@" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    return last.rsplit(":", 1)[1] if ":" in last else ""


@pod_policy(
    "image-tag-pinned",
    ADVISORY,
    "Container images name a version tag or a digest, not 'latest' or nothing.",
)
def image_tag_pinned(what: str, spec: Any, report_violation: ReportViolation) -> None:
    for container in containers(spec):
        image = known_str(get(container.spec, "image"))
        if image is None:
            continue
        tag = image_tag(image)
        if tag in ("", "latest"):
            report_violation(
                f"{container.label} of {what} runs image '{image}' ({'no tag, so latest' if tag == '' else 'tag latest'}): "
                "the image can change under the stack with no diff, and rollbacks cannot go back to it. Pin a version "
                "tag or a digest (@sha256:...).",
                None,
            )


# --- Fargate patches pods by evicting them ------------------------------------------------

# Controllers whose pods Fargate's patching evicts and replaces (Jobs run to completion instead).
REPLICATED_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet"})


def allows_an_eviction(budget_spec: Any, replicas: int) -> bool | None:
    """Whether a PodDisruptionBudget lets one of `replicas` healthy pods be evicted; None if unknown."""
    allows: Callable[[int], bool]
    for key, allows in (("maxUnavailable", lambda n: n >= 1), ("minAvailable", lambda n: n < replicas)):
        value = get(budget_spec, key)
        if value is None:
            continue
        if value is UNKNOWN:
            return None
        if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
            value = -(-int(value[:-1]) * replicas // 100)  # Kubernetes rounds percentages up
        return allows(int(value)) if isinstance(value, int | float) or str(value).isdigit() else None
    return None


@stack_policy(
    "workload-has-disruption-budget",
    ADVISORY,
    "Every Deployment, StatefulSet and ReplicaSet on Fargate has a PodDisruptionBudget that allows an eviction: EKS "
    "patches Fargate pods by evicting them through the Eviction API, respecting budgets, and deletes the pods it "
    "cannot evict.",
)
def workload_has_disruption_budget(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    profiles = fargate_profiles(args.resources)
    if profiles is not None:
        profiles += platform_profiles(args.resources)  # a tenant stack's pods run on its platform's profile
    budgets: list[tuple[str, dict[str, str], Any]] = []  # (namespace, matchLabels, spec)
    floors: dict[tuple[str, str], Any] = {}  # (namespace, Deployment name) -> its autoscaler's minReplicas
    for resource in args.resources:
        kind, props = kind_of(resource.resource_type), resource.props
        namespace = get(props, "metadata", "namespace")
        if kind == "PodDisruptionBudget":
            labels = get_map(props, "spec", "selector", "matchLabels")
            if namespace is UNKNOWN or labels is UNKNOWN:
                return  # a budget that may cover anything: nothing can be said yet
            budgets.append((namespace or default_namespace(resource), dict(labels), get(props, "spec")))
        elif kind == "HorizontalPodAutoscaler":
            scale_target = known_str(get(props, "spec", "scaleTargetRef", "name"))
            if scale_target and isinstance(namespace, str | None):
                floors[namespace or default_namespace(resource), scale_target] = get(props, "spec", "minReplicas", default=1)
    for resource in args.resources:
        if kind_of(resource.resource_type) not in REPLICATED_KINDS:
            continue
        target = _workload_targets(resource)
        if target is None:
            continue
        what, namespace, labels = target
        if labels is None:
            continue
        if profiles is not None and not any(s.matches(namespace, labels) for p in profiles for s in p.selectors):
            continue  # not on Fargate (fargate-profile-covers-workload says so)
        name = known_str(get(resource.props, "metadata", "name"))
        replicas = get(resource.props, "spec", "replicas")
        if replicas is None:
            replicas = floors.get((namespace, name or ""), 1)
        if replicas is UNKNOWN or not replicas:
            continue
        covering = [spec for ns, selector, spec in budgets if ns == namespace and selector.items() <= labels.items()]
        if not covering:
            report_violation(
                f"{what} has no PodDisruptionBudget: when EKS patches Fargate it may evict all of its pods at once. Add "
                "one selecting its pods, with maxUnavailable: 1 (or minAvailable below its replicas).",
                resource.urn,
            )
        for spec in covering:
            if allows_an_eviction(spec, int(replicas)) is False:
                report_violation(
                    f"{what} has a PodDisruptionBudget that allows no eviction at {int(replicas)} replicas: EKS's "
                    "patch evictions of its Fargate pods fail until EKS deletes the pods at its deadline. Let one pod go "
                    "(maxUnavailable: 1, or minAvailable below the replicas).",
                    resource.urn,
                )
