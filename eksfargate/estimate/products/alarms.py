"""CloudWatch alarms, the stack's dashboard and its alarm topic's e-mail: alarms by the month, the rest named.

- Alarms: standard resolution, per alarm metric (the pricing page's unit: an alarm on a metric-math
  expression counts every metric it reads; eksfargate/footprint.py), at list price. The account's free
  10 alarm metrics (standard alarms that name their metric directly) are shared by all its stacks and
  not subtracted.
- The dashboard: $3 a month past an account's first 3, which are free and shared by every stack of the
  account, so which stack's dashboard is beyond them depends on the account: named, not added.
- The topic costs nothing by itself; e-mail notifications are free for an account's first 1,000 a month,
  then billed per message: named, not added (alarms fire rarely; docs/observability.md has the rate).
"""

from __future__ import annotations

from eksfargate.estimate.amounts import cents, usd
from eksfargate.estimate.breakdown import Line
from eksfargate.estimate.product import Priced, Stack


def price(stack: Stack) -> Priced:
    footprint = stack.footprint
    lines: tuple[Line, ...] = ()
    assumptions: tuple[str, ...] = ()
    if footprint.alarm_metrics:
        assumptions = (
            "Alarms: list price per alarm metric; the account's 10 free alarm metrics are shared by its stacks and "
            "not subtracted.",
        )
        if (metric_month := stack.rate("alarm_metric_month")) is not None:
            count = footprint.alarm_metrics
            lines = (
                Line(
                    "CloudWatch",
                    "alarms (standard resolution, per metric each reads)",
                    f"{count} alarm metric{'s' if count != 1 else ''}",
                    f"${usd(metric_month)}/month",
                    cents(metric_month * count),
                ),
            )
    not_included = []
    if footprint.dashboards:
        board = f"${usd(stack.prices.dashboard_month)} a month" if stack.prices.dashboard_month is not None else "its charge"
        not_included.append(f"the CloudWatch dashboard (free among the account's first 3, {board} each beyond)")
    if footprint.email_subscriptions:
        not_included.append("alarm e-mails (the account's first 1,000 a month free)")
    return Priced(lines, assumptions, tuple(not_included))
