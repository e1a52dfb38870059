"""Container Insights: the custom metrics the collector publishes, and its performance log events ingested and stored
(under Logs, beside the pods' own logs: one CloudWatch Logs price for both)."""

from __future__ import annotations

from decimal import Decimal

from eksfargate.estimate.amounts import CENT, cents, num, usd
from eksfargate.estimate.breakdown import Line
from eksfargate.estimate.product import Priced, Stack
from eksfargate.facts.container_insights import DIMENSION_SETS, METRICS, published_metric_count


def price(stack: Stack) -> Priced:
    footprint, per_pod = stack.footprint, stack.usage.metrics_log_gb_per_pod_month
    retention = footprint.pod_metrics_log_retention_days
    if retention is None:
        return Priced()
    # PodName is the workload (facts), so each workload counts once whatever its replicas.
    namespaces = {workload.name.split("/", 1)[0] for workload in footprint.workloads}
    metrics = published_metric_count(len(namespaces), len(footprint.workloads))
    pods = sum(workload.replicas for workload in footprint.workloads)
    most_pods = sum(workload.most_pods for workload in footprint.workloads)
    ingested = per_pod * pods
    kept_months = Decimal(retention) / (stack.hours / 24)

    def at_most(rate: Decimal, gb_per_pod: Decimal) -> Decimal | None:
        return cents(rate * gb_per_pod * most_pods) if most_pods != pods else None

    lines = []
    if (ingestion_gb := stack.rate("logs_ingestion_gb")) is not None:
        lines.append(
            Line(
                "Logs",
                f"pod metrics' performance log events ingested (assumed {num(per_pod)} GB per pod)",
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
                f"pod metrics' performance log events stored ({retention} days kept)",
                f"{num((ingested * kept_months).quantize(CENT))} GB-month",
                f"${usd(storage_gb_month)}/GB-month",
                cents(storage_gb_month * ingested * kept_months),
                at_most(storage_gb_month, per_pod * kept_months),
            )
        )
    if (metric_month := stack.rate("metric_month")) is not None:
        lines.append(
            Line(
                "Metrics",
                f"Container Insights: {len(METRICS)} metrics × (cluster + {len(namespaces)} namespaces + "
                f"{len(footprint.workloads)} workloads)",
                f"{metrics} metrics",
                f"${usd(metric_month)}/metric-month",
                cents(metric_month * metrics),
            )
        )
    assumption = (
        f"Pod metrics: each of {len(METRICS)} Container Insights metrics once per dimension set value "
        f"({len(DIMENSION_SETS)} sets: the cluster, each namespace, each workload), as custom metrics at the first "
        f"tier's price; performance log events {num(per_pod)} GB a month per pod. A tenant's namespace on this "
        f"cluster adds {len(METRICS)} metrics, and {len(METRICS)} per workload of it, to this account's bill."
    )
    return Priced(tuple(lines), (assumption,))
