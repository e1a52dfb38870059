"""Advisory rules on the EKS cluster's own settings: API endpoint exposure, control-plane
logging, secrets encryption.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs

from eksfargate.facts.kubernetes_versions import support_notice, today_utc
from eksfargate.facts.resource_types import EKS_CLUSTER, EKS_CLUSTER_COMPONENT
from policy.declare import ADVISORY, resource_policy
from policy.reading import UNKNOWN, get, get_list, known_str, present

# pulumi-eks's component (what the offline harness sees) and the cluster it creates (what the engine sees).
EKS_COMPONENT = EKS_CLUSTER_COMPONENT

# --- advisory: cluster settings ----------------------------------------------------------


def _cluster_settings(args: ResourceValidationArgs) -> dict[str, Any] | None:
    """The settings the advisory rules read, from pulumi-eks's component or from the EKS cluster itself."""
    props = args.props
    if args.resource_type == EKS_COMPONENT:
        return {
            "public": get(props, "endpointPublicAccess", default=True),
            "cidrs": get_list(props, "publicAccessCidrs"),
            "logs": get_list(props, "enabledClusterLogTypes"),
            "encrypted": present(get(props, "encryptionConfigKeyArn")),
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
    return known_str(get(args.props, "name")) or args.name


@resource_policy(
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
            "endpointPublicAccess off and reach the API from inside the VPC.",
            None,
        )


@resource_policy(
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
            "clusterLogTypes), e.g. [api, audit, authenticator].",
            None,
        )


@resource_policy(
    "cluster-secrets-encryption",
    ADVISORY,
    "Kubernetes secrets are envelope-encrypted with a KMS key.",
)
def cluster_secrets_encryption(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    settings = _cluster_settings(args)
    if settings is not None and not settings["encrypted"]:
        report_violation(
            f"Kubernetes secrets of cluster '{_cluster_name(args)}' are not envelope-encrypted with KMS. Set "
            "encryptionConfigKeyArn (stack setting secretsEncryption: true).",
            None,
        )


@resource_policy(
    "kubernetes-version-in-standard-support",
    ADVISORY,
    "The cluster's Kubernetes version is more than 90 days from the end of EKS standard support.",
)
def kubernetes_version_support(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """From 90 days before the end of standard support (eksfargate/facts/kubernetes_versions.py)."""
    if args.resource_type not in (EKS_COMPONENT, EKS_CLUSTER):
        return
    version = known_str(get(args.props, "version"))
    support_type = known_str(get(args.props, "upgradePolicy", "supportType")) or "EXTENDED"  # EKS's default
    if not version:
        return
    notice = support_notice(version, support_type, today_utc())
    if notice:
        report_violation(f"cluster '{_cluster_name(args)}': {notice}", None)
