"""Every team's monthly cost in both shapes: `python -m cost --all`.

`shapes()` plans every stack file of both projects; `render_shapes()` prints each team's
monthly cost, a tenant's with its even share of its platform's fixed cost, and what all of it
adds up to. Each stack is priced from its plan's footprint (tools/offline/footprints.py), as
the plan's cost.txt and the diff price it. A stack file that cannot be planned (its settings,
a region without prices) is left out and named, with why; the others are priced all the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pulumi

from eksfargate.estimate import CENT, Estimate, Prices, UnknownRegionError, Usage, estimate
from eksfargate.fargate_pods import FargateSizeError
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


@dataclass(frozen=True)
class Unplanned:
    stack_file: str  # relative to the platform project
    error: str


# What a stack file's settings (pulumi.RunError: SettingsError and the program's own checks), the file
# itself, its region's prices or its pods' sizes can stop a plan or its estimate with.
PLAN_ERRORS = (FileNotFoundError, ValueError, UnknownRegionError, FargateSizeError, pulumi.RunError)


def shapes(usage: Usage) -> tuple[list[StackCost], list[Unplanned]]:
    """Every stack file of the platform project and of tenant/, estimated offline, and those that could not be."""
    unplanned: list[Unplanned] = []

    def run(stack_file: str, stack: str, directory: Path) -> tuple[Any, Estimate] | None:
        try:
            recording = record(stack, project_dir=directory)
            if recording.error is not None:
                raise recording.error
            return recording, from_recording(recording, usage)
        except PLAN_ERRORS as exc:
            unplanned.append(Unplanned(stack_file, str(exc)))
            return None
        except Exception as exc:  # a crash: it goes on, saying which stack file it came from
            exc.add_note(f"(planning {stack_file})")
            raise

    rows: list[StackCost] = []
    platforms: dict[str, StackCost] = {}
    for stack in stack_files(PLATFORM_PROJECT_DIR):
        planned = run(stack.path.name, stack.stack, PLATFORM_PROJECT_DIR)
        if planned is None:
            continue
        recording, result = planned
        serves = recording.config.get(f"{recording.project}:servesTenants") == "true"
        team = recording.config.get(f"{recording.project}:team", "")
        row = StackCost(stack.path.name, "platform" if serves else "dedicated", team, result.total_usd)
        rows.append(row)
        platforms[stack.stack] = row
    tenants = []
    for stack in stack_files(TENANT_PROJECT_DIR):
        planned = run(f"tenant/{stack.path.name}", stack.stack, TENANT_PROJECT_DIR)
        if planned is None:
            continue
        recording, result = planned
        team = recording.config.get(f"{recording.project}:team", "")
        tenants.append((f"tenant/{stack.path.name}", team, result.total_usd, platform_of(recording) or ""))
    for stack_file, team, own, platform in tenants:
        on_it = sum(1 for t in tenants if t[3] == platform)
        fixed = platforms[platform].own if platform in platforms else Decimal(0)
        share = (fixed / on_it).quantize(CENT)
        rows.append(StackCost(stack_file, "tenant", team, own, platform, share))
    return rows, unplanned


def render_shapes(rows: list[StackCost], unplanned: list[Unplanned]) -> str:
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
    if unplanned:
        notes += ["", "Not in the table, the total nor the tenants' shares, as they could not be planned (why: on stderr):"]
        notes += [f"  {u.stack_file}" for u in unplanned]
    return "\n".join([fmt(header), rule, *map(fmt, body), rule, fmt(total), *notes]) + "\n"


def from_recording(recording: Recording, usage: Usage = Usage(), prices: Prices | None = None) -> Estimate:
    """The estimate of a recording: its plan's footprint, priced."""
    return estimate(footprint_of(recording), recording.stack, usage, prices)
