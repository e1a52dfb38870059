"""EKS's types: pulumi-eks's cluster component (and the aws.eks.Cluster inside it), Fargate
profiles, add-ons, access entries and their policy associations.

Replace-on rules: the ForceNew attributes of hashicorp/terraform-provider-aws
internal/service/eks/fargate_profile.go (every argument but tags), addon.go (addon_name,
cluster_name), access_entry.go and access_policy_association.go (the association has no update at
all: every argument is ForceNew, the access scope included). Not ForceNew there, so left out: the
cluster's subnets and security groups (how EKS lets them change: offline/replacements.py).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from eksfargate.facts.resource_types import (
    ACCESS_ENTRY,
    ACCESS_POLICY_ASSOCIATION,
    EKS_ADDON,
    EKS_CLUSTER,
    EKS_CLUSTER_COMPONENT,
    FARGATE_PROFILE,
)
from offline.registry.entry import MOCK_ACCOUNT_ID, NewResource, ResourceType, json_document, show
from offline.unknowns import KNOWN_AFTER_DEPLOY

# What the component answers that the program reads: its kubeconfig and OIDC provider.
CLUSTER_OUTPUTS = ("kubeconfig", "kubeconfigJson", "oidcIssuer", "oidcProviderUrl", "oidcProviderArn", "clusterSecurityGroupId")


def _cluster_outputs(resource: NewResource, _id: str) -> dict[str, Any]:
    cluster_name = resource.inputs.get("name") or resource.name
    region = resource.region
    issuer_id = hashlib.sha256(cluster_name.encode()).hexdigest()[:32].upper()
    issuer = f"oidc.eks.{region}.amazonaws.com/id/{issuer_id}"
    kubeconfig = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster_name, "cluster": {"server": f"https://{issuer_id}.gr7.{region}.eks.amazonaws.com"}}],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
        "current-context": cluster_name,
        "users": [
            {
                "name": cluster_name,
                "user": {"exec": {"command": "aws", "args": ["eks", "get-token", "--cluster-name", cluster_name]}},
            }
        ],
    }
    return {
        "kubeconfig": kubeconfig,
        "kubeconfigJson": json.dumps(kubeconfig),
        "oidcIssuer": issuer,
        "oidcProviderUrl": f"https://{issuer}",
        "oidcProviderArn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:oidc-provider/{issuer}",
        "clusterSecurityGroupId": f"sg-{issuer_id[:17].lower()}",
    }


def _cluster(res: dict[str, Any]) -> list[str]:
    i = res["inputs"]
    endpoint = []
    if i.get("endpointPublicAccess"):
        endpoint.append("public " + show(i.get("publicAccessCidrs") or ["0.0.0.0/0"]))
    if i.get("endpointPrivateAccess"):
        endpoint.append("private")
    parts = [
        f"name {i.get('name', KNOWN_AFTER_DEPLOY)}",
        f"Kubernetes {i.get('version', '(default)')}",
        f"auth {i.get('authenticationMode', '(default)')}",
        "endpoint " + " + ".join(endpoint),
        f"logs {show(i.get('enabledClusterLogTypes') or [])}",
        f"private subnets {show(i.get('privateSubnetIds') or [])}",
        f"public subnets {show(i.get('publicSubnetIds') or [])}",
        "OIDC provider" if i.get("createOidcProvider") else "no OIDC provider",
        f"secrets encryption {i['encryptionConfigKeyArn']}" if i.get("encryptionConfigKeyArn") else "no secrets encryption",
    ]
    if i.get("skipDefaultNodeGroup"):
        parts.append("no default node group")
    if i.get("deletionProtection"):
        parts.append("deletion protection")
    admins = sorted((i.get("accessEntries") or {}).keys())
    if admins:
        parts.append(f"access entries {show(admins)}")
    return parts


def _fargate_profile(res: dict[str, Any]) -> list[str]:
    i = res["inputs"]
    selectors = [
        "namespace=" + s.get("namespace", "?") + "".join(f",{k}={v}" for k, v in sorted((s.get("labels") or {}).items()))
        for s in i.get("selectors") or []
    ]
    return [
        f"profile {i.get('fargateProfileName')} of cluster {i.get('clusterName')}",
        f"selectors [{' | '.join(selectors)}]",
        f"subnets {show(i.get('subnetIds'))}",
        f"pod execution role {i.get('podExecutionRoleArn')}",
    ]


def _addon(res: dict[str, Any]) -> list[str]:
    i = res["inputs"]
    config = json_document(i.get("configurationValues")) or {}
    parts = [f"add-on {i.get('addonName')} {i.get('addonVersion', '(default version)')} on {i.get('clusterName')}"]
    if isinstance(config, dict) and config.get("computeType"):
        parts.append(f"computeType {config['computeType']}")
    return parts


def _access_entry(res: dict[str, Any]) -> list[str]:
    i = res["inputs"]
    parts = [f"{i.get('type', 'STANDARD')} entry of {i.get('principalArn')} on {i.get('clusterName')}"]
    if i.get("kubernetesGroups"):
        parts.append(f"Kubernetes groups {show(i['kubernetesGroups'])}")
    return parts


TYPES = (
    ResourceType(
        EKS_CLUSTER_COMPONENT,
        outputs=_cluster_outputs,
        preview_outputs=lambda resource: {key: resource.placeholder(key) for key in CLUSTER_OUTPUTS},
        # Passed on to the aws.eks.Cluster inside it, where they are ForceNew (eks/cluster.go: name,
        # role_arn, kubernetes_network_config's ip_family and service_ipv4_cidr; bootstrap_self_managed_addons
        # too, but the component ignores its changes); vpcId and the subnets: offline/replacements.py.
        replace_on=("name", "ipFamily", "kubernetesServiceIpAddressRange", "serviceRole"),
        # pulumi-eks nodejs/eks/cluster/cluster.ts creates its aws.eks.Cluster with these ignoreChanges.
        ignored=("bootstrapSelfManagedAddons", "accessConfig.bootstrapClusterCreatorAdminPermissions"),
        set_valued=("enabledClusterLogTypes", "publicAccessCidrs", "privateSubnetIds", "publicSubnetIds"),
        fixed_name="name",  # passed to the aws.eks.Cluster inside it
        warn_on={"version": "control-plane version: up one minor per update, down one only as a rollback"},
        summary=_cluster,
    ),
    ResourceType(EKS_CLUSTER, fixed_name="name"),
    ResourceType(
        FARGATE_PROFILE,
        outputs=lambda resource, _id: {
            "arn": resource.arn("eks", f"fargateprofile/{resource.inputs['clusterName']}/{resource.inputs['fargateProfileName']}")
        },
        replace_on=("clusterName", "fargateProfileName", "podExecutionRoleArn", "selectors", "subnetIds"),
        set_valued=("selectors", "subnetIds"),
        summary=_fargate_profile,
    ),
    ResourceType(EKS_ADDON, replace_on=("addonName", "clusterName"), summary=_addon),
    ResourceType(ACCESS_ENTRY, replace_on=("clusterName", "principalArn", "type"), summary=_access_entry),
    ResourceType(ACCESS_POLICY_ASSOCIATION, replace_on=("accessScope", "clusterName", "policyArn", "principalArn")),
)
