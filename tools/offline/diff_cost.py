"""The monthly estimate's lines that differ between two plans (eksfargate/estimate.py prices each side)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from eksfargate import estimate as cost


@dataclass
class CostChange:
    """One line of the monthly estimate that differs; None on the side where the line does not exist."""

    category: str
    item: str
    old: Decimal | None
    new: Decimal | None


def lines(plan: dict[str, Any] | None) -> dict[tuple[str, str], Decimal] | None:
    """The monthly estimate's lines of a plan ({} where the stack does not exist; None: no prices)."""
    if plan is None:
        return {}
    try:
        estimate = cost.from_plan(plan)
    except cost.UnknownRegionError:
        return None
    return {(line.category, line.item): line.monthly_usd for line in estimate.lines}


def unpriced(plan: dict[str, Any] | None) -> tuple[str, ...]:
    """What the estimate of a plan cannot price (its region has no source for it), which its totals leave out."""
    if plan is None:
        return ()
    try:
        return cost.from_plan(plan).unpriced
    except cost.UnknownRegionError:
        return ()


def changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> tuple[list[CostChange], tuple[Decimal, Decimal] | None]:
    """The lines that differ, and both sides' totals; nothing (and no totals) where a side has no prices."""
    before, after = lines(old), lines(new)
    if before is None or after is None:
        return [], None
    differing = [
        CostChange(category, item, before.get((category, item)), after.get((category, item)))
        for category, item in sorted(before.keys() | after.keys(), key=lambda key: (key[0], key[1]))
        if before.get((category, item)) != after.get((category, item))
    ]
    return differing, (sum(before.values(), Decimal(0)), sum(after.values(), Decimal(0)))
