"""S3: the ALBs' access logs (assumed per ALB), stored for the bucket's lifecycle expiry, and the files written."""

from __future__ import annotations

from decimal import Decimal

from eksfargate.estimate.amounts import CENT, cents, num, usd
from eksfargate.estimate.breakdown import Line
from eksfargate.estimate.product import Priced, Stack
from eksfargate.estimate.products.alb import albs

# ELB writes a log file for each load balancer node every 5 minutes (ALB User Guide, "Access log
# files"): one S3 PUT each, 12 an hour per node, one node per zone the ALB is enabled in. More
# when traffic is high ("The load balancer can deliver multiple logs for the same period").
ACCESS_LOG_FILES_PER_NODE_HOUR = 12


def price(stack: Stack) -> Priced:
    footprint, hours, gb_per_alb = stack.footprint, stack.hours, stack.usage.alb_log_gb_per_month
    paid = albs(footprint)
    days = footprint.access_log_retention_days if paid else None
    if days is None:
        return Priced()
    lines = []
    if (s3_gb_month := stack.rate("s3_storage_gb_month")) is not None:
        # Steady state, as for the pod logs: the bucket holds the last `days` days of files.
        stored = gb_per_alb * paid * Decimal(days) / (hours / 24)
        lines.append(
            Line(
                "S3",
                f"ALB access logs stored (assumed {num(gb_per_alb)} GB per ALB-month, kept {days} days)",
                f"{num(stored.quantize(CENT))} GB-month",
                f"${usd(s3_gb_month)}/GB-month",
                cents(s3_gb_month * stored),
            )
        )
    if (put_request := stack.rate("s3_put_request")) is not None:
        nodes = sum((lb.zones * lb.share for lb in footprint.load_balancers), Decimal(0))
        files = nodes * ACCESS_LOG_FILES_PER_NODE_HOUR * hours
        lines.append(
            Line(
                "S3",
                f"ALB access log files written (1 per ALB node every 5 min, {num(nodes.quantize(CENT))} nodes)",
                f"{num(files.quantize(CENT))} PUT",
                f"${usd(put_request * 1000)}/1,000 PUT",
                cents(put_request * files),
            )
        )
    assumption = (
        f"ALB access logs: {num(gb_per_alb)} GB of gzip log files per ALB a month (requests; "
        "health checks are not logged), stored in S3 Standard (first tier) for the bucket's lifecycle expiry; "
        "one file, one S3 PUT, per ALB node (one per zone) every 5 minutes, more under heavy traffic. "
        "ELB does not charge for the logs or for sending them to S3."
    )
    return Priced(tuple(lines), (assumption,))
