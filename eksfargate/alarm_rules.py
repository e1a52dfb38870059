"""An app's alarms and dashboard metrics as data: each metric's namespace, name, dimensions and statistic once.

components/app_alarms.py turns the rules into CloudWatch alarms and components/dashboard.py draws
the same metrics, so a widget shows what an alarm watches. A metric names its dimensions; the
values (the ALB's and target group's ARN suffixes, the cluster, the namespace) are the stack's,
filled in by those components.

Why each alarm treats missing data as it does (CloudWatch's default, `missing`, would leave a quiet
app in INSUFFICIENT_DATA): the 5xx counts and the response time are reported only when nonzero,
so no data is good news (`notBreaching`); RequestCount, HealthyHostCount and UnHealthyHostCount are
always reported while the target group exists, so an absent HealthyHostCount means the target
group or its ALB is gone, which is as bad as no healthy target (`breaching`), and the other
host-count alarms leave that case to it (`notBreaching`), one page per cause
(eksfargate/facts/cloudwatch_alarms.py).

Ready pods: Container Insights on Fargate sends no replica, autoscaler or readiness metric
(eksfargate/facts/container_insights.py). With IP targets every ready pod is one registered target,
and the controller's readiness gate keeps a pod unready until its target passes the ALB's health
check (aws-load-balancer-controller v3.5.0 docs/deploy/pod_readiness_gate.md), so HealthyHostCount
is the count of ready pods serving. Fewer than the replicas the app keeps (the autoscaler's
minimum) is pods not ready; as many as the autoscaler's maximum, period after period, is the
autoscaler at its maximum. During a rollout the surge pod may add one above it for a few periods.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from eksfargate.alarm_settings import AlarmSettings
from eksfargate.facts import cloudwatch_alarms as alb
from eksfargate.facts import container_insights as ci
from eksfargate.workload import WorkloadSpec

TG = (alb.LOAD_BALANCER, alb.TARGET_GROUP)  # a target group's metrics name both (the ELB guide's "per AppELB, per TG")


@dataclass(frozen=True)
class Metric:
    """One CloudWatch metric with its statistic. `id` names it in a math expression and on the dashboard."""

    id: str
    namespace: str
    name: str
    dimensions: tuple[str, ...]
    stat: str
    label: str

    @property
    def is_percentile(self) -> bool:
        return self.stat.startswith("p")


REQUESTS = Metric("requests", alb.ALB_NAMESPACE, alb.REQUEST_COUNT, TG, "Sum", "requests")
ELB_5XX = Metric("elb5xx", alb.ALB_NAMESPACE, alb.ELB_5XX, (alb.LOAD_BALANCER,), "Sum", "5xx from the ALB")
TARGET_5XX = Metric("target5xx", alb.ALB_NAMESPACE, alb.TARGET_5XX, TG, "Sum", "5xx from the pods")
LATENCY_P99 = Metric("latency", alb.ALB_NAMESPACE, alb.TARGET_RESPONSE_TIME, TG, "p99", "p99 response time (s)")
HEALTHY = Metric("healthy", alb.ALB_NAMESPACE, alb.HEALTHY_HOSTS, TG, "Minimum", "healthy targets (ready pods)")
UNHEALTHY = Metric("unhealthy", alb.ALB_NAMESPACE, alb.UNHEALTHY_HOSTS, TG, "Minimum", "unhealthy targets")
POD_CPU = Metric(
    "cpu", ci.METRIC_NAMESPACE, ci.POD_CPU_UTILIZATION_OVER_POD_LIMIT, ci.NAMESPACE_DIMENSIONS, "Average", "pod CPU % of limit"
)
POD_MEMORY = Metric(
    "memory",
    ci.METRIC_NAMESPACE,
    ci.POD_MEMORY_UTILIZATION_OVER_POD_LIMIT,
    ci.NAMESPACE_DIMENSIONS,
    "Average",
    "pod memory % of limit",
)


@dataclass(frozen=True)
class AlarmRule:
    """One alarm of an app: a metric, or a math `expression` over `inputs`, against a threshold for `periods` periods."""

    kind: str
    description: str
    comparison: str
    threshold: Decimal
    periods: int
    treat_missing_data: str
    metric: Metric | None = None
    expression: str = ""
    inputs: tuple[Metric, ...] = ()

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return (self.metric,) if self.metric else self.inputs


def target_5xx_rate(min_requests: int) -> str:
    """The pods' 5xx share of requests in percent; 0 below `min_requests` (FILL: the 5xx count is absent when zero)."""
    return f"IF(FILL({REQUESTS.id}, 0) >= {min_requests}, 100 * FILL({TARGET_5XX.id}, 0) / {REQUESTS.id}, 0)"


def rules(settings: AlarmSettings, workload: WorkloadSpec, own_alb: bool) -> tuple[AlarmRule, ...]:
    """The alarms of one app: the 5xx of the ALB it is on, its own or the shared one (where they count every
    member's requests: the metric has no TargetGroup dimension), the target group's where it serves;
    replica alarms only for what the app keeps running."""
    n = settings.evaluation_periods
    whose = "the app's ALB" if own_alb else "the shared ALB"
    counted = "" if own_alb else ", counting every member app's requests (the metric has no target group)"
    found = [
        AlarmRule(
            "elb-5xx",
            f"{whose} answered more than {settings.elb_5xx_count} 5xx itself in each of {n} periods{counted}",
            "GreaterThanThreshold",
            Decimal(settings.elb_5xx_count),
            n,
            "notBreaching",
            metric=ELB_5XX,
        )
    ]
    found.append(
        AlarmRule(
            "target-5xx-rate",
            f"more than {settings.target_5xx_percent}% of the app's requests got 5xx from its pods in each of {n} periods"
            f" (of {settings.min_requests} requests a period or more)",
            "GreaterThanThreshold",
            Decimal(settings.target_5xx_percent),
            n,
            "notBreaching",
            expression=target_5xx_rate(settings.min_requests),
            inputs=(TARGET_5XX, REQUESTS),
        )
    )
    found.append(
        AlarmRule(
            "p99-latency",
            f"the pods' p99 response time stayed above {settings.p99_latency_ms} ms for {n} periods",
            "GreaterThanThreshold",
            Decimal(settings.p99_latency_ms) / 1000,
            n,
            "notBreaching",
            metric=LATENCY_P99,
        )
    )
    found.append(
        AlarmRule(
            "unhealthy-targets",
            f"every ALB node saw an unhealthy target for {n} periods",
            "GreaterThanThreshold",
            Decimal(0),
            n,
            "notBreaching",
            metric=UNHEALTHY,
        )
    )
    kept = workload.autoscaling.min_replicas if workload.autoscaling else workload.replicas
    if kept:
        found.append(
            AlarmRule(
                "no-healthy-targets",
                f"the app had no healthy target (no ready pod serving) for {n} periods",
                "LessThanThreshold",
                Decimal(1),
                n,
                "breaching",
                metric=HEALTHY,
            )
        )
        found.append(
            AlarmRule(
                "pods-not-ready",
                f"fewer than {kept} pods were ready behind the ALB for {n} periods",
                "LessThanThreshold",
                Decimal(kept),
                n,
                "notBreaching",
                metric=HEALTHY,
            )
        )
    if workload.autoscaling:
        top, m = workload.autoscaling.max_replicas, settings.at_max_periods
        found.append(
            AlarmRule(
                "at-max-replicas",
                f"the app served from {top} ready pods, its autoscaler's maximum, for {m} periods",
                "GreaterThanOrEqualToThreshold",
                Decimal(top),
                m,
                "notBreaching",
                metric=HEALTHY,
            )
        )
    return tuple(found)


# On the shared ALB its own 5xx are every member's: the dashboard's line says so.
ELB_5XX_SHARED = replace(ELB_5XX, label="5xx from the shared ALB (every member's)")


# The dashboard's widgets: a title and metrics, every one of them an alarm's or the pods' above.
def app_widgets(own_alb: bool) -> tuple[tuple[str, tuple[Metric, ...]], ...]:
    return (
        ("Requests", (REQUESTS,)),
        ("Errors", (TARGET_5XX, ELB_5XX if own_alb else ELB_5XX_SHARED)),
        ("Latency", (LATENCY_P99,)),
        ("Healthy targets", (HEALTHY, UNHEALTHY)),
    )


# Ready pods against the replicas the app keeps and its autoscaler's maximum (the dashboard's lines).
REPLICAS_WIDGET = ("Replicas (ready pods behind the ALB)", (HEALTHY,))
# The whole cluster's pods, on the platform's dashboard beside its app's namespace.
POD_CPU_CLUSTER = replace(POD_CPU, id="cpuCluster", dimensions=ci.CLUSTER_DIMENSIONS, label="cluster pod CPU % of limit")
POD_MEMORY_CLUSTER = replace(
    POD_MEMORY, id="memoryCluster", dimensions=ci.CLUSTER_DIMENSIONS, label="cluster pod memory % of limit"
)


def pod_widgets(namespace: bool, whole_cluster: bool) -> tuple[tuple[str, tuple[Metric, ...]], ...]:
    """Pod CPU and memory of the app's namespace, and of the whole cluster on the platform's dashboard."""
    cpu = (*((POD_CPU,) if namespace else ()), *((POD_CPU_CLUSTER,) if whole_cluster else ()))
    memory = (*((POD_MEMORY,) if namespace else ()), *((POD_MEMORY_CLUSTER,) if whole_cluster else ()))
    return tuple((title, metrics) for title, metrics in (("Pod CPU", cpu), ("Pod memory", memory)) if metrics)
