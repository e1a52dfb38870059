"""A stack's alarm topic, its app's alarms and its dashboard: built in one place for both programs.

The platform (`__main__.py`) and a tenant (`tenant/__main__.py`) differ only in what they pass: the
app's names and namespace, whether its Ingress joins the shared ALB's group, whether the dashboard
also draws the whole cluster, and whether Container Insights' pod metrics arrive. The three are
top-level resources under the names they have always had ("alarms", "app-alarms", "dashboard"), not
children of a new component: a parent is part of each child's URN, and a changed URN replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.alarm_topic import AlarmTopic, AlarmTopicArgs
from components.app_alarms import AppAlarms, AppAlarmsArgs
from components.dashboard import Dashboard, DashboardArgs
from components.web_app import WebAppNames
from eksfargate.alarm_settings import AlarmSettings
from eksfargate.workload import WorkloadSpec


@dataclass
class ObservedApp:
    """The app the alarms and the dashboard watch.

    names: its resources' names (the alarms' prefix ends in `names.app`; the lookups name its Ingress and Service).
    namespace: the namespace it runs in.
    group: the shared ALB's IngressGroup when its Ingress joins it; None: an ALB of its own.
    load_balancer_hostname: its Ingress's status hostname (the lookups wait for it).
    workload: its replicas and autoscaler range.
    """

    names: WebAppNames
    namespace: str
    group: pulumi.Input[str] | None
    load_balancer_hostname: pulumi.Output[str]
    workload: WorkloadSpec


@dataclass
class StackObservabilityArgs:
    """Inputs of `stack_observability`.

    project, stack: the dashboard is `<project>-<stack>`, and every alarm's name starts with it and the app's.
    region: the stack's region.
    cluster_name: the cluster the app and the pods the dashboard draws run on.
    settings: thresholds, periods and the e-mail subscribed to the topic.
    tags: tags for the topic and the alarms.
    whole_cluster: the dashboard also draws every pod of the cluster (the platform's).
    pod_metrics: whether Container Insights' pod metrics arrive (the platform's collector runs).
    app: the stack's app; None: no app, a topic and a dashboard of the cluster's pods only.
    """

    project: str
    stack: str
    region: str
    cluster_name: pulumi.Input[str]
    settings: AlarmSettings
    tags: dict[str, str]
    whole_cluster: bool
    pod_metrics: bool
    app: ObservedApp | None


@dataclass(frozen=True)
class StackObservability:
    """What the programs export: the topic's ARN, the alarms' names, the dashboard's name."""

    topic: AlarmTopic
    alarms: AppAlarms | None
    dashboard: Dashboard

    @property
    def alarm_names(self) -> list[str]:
        return self.alarms.names if self.alarms else []


def stack_observability(args: StackObservabilityArgs) -> StackObservability:
    """The stack's topic, its app's alarms notifying it, and the dashboard drawing what the alarms watch."""
    topic = AlarmTopic("alarms", AlarmTopicArgs(region=args.region, email=args.settings.email, tags=args.tags))
    app = args.app
    alarms = (
        AppAlarms(
            "app-alarms",
            AppAlarmsArgs(
                name_prefix=f"{args.project}-{args.stack}-{app.names.app}",
                cluster_name=args.cluster_name,
                namespace=app.namespace,
                ingress=app.names.ingress,
                service=app.names.service,
                group=app.group,
                load_balancer_hostname=app.load_balancer_hostname,
                workload=app.workload,
                settings=args.settings,
                topic_arn=topic.arn,
                tags=args.tags,
            ),
        )
        if app
        else None
    )
    dashboard = Dashboard(
        "dashboard",
        DashboardArgs(
            name=f"{args.project}-{args.stack}",
            region=args.region,
            period_seconds=args.settings.period_seconds,
            cluster_name=args.cluster_name,
            namespace=app.namespace if app else None,
            whole_cluster=args.whole_cluster,
            app=(alarms, app.workload) if alarms and app else None,
            pod_metrics=args.pod_metrics,
        ),
    )
    return StackObservability(topic, alarms, dashboard)
