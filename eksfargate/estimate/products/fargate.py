"""Fargate pods: one line per workload, its pods all month at Fargate's size."""

from __future__ import annotations

from decimal import Decimal

from eksfargate.estimate.amounts import cents, usd
from eksfargate.estimate.breakdown import Line
from eksfargate.estimate.prices import compute_cost
from eksfargate.estimate.product import Priced, Stack

ASSUMPTION = (
    "Pods: Fargate's size (requests + 256 MiB, rounded up to a supported vCPU/memory pair), running all month; "
    "an autoscaled workload at its minimum replicas (the total at its maximum is shown below the total)."
)


def price(stack: Stack) -> Priced:
    workloads, hours = stack.footprint.workloads, stack.hours
    vcpu_hour = stack.rate("fargate_vcpu_hour") if workloads else None
    gb_hour = stack.rate("fargate_gb_hour") if workloads else None
    if vcpu_hour is None or gb_hour is None:
        return Priced(assumptions=(ASSUMPTION,))
    lines = []
    for workload in sorted(workloads, key=lambda w: w.name):
        hourly = compute_cost(workload.size.vcpu, workload.size.memory_gb, Decimal(1), vcpu_hour, gb_hour)
        autoscaled = workload.max_replicas is not None and workload.max_replicas != workload.replicas
        replicas = f"{workload.replicas} (max {workload.max_replicas})" if autoscaled else str(workload.replicas)
        lines.append(
            Line(
                "Fargate",
                workload.name,
                f"{replicas} × {workload.size}",
                f"${usd(hourly)}/pod-hour",
                cents(hourly * workload.replicas * hours),
                cents(hourly * workload.most_pods * hours) if autoscaled else None,
            )
        )
    return Priced(tuple(lines), (ASSUMPTION,))
