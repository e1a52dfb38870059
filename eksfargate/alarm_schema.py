"""The alarm settings both projects declare (Pulumi.yaml and tenant/Pulumi.yaml), declared once here.

Each stack alarms on its own app (components/app_alarms.py) and sends to its own topic
(components/alarm_topic.py); eksfargate/alarm_settings.py reads these keys. A duration is a number
of periods of `alarmPeriodSeconds`: with the default 60 s, periods are minutes.
"""

from __future__ import annotations

from eksfargate.settings_schema import Setting

# Standard-resolution periods the alarms may use (a multiple of 60 s; the two CloudWatch's
# console offers first). The ALB publishes its metrics every 60 s.
ALARM_PERIODS = (60, 300)
# At most an hour of periods: evaluation periods times the period stays within CloudWatch's one-day
# limit for standard alarms even at 300 s.
ALARM_PERIODS_RANGE = (1, 60)
PERCENT_RANGE = (1, 100)
COUNT_RANGE = (1, 1_000_000)
# The ALB's idle timeout is 60 s by default: no target answers later than that.
LATENCY_MS_RANGE = (10, 60_000)

ALARM_SETTINGS = (
    Setting(
        "alarmEmail",
        "string",
        "",
        "An e-mail address subscribed to the stack's alarm topic. AWS mails it a confirmation link; it gets no alarm "
        "until someone follows it. Empty means no subscription.",
        doc='an e-mail address subscribed to the stack\'s alarm topic (pending until the link AWS mails is followed); `""`: none',
    ),
    Setting(
        "alarmPeriodSeconds",
        "integer",
        60,
        "The period of every alarm of the app, in seconds: one of {allowed}.",
        allowed=ALARM_PERIODS,
    ),
    Setting(
        "alarmEvaluationPeriods",
        "integer",
        5,
        "How many periods in a row a 5xx, latency, unhealthy or not-ready condition must hold before its alarm "
        "fires, {low} to {high}.",
        bounds=ALARM_PERIODS_RANGE,
    ),
    Setting(
        "alarmAtMaxPeriods",
        "integer",
        15,
        "How many periods in a row the app must serve from as many ready pods as its autoscaler's maximum before "
        "that alarm fires, {low} to {high}.",
        bounds=ALARM_PERIODS_RANGE,
    ),
    Setting(
        "alarmTarget5xxPercent",
        "integer",
        5,
        "The share of the app's requests answered 5xx by its pods, in percent ({low} to {high}), above which its "
        "target 5xx alarm fires.",
        bounds=PERCENT_RANGE,
    ),
    Setting(
        "alarmMinRequests",
        "integer",
        20,
        "The fewest requests in a period for the target 5xx rate to count, {low} to {high}: below it the rate alarm holds off.",
        bounds=COUNT_RANGE,
    ),
    Setting(
        "alarmElb5xxCount",
        "integer",
        10,
        "The 5xx answers of the ALB the app is on in one period ({low} to {high}; on the shared ALB every member's)"
        " above which its ELB 5xx alarm fires.",
        bounds=COUNT_RANGE,
    ),
    Setting(
        "alarmP99LatencyMs",
        "integer",
        2000,
        "The p99 of the pods' response time, in milliseconds ({low} to {high}), above which the latency alarm fires.",
        bounds=LATENCY_MS_RANGE,
    ),
)
