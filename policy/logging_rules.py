"""Advisory rule on pod logs: a stack that runs pods on Fargate ships their logs somewhere.

Fargate runs no DaemonSets, so a node-level log agent is not an option; its built-in log
router is configured by the `aws-logging` ConfigMap in the `aws-observability` namespace (which
must carry the label `aws-observability: enabled`) and needs an [OUTPUT] to ship anything
(EKS user guide, fargate-logging.adoc). Without it a pod's stdout and stderr go nowhere.
"""

from __future__ import annotations

from pulumi_policy import PolicyResource, ReportViolation, StackValidationArgs

from eksfargate.facts.fargate_logging import LOGGING_CONFIG_MAP, LOGGING_NAMESPACE, LOGGING_NAMESPACE_LABELS
from eksfargate.facts.resource_types import FARGATE_PROFILE
from policy.declare import ADVISORY, stack_policy
from policy.reading import UNKNOWN, get, get_map, kind_of, known_str

PROFILE = FARGATE_PROFILE


def _named(resource: PolicyResource, kind: str, name: str, namespace: str | None = None) -> bool:
    """Whether the resource is that object; a name or namespace unknown during preview counts as a match."""
    if kind_of(resource.resource_type) != kind:
        return False
    metadata = get(resource.props, "metadata")
    actual = get(metadata, "name")
    if actual is not UNKNOWN and actual != name:
        return False
    return namespace is None or get(metadata, "namespace") in (UNKNOWN, namespace)


def _logging_gap(resources: list[PolicyResource]) -> str | None:
    """Why Fargate's log router would not run for the stack's pods, or None."""
    namespaces = [r for r in resources if _named(r, "Namespace", LOGGING_NAMESPACE)]
    if not namespaces:
        return f"declares no '{LOGGING_NAMESPACE}' namespace"
    labels = get_map(namespaces[0].props, "metadata", "labels")
    for key, value in LOGGING_NAMESPACE_LABELS.items():
        if labels is not UNKNOWN and labels.get(key) != value:
            return f"its '{LOGGING_NAMESPACE}' namespace lacks the label {key}: {value}"
    config_maps = [r for r in resources if _named(r, "ConfigMap", LOGGING_CONFIG_MAP, LOGGING_NAMESPACE)]
    if not config_maps:
        return f"declares no '{LOGGING_CONFIG_MAP}' ConfigMap in '{LOGGING_NAMESPACE}'"
    outputs = get(config_maps[0].props, "data", "output.conf")
    if outputs is not UNKNOWN and "[OUTPUT]" not in (known_str(outputs) or "").upper():
        return f"its '{LOGGING_CONFIG_MAP}' ConfigMap has no [OUTPUT] in output.conf"
    return None


@stack_policy(
    "fargate-logging-off",
    ADVISORY,
    "A stack that runs pods on Fargate configures Fargate's log router (aws-observability/aws-logging), "
    "so that their stdout and stderr are kept.",
)
def fargate_logging_off(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    profiles = [r for r in args.resources if r.resource_type == PROFILE]
    if not profiles:
        return
    gap = _logging_gap(args.resources)
    if gap:
        report_violation(
            f"the stack runs pods on Fargate but {gap}, so Fargate's log router ships nothing and the pods' "
            "stdout and stderr are lost. Turn the stack setting fargateLogging on (a CloudWatch log group, the "
            f"'{LOGGING_NAMESPACE}' namespace and its '{LOGGING_CONFIG_MAP}' ConfigMap), or configure the router yourself.",
            profiles[0].urn,
        )
