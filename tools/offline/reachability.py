"""The reachability table `make plan` prints for a platform stack: its namespaces and its tenants', from their plans.

A platform's plan alone knows only its own namespaces; its tenants' security groups and rules are in
their own plans, so each tenant stack file that names this platform is planned too (a tenant's plan
alone shows its namespace against the platform's cluster group).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eksfargate import stack_catalog
from eksfargate.pod_network import PodNetwork, merged, render
from eksfargate.project import TENANT_PROJECT_DIR
from offline import plan as offline_plan


def cluster_network(plan: dict[str, Any], project_dir: Path) -> tuple[PodNetwork, list[str]]:
    """The pod network of the plan's cluster, and the tenant stacks it takes in."""
    networks = [PodNetwork.from_json(plan.get("podNetwork") or {})]
    tenants: list[str] = []
    # A platform project holds its tenant project (tenant/), in this checkout or any other (a revision's).
    tenant_dir = project_dir / TENANT_PROJECT_DIR.name
    if (tenant_dir / "Pulumi.yaml").is_file():
        for tenant in stack_catalog.tenants(tenant_dir):
            if tenant.platform == plan["stack"]:
                recording = offline_plan.record_stack(tenant.stack, project_dir=tenant_dir)
                networks.append(PodNetwork.from_json(offline_plan.from_recording(recording)["podNetwork"]))
                tenants.append(tenant.stack)
    return merged(networks), tenants


def report(plan: dict[str, Any], project_dir: Path) -> str:
    network, tenants = cluster_network(plan, project_dir)
    scope = f"stack {plan['stack']}" + (f" and its tenants {', '.join(tenants)}" if tenants else "")
    shared = ", ".join(network.on_cluster_group())
    return (
        f"Pod reachability of {scope}: the ports a pod in a row's namespace (or the load balancer) can open on a pod\n"
        "in a column's, by their security groups (kube-system: CoreDNS, the controller, metrics-server and the\n"
        f"control plane; on the cluster security group: {shared}; — nothing):\n" + render(network) + "\n"
    )
