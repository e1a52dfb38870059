"""Pulumi's own types: the Kubernetes provider and a StackReference."""

from __future__ import annotations

from eksfargate.facts.resource_types import KUBERNETES_PROVIDER, STACK_REFERENCE
from offline.registry.entry import ResourceType

TYPES = (
    # Replaced when these change; its kubeconfig by the cluster it selects (offline/replacements.py,
    # kubernetes_provider_replaced).
    ResourceType(KUBERNETES_PROVIDER, replace_on=("clusterIdentifier", "renderYamlToDirectory")),
    # Its outputs are the referenced stack's own, from that stack's offline plan (offline/harness.py).
    ResourceType(STACK_REFERENCE),
)
