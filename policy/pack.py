"""The pack: its name and every rule, in the order the engine reports them.

A rule is declared in the module of its concern (`workload_rules.py`, `storage_rules.py`,
`network_rules.py`, `iam_rules.py`, `cluster_rules.py`, `logging_rules.py`, `tenant_rules.py`,
`tenant_network_rules.py`, `tenant_secret_rules.py`) and counts only once
listed here.
Kept apart from `__main__.py` (which starts the pack's server) so that tests and the offline
plan import it.
"""

from __future__ import annotations

from pulumi_policy import Policy

from policy import (
    cluster_rules,
    iam_rules,
    logging_rules,
    network_rules,
    storage_rules,
    tenant_network_rules,
    tenant_rules,
    tenant_secret_rules,
    workload_rules,
)

PACK_NAME = "eks-fargate"

POLICIES: list[Policy] = [
    workload_rules.fargate_profile_covers_workload,
    workload_rules.no_daemonsets,
    workload_rules.no_host_path_volumes,
    workload_rules.no_host_namespaces,
    workload_rules.no_privileged_containers,
    storage_rules.no_ebs_volumes,
    storage_rules.no_claims_on_ebs_storage_classes,
    storage_rules.claims_on_efs_only,
    workload_rules.workload_requests,
    workload_rules.pod_fits_largest_fargate_size,
    network_rules.alb_ingress_ip_targets,
    network_rules.ingress_has_tls,
    network_rules.load_balancer_service_nlb_ip,
    network_rules.fargate_profile_private_subnets,
    iam_rules.irsa_trust_sub_and_aud,
    iam_rules.pod_execution_role_source_arn,
    iam_rules.no_iam_allow_all,
    cluster_rules.cluster_endpoint_not_open,
    cluster_rules.cluster_control_plane_logging,
    cluster_rules.cluster_secrets_encryption,
    cluster_rules.kubernetes_version_support,
    logging_rules.fargate_logging_off,
    workload_rules.image_tag_pinned,
    workload_rules.workload_has_disruption_budget,
    tenant_rules.tenant_namespaces_follow_platform_rule,
    tenant_rules.tenant_objects_stay_in_own_namespaces,
    tenant_rules.tenant_access_namespace_scoped,
    tenant_rules.tenant_no_fargate_profiles,
    tenant_rules.tenant_team_has_access,
    tenant_network_rules.tenant_security_groups_are_its_own,
    tenant_network_rules.tenant_no_inbound_from_address_ranges,
    tenant_secret_rules.tenant_secrets_within_prefix,
]
