"""Alarms and what they need: the SNS topic, its policy and subscription, CloudWatch alarms and dashboards,
and the lookups of the controller's ALB and target groups by tag (components/app_alarms.py).

A lookup answers from its tags alone: the same tags, the same made-up ALB or target group, and two
apps' lookups (their stack and resource tags differ) never the same one. In a first preview the
ARN suffixes are placeholders naming the tags they were looked up by.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from eksfargate.facts.alb_controller_tags import RESOURCE_TAG, STACK_TAG
from eksfargate.facts.resource_types import (
    DASHBOARD,
    GET_LOAD_BALANCER,
    GET_TARGET_GROUP,
    METRIC_ALARM,
    SNS_TOPIC,
    SNS_TOPIC_POLICY,
    SNS_TOPIC_SUBSCRIPTION,
)
from offline.registry.entry import MOCK_ACCOUNT_ID, Invoke, ResourceType, json_document, show
from offline.unknowns import KNOWN_AFTER_DEPLOY, placeholder


def _digest(tags: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(tags, sort_keys=True).encode()).hexdigest()


def lookup_source(kind: str, tags: dict[str, str]) -> str:
    """How a preview's placeholder names a lookup: the kind, then the controller's stack and resource tags."""
    return f"{kind}:{tags.get(STACK_TAG)}:{tags.get(RESOURCE_TAG)}"


def _load_balancer(arguments: dict[str, Any], region: str) -> dict[str, Any]:
    tags = arguments.get("tags") or {}
    digest = _digest(tags)
    name, suffix = f"k8s-{digest[:17]}-{digest[17:27]}", f"app/k8s-{digest[:17]}-{digest[17:27]}/{digest[27:43]}"
    arn = f"arn:aws:elasticloadbalancing:{region}:{MOCK_ACCOUNT_ID}:loadbalancer/{suffix}"
    return {"arn": arn, "arnSuffix": suffix, "name": name, "id": arn, "loadBalancerType": "application", "tags": tags}


def _target_group(arguments: dict[str, Any], region: str) -> dict[str, Any]:
    tags = arguments.get("tags") or {}
    digest = _digest(tags)
    name = f"k8s-{digest[:8]}-{digest[8:16]}-{digest[16:26]}"
    suffix = f"targetgroup/{name}/{digest[26:42]}"
    arn = f"arn:aws:elasticloadbalancing:{region}:{MOCK_ACCOUNT_ID}:{suffix}"
    return {"arn": arn, "arnSuffix": suffix, "name": name, "id": arn, "targetType": "ip", "tags": tags}


def _lookup_preview(kind: str) -> Any:
    def preview(arguments: dict[str, Any]) -> dict[str, Any]:
        source = lookup_source(kind, arguments.get("tags") or {})
        return {key: placeholder(source, key) for key in ("arn", "arnSuffix", "name", "id")}

    return preview


INVOKES = (
    Invoke(GET_LOAD_BALANCER, _load_balancer, preview=_lookup_preview("getLoadBalancer")),
    Invoke(GET_TARGET_GROUP, _target_group, preview=_lookup_preview("getTargetGroup")),
)


def _alarm(res: dict[str, Any]) -> list[str]:
    i = res["inputs"]
    n, period = i.get("evaluationPeriods"), i.get("period")
    if i.get("metricQueries"):
        queries = i["metricQueries"]
        watched = next((q.get("expression") for q in queries if q.get("returnData")), "")
        dimensions = [q["metric"].get("dimensions") for q in queries if q.get("metric")][:1]
        period = next((q["metric"].get("period") for q in queries if q.get("metric")), period)
    else:
        watched = f"{i.get('metricName')} {i.get('statistic') or i.get('extendedStatistic')}"
        dimensions = [i.get("dimensions")]
    return [
        f"{i.get('name')}: {watched} {i.get('comparisonOperator')} {i.get('threshold')} for {n} x {period} s",
        f"missing data {i.get('treatMissingData')}",
        *(f"dimensions {show(found)}" for found in dimensions if found),
        f"notifies {show(i.get('alarmActions') or [])}",
    ]


def _topic_policy(res: dict[str, Any]) -> list[str]:
    document = json_document(res["inputs"].get("policy")) or {}
    return [
        f"{statement.get('Effect')} {show(statement.get('Action'))} to {show(statement.get('Principal'))}"
        for statement in document.get("Statement") or []
    ]


def _dashboard(res: dict[str, Any]) -> list[str]:
    body = json_document(res["inputs"].get("dashboardBody"))
    if body is None:  # it names the ALB's and target group's ids, which a first preview may not know
        return [f"dashboard {res['inputs'].get('dashboardName')}", f"widgets {KNOWN_AFTER_DEPLOY}"]
    titles = [widget.get("properties", {}).get("title") for widget in body.get("widgets") or []]
    return [f"dashboard {res['inputs'].get('dashboardName')}", f"widgets {show(titles)}"]


TYPES = (
    ResourceType(
        SNS_TOPIC,
        outputs=lambda resource, id_: {"arn": resource.arn("sns", id_), "name": id_},
        preview_outputs=lambda resource: {} if resource.inputs.get("name") else {"name": resource.placeholder("name")},
        replace_on=("name", "namePrefix", "fifoTopic"),
        summary=lambda res: ["alarm topic (no server-side encryption: CloudWatch cannot publish to alias/aws/sns)"],
    ),
    ResourceType(SNS_TOPIC_POLICY, replace_on=("arn",), summary=_topic_policy),
    ResourceType(
        SNS_TOPIC_SUBSCRIPTION,
        replace_on=("topic", "protocol", "endpoint"),
        summary=lambda res: [
            f"{res['inputs'].get('protocol')} to {res['inputs'].get('endpoint')}, pending until its link is followed"
        ],
    ),
    ResourceType(METRIC_ALARM, replace_on=("name",), fixed_name="name", summary=_alarm),
    ResourceType(DASHBOARD, replace_on=("dashboardName",), fixed_name="dashboardName", summary=_dashboard),
)
