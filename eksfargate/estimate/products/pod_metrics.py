"""Container Insights: the custom metrics the collector publishes, and its performance log events ingested and stored
(under Logs, beside the pods' own logs: one CloudWatch Logs price for both)."""

from __future__ import annotations

from eksfargate.estimate.amounts import cents, num, usd
from eksfargate.estimate.breakdown import Line
from eksfargate.estimate.product import Priced, Stack
from eksfargate.estimate.products.log_events import per_pod_lines
from eksfargate.facts.container_insights import DIMENSION_SETS, METRICS, published_metric_count


def price(stack: Stack) -> Priced:
    footprint, per_pod = stack.footprint, stack.usage.metrics_log_gb_per_pod_month
    retention = footprint.pod_metrics_log_retention_days
    if retention is None:
        return Priced()
    # PodName is the workload (facts), so each workload counts once whatever its replicas.
    namespaces = {workload.name.split("/", 1)[0] for workload in footprint.workloads}
    metrics = published_metric_count(len(namespaces), len(footprint.workloads))
    lines = per_pod_lines(stack, "pod metrics' performance log events", per_pod, retention)
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
