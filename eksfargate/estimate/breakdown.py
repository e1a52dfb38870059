"""The estimate as its readers take it: one rounded line per priced item, the totals, and what it assumed."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from eksfargate.estimate.amounts import CENT


@dataclass(frozen=True)
class Line:
    """One row of the breakdown; `monthly_usd` is rounded to the cent."""

    category: str
    item: str
    quantity: str
    unit_price: str
    monthly_usd: Decimal
    # The same line with every autoscaled workload at its maximum replicas, where that differs.
    max_monthly_usd: Decimal | None = None


@dataclass(frozen=True)
class Estimate:
    stack: str
    region: str
    region_name: str
    hours_per_month: Decimal
    lines: tuple[Line, ...]
    assumptions: tuple[str, ...] = field(default=())
    # What the stack runs that the region has no price for, one sentence each ('no price for ...'):
    # those items have no line, and the totals leave them out.
    unpriced: tuple[str, ...] = field(default=())

    @property
    def complete(self) -> bool:
        """Every item the stack runs is priced."""
        return not self.unpriced

    @property
    def total_usd(self) -> Decimal:
        """The sum of the rounded lines, so that the table adds up to the cent."""
        return sum((line.monthly_usd for line in self.lines), Decimal(0)).quantize(CENT)

    @property
    def max_total_usd(self) -> Decimal:
        """The total with every autoscaled workload at its maximum replicas."""
        return sum((line.max_monthly_usd or line.monthly_usd for line in self.lines), Decimal(0)).quantize(CENT)

    def by_category(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for line in self.lines:
            totals[line.category] = totals.get(line.category, Decimal(0)) + line.monthly_usd
        return totals

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (amounts as numbers), e.g. for plan.json."""
        return {
            "stack": self.stack,
            "region": self.region,
            "currency": "USD",
            "hoursPerMonth": float(self.hours_per_month),
            "totalMonthlyUsd": float(self.total_usd),
            "maxTotalMonthlyUsd": float(self.max_total_usd),
            "lines": [
                {
                    "category": line.category,
                    "item": line.item,
                    "quantity": line.quantity,
                    "unitPrice": line.unit_price,
                    "monthlyUsd": float(line.monthly_usd),
                }
                for line in self.lines
            ],
            "assumptions": list(self.assumptions),
            "unpriced": list(self.unpriced),
        }
