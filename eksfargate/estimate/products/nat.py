"""NAT gateways: their hours and the data they process (assumed)."""

from __future__ import annotations

from eksfargate.estimate.amounts import cents, num, usd
from eksfargate.estimate.breakdown import Line
from eksfargate.estimate.product import Priced, Stack


def price(stack: Stack) -> Priced:
    gateways, hours, gb = stack.footprint.nat_gateways, stack.hours, stack.usage.nat_gb_per_month
    assumption = f"NAT data processed: {num(gb)} GB a month in all (image pulls at each pod start, API calls)."
    lines = []
    if gateways and (nat_hour := stack.rate("nat_gateway_hour")) is not None:
        lines.append(
            Line("NAT", "NAT gateways", f"{gateways} × {num(hours)} h", f"${usd(nat_hour)}/h", cents(nat_hour * gateways * hours))
        )
    if gateways and (nat_gb := stack.rate("nat_gateway_gb")) is not None:
        lines.append(Line("NAT", "data processed (assumed)", f"{num(gb)} GB", f"${usd(nat_gb)}/GB", cents(nat_gb * gb)))
    return Priced(tuple(lines), (assumption,))
