"""What the providers cannot change in place: the properties whose change replaces a resource.

The offline diff (offline/diff.py) asks `forces_replacement` about each changed property and
shows `warning` beside it. Each type's rules are its registry entry's (offline/registry/), where
they say where in the providers' sources they were read; here are the rules over all of a kind.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from eksfargate.facts.resource_types import EKS_CLUSTER_COMPONENT, KUBERNETES_PROVIDER
from offline.registry import RESOURCE_TYPES
from offline.registry.entry import cluster_scoped, is_kubernetes_object

JSON = "{json}"  # path segment: what follows is inside a JSON document held in a string

# The registry's rules by type (camelCase input paths, list indices left out): a Kubernetes
# object's on top of K8S_METADATA_REPLACE_ON, the others' alone.
REPLACE_ON = {t.token: t.replace_on for t in RESOURCE_TYPES if t.replace_on and not is_kubernetes_object(t.token)}
K8S_REPLACE_ON = {t.token: t.replace_on for t in RESOURCE_TYPES if t.replace_on and is_kubernetes_object(t.token)}
IGNORED = {t.token: t.ignored for t in RESOURCE_TYPES if t.ignored}
SET_VALUED = {t.token: t.set_valued for t in RESOURCE_TYPES if t.set_valued}
# A name the program gives a resource, which AWS or Kubernetes holds unique: the replacement
# cannot exist beside the old one, so the old one goes first (pulumi-terraform-bridge
# pkg/tfbridge/schema.go nameRequiresDeleteBeforeReplace for a user-set autonamed `name`;
# pulumi-kubernetes provider.go Diff for a user-set metadata.name in the same namespace).
FIXED_NAME = {t.token: t.fixed_name for t in RESOURCE_TYPES if t.fixed_name}
WARN_ON = {(t.token, path): warning for t in RESOURCE_TYPES for path, warning in t.warn_on.items()}
# pulumi-kubernetes provider/pkg/provider/diff.go forceNewProperties: every object's name and namespace.
K8S_METADATA_REPLACE_ON = ("metadata.name", "metadata.namespace")
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


def ignored(resource: dict[str, Any], path: list[Any]) -> bool:
    """Whether the provider (or the component) ignores a change at `path`."""
    keys = tuple(segment for segment in path if isinstance(segment, str) and segment != JSON)
    return any(keys[: len(rule.split("."))] == tuple(rule.split(".")) for rule in IGNORED.get(resource["type"], ()))


def kubernetes_namespace(resource: dict[str, Any], namespace: Any) -> Any:
    """The namespace pulumi-kubernetes compares: none for a cluster-scoped kind, "default" for an unset one
    (provider.go Diff, canonicalNamespace: it clears a namespace set on a cluster-scoped object)."""
    if cluster_scoped(resource["type"]):
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


def _selected_cluster(inputs: dict[str, Any]) -> object:
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
    if is_kubernetes_object(kind) and resource.get("custom"):
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
    # A warning's input path may be nested (a Deployment's spec.template): the longest that starts the change's.
    dotted = [str(part) for part in path]
    for (token, prefix), text in sorted(WARN_ON.items(), key=lambda item: -len(item[0][1])):
        if token == resource["type"] and dotted[: len(prefix.split("."))] == prefix.split("."):
            return text
    return ""
