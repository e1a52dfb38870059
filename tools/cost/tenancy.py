"""Every team's monthly cost in both shapes: `python -m cost --all`.

`shapes()` plans every stack file of both projects; `render_shapes()` prints each team's
monthly cost, a tenant's with its even share of its platform's fixed cost, and what all of it
adds up to. Each stack is priced from its plan's footprint (tools/offline/footprints.py), as
the plan's cost.txt and the diff price it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from eksfargate.estimate import CENT, Estimate, Prices, Usage, estimate
from eksfargate.project import PLATFORM_PROJECT_DIR, TENANT_PROJECT_DIR
from eksfargate.stack_catalog import stack_files
from offline.footprints import footprint_of, platform_of
from offline.harness import Recording, record


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


def from_recording(recording: Recording, usage: Usage = Usage(), prices: Prices | None = None) -> Estimate:
    """The estimate of a recording: its plan's footprint, priced."""
    return estimate(footprint_of(recording), recording.stack, usage, prices)
