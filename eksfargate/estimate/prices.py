"""One region's on-demand list prices, read from eksfargate/data/prices.json: every figure the
estimate reads (FIGURES), and why a region has none for a figure where no source gave it."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from eksfargate.fargate_pods import PodSize

PRICES_FILE = Path(__file__).parent.parent / "data" / "prices.json"


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
    "cloudwatchAlarmStandardMonth": ("alarm_metric_month", "CloudWatch standard alarm metric month"),
    "cloudwatchMetricMonth": ("metric_month", "CloudWatch custom metric-month, first 10,000"),
    "s3StandardStorageGbMonth": ("s3_storage_gb_month", "S3 Standard GB-month stored"),
    "s3PutRequest": ("s3_put_request", "S3 Standard PUT request"),
}
_KEY_OF = {attribute: key for key, (attribute, _) in FIGURES.items()}
# prices.json "notIncluded": figures the estimate names but does not add (not the stack's to pay).
HOSTED_ZONE_KEY = "route53HostedZoneMonth"
DASHBOARD_KEY = "cloudwatchDashboardMonth"


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
    alarm_metric_month: Decimal | None
    metric_month: Decimal | None
    s3_storage_gb_month: Decimal | None
    s3_put_request: Decimal | None
    # prices.json key -> why the region has no price for it (prices.json "unpriced").
    unpriced: Mapping[str, str] = field(default_factory=dict)
    # What a Route 53 hosted zone costs a month (prices.json notIncluded; Route 53 is global), if known.
    hosted_zone_month: Decimal | None = None
    # A CloudWatch dashboard past the account's first 3 (prices.json notIncluded; dashboards are global), if known.
    dashboard_month: Decimal | None = None

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
    data = _document(path, path.read_text())
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
        dashboard_month=Decimal(board["usd"]) if (board := data.get("notIncluded", {}).get(DASHBOARD_KEY)) else None,
        **{attribute: Decimal(figures[key]["usd"]) if key in figures else None for key, (attribute, _) in FIGURES.items()},
    )


# Every estimate (each plan's, each side of a diff, each test's) reads prices.json, a third of a megabyte:
# parsed once per path and content. Shared: read, never changed.
@functools.lru_cache(maxsize=8)
def _document(_path: Path, text: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(text)
    return document


def compute_cost(vcpu: Decimal, memory_gb: Decimal, hours: Decimal, vcpu_hour: Decimal, gb_hour: Decimal) -> Decimal:
    """Fargate compute: vCPU × hours × price + GB × hours × price, unrounded."""
    return vcpu * hours * vcpu_hour + memory_gb * hours * gb_hour
