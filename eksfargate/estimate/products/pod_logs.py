"""CloudWatch Logs: the pods' logs Fargate's log router ships (assumed per pod), ingested and stored for the group's retention."""

from __future__ import annotations

from decimal import Decimal

from eksfargate.estimate.amounts import CENT, cents, num, usd
from eksfargate.estimate.breakdown import Line
from eksfargate.estimate.product import Priced, Stack


def price(stack: Stack) -> Priced:
    footprint, hours, per_pod = stack.footprint, stack.hours, stack.usage.log_gb_per_pod_month
    retention = footprint.pod_log_retention_days
    if retention is None:
        return Priced()
    # Steady state: the group holds the last `retention` days of logs.
    kept_months = Decimal(retention) / (hours / 24)
    pods = sum(workload.replicas for workload in footprint.workloads)
    most_pods = sum(workload.max_replicas or workload.replicas for workload in footprint.workloads)
    ingested = per_pod * pods

    def at_most(rate: Decimal, gb_per_pod: Decimal) -> Decimal | None:
        """The line with every autoscaled workload at its maximum replicas, where that differs."""
        return cents(rate * gb_per_pod * most_pods) if most_pods != pods else None

    lines = []
    if (ingestion_gb := stack.rate("logs_ingestion_gb")) is not None:
        lines.append(
            Line(
                "Logs",
                f"pod logs ingested (assumed {num(per_pod)} GB per pod)",
                f"{num(ingested)} GB",
                f"${usd(ingestion_gb)}/GB",
                cents(ingestion_gb * ingested),
                at_most(ingestion_gb, per_pod),
            )
        )
    if (storage_gb_month := stack.rate("logs_storage_gb_month")) is not None:
        lines.append(
            Line(
                "Logs",
                f"pod logs stored ({retention} days kept)",
                f"{num((ingested * kept_months).quantize(CENT))} GB-month",
                f"${usd(storage_gb_month)}/GB-month",
                cents(storage_gb_month * ingested * kept_months),
                at_most(storage_gb_month, per_pod * kept_months),
            )
        )
    assumption = (
        f"Pod logs: {num(per_pod)} GB a month per pod (every pod, all month) through "
        "Fargate's log router, stored at the ingested size for the log group's retention."
    )
    return Priced(tuple(lines), (assumption,))
