"""Reads of CloudWatch Logs and CloudWatch alarms through boto3, and the two checks over them.

IAM actions (read-only; docs/verify.md): logs:DescribeLogStreams and logs:FilterLogEvents on the pod
log group, cloudwatch:DescribeAlarms.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from eksfargate.facts.fargate_logging import pod_log_stream_prefix
from verify.results import ReadError, Result, failed, passed, unreadable

LOGS_EXPECTED = "log events from every pod, through Fargate's log router"
ALARMS_EXPECTED = "every alarm of the stack exists, none in ALARM"
# DescribeAlarms takes at most 100 names a call (CloudWatch API Reference, DescribeAlarms AlarmNames) and
# answers in pages (NextToken). Composite alarms come back only to a DescribeAlarms permission on "*".
ALARM_NAMES_PER_CALL = 100
# A pod has a stream per container; DescribeLogStreams and FilterLogEvents's logStreamNames take 50 and 100.
STREAMS_PER_CALL = 50
# FilterLogEvents may answer empty pages with a nextToken; a pod with events shows them within a few.
MAX_LOG_PAGES = 5


def _why(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "ClientError"))
    return type(error).__name__


class Cloud:
    def __init__(self, region: str, session: Any = None) -> None:
        session = session or boto3.session.Session()
        self.logs = session.client("logs", region_name=region)
        self.cloudwatch = session.client("cloudwatch", region_name=region)

    def pod_has_logs(self, log_group: str, pod: str, namespace: str) -> bool:
        """Whether the router wrote an event for the pod: its streams by name prefix, then one event in them."""
        try:
            streams = self.logs.describe_log_streams(
                logGroupName=log_group, logStreamNamePrefix=pod_log_stream_prefix(pod, namespace), limit=STREAMS_PER_CALL
            )["logStreams"]
            if not streams:
                return False
            arguments: dict[str, Any] = {
                "logGroupName": log_group,
                "logStreamNames": [stream["logStreamName"] for stream in streams],
                "limit": 1,
            }
            for _ in range(MAX_LOG_PAGES):
                page = self.logs.filter_log_events(**arguments)
                if page.get("events"):
                    return True
                if not page.get("nextToken"):
                    return False
                arguments["nextToken"] = page["nextToken"]
        except (ClientError, BotoCoreError) as error:
            raise ReadError(f"reading {log_group}: {_why(error)}") from None
        return False

    def alarms(self, names: list[str]) -> dict[str, str]:
        """Each alarm found, by name: its state (OK, ALARM, INSUFFICIENT_DATA)."""
        found: dict[str, str] = {}
        try:
            for start in range(0, len(names), ALARM_NAMES_PER_CALL):
                arguments: dict[str, Any] = {
                    "AlarmNames": names[start : start + ALARM_NAMES_PER_CALL],
                    "AlarmTypes": ["MetricAlarm", "CompositeAlarm"],
                }
                while True:
                    page = self.cloudwatch.describe_alarms(**arguments)
                    for alarm in [*page.get("MetricAlarms", []), *page.get("CompositeAlarms", [])]:
                        found[alarm["AlarmName"]] = alarm["StateValue"]
                    if not page.get("NextToken"):
                        break
                    arguments["NextToken"] = page["NextToken"]
        except (ClientError, BotoCoreError) as error:
            raise ReadError(f"DescribeAlarms: {_why(error)}") from None
        return found


def check_logs(cloud: Cloud, log_group: str | None, label: str, pods: Iterable[tuple[str, str]]) -> Result:
    """`pods`: (namespace, name) of each running pod."""
    check = f"pod logs {label}"
    if not log_group:
        return failed(check, LOGS_EXPECTED, "no podLogGroupName output (pod logging is off)")
    pods = list(pods)
    try:
        silent = [f"{namespace}/{pod}" for namespace, pod in pods if not cloud.pod_has_logs(log_group, pod, namespace)]
    except ReadError as error:
        return unreadable(check, LOGS_EXPECTED, str(error))
    if not pods:
        return failed(check, LOGS_EXPECTED, "no running pod")
    if silent:
        return failed(check, LOGS_EXPECTED, f"no events in {log_group} from: {', '.join(silent)}")
    return passed(check, LOGS_EXPECTED, f"events from all {len(pods)} pod(s) in {log_group}")


def check_alarms(cloud: Cloud, names: list[str] | None) -> Result:
    if names is None:
        return failed("alarms", ALARMS_EXPECTED, "no alarms output (alarmNames): nothing says which alarms to expect")
    try:
        states = cloud.alarms(names)
    except ReadError as error:
        return unreadable("alarms", ALARMS_EXPECTED, str(error))
    missing = [name for name in names if name not in states]
    firing = [name for name in names if states.get(name) == "ALARM"]
    if missing or firing:
        said = [f"missing: {', '.join(missing)}"] * bool(missing) + [f"in ALARM: {', '.join(firing)}"] * bool(firing)
        return failed("alarms", ALARMS_EXPECTED, "; ".join(said))
    counts = {state: list(states.values()).count(state) for state in sorted(set(states.values()))}
    return passed("alarms", ALARMS_EXPECTED, f"{len(names)} alarm(s): " + ", ".join(f"{n} {s}" for s, n in counts.items()))
