"""An app's CloudWatch alarms, on its ALB and target group as the load balancer controller made them.

The rules are data (eksfargate/alarm_rules.py: metrics, thresholds, missing-data treatment and why);
this component finds the dimensions and declares one alarm per rule, each notifying the stack's
topic when it fires and when it clears.

The dimensions are the ARN suffixes of the ALB and the target group, which AWS assigns when the
controller creates them. They are looked up by the controller's tags
(eksfargate/facts/alb_controller_tags.py): on the app's own ALB its `<namespace>/<ingress>` stack, on
the shared ALB the group's name, and the target group by the Ingress's backend. The lookups read
the Ingress's status hostname: the controller writes it once it has made the ALB and its target
groups, so in `pulumi up` they run after both exist, and in a first preview they wait unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.ingress import BACKEND_PORT
from eksfargate.alarm_rules import AlarmRule, Metric, rules
from eksfargate.alarm_settings import AlarmSettings
from eksfargate.facts.alb_controller_tags import load_balancer_tags, target_group_tags
from eksfargate.facts.cloudwatch_alarms import LOAD_BALANCER, TARGET_GROUP
from eksfargate.workload import WorkloadSpec

EXPRESSION_ID = "e1"


@dataclass
class AppAlarmsArgs:
    """Inputs of `AppAlarms`.

    name_prefix: every alarm's name starts with it (`<project>-<stack>-<app>`), then the rule's kind.
    cluster_name: the cluster whose controller made the ALB (its `elbv2.k8s.aws/cluster` tag).
    namespace, ingress, service: the app's Ingress and the Service its rule's backend names.
    group: the shared ALB's IngressGroup when the app is on it; None: the app's own ALB.
    load_balancer_hostname: the Ingress's status hostname (the lookups wait for it).
    workload: the app's replicas and autoscaler range.
    settings: thresholds and periods.
    topic_arn: the stack's alarm topic.
    tags: tags for the alarms.
    """

    name_prefix: str
    cluster_name: pulumi.Input[str]
    namespace: pulumi.Input[str]
    ingress: str
    service: str
    group: pulumi.Input[str] | None
    load_balancer_hostname: pulumi.Output[str]
    workload: WorkloadSpec
    settings: AlarmSettings
    topic_arn: pulumi.Input[str]
    tags: dict[str, str]


class AppAlarms(pulumi.ComponentResource):
    """One alarm per rule, and the dimension values the dashboard draws the same metrics with."""

    names: list[str]
    own_alb: bool
    rules: tuple[AlarmRule, ...]
    dimensions: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: AppAlarmsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:observability:AppAlarms", name, None, opts)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        # The hostname is read only to wait for it: the controller writes it after making the ALB and
        # its target groups, and a lookup that ran before would find nothing and fail.
        found = pulumi.Output.all(args.cluster_name, args.namespace, args.group, args.load_balancer_hostname)
        load_balancer = aws.lb.get_load_balancer_output(
            tags=found.apply(lambda v: load_balancer_tags(v[0], v[1], args.ingress, v[2])), opts=invoke
        )
        target_group = aws.lb.get_target_group_output(
            tags=found.apply(lambda v: target_group_tags(v[0], v[1], args.ingress, args.service, BACKEND_PORT, v[2])),
            opts=invoke,
        )
        self.dimensions = {LOAD_BALANCER: load_balancer.arn_suffix, TARGET_GROUP: target_group.arn_suffix}
        self.own_alb = args.group is None
        self.rules = rules(args.settings, args.workload, self.own_alb)
        self.names = []
        period = args.settings.period_seconds
        for rule in self.rules:
            alarm_name = f"{args.name_prefix}-{rule.kind}"
            aws.cloudwatch.MetricAlarm(
                f"{name}-{rule.kind}",
                name=alarm_name,
                alarm_description=f"{args.name_prefix}: {rule.description}",
                comparison_operator=rule.comparison,
                threshold=float(rule.threshold),
                evaluation_periods=rule.periods,
                datapoints_to_alarm=rule.periods,
                treat_missing_data=rule.treat_missing_data,
                alarm_actions=[args.topic_arn],
                ok_actions=[args.topic_arn],
                tags=args.tags,
                **self._metric_arguments(rule, period),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.names.append(alarm_name)
        self.register_outputs({"names": self.names})

    def _metric_arguments(self, rule: AlarmRule, period: int) -> dict[str, object]:
        """A single metric's arguments, or the math expression's queries."""
        if rule.metric is not None:
            metric = rule.metric
            statistic = {"extended_statistic": metric.stat} if metric.is_percentile else {"statistic": metric.stat}
            low_samples = {"evaluate_low_sample_count_percentiles": "evaluate"} if metric.is_percentile else {}
            return {
                "namespace": metric.namespace,
                "metric_name": metric.name,
                "dimensions": self._dimensions_of(metric),
                "period": period,
                **statistic,
                **low_samples,
            }
        queries = [{"id": EXPRESSION_ID, "expression": rule.expression, "label": rule.kind, "return_data": True}]
        queries += [
            {
                "id": metric.id,
                "metric": {
                    "namespace": metric.namespace,
                    "metric_name": metric.name,
                    "dimensions": self._dimensions_of(metric),
                    "period": period,
                    "stat": metric.stat,
                },
                "return_data": False,
            }
            for metric in rule.inputs
        ]
        return {"metric_queries": queries}

    def _dimensions_of(self, metric: Metric) -> dict[str, pulumi.Output[str]]:
        return {dimension: self.dimensions[dimension] for dimension in metric.dimensions}
