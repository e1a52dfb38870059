"""Cost in the shared shape: a tenant's own part, and every team's cost in both shapes.

A tenant stack (tenant/) declares its pods and its Ingress; the cluster, NAT, CoreDNS and the
load balancer controller are its platform stack's, paid once. `tenant_footprint` prices a
tenant's ALB in the platform's zones, its pods' logs when the platform ships them, and, on
the shared ALB (the controller's IngressGroup), splits it evenly between the tenant stack
files that join it. `shapes()` estimates every stack file of both projects; `render_shapes()`
is `python -m cost --all`: each team's monthly cost, a tenant's with its even share of its
platform's fixed cost, and what all of it adds up to.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from eksfargate.contract import SHARED_ALB_GROUP
from eksfargate.estimate import CENT, Estimate, Footprint, Prices, Usage, estimate, footprint_from_resources
from eksfargate.project import PLATFORM_PROJECT_DIR, TENANT_PROJECT_DIR
from teams.stacks import project, stack_files

STACK_REFERENCE = "pulumi:pulumi:StackReference"
DEFAULT_ZONES = 2


def platform_of(recording: Any) -> str | None:
    """The platform stack a tenant recording reads (its StackReference), or None."""
    reference = next((r for r in recording.resources if r.type == STACK_REFERENCE), None)
    return str(reference.inputs["name"]).rsplit("/", 1)[-1] if reference else None


@dataclass(frozen=True)
class PlatformFacts:
    """What a tenant's cost depends on in its platform's stack file."""

    zones: int  # of its public subnets: an internet-facing ALB has one address in each
    log_retention_days: int | None  # its Fargate log router's retention; None: no pod logging


def platform_facts(platform_stack: str, platform_dir: Path = PLATFORM_PROJECT_DIR) -> PlatformFacts:
    proj = project(platform_dir)
    stack = next((s for s in stack_files(platform_dir) if s.stack == platform_stack), None)
    if stack is None:
        return PlatformFacts(DEFAULT_ZONES, None)
    if proj.setting(stack, "existingVpcId"):
        zones = max(len(proj.setting(stack, "existingPublicSubnetIds") or []), DEFAULT_ZONES)
    else:
        zones = int(proj.setting(stack, "availabilityZoneCount"))
    logging = proj.setting(stack, "fargateLogging") is True
    return PlatformFacts(zones, int(proj.setting(stack, "fargateLogRetentionDays")) if logging else None)


def shared_alb_tenants(platform_stack: str, tenant_dir: Path = TENANT_PROJECT_DIR) -> list[str]:
    """Tenant stacks on `platform_stack` that join its shared ALB."""
    proj = project(tenant_dir)
    return [
        s.stack
        for s in stack_files(tenant_dir)
        if str(proj.setting(s, "platformStack")).rsplit("/", 1)[-1] == platform_stack and proj.setting(s, "albMode") == "shared"
    ]


def tenant_footprint(recording: Any, footprint: Footprint) -> Footprint:
    """A tenant's footprint with its ALB in the platform's zones and its share of a shared ALB."""
    platform = platform_of(recording)
    if platform is None:
        return footprint
    facts = platform_facts(platform)
    zones = facts.zones
    sharers = sorted(set(shared_alb_tenants(platform)) | {recording.stack})
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
    if facts.log_retention_days is not None:
        notes.append("Pod logs: the platform's log router ships this tenant's pods' logs to its log group.")
    return replace(
        footprint,
        load_balancers=tuple(balancers),
        notes=tuple(notes),
        tenant_of=platform,
        pod_log_retention_days=facts.log_retention_days,
    )


@dataclass(frozen=True)
class StackCost:
    stack_file: str  # relative to the platform project
    shape: str  # dedicated, platform, tenant
    team: str
    own: Decimal
    platform: str = ""  # a tenant's platform stack
    platform_share: Decimal = Decimal(0)

    @property
    def per_team(self) -> Decimal:
        return self.own + self.platform_share


def shapes(usage: Usage) -> list[StackCost]:
    """Every stack file of the platform project and of tenant/, estimated offline."""
    from offline.harness import record  # noqa: PLC0415 - imports the Pulumi SDKs

    def run(stack: str, directory: Path) -> tuple[Any, Estimate]:
        recording = record(stack, project_dir=directory)
        if recording.error is not None:
            raise recording.error
        return recording, from_recording(recording, usage)

    rows: list[StackCost] = []
    platforms: dict[str, StackCost] = {}
    for stack in stack_files(PLATFORM_PROJECT_DIR):
        recording, result = run(stack.stack, PLATFORM_PROJECT_DIR)
        serves = recording.config.get(f"{recording.project}:servesTenants") == "true"
        team = recording.config.get(f"{recording.project}:team", "")
        row = StackCost(stack.path.name, "platform" if serves else "dedicated", team, result.total_usd)
        rows.append(row)
        platforms[stack.stack] = row
    tenants = []
    for stack in stack_files(TENANT_PROJECT_DIR):
        recording, result = run(stack.stack, TENANT_PROJECT_DIR)
        team = recording.config.get(f"{recording.project}:team", "")
        tenants.append((f"tenant/{stack.path.name}", team, result.total_usd, platform_of(recording) or ""))
    for stack_file, team, own, platform in tenants:
        on_it = sum(1 for t in tenants if t[3] == platform)
        fixed = platforms[platform].own if platform in platforms else Decimal(0)
        share = (fixed / on_it).quantize(CENT)
        rows.append(StackCost(stack_file, "tenant", team, own, platform, share))
    return rows


def render_shapes(rows: list[StackCost]) -> str:
    header = ("stack file", "shape", "team", "own $/month", "platform share", "per team $/month")
    body = [
        (
            row.stack_file,
            row.shape + (f" of {row.platform}" if row.platform else ""),
            row.team,
            f"{row.own:,.2f}",
            f"{row.platform_share:,.2f}" if row.shape == "tenant" else "",
            f"{row.per_team:,.2f}" if row.shape != "platform" else "(shared)",
        )
        for row in rows
    ]
    total = ("total billed", "", "", f"{sum((r.own for r in rows), Decimal(0)):,.2f}", "", "")
    widths = [max(len(r[i]) for r in (header, *body, total)) for i in range(len(header))]

    def fmt(row: tuple[str, ...]) -> str:
        return "  ".join(c.rjust(w) if i >= 3 else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    notes = [
        "",
        "A platform's own cost (cluster, NAT, CoreDNS, controller, KMS) is paid once; each tenant's row adds an even",
        "share of it to the tenant's own pods, ALB (or share of the shared ALB) and public IPv4 addresses.",
        "Prices, sizes and assumptions: python -m cost --stack <stack> [--project-dir tenant].",
    ]
    return "\n".join([fmt(header), rule, *map(fmt, body), rule, fmt(total), *notes]) + "\n"


def from_recording(recording: Any, usage: Usage = Usage(), prices: Prices | None = None) -> Estimate:
    """The estimate of an offline.harness.Recording (from what the program declared)."""
    region = recording.config.get("aws:region", "")
    footprint = footprint_from_resources(region, ((r.type, r.name, r.inputs) for r in recording.resources))
    footprint = tenant_footprint(recording, footprint)
    return estimate(footprint, recording.stack, usage, prices)
