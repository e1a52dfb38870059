"""What the estimate assumes about traffic and log volume, with the reason for each default."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

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
# Container Insights' performance log events, per pod and month, as ingested (an assumption, not a
# measurement): each minute the collector writes, per pod, one event of its pod-level fields and one
# per network interface, each with the node's labels and the embedded-metric-format header of the
# published metrics (about 3 KB together): 3 KB x 43,800 minutes, about 0.13 GB.
DEFAULT_METRICS_LOG_GB_PER_POD_MONTH = Decimal("0.15")


@dataclass(frozen=True)
class Usage:
    """What the estimate assumes about traffic."""

    nat_gb_per_month: Decimal = DEFAULT_NAT_GB_PER_MONTH
    alb_lcu: Decimal = DEFAULT_ALB_LCU
    log_gb_per_pod_month: Decimal = DEFAULT_LOG_GB_PER_POD_MONTH
    alb_log_gb_per_month: Decimal = DEFAULT_ALB_LOG_GB_PER_MONTH
    metrics_log_gb_per_pod_month: Decimal = DEFAULT_METRICS_LOG_GB_PER_POD_MONTH
