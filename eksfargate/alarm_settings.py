"""The alarm settings of either project, read once into `AlarmSettings` (declared in eksfargate/alarm_schema.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from eksfargate.config_reader import Reader

# One address, no display name: what an SNS e-mail endpoint takes.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class AlarmSettings:
    """Thresholds and durations of an app's alarms; durations are in periods of `period_seconds`."""

    email: str  # "" for no subscription
    period_seconds: int
    evaluation_periods: int
    at_max_periods: int
    target_5xx_percent: int
    min_requests: int
    elb_5xx_count: int
    p99_latency_ms: int


def read_alarms(config: Reader) -> AlarmSettings:
    email = config.string("alarmEmail")
    config.check(
        "alarmEmail",
        email,
        lambda v: not v or _EMAIL.match(v),
        "empty (no subscription) or an e-mail address, e.g. oncall@example.com",
    )
    return AlarmSettings(
        email=email,
        period_seconds=config.integer("alarmPeriodSeconds"),
        evaluation_periods=config.integer("alarmEvaluationPeriods"),
        at_max_periods=config.integer("alarmAtMaxPeriods"),
        target_5xx_percent=config.integer("alarmTarget5xxPercent"),
        min_requests=config.integer("alarmMinRequests"),
        elb_5xx_count=config.integer("alarmElb5xxCount"),
        p99_latency_ms=config.integer("alarmP99LatencyMs"),
    )
