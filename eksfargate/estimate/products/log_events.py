"""CloudWatch Logs lines for log events every pod sends (its own logs, the collector's performance events)."""

from __future__ import annotations

from decimal import Decimal

from eksfargate.estimate.amounts import CENT, cents, num, usd
from eksfargate.estimate.breakdown import Line
from eksfargate.estimate.product import Stack


def per_pod_lines(stack: Stack, what: str, gb_per_pod: Decimal, retention_days: int) -> list[Line]:
    """`what` ingested at `gb_per_pod` a month for every pod, and stored for the log group's retention.

    Steady state: the group holds the last `retention_days` of events. Each line also gives the figure with
    every autoscaled workload at its maximum replicas, where that differs.
    """
    workloads = stack.footprint.workloads
    pods = sum(workload.replicas for workload in workloads)
    most_pods = sum(workload.most_pods for workload in workloads)
    ingested = gb_per_pod * pods
    kept_months = Decimal(retention_days) / (stack.hours / 24)

    def at_most(rate: Decimal, gb_per_pod_at: Decimal) -> Decimal | None:
        return cents(rate * gb_per_pod_at * most_pods) if most_pods != pods else None

    lines = []
    if (ingestion_gb := stack.rate("logs_ingestion_gb")) is not None:
        lines.append(
            Line(
                "Logs",
                f"{what} ingested (assumed {num(gb_per_pod)} GB per pod)",
                f"{num(ingested)} GB",
                f"${usd(ingestion_gb)}/GB",
                cents(ingestion_gb * ingested),
                at_most(ingestion_gb, gb_per_pod),
            )
        )
    if (storage_gb_month := stack.rate("logs_storage_gb_month")) is not None:
        lines.append(
            Line(
                "Logs",
                f"{what} stored ({retention_days} days kept)",
                f"{num((ingested * kept_months).quantize(CENT))} GB-month",
                f"${usd(storage_gb_month)}/GB-month",
                cents(storage_gb_month * ingested * kept_months),
                at_most(storage_gb_month, gb_per_pod * kept_months),
            )
        )
    return lines
