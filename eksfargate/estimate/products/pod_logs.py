"""CloudWatch Logs: the pods' logs Fargate's log router ships (assumed per pod), ingested and stored for the group's retention."""

from __future__ import annotations

from eksfargate.estimate.amounts import num
from eksfargate.estimate.product import Priced, Stack
from eksfargate.estimate.products.log_events import per_pod_lines


def price(stack: Stack) -> Priced:
    per_pod, retention = stack.usage.log_gb_per_pod_month, stack.footprint.pod_log_retention_days
    if retention is None:
        return Priced()
    assumption = (
        f"Pod logs: {num(per_pod)} GB a month per pod (every pod, all month) through "
        "Fargate's log router, stored at the ingested size for the log group's retention."
    )
    return Priced(tuple(per_pod_lines(stack, "pod logs", per_pod, retention)), (assumption,))
