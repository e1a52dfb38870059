"""What the providers cannot change in place: the properties whose change replaces a resource.

The offline diff (offline/diff.py) asks `forces_replacement` about each changed property and
shows `warning` beside it. Each table says where its entries were read in the providers' sources.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from eksfargate.facts.kubernetes_kinds import CLUSTER_SCOPED_KINDS
from eksfargate.facts.resource_types import (
    ACCESS_ENTRY,
    ACCESS_POLICY_ASSOCIATION,
    CONFIG_MAP,
    DEPLOYMENT,
    EKS_ADDON,
    EKS_CLUSTER,
    EKS_CLUSTER_COMPONENT,
    ELASTIC_IP,
    FARGATE_PROFILE,
    HELM_RELEASE,
    IAM_POLICY,
    IAM_ROLE,
    IAM_ROLE_POLICY,
    IAM_ROLE_POLICY_ATTACHMENT,
    KMS_KEY,
    KUBERNETES_PROVIDER,
    LOG_GROUP,
    NAT_GATEWAY,
    ROUTE_TABLE,
    ROUTE_TABLE_ASSOCIATION,
    SERVICE,
    STATEFUL_SET,
    SUBNET,
    VPC,
)

JSON = "{json}"  # path segment: what follows is inside a JSON document held in a string

# Properties (camelCase input paths, list indices left out) whose change replaces the resource:
# the ForceNew attributes of the Terraform AWS provider resources that pulumi-aws bridges, read in
# hashicorp/terraform-provider-aws internal/service/ec2/vpc_.go (cidr_block, ipv4_ipam_pool_id,
# ipv4_netmask_length), vpc_subnet.go, vpc_route_table.go (vpc_id), vpc_route_table_association.go
# (subnet_id, gateway_id), vpc_nat_gateway.go, ec2_eip.go, eks/fargate_profile.go (every argument
# but tags), eks/addon.go (addon_name, cluster_name), iam/role.go, iam/policy.go (description too),
# iam/role_policy_attachment.go, kms/key.go. Not ForceNew there, so left out: a subnet's or an EIP's
# customer-owned pool, a KMS key's description, the EKS cluster's subnets and security groups.
REPLACE_ON: dict[str, tuple[str, ...]] = {
    VPC: ("cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"),
    SUBNET: (
        "availabilityZone",
        "availabilityZoneId",
        "cidrBlock",
        "ipv4IpamPoolId",
        "ipv4NetmaskLength",
        "ipv6IpamPoolId",
        "ipv6Native",
        "ipv6NetmaskLength",
        "outpostArn",
        "vpcId",
    ),
    ROUTE_TABLE: ("vpcId",),
    ROUTE_TABLE_ASSOCIATION: ("subnetId", "gatewayId"),
    NAT_GATEWAY: (
        "allocationId",
        "connectivityType",
        "privateIp",
        "secondaryPrivateIpAddressCount",
        "subnetId",
    ),
    ELASTIC_IP: ("address", "domain", "ipamPoolId", "networkBorderGroup", "publicIpv4Pool"),
    FARGATE_PROFILE: (
        "clusterName",
        "fargateProfileName",
        "podExecutionRoleArn",
        "selectors",
        "subnetIds",
    ),
    EKS_ADDON: ("addonName", "clusterName"),
    # pulumi-eks's component passes these to the aws.eks.Cluster inside it, where they are ForceNew
    # (eks/cluster.go: name, role_arn, kubernetes_network_config's ip_family and service_ipv4_cidr;
    # bootstrap_self_managed_addons too, but the component ignores its changes: IGNORED); vpcId and
    # the subnets are judged by _cluster_network.
    EKS_CLUSTER_COMPONENT: ("name", "ipFamily", "kubernetesServiceIpAddressRange", "serviceRole"),
    IAM_ROLE: ("name", "namePrefix", "path"),
    IAM_POLICY: ("name", "namePrefix", "path", "description"),
    IAM_ROLE_POLICY_ATTACHMENT: ("policyArn", "role"),
    KMS_KEY: ("customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"),
    # logs/group.go, iam/role_policy.go, eks/access_entry.go, eks/access_policy_association.go (the
    # association has no update at all: every argument is ForceNew, the access scope included).
    LOG_GROUP: ("logGroupClass", "name", "namePrefix"),
    IAM_ROLE_POLICY: ("name", "namePrefix", "role"),
    ACCESS_ENTRY: ("clusterName", "principalArn", "type"),
    ACCESS_POLICY_ASSOCIATION: ("accessScope", "clusterName", "policyArn", "principalArn"),
    # pulumi-kubernetes provider/pkg/provider/helm_release.go: forceNewFields ".name", ".namespace".
    HELM_RELEASE: ("name", "namespace"),
    # The Kubernetes provider: `kubernetes_provider_replaced` (its kubeconfig is judged by the cluster it selects).
    KUBERNETES_PROVIDER: ("clusterIdentifier", "renderYamlToDirectory"),
}
# Inputs a component passes on with `ignoreChanges`: a change to them changes nothing. pulumi-eks
# nodejs/eks/cluster/cluster.ts creates its aws.eks.Cluster with ignoreChanges
# ["accessConfig.bootstrapClusterCreatorAdminPermissions", "bootstrapSelfManagedAddons"].
IGNORED: dict[str, tuple[str, ...]] = {
    EKS_CLUSTER_COMPONENT: ("bootstrapSelfManagedAddons", "accessConfig.bootstrapClusterCreatorAdminPermissions"),
}
# A name the program gives a resource, which AWS or Kubernetes holds unique: the replacement
# cannot exist beside the old one, so the old one goes first (pulumi-terraform-bridge
# pkg/tfbridge/schema.go nameRequiresDeleteBeforeReplace for a user-set autonamed `name`;
# pulumi-kubernetes provider.go Diff for a user-set metadata.name in the same namespace).
FIXED_NAME: dict[str, str] = {
    EKS_CLUSTER_COMPONENT: "name",  # passed to the aws.eks.Cluster inside it
    EKS_CLUSTER: "name",
    LOG_GROUP: "name",
    IAM_ROLE: "name",
    IAM_POLICY: "name",
}
# Changes that are in-place for the provider but that a reviewer must know fail or disrupt.
WARN_ON: dict[tuple[str, str], str] = {
    (EKS_CLUSTER_COMPONENT, "version"): "control-plane upgrade: one minor version per update, never down",
}
# The cluster's network, as EKS allows it to change (UpdateClusterConfig; "View Amazon EKS networking
# requirements for VPC and subnets"): other subnets, in place, only within the VPC and the zones the
# cluster was created with; never another VPC. The provider would try the update and EKS refuse it,
# so such a change is shown as what it takes: a new cluster.
CLUSTER_TYPE = EKS_CLUSTER_COMPONENT
CLUSTER_SUBNETS = ("subnetIds", "privateSubnetIds", "publicSubnetIds")
CLUSTER_MOVES_VPC = (
    "EKS cannot move a cluster to another VPC: `pulumi up` would try an in-place update, which EKS refuses,"
    " so it takes a new cluster (see the CAUTION above)"
)
CLUSTER_CHANGES_ZONES = (
    "EKS keeps a cluster in the zones it was created with: subnets in other zones take a new cluster (see the CAUTION above)"
)
CLUSTER_NEW_SUBNETS = "EKS updates the cluster's subnets in place, if they are in the same VPC and zones as before"
# pulumi-kubernetes provider/pkg/provider/diff.go forceNewProperties: every object's metadata.name and
# metadata.namespace, then the `forceNew` table per group/version/kind (container fields under
# spec.containers[*] / spec.initContainers[*] for Pods; label-selector subfields fall under their
# selector). Secrets and ConfigMaps: data is force-new unless enableSecretMutable /
# enableConfigMapMutable is set (both default false in provider.go).
K8S_METADATA_REPLACE_ON = ("metadata.name", "metadata.namespace")
_POD_CONTAINER_FIELDS = tuple(
    f"spec.{containers}.{field}"
    for containers in ("containers", "initContainers")
    for field in (
        "args", "command", "env", "image", "imagePullPolicy", "lifecycle", "livenessProbe", "ports", "readinessProbe",
        "resources", "securityContext", "stdin", "stdinOnce", "terminationMessagePath", "terminationMessagePolicy",
        "tty", "volumeDevices", "volumeMounts", "workingDir",
    )
)  # fmt: skip
_STATEFULSET = (
    "spec.podManagementPolicy",
    "spec.revisionHistoryLimit",
    "spec.selector",
    "spec.serviceName",
    "spec.volumeClaimTemplates",
)
_JOB = ("spec.completions", "spec.parallelism", "spec.selector", "spec.template")
K8S_REPLACE_ON: dict[str, tuple[str, ...]] = {
    DEPLOYMENT: ("spec.selector",),
    "kubernetes:apps/v1:DaemonSet": ("spec.selector",),
    STATEFUL_SET: _STATEFULSET,
    "kubernetes:batch/v1:Job": _JOB,
    SERVICE: ("spec.clusterIP",),
    CONFIG_MAP: ("binaryData", "data"),
    "kubernetes:core/v1:Secret": ("type", "stringData", "data"),
    "kubernetes:core/v1:PersistentVolumeClaim": (
        "spec.accessModes",
        "spec.selector",
        "spec.storageClassName",
        "spec.volumeName",
    ),
    "kubernetes:core/v1:PersistentVolume": tuple(
        f"spec.{source}"
        for source in (
            "awsElasticBlockStore",
            "azureDisk",
            "azureFile",
            "cephfs",
            "cinder",
            "csi",
            "fc",
            "flexVolume",
            "flocker",
            "gcePersistentDisk",
            "glusterfs",
            "hostPath",
            "iscsi",
            "local",
            "nfs",
            "photonPersistentDisk",
            "portworxVolume",
            "quobyte",
            "rbd",
            "scaleIO",
            "storageos",
            "vsphereVolume",
        )
    ),  # fmt: skip
    "kubernetes:core/v1:Pod": (
        *(
            f"spec.{field}"
            for field in (
                "affinity",
                "automountServiceAccountToken",
                "dnsConfig",
                "dnsPolicy",
                "enableServiceLinks",
                "hostAliases",
                "hostIPC",
                "hostNetwork",
                "hostPID",
                "hostname",
                "imagePullSecrets",
                "nodeName",
                "nodeSelector",
                "overhead",
                "preemptionPolicy",
                "priority",
                "priorityClassName",
                "readinessGates",
                "restartPolicy",
                "runtimeClassName",
                "schedulerName",
                "securityContext",
                "serviceAccount",
                "serviceAccountName",
                "shareProcessNamespace",
                "subdomain",
                "terminationGracePeriodSeconds",
                "volumes",
            )
        ),
        *_POD_CONTAINER_FIELDS,
    ),  # fmt: skip
    "kubernetes:core/v1:ResourceQuota": ("spec.scopes",),
    "kubernetes:policy/v1beta1:PodDisruptionBudget": ("spec",),
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": ("roleRef",),
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": ("roleRef",),
    "kubernetes:storage.k8s.io/v1:StorageClass": ("parameters", "provisioner"),
}
# Lists the provider treats as sets: a new order is no change.
SET_VALUED: dict[str, tuple[str, ...]] = {
    FARGATE_PROFILE: ("selectors", "subnetIds"),
    EKS_CLUSTER_COMPONENT: ("enabledClusterLogTypes", "publicAccessCidrs", "privateSubnetIds", "publicSubnetIds"),
}


def ignored(resource: dict[str, Any], path: list[Any]) -> bool:
    """Whether the provider (or the component) ignores a change at `path`."""
    keys = tuple(segment for segment in path if isinstance(segment, str) and segment != JSON)
    return any(keys[: len(rule.split("."))] == tuple(rule.split(".")) for rule in IGNORED.get(resource["type"], ()))


def kubernetes_namespace(resource: dict[str, Any], namespace: Any) -> Any:
    """The namespace pulumi-kubernetes compares: none for a cluster-scoped kind, "default" for an unset one
    (provider.go Diff, canonicalNamespace: it clears a namespace set on a cluster-scoped object)."""
    kind = resource["type"].rsplit(":", 1)[-1]
    if kind in CLUSTER_SCOPED_KINDS:
        return None
    return namespace or "default"


def kubernetes_provider_replaced(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """pulumi-kubernetes DiffConfig: a provider is replaced when the cluster its kubeconfig selects
    (server, certificate authority: the kubeconfig's `clusters` entry) changes, or the kubeconfig,
    context or cluster is unknown; new credentials (a token, an exec command's arguments) update it."""
    if any(_unknown(new.get(key)) for key in ("kubeconfig", "context", "cluster")):
        return True
    return _selected_cluster(old) != _selected_cluster(new)


def _unknown(value: Any) -> bool:
    return isinstance(value, str) and "{{" in value and "}}" in value and not value.lstrip().startswith(("{", "apiVersion"))


def _selected_cluster(inputs: dict[str, Any]) -> Any:
    config = inputs.get("kubeconfig")
    if isinstance(config, str):
        try:
            config = json.loads(config)
        except json.JSONDecodeError:
            config = yaml.safe_load(config)
    if not isinstance(config, dict):
        return config
    context_name = inputs.get("context") or config.get("current-context")
    contexts = {c.get("name"): c.get("context") or {} for c in config.get("contexts") or []}
    cluster_name = inputs.get("cluster") or contexts.get(context_name, {}).get("cluster")
    clusters = {c.get("name"): c.get("cluster") for c in config.get("clusters") or []}
    return clusters.get(cluster_name)


def replaced_when_unknown(resource: dict[str, Any], path: list[Any]) -> bool:
    """Whether a value at `path` that becomes unknown (its source is replaced) replaces the resource."""
    if resource["type"] == KUBERNETES_PROVIDER and path and path[0] in ("kubeconfig", "context", "cluster"):
        return True
    return forces_replacement(resource, path)


def forces_replacement(resource: dict[str, Any], path: list[Any]) -> bool:
    """Whether a change at `path` (a list of keys and list indices) replaces the resource."""
    keys = tuple(segment for segment in path if isinstance(segment, str) and segment != JSON)
    kind = resource["type"]
    rules = list(REPLACE_ON.get(kind, ()))
    if kind.startswith("kubernetes:") and kind != HELM_RELEASE and resource.get("custom"):
        rules += K8S_METADATA_REPLACE_ON
        rules += K8S_REPLACE_ON.get(kind, ())
    if kind == CLUSTER_TYPE:
        rules.append("vpcId")
    return any(keys[: len(rule.split("."))] == tuple(rule.split(".")) for rule in rules)


def warning(resource: dict[str, Any], path: list[Any]) -> str:
    key = (resource["type"], str(path[0]) if path else "")
    if key == (CLUSTER_TYPE, "vpcId"):
        return CLUSTER_MOVES_VPC
    if resource["type"] == CLUSTER_TYPE and key[1] in CLUSTER_SUBNETS:
        return CLUSTER_NEW_SUBNETS
    return WARN_ON.get(key, "")
