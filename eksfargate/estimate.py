"""The price model: what a stack's footprint (footprint.py) costs a month at the on-demand list
prices in data/prices.json. `estimate` prices a footprint; `from_plan` prices the footprint a
plan recorded, which is what the plan's cost.txt, `python -m cost` and the diff's cost lines all
show. What is assumed rather than declared (traffic, log volume) is listed in
`Estimate.assumptions` and printed with the table.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from eksfargate.facts.kubernetes_versions import CALENDAR, EXTENDED, today_utc
from eksfargate.fargate_pods import PodSize
from eksfargate.footprint import Footprint, footprint_of_plan

PRICES_FILE = Path(__file__).parent / "data" / "prices.json"
CENT = Decimal("0.01")

# What a month of traffic is assumed to be (override with `python -m cost --nat-gb/--lcu`).
# NAT: every Fargate pod pulls its image through NAT each time it starts (no node cache), plus
# AWS API calls; 20 GB a month covers a small stack's pods, restarts and rollouts.
DEFAULT_NAT_GB_PER_MONTH = Decimal(20)
# ALB: 1 LCU every hour, on average (25 new connections/s or 1 GB/h): far above a demo's traffic,
# so an upper bound for light use; there is no minimum LCU charge.
DEFAULT_ALB_LCU = Decimal(1)
# Pod logs through Fargate's log router, per pod and month, as ingested (an assumption, not a
# measurement): the 2048 game's nginx logs one line per readiness probe (every 10 s) and per
# ALB health check (assumed every 15 s from each of 3 zones), about 0.8 million lines a month,
# at roughly 600 bytes once the router's kubernetes filter adds the pod's metadata. CoreDNS and
# the controller log far less; 0.5 GB a pod covers them with room.
DEFAULT_LOG_GB_PER_POD_MONTH = Decimal("0.5")

NO_NAT_NOTE = "No NAT gateway in the stack (existing VPC): the VPC owner pays for its NAT."
TENANT_NOTE = (
    "Tenant of platform stack {platform}: its control plane, NAT, CoreDNS and load balancer controller are the "
    "platform's fixed cost (`python -m cost --all` shows each team's share of it)."
)


class UnknownRegionError(LookupError):
    """prices.json has no prices for the stack's region."""


@dataclass(frozen=True)
class Prices:
    """One region's prices from prices.json (USD)."""

    region: str
    name: str
    hours_per_month: Decimal
    fargate_vcpu_hour: Decimal
    fargate_gb_hour: Decimal
    eks_cluster_hour: Decimal
    eks_extended_support_cluster_hour: Decimal
    nat_gateway_hour: Decimal
    nat_gateway_gb: Decimal
    alb_hour: Decimal
    alb_lcu_hour: Decimal
    public_ipv4_hour: Decimal
    kms_key_month: Decimal
    logs_ingestion_gb: Decimal
    logs_storage_gb_month: Decimal

    def pod_hour(self, size: PodSize) -> Decimal:
        return compute_cost(size.vcpu, size.memory_gb, Decimal(1), self.fargate_vcpu_hour, self.fargate_gb_hour)


def load_prices(region: str, path: Path = PRICES_FILE) -> Prices:
    data = json.loads(path.read_text())
    regions = data["regions"]
    if region not in regions:
        raise UnknownRegionError(f"eksfargate/data/prices.json has no prices for region {region!r}; it has {sorted(regions)}")
    figures = regions[region]

    def usd(key: str) -> Decimal:
        return Decimal(figures[key]["usd"])

    return Prices(
        region=region,
        name=figures["name"],
        hours_per_month=Decimal(data["hoursPerMonth"]["value"]),
        fargate_vcpu_hour=usd("fargateVcpuHour"),
        fargate_gb_hour=usd("fargateGbHour"),
        eks_cluster_hour=usd("eksClusterHour"),
        eks_extended_support_cluster_hour=usd("eksExtendedSupportClusterHour"),
        nat_gateway_hour=usd("natGatewayHour"),
        nat_gateway_gb=usd("natGatewayGb"),
        alb_hour=usd("albHour"),
        alb_lcu_hour=usd("albLcuHour"),
        public_ipv4_hour=usd("publicIpv4Hour"),
        kms_key_month=usd("kmsKeyMonth"),
        logs_ingestion_gb=usd("cloudwatchLogsIngestionGb"),
        logs_storage_gb_month=usd("cloudwatchLogsStorageGbMonth"),
    )


def compute_cost(vcpu: Decimal, memory_gb: Decimal, hours: Decimal, vcpu_hour: Decimal, gb_hour: Decimal) -> Decimal:
    """Fargate compute: vCPU × hours × price + GB × hours × price, unrounded."""
    return vcpu * hours * vcpu_hour + memory_gb * hours * gb_hour


@dataclass(frozen=True)
class Usage:
    """What the estimate assumes about traffic."""

    nat_gb_per_month: Decimal = DEFAULT_NAT_GB_PER_MONTH
    alb_lcu: Decimal = DEFAULT_ALB_LCU
    log_gb_per_pod_month: Decimal = DEFAULT_LOG_GB_PER_POD_MONTH


# ---------------------------------------------------------------- the estimate


@dataclass(frozen=True)
class Line:
    """One row of the breakdown; `monthly_usd` is rounded to the cent."""

    category: str
    item: str
    quantity: str
    unit_price: str
    monthly_usd: Decimal
    # The same line with every autoscaled workload at its maximum replicas, where that differs.
    max_monthly_usd: Decimal | None = None


@dataclass(frozen=True)
class Estimate:
    stack: str
    region: str
    region_name: str
    hours_per_month: Decimal
    lines: tuple[Line, ...]
    assumptions: tuple[str, ...] = field(default=())

    @property
    def total_usd(self) -> Decimal:
        """The sum of the rounded lines, so that the table adds up to the cent."""
        return sum((line.monthly_usd for line in self.lines), Decimal(0)).quantize(CENT)

    @property
    def max_total_usd(self) -> Decimal:
        """The total with every autoscaled workload at its maximum replicas."""
        return sum((line.max_monthly_usd or line.monthly_usd for line in self.lines), Decimal(0)).quantize(CENT)

    def by_category(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for line in self.lines:
            totals[line.category] = totals.get(line.category, Decimal(0)) + line.monthly_usd
        return totals

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (amounts as numbers), e.g. for plan.json."""
        return {
            "stack": self.stack,
            "region": self.region,
            "currency": "USD",
            "hoursPerMonth": float(self.hours_per_month),
            "totalMonthlyUsd": float(self.total_usd),
            "maxTotalMonthlyUsd": float(self.max_total_usd),
            "lines": [
                {
                    "category": line.category,
                    "item": line.item,
                    "quantity": line.quantity,
                    "unitPrice": line.unit_price,
                    "monthlyUsd": float(line.monthly_usd),
                }
                for line in self.lines
            ],
            "assumptions": list(self.assumptions),
        }


def control_plane_rate(footprint: Footprint, p: Prices, month: date) -> tuple[str, Decimal, str]:
    """The control plane's label, hourly rate in `month` (its first day, UTC), and when that rate changes.

    Extended support is billed from the first day past the end of standard support, only where the
    upgrade policy is EXTENDED (EKS's default when none is given); with STANDARD, EKS upgrades the
    cluster then, and the standard rate goes on.
    """
    version, policy = footprint.kubernetes_version, footprint.support_type or "EXTENDED"
    support = CALENDAR.get(version or "")
    if support is None or support.end_of_standard is None:
        known = f"Kubernetes {version}'s end of standard support is not recorded" if version else "no Kubernetes version"
        return "control plane, standard support", p.eks_cluster_hour, f"EKS at the standard-support price ({known})."
    end, extended = support.end_of_standard, f"${_usd(p.eks_extended_support_cluster_hour)}/h"
    if policy == "EXTENDED" and support.phase(month) == EXTENDED:
        note = f"EKS at the extended-support price: Kubernetes {version} left standard support on {end.isoformat()}"
        return "control plane, extended support", p.eks_extended_support_cluster_hour, note + " (supportType EXTENDED)."
    if policy == "EXTENDED" and month < end:
        change = f"from {end.isoformat()} it is {extended} (extended support, supportType EXTENDED) unless upgraded"
    elif month < end:
        change = f"on {end.isoformat()} EKS upgrades the cluster itself (supportType STANDARD), at the same price"
    else:
        change = f"standard support for {version} ended on {end.isoformat()}"
    return "control plane, standard support", p.eks_cluster_hour, f"EKS at the standard-support price in {month:%Y-%m}; {change}."


def estimate(
    footprint: Footprint, stack: str = "", usage: Usage = Usage(), prices: Prices | None = None, month: date | None = None
) -> Estimate:
    """Prices a footprint for `month` (default: this month): one line per workload, then control plane, NAT, ALB, IPv4, KMS."""
    p = prices or load_prices(footprint.region)
    hours = p.hours_per_month
    first_day = (month or today_utc()).replace(day=1)
    plane_label, plane_rate, plane_note = control_plane_rate(footprint, p, first_day)
    lines: list[Line] = []

    for workload in sorted(footprint.workloads, key=lambda w: w.name):
        hourly = p.pod_hour(workload.size)
        autoscaled = workload.max_replicas is not None and workload.max_replicas != workload.replicas
        replicas = f"{workload.replicas} (max {workload.max_replicas})" if autoscaled else str(workload.replicas)
        lines.append(
            Line(
                "Fargate",
                workload.name,
                f"{replicas} × {workload.size}",
                f"${_usd(hourly)}/pod-hour",
                _cents(hourly * workload.replicas * hours),
                _cents(hourly * workload.most_pods * hours) if autoscaled else None,
            )
        )
    if footprint.clusters:
        lines.append(
            Line(
                "EKS",
                plane_label,
                f"{footprint.clusters} cluster × {_num(hours)} h",
                f"${_usd(plane_rate)}/h",
                _cents(plane_rate * footprint.clusters * hours),
            )
        )
    if footprint.nat_gateways:
        lines.append(
            Line(
                "NAT",
                "NAT gateways",
                f"{footprint.nat_gateways} × {_num(hours)} h",
                f"${_usd(p.nat_gateway_hour)}/h",
                _cents(p.nat_gateway_hour * footprint.nat_gateways * hours),
            )
        )
        lines.append(
            Line(
                "NAT",
                "data processed (assumed)",
                f"{_num(usage.nat_gb_per_month)} GB",
                f"${_usd(p.nat_gateway_gb)}/GB",
                _cents(p.nat_gateway_gb * usage.nat_gb_per_month),
            )
        )
    albs = sum((lb.share for lb in footprint.load_balancers), Decimal(0))
    if albs:
        lines.append(
            Line(
                "ALB",
                "Application Load Balancers",
                f"{_num(albs.quantize(CENT))} × {_num(hours)} h",
                f"${_usd(p.alb_hour)}/h",
                _cents(p.alb_hour * albs * hours),
            )
        )
        lcu_hours = usage.alb_lcu * albs * hours
        lines.append(
            Line(
                "ALB",
                f"LCUs (assumed {_num(usage.alb_lcu)} per ALB-hour)",
                f"{_num(lcu_hours.quantize(CENT))} LCU-h",
                f"${_usd(p.alb_lcu_hour)}/LCU-h",
                _cents(p.alb_lcu_hour * lcu_hours),
            )
        )
    alb_addresses = sum((lb.zones * lb.share for lb in footprint.load_balancers if lb.internet_facing), Decimal(0))
    addresses = footprint.elastic_ips + alb_addresses
    if addresses:
        lines.append(
            Line(
                "IPv4",
                f"public addresses: {footprint.elastic_ips} Elastic IP (NAT), "
                f"{_num(alb_addresses.quantize(CENT))} ALB (1 per zone)",
                f"{_num(addresses.quantize(CENT))} × {_num(hours)} h",
                f"${_usd(p.public_ipv4_hour)}/h",
                _cents(p.public_ipv4_hour * addresses * hours),
            )
        )
    if footprint.kms_keys:
        lines.append(
            Line(
                "KMS",
                "customer managed key (secrets encryption)",
                f"{footprint.kms_keys} key",
                f"${_usd(p.kms_key_month)}/month",
                _cents(p.kms_key_month * footprint.kms_keys),
            )
        )

    if footprint.pod_log_retention_days is not None:
        # Steady state: the group holds the last `retention` days of logs.
        kept_months = Decimal(footprint.pod_log_retention_days) / (hours / 24)
        pods = sum(workload.replicas for workload in footprint.workloads)
        most_pods = sum(workload.max_replicas or workload.replicas for workload in footprint.workloads)
        ingested = usage.log_gb_per_pod_month * pods

        def at_most(price: Decimal, per_pod: Decimal) -> Decimal | None:
            return _cents(price * per_pod * most_pods) if most_pods != pods else None

        lines.append(
            Line(
                "Logs",
                f"pod logs ingested (assumed {_num(usage.log_gb_per_pod_month)} GB per pod)",
                f"{_num(ingested)} GB",
                f"${_usd(p.logs_ingestion_gb)}/GB",
                _cents(p.logs_ingestion_gb * ingested),
                at_most(p.logs_ingestion_gb, usage.log_gb_per_pod_month),
            )
        )
        lines.append(
            Line(
                "Logs",
                f"pod logs stored ({footprint.pod_log_retention_days} days kept)",
                f"{_num((ingested * kept_months).quantize(CENT))} GB-month",
                f"${_usd(p.logs_storage_gb_month)}/GB-month",
                _cents(p.logs_storage_gb_month * ingested * kept_months),
                at_most(p.logs_storage_gb_month, usage.log_gb_per_pod_month * kept_months),
            )
        )

    assumptions = (
        f"{_num(hours)} hours a month; on-demand list prices of {p.region} from eksfargate/data/prices.json; no free tier, "
        "Savings Plans or tax.",
        "Pods: Fargate's size (requests + 256 MiB, rounded up to a supported vCPU/memory pair), running all month; "
        "an autoscaled workload at its minimum replicas (the total at its maximum is shown below the total).",
        f"NAT data processed: {_num(usage.nat_gb_per_month)} GB a month in all (image pulls at each pod start, API calls).",
        f"ALB: {_num(usage.alb_lcu)} LCU on average every hour; one public IPv4 address per zone it is enabled in.",
        plane_note,
        *(
            (
                f"Pod logs: {_num(usage.log_gb_per_pod_month)} GB a month per pod (every pod, all month) through "
                "Fargate's log router, stored at the ingested size for the log group's retention.",
            )
            if footprint.pod_log_retention_days is not None
            else ()
        ),
        "Not included: data transfer out and across zones, CloudWatch Logs of the control plane, ECR, KMS requests, "
        "the KMS key's rotated versions (+$1/month each, from the second year).",
        *(() if footprint.nat_gateways or footprint.tenant_of else (NO_NAT_NOTE,)),
        *((TENANT_NOTE.format(platform=footprint.tenant_of),) if footprint.tenant_of else ()),
        *footprint.notes,
    )
    return Estimate(stack, p.region, p.name, hours, tuple(lines), assumptions)


# ---------------------------------------------------------------- entry points


def from_plan(plan: Mapping[str, Any], usage: Usage = Usage(), prices: Prices | None = None) -> Estimate:
    """The estimate of an offline plan (plan.json): the footprint it recorded, priced."""
    return estimate(footprint_of_plan(plan), plan.get("stack", ""), usage, prices)


def render(estimate: Estimate) -> str:
    """The breakdown as a fixed-width table, then the assumptions."""
    header = ("", "item", "quantity", "unit price", "per month")
    rows = [(line.category, line.item, line.quantity, line.unit_price, f"${line.monthly_usd:,.2f}") for line in estimate.lines]
    totals: list[tuple[str, ...]] = [("", "total", "", "", f"${estimate.total_usd:,.2f}")]
    if estimate.max_total_usd != estimate.total_usd:
        totals.append(("", "total, autoscaled workloads at their maximum replicas", "", "", f"${estimate.max_total_usd:,.2f}"))
    widths = [max(len(row[i]) for row in (header, *rows, *totals)) for i in range(5)]

    def fmt(row: tuple[str, ...]) -> str:
        return "  ".join(
            cell.ljust(width) if i < 4 else cell.rjust(width) for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    title = (
        f"Estimated monthly cost of stack {estimate.stack or '?'}: {estimate.region} ({estimate.region_name}), "
        f"USD, {_num(estimate.hours_per_month)} h/month"
    )
    body = [title, "", fmt(header), rule, *(fmt(row) for row in rows), rule, *(fmt(row) for row in totals), "", "Assumptions:"]
    body += [f"  - {text}" for text in estimate.assumptions]
    return "\n".join(body) + "\n"


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _usd(amount: Decimal) -> str:
    """A price as printed: at least two decimals, and as many more as it has (0.0225, 0.10)."""
    return f"{amount.quantize(CENT):f}" if amount == amount.quantize(CENT) else _num(amount)


def _num(number: Decimal | int) -> str:
    text = f"{Decimal(number):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
