"""A stack's footprint, as its plan records it: what the program registered, and for a tenant,
what it takes of its platform.

A tenant stack (tenant/) declares its pods and its Ingress; the cluster, NAT, CoreDNS and the
load balancer controller are its platform's, paid once. What a tenant's cost depends on comes
from its platform's own plan, the one its StackReference reads: its ALB has an address in each
of the platform's public zones, its pods' logs go to the platform's log group when the
platform ships them, and its ALB's access logs to the platform's bucket when the platform's
IngressClass turns them on. On the shared ALB (the controller's IngressGroup) it pays an even share
with the tenant stack files that join that group.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from eksfargate.contract import SHARED_ALB_GROUP, PlatformOutput
from eksfargate.facts.resource_types import STACK_REFERENCE
from eksfargate.footprint import DEFAULT_ALB_ZONES, Footprint, footprint_from_resources
from eksfargate.stack_catalog import shared_alb_tenants
from offline.harness import Recording, referenced_plan


def footprint_of(recording: Recording) -> Footprint:
    region = recording.config.get("aws:region", "")
    # In URN order, as plan.json lists them: the order the program registered them in varies between runs.
    resources = sorted(recording.resources, key=lambda r: r.urn)
    footprint = footprint_from_resources(region, ((r.type, r.name, r.inputs) for r in resources))
    reference = next((r for r in recording.resources if r.type == STACK_REFERENCE), None)
    if reference is None:
        return footprint
    name = str(reference.inputs["name"])
    platform_plan = referenced_plan(name, recording.project_dir)
    return tenant_footprint(footprint, recording.stack, name.rsplit("/", 1)[-1], platform_plan, recording.project_dir)


def platform_of(recording: Recording) -> str | None:
    """The platform stack a tenant recording reads (its StackReference), or None."""
    reference = next((r for r in recording.resources if r.type == STACK_REFERENCE), None)
    return str(reference.inputs["name"]).rsplit("/", 1)[-1] if reference else None


def platform_public_zones(platform_plan: dict[str, Any]) -> int:
    """Zones an internet-facing ALB of the platform spans: its public subnets' zones, or in an
    existing VPC, the public subnets it exports."""
    zones = Footprint.from_json(platform_plan["footprint"]).public_zones
    if not zones:
        exported = platform_plan["outputs"].get(PlatformOutput.PUBLIC_SUBNET_IDS)
        zones = len(exported) if isinstance(exported, list) else 0
    return max(zones, DEFAULT_ALB_ZONES)


def tenant_footprint(
    footprint: Footprint, stack: str, platform: str, platform_plan: dict[str, Any], tenant_dir: Path
) -> Footprint:
    zones = platform_public_zones(platform_plan)
    platform_footprint = Footprint.from_json(platform_plan["footprint"])
    log_retention_days = platform_footprint.pod_log_retention_days
    # Every ALB of the platform's `alb` IngressClass writes its access logs to the platform's bucket.
    access_log_days = platform_footprint.access_log_retention_days if footprint.load_balancers else None
    # ... and gets its web ACL.
    web_acls = max(footprint.web_acls, platform_footprint.web_acls) if footprint.load_balancers else footprint.web_acls
    sharers = sorted(set(shared_alb_tenants(platform, tenant_dir)) | {stack})
    shared_name = f"ALB of Ingress {SHARED_ALB_GROUP}"
    balancers, notes = [], [n for n in footprint.notes if not n.startswith("ALB of Ingress")]
    for lb in footprint.load_balancers:
        if lb.name == shared_name:
            lb = replace(lb, zones=zones, share=Decimal(1) / len(sharers))
            notes.append(
                f"Shared ALB (IngressGroup {SHARED_ALB_GROUP}): 1/{len(sharers)} of it, split with {', '.join(sharers)}."
            )
        else:
            lb = replace(lb, zones=zones)
        balancers.append(lb)
    notes.append(f"ALB in the {zones} zones of platform stack {platform}'s public subnets.")
    if log_retention_days is not None:
        notes.append("Pod logs: the platform's log router ships this tenant's pods' logs to its log group.")
    if access_log_days is not None:
        notes.append("ALB access logs: the platform's IngressClass writes this tenant's ALB's logs to its bucket.")
    return replace(
        footprint,
        load_balancers=tuple(balancers),
        notes=tuple(notes),
        tenant_of=platform,
        pod_log_retention_days=log_retention_days,
        access_log_retention_days=access_log_days,
        web_acls=web_acls,
    )
