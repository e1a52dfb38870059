"""The one shape of a priced product: `price(stack: Stack) -> Priced`.

A product (Fargate pods, the EKS control plane, NAT gateways, ...) reads the stack's footprint,
asks `Stack.rate` for each price it needs, and returns its lines, what it assumed and what it
names but leaves out. A price the region lacks is None, and `Stack.rate` records it for the
estimate's 'Not priced' list; the product then leaves out the line that needed it. A new product
is one module in products/ with this shape, listed in products/__init__.py, plus its prices
(prices.json, `FIGURES` and a `Prices` attribute).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from eksfargate.estimate.breakdown import Line
from eksfargate.estimate.prices import Prices
from eksfargate.estimate.usage import Usage
from eksfargate.footprint import Footprint


@dataclass
class Stack:
    """What every product of one estimate prices: the footprint, the region's prices, the assumed usage, the month."""

    footprint: Footprint
    prices: Prices
    usage: Usage
    month: date  # its first day (UTC)
    # Prices attributes a product asked for and the region has no price for, in the order asked.
    missing: dict[str, None] = field(default_factory=dict)

    @property
    def hours(self) -> Decimal:
        return self.prices.hours_per_month

    def rate(self, attribute: str) -> Decimal | None:
        """The region's price (None, recorded as missing, where it has none)."""
        value: Decimal | None = getattr(self.prices, attribute)
        if value is None:
            self.missing[attribute] = None
        return value


@dataclass(frozen=True)
class Priced:
    """What one product adds to the estimate."""

    lines: tuple[Line, ...] = ()
    assumptions: tuple[str, ...] = ()
    # Clauses of the 'Not included' assumption: what the stack uses that it does not pay, or that is free.
    not_included: tuple[str, ...] = ()


Product = Callable[[Stack], Priced]
