"""Application Load Balancers: their hours (a stack's share of a shared one) and LCUs (assumed)."""

from __future__ import annotations

from decimal import Decimal

from eksfargate.estimate.amounts import CENT, cents, num, usd
from eksfargate.estimate.breakdown import Line
from eksfargate.estimate.product import Priced, Stack
from eksfargate.footprint import Footprint


def albs(footprint: Footprint) -> Decimal:
    """How many ALBs the stack pays for: 1 each, 1/n of one that n tenants share."""
    return sum((lb.share for lb in footprint.load_balancers), Decimal(0))


def price(stack: Stack) -> Priced:
    paid, hours, lcu = albs(stack.footprint), stack.hours, stack.usage.alb_lcu
    assumption = f"ALB: {num(lcu)} LCU on average every hour; one public IPv4 address per zone it is enabled in."
    lines = []
    if paid and (alb_hour := stack.rate("alb_hour")) is not None:
        lines.append(
            Line(
                "ALB",
                "Application Load Balancers",
                f"{num(paid.quantize(CENT))} × {num(hours)} h",
                f"${usd(alb_hour)}/h",
                cents(alb_hour * paid * hours),
            )
        )
    if paid and (lcu_hour := stack.rate("alb_lcu_hour")) is not None:
        lcu_hours = lcu * paid * hours
        lines.append(
            Line(
                "ALB",
                f"LCUs (assumed {num(lcu)} per ALB-hour)",
                f"{num(lcu_hours.quantize(CENT))} LCU-h",
                f"${usd(lcu_hour)}/LCU-h",
                cents(lcu_hour * lcu_hours),
            )
        )
    return Priced(tuple(lines), (assumption,))
