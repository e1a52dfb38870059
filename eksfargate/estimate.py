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
# ALB access logs, per ALB and month, as stored (gzip files; an assumption, not a measurement).
# The ALB logs every request sent to it but not its health checks, and writes compressed
# (.log.gz) files (ALB User Guide, "Access logs for your Application Load Balancer",
# awsdocs/elb-application-load-balancers-user-guide doc_source/load-balancer-access-logs.md); its
# example HTTP and HTTPS entries are 385 and 527 bytes (newer entries add fields), so 1 GB holds
# about 2 million requests uncompressed, several times that compressed: a lightly used app's
# month, with room.
DEFAULT_ALB_LOG_GB_PER_MONTH = Decimal(1)
# ELB writes a log file for each load balancer node every 5 minutes (ALB User Guide, "Access log
# files"): one S3 PUT each, 12 an hour per node, one node per zone the ALB is enabled in. More
# when traffic is high ("The load balancer can deliver multiple logs for the same period").
ACCESS_LOG_FILES_PER_NODE_HOUR = 12

NO_NAT_NOTE = "No NAT gateway in the stack (existing VPC): the VPC owner pays for its NAT."
TENANT_NOTE = (
    "Tenant of platform stack {platform}: its control plane, NAT, CoreDNS and load balancer controller are the "
    "platform's fixed cost (`python -m cost --all` shows each team's share of it)."
)


class UnknownRegionError(LookupError):
    """prices.json has no prices for the stack's region."""


# Every figure the estimate reads: prices.json key -> (Prices attribute, what it prices). A region
# has each figure, or names it under prices.json's "unpriced" with the reason no source gave it.
FIGURES: dict[str, tuple[str, str]] = {
    "fargateVcpuHour": ("fargate_vcpu_hour", "Fargate vCPU-hour"),
    "fargateGbHour": ("fargate_gb_hour", "Fargate GB-hour"),
    "eksClusterHour": ("eks_cluster_hour", "EKS control plane hour, standard support"),
    "eksExtendedSupportClusterHour": ("eks_extended_support_cluster_hour", "EKS control plane hour, extended support"),
    "natGatewayHour": ("nat_gateway_hour", "NAT gateway hour"),
    "natGatewayGb": ("nat_gateway_gb", "NAT gateway GB processed"),
    "albHour": ("alb_hour", "Application Load Balancer hour"),
    "albLcuHour": ("alb_lcu_hour", "Application Load Balancer LCU-hour"),
    "publicIpv4Hour": ("public_ipv4_hour", "public IPv4 address hour"),
    "kmsKeyMonth": ("kms_key_month", "KMS key month"),
    "cloudwatchLogsIngestionGb": ("logs_ingestion_gb", "CloudWatch Logs GB ingested"),
    "cloudwatchLogsStorageGbMonth": ("logs_storage_gb_month", "CloudWatch Logs GB-month stored"),
    "s3StandardStorageGbMonth": ("s3_storage_gb_month", "S3 Standard GB-month stored"),
    "s3PutRequest": ("s3_put_request", "S3 Standard PUT request"),
}
_KEY_OF = {attribute: key for key, (attribute, _) in FIGURES.items()}
# prices.json "notIncluded": figures the estimate names but does not add (not the stack's to pay).
HOSTED_ZONE_KEY = "route53HostedZoneMonth"


@dataclass(frozen=True)
class Prices:
    """One region's prices from prices.json (USD); None where prices.json has no price (see `unpriced`)."""

    region: str
    name: str
    hours_per_month: Decimal
    fargate_vcpu_hour: Decimal | None
    fargate_gb_hour: Decimal | None
    eks_cluster_hour: Decimal | None
    eks_extended_support_cluster_hour: Decimal | None
    nat_gateway_hour: Decimal | None
    nat_gateway_gb: Decimal | None
    alb_hour: Decimal | None
    alb_lcu_hour: Decimal | None
    public_ipv4_hour: Decimal | None
    kms_key_month: Decimal | None
    logs_ingestion_gb: Decimal | None
    logs_storage_gb_month: Decimal | None
    s3_storage_gb_month: Decimal | None
    s3_put_request: Decimal | None
    # prices.json key -> why the region has no price for it (prices.json "unpriced").
    unpriced: Mapping[str, str] = field(default_factory=dict)
    # What a Route 53 hosted zone costs a month (prices.json notIncluded; Route 53 is global), if known.
    hosted_zone_month: Decimal | None = None

    def pod_hour(self, size: PodSize) -> Decimal:
        if self.fargate_vcpu_hour is None or self.fargate_gb_hour is None:
            raise MissingPriceError(self, "fargate_vcpu_hour" if self.fargate_vcpu_hour is None else "fargate_gb_hour")
        return compute_cost(size.vcpu, size.memory_gb, Decimal(1), self.fargate_vcpu_hour, self.fargate_gb_hour)

    def missing(self, attribute: str) -> str:
        """'no price for <figure> in <region>: <reason>', for a figure this region has no price for."""
        key = _KEY_OF[attribute]
        reason = self.unpriced.get(key, "not in eksfargate/data/prices.json")
        return f"no price for {FIGURES[key][1]} ({key}) in {self.region}: {reason}"


class MissingPriceError(LookupError):
    """A figure the region has no price for (prices.json "unpriced"), asked for directly."""

    def __init__(self, prices: Prices, attribute: str):
        super().__init__(prices.missing(attribute))


def unpriced_figures(data: Mapping[str, Any], region: str) -> dict[str, str]:
    """prices.json's "unpriced" entries for `region`: figure key -> reason."""
    found: dict[str, str] = {}
    for entry in data.get("unpriced", {}).get("entries", ()):
        if region in entry["regions"]:
            found.update(dict.fromkeys(entry["figures"], entry["reason"]))
    return found


def load_prices(region: str, path: Path = PRICES_FILE) -> Prices:
    data = json.loads(path.read_text())
    regions = data["regions"]
    if region not in regions:
        raise UnknownRegionError(f"eksfargate/data/prices.json has no prices for region {region!r}; it has {sorted(regions)}")
    figures = regions[region]
    unpriced = unpriced_figures(data, region)
    absent = [key for key in FIGURES if key not in figures and key not in unpriced]
    if absent:
        raise ValueError(f"eksfargate/data/prices.json: {region} has neither a price nor an 'unpriced' reason for {absent}")

    return Prices(
        region=region,
        name=figures["name"],
        hours_per_month=Decimal(data["hoursPerMonth"]["value"]),
        unpriced=unpriced,
        hosted_zone_month=Decimal(zone["usd"]) if (zone := data.get("notIncluded", {}).get(HOSTED_ZONE_KEY)) else None,
        **{attribute: Decimal(figures[key]["usd"]) if key in figures else None for key, (attribute, _) in FIGURES.items()},
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
    alb_log_gb_per_month: Decimal = DEFAULT_ALB_LOG_GB_PER_MONTH


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
    # What the stack runs that the region has no price for, one sentence each ('no price for ...'):
    # those items have no line, and the totals leave them out.
    unpriced: tuple[str, ...] = field(default=())

    @property
    def complete(self) -> bool:
        """Every item the stack runs is priced."""
        return not self.unpriced

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
            "unpriced": list(self.unpriced),
        }


def control_plane_rate(footprint: Footprint, p: Prices, month: date) -> tuple[str, Decimal | None, str]:
    """The control plane's label, hourly rate in `month` (its first day, UTC), and when that rate changes.

    Extended support is billed from the first day past the end of standard support, only where the
    upgrade policy is EXTENDED (EKS's default when none is given); with STANDARD, EKS upgrades the
    cluster then, and the standard rate goes on. The rate is None where the region has no price for it.
    """
    version, policy = footprint.kubernetes_version, footprint.support_type or "EXTENDED"
    support = CALENDAR.get(version or "")
    if support is None or support.end_of_standard is None:
        known = f"Kubernetes {version}'s end of standard support is not recorded" if version else "no Kubernetes version"
        return "control plane, standard support", p.eks_cluster_hour, f"EKS at the standard-support price ({known})."
    end = support.end_of_standard
    extended = (
        "the extended-support price"
        if p.eks_extended_support_cluster_hour is None
        else f"${_usd(p.eks_extended_support_cluster_hour)}/h"
    )
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
    """Prices a footprint for `month` (default: this month): one line per workload, then control plane, NAT, ALB,
    IPv4, KMS, pod logs and the ALBs' access logs."""
    p = prices or load_prices(footprint.region)
    hours = p.hours_per_month
    first_day = (month or today_utc()).replace(day=1)
    plane_label, plane_rate, plane_note = control_plane_rate(footprint, p, first_day)
    lines: list[Line] = []
    missing: dict[str, None] = {}  # Prices attributes the stack needs and the region has no price for

    def price(attribute: str) -> Decimal | None:
        """The region's price (None, recorded as missing, where it has none)."""
        value: Decimal | None = getattr(p, attribute)
        if value is None:
            missing[attribute] = None
        return value

    vcpu_hour = price("fargate_vcpu_hour") if footprint.workloads else None
    gb_hour = price("fargate_gb_hour") if footprint.workloads else None
    for workload in sorted(footprint.workloads, key=lambda w: w.name):
        if vcpu_hour is None or gb_hour is None:
            break
        hourly = compute_cost(workload.size.vcpu, workload.size.memory_gb, Decimal(1), vcpu_hour, gb_hour)
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
    if footprint.clusters and plane_rate is None:
        price("eks_extended_support_cluster_hour" if "extended" in plane_label else "eks_cluster_hour")
    elif footprint.clusters and plane_rate is not None:
        lines.append(
            Line(
                "EKS",
                plane_label,
                f"{footprint.clusters} cluster × {_num(hours)} h",
                f"${_usd(plane_rate)}/h",
                _cents(plane_rate * footprint.clusters * hours),
            )
        )
    if footprint.nat_gateways and (nat_hour := price("nat_gateway_hour")) is not None:
        lines.append(
            Line(
                "NAT",
                "NAT gateways",
                f"{footprint.nat_gateways} × {_num(hours)} h",
                f"${_usd(nat_hour)}/h",
                _cents(nat_hour * footprint.nat_gateways * hours),
            )
        )
    if footprint.nat_gateways and (nat_gb := price("nat_gateway_gb")) is not None:
        lines.append(
            Line(
                "NAT",
                "data processed (assumed)",
                f"{_num(usage.nat_gb_per_month)} GB",
                f"${_usd(nat_gb)}/GB",
                _cents(nat_gb * usage.nat_gb_per_month),
            )
        )
    albs = sum((lb.share for lb in footprint.load_balancers), Decimal(0))
    if albs and (alb_hour := price("alb_hour")) is not None:
        lines.append(
            Line(
                "ALB",
                "Application Load Balancers",
                f"{_num(albs.quantize(CENT))} × {_num(hours)} h",
                f"${_usd(alb_hour)}/h",
                _cents(alb_hour * albs * hours),
            )
        )
    if albs and (lcu_hour := price("alb_lcu_hour")) is not None:
        lcu_hours = usage.alb_lcu * albs * hours
        lines.append(
            Line(
                "ALB",
                f"LCUs (assumed {_num(usage.alb_lcu)} per ALB-hour)",
                f"{_num(lcu_hours.quantize(CENT))} LCU-h",
                f"${_usd(lcu_hour)}/LCU-h",
                _cents(lcu_hour * lcu_hours),
            )
        )
    alb_addresses = sum((lb.zones * lb.share for lb in footprint.load_balancers if lb.internet_facing), Decimal(0))
    addresses = footprint.elastic_ips + alb_addresses
    if addresses and (ipv4_hour := price("public_ipv4_hour")) is not None:
        lines.append(
            Line(
                "IPv4",
                f"public addresses: {footprint.elastic_ips} Elastic IP (NAT), "
                f"{_num(alb_addresses.quantize(CENT))} ALB (1 per zone)",
                f"{_num(addresses.quantize(CENT))} × {_num(hours)} h",
                f"${_usd(ipv4_hour)}/h",
                _cents(ipv4_hour * addresses * hours),
            )
        )
    if footprint.kms_keys and (key_month := price("kms_key_month")) is not None:
        lines.append(
            Line(
                "KMS",
                "customer managed key (secrets encryption)",
                f"{footprint.kms_keys} key",
                f"${_usd(key_month)}/month",
                _cents(key_month * footprint.kms_keys),
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

    if footprint.pod_log_retention_days is not None and (ingestion_gb := price("logs_ingestion_gb")) is not None:
        lines.append(
            Line(
                "Logs",
                f"pod logs ingested (assumed {_num(usage.log_gb_per_pod_month)} GB per pod)",
                f"{_num(ingested)} GB",
                f"${_usd(ingestion_gb)}/GB",
                _cents(ingestion_gb * ingested),
                at_most(ingestion_gb, usage.log_gb_per_pod_month),
            )
        )
    if footprint.pod_log_retention_days is not None and (storage_gb_month := price("logs_storage_gb_month")) is not None:
        lines.append(
            Line(
                "Logs",
                f"pod logs stored ({footprint.pod_log_retention_days} days kept)",
                f"{_num((ingested * kept_months).quantize(CENT))} GB-month",
                f"${_usd(storage_gb_month)}/GB-month",
                _cents(storage_gb_month * ingested * kept_months),
                at_most(storage_gb_month, usage.log_gb_per_pod_month * kept_months),
            )
        )

    access_log_days = footprint.access_log_retention_days if albs else None
    if access_log_days is not None and (s3_gb_month := price("s3_storage_gb_month")) is not None:
        # Steady state, as for the pod logs: the bucket holds the last `access_log_days` days of files.
        stored = usage.alb_log_gb_per_month * albs * Decimal(access_log_days) / (hours / 24)
        lines.append(
            Line(
                "S3",
                f"ALB access logs stored (assumed {_num(usage.alb_log_gb_per_month)} GB per ALB-month, "
                f"kept {access_log_days} days)",
                f"{_num(stored.quantize(CENT))} GB-month",
                f"${_usd(s3_gb_month)}/GB-month",
                _cents(s3_gb_month * stored),
            )
        )
    if access_log_days is not None and (put_request := price("s3_put_request")) is not None:
        nodes = sum((lb.zones * lb.share for lb in footprint.load_balancers), Decimal(0))
        files = nodes * ACCESS_LOG_FILES_PER_NODE_HOUR * hours
        lines.append(
            Line(
                "S3",
                f"ALB access log files written (1 per ALB node every 5 min, {_num(nodes.quantize(CENT))} nodes)",
                f"{_num(files.quantize(CENT))} PUT",
                f"${_usd(put_request * 1000)}/1,000 PUT",
                _cents(put_request * files),
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
        *(
            (
                f"ALB access logs: {_num(usage.alb_log_gb_per_month)} GB of gzip log files per ALB a month (requests; "
                "health checks are not logged), stored in S3 Standard (first tier) for the bucket's lifecycle expiry; "
                "one file, one S3 PUT, per ALB node (one per zone) every 5 minutes, more under heavy traffic. "
                "ELB does not charge for the logs or for sending them to S3.",
            )
            if access_log_days is not None
            else ()
        ),
        "Not included: data transfer out and across zones, CloudWatch Logs of the control plane, ECR, KMS requests, "
        "the KMS key's rotated versions (+$1/month each, from the second year)"
        + "".join(f"; {text}" for text in edge_not_included(footprint, p))
        + ".",
        *(() if footprint.nat_gateways or footprint.tenant_of else (NO_NAT_NOTE,)),
        *((TENANT_NOTE.format(platform=footprint.tenant_of),) if footprint.tenant_of else ()),
        *footprint.notes,
    )
    unpriced = tuple(p.missing(attribute) for attribute in missing)
    return Estimate(stack, p.region, p.name, hours, tuple(lines), assumptions, unpriced)


def edge_not_included(footprint: Footprint, p: Prices) -> list[str]:
    """What HTTPS at the edge adds that the stack does not pay, or that costs nothing: one clause each."""
    clauses = []
    if footprint.route53_records:
        zone = f"${_usd(p.hosted_zone_month)} a month" if p.hosted_zone_month is not None else "its monthly charge"
        clauses.append(
            f"the Route 53 hosted zone the stack writes {footprint.route53_records} record"
            f"{'s' if footprint.route53_records != 1 else ''} to (an existing zone, not the stack's: {zone} "
            "per zone if made for this; alias queries to an ALB are free"
            + (", the certificate's validation CNAME is queried at the standard rate)" if footprint.certificates else ")")
        )
    if footprint.certificates:
        clauses.append(
            "ACM public certificates (free: ACM charges nothing for the certificates it manages, only exportable "
            "ones cost, and the stack's are not exportable)"
        )
    if footprint.web_acls:
        clauses.append("the WAF web ACL on the ALBs (albWebAclArn: owned elsewhere and billed to its owner)")
    return clauses


# ---------------------------------------------------------------- entry points


def from_plan(plan: Mapping[str, Any], usage: Usage = Usage(), prices: Prices | None = None) -> Estimate:
    """The estimate of an offline plan (plan.json): the footprint it recorded, priced."""
    return estimate(footprint_of_plan(plan), plan.get("stack", ""), usage, prices)


def render(estimate: Estimate) -> str:
    """The breakdown as a fixed-width table, then the assumptions."""
    header = ("", "item", "quantity", "unit price", "per month")
    rows = [(line.category, line.item, line.quantity, line.unit_price, f"${line.monthly_usd:,.2f}") for line in estimate.lines]
    total_label = "total" if estimate.complete else "total, priced items only (see 'Not priced' below)"
    totals: list[tuple[str, ...]] = [("", total_label, "", "", f"${estimate.total_usd:,.2f}")]
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
    body = [title, "", fmt(header), rule, *(fmt(row) for row in rows), rule, *(fmt(row) for row in totals), ""]
    if estimate.unpriced:
        body += [
            f"Not priced ({len(estimate.unpriced)}): the total leaves these out.",
            *(f"  - {text}" for text in estimate.unpriced),
            "",
        ]
    body += ["Assumptions:"]
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
