"""The stack's CloudWatch dashboard: its app's requests, errors, latency, healthy targets and ready pods, and pod CPU and memory.

Every widget draws metrics of eksfargate/alarm_rules.py, the ones the alarms watch and Container
Insights' pod metrics (eksfargate/facts/container_insights.py, sent by the platform's collector), so
a metric's namespace, name and dimensions are written once. The body follows CloudWatch's "Dashboard
Body Structure and Syntax" (API Reference): `widgets` of type `metric` on a 24-column grid, each with
its `region` (required) and `metrics` as [namespace, name, dimension, value, ..., {rendering}].
A tenant's dashboard shows its namespace; the platform's also the whole cluster's pods. Without the
collector (`containerInsights: false`) nothing sends the pod metrics, so the platform's dashboard
draws none; an empty dashboard is valid ("the dashboard must include a widgets array, but that
array can be empty", Dashboard Body Structure and Syntax).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.app_alarms import AppAlarms
from eksfargate.alarm_rules import REPLICAS_WIDGET, Metric, app_widgets, pod_widgets
from eksfargate.facts import container_insights as ci
from eksfargate.workload import WorkloadSpec

WIDTH, HEIGHT, COLUMNS = 12, 6, 24
# What a dashboard's name may hold (PutDashboard: "A-Z, a-z, 0-9, '-', and '_'").
_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9_-]")


@dataclass
class DashboardArgs:
    """Inputs of `Dashboard`.

    name: the dashboard's name (characters outside A-Z, a-z, 0-9, - and _ become -).
    region: the stack's region, every widget's.
    period_seconds: the widgets' period, the alarms'.
    cluster_name: the cluster whose pods the Container Insights widgets show.
    namespace: the app's namespace; None: no app, the whole cluster only.
    whole_cluster: also the cluster's pods (the platform's dashboard).
    pod_metrics: whether Container Insights' pod metrics arrive (the platform's collector runs); without
        them no pod CPU or memory widget.
    app: the app's alarms (their dimensions) and workload (its replica lines); None: no app.
    """

    name: str
    region: str
    period_seconds: int
    cluster_name: pulumi.Input[str]
    namespace: pulumi.Input[str] | None
    whole_cluster: bool
    app: tuple[AppAlarms, WorkloadSpec] | None
    pod_metrics: bool


class Dashboard(pulumi.ComponentResource):
    """One CloudWatch dashboard."""

    name: str

    def __init__(self, name: str, args: DashboardArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:observability:Dashboard", name, None, opts)
        self.name = _NOT_IN_NAME.sub("-", args.name)
        alarms, workload = args.app if args.app else (None, None)
        values: dict[str, pulumi.Input[str]] = {ci.CLUSTER_NAME: args.cluster_name, ci.LAUNCH_TYPE: ci.LAUNCH_TYPE_FARGATE}
        if args.namespace is not None:
            values[ci.NAMESPACE] = args.namespace
        if alarms is not None:
            values |= alarms.dimensions
        widgets = (
            [*pod_widgets(namespace=args.namespace is not None, whole_cluster=args.whole_cluster)] if args.pod_metrics else []
        )
        lines: dict[str, Sequence[tuple[str, int]]] = {}
        if alarms is not None and workload is not None:
            widgets = [*app_widgets(alarms.own_alb), REPLICAS_WIDGET, *widgets]
            lines[REPLICAS_WIDGET[0]] = replica_lines(workload)
        body = pulumi.Output.all(**values).apply(
            lambda resolved: json.dumps(dashboard_body(args.region, args.period_seconds, widgets, resolved, lines))
        )
        aws.cloudwatch.Dashboard(name, dashboard_name=self.name, dashboard_body=body, opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"name": self.name})


def replica_lines(workload: WorkloadSpec) -> list[tuple[str, int]]:
    """The replicas the app keeps, and its autoscaler's maximum."""
    if workload.autoscaling:
        return [
            ("autoscaler minimum", workload.autoscaling.min_replicas),
            ("autoscaler maximum", workload.autoscaling.max_replicas),
        ]
    return [("replicas", workload.replicas)]


def metric_line(metric: Metric, values: Mapping[str, str]) -> list[Any]:
    dimensions = [part for dimension in metric.dimensions for part in (dimension, values[dimension])]
    return [metric.namespace, metric.name, *dimensions, {"id": metric.id, "stat": metric.stat, "label": metric.label}]


def dashboard_body(
    region: str,
    period: int,
    widgets: Sequence[tuple[str, Sequence[Metric]]],
    values: Mapping[str, str],
    lines: Mapping[str, Sequence[tuple[str, int]]],
) -> dict[str, Any]:
    """The dashboard's JSON: two widgets a row, each a time series of its metrics."""
    per_row = COLUMNS // WIDTH
    body = []
    for index, (title, metrics) in enumerate(widgets):
        properties: dict[str, Any] = {
            "title": title,
            "region": region,
            "view": "timeSeries",
            "period": period,
            "metrics": [metric_line(metric, values) for metric in metrics],
        }
        if title in lines:
            properties["annotations"] = {"horizontal": [{"label": label, "value": value} for label, value in lines[title]]}
        body.append(
            {
                "type": "metric",
                "x": (index % per_row) * WIDTH,
                "y": (index // per_row) * HEIGHT,
                "width": WIDTH,
                "height": HEIGHT,
                "properties": properties,
            }
        )
    return {"widgets": body}
