"""A stack's estimate: every product of products/ priced for one month, in the table's order."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from eksfargate.estimate.amounts import num
from eksfargate.estimate.breakdown import Estimate
from eksfargate.estimate.prices import Prices, load_prices
from eksfargate.estimate.product import Stack
from eksfargate.estimate.products import ASSUMPTION_ORDER, TABLE
from eksfargate.estimate.usage import Usage
from eksfargate.facts.kubernetes_versions import today_utc
from eksfargate.footprint import Footprint, footprint_of_plan

NOT_INCLUDED = (
    "Not included: data transfer out and across zones, CloudWatch Logs of the control plane, ECR, KMS requests, "
    "the KMS key's rotated versions (+$1/month each, from the second year)"
)
NO_NAT_NOTE = "No NAT gateway in the stack (existing VPC): the VPC owner pays for its NAT."
TENANT_NOTE = (
    "Tenant of platform stack {platform}: its control plane, NAT, CoreDNS and load balancer controller are the "
    "platform's fixed cost (`python -m cost --all` shows each team's share of it)."
)


def estimate(
    footprint: Footprint, stack: str = "", usage: Usage = Usage(), prices: Prices | None = None, month: date | None = None
) -> Estimate:
    """Prices a footprint for `month` (default: this month): the lines of every product in products.TABLE, in its
    order, and the assumptions in products.ASSUMPTION_ORDER's."""
    p = prices or load_prices(footprint.region)
    priced_stack = Stack(footprint, p, usage, (month or today_utc()).replace(day=1))
    priced = {product: product(priced_stack) for product in TABLE}
    assumptions = (
        f"{num(p.hours_per_month)} hours a month; on-demand list prices of {p.region} from eksfargate/data/prices.json; "
        "no free tier, Savings Plans or tax.",
        *(text for product in ASSUMPTION_ORDER for text in priced[product].assumptions),
        NOT_INCLUDED + "".join(f"; {clause}" for product in TABLE for clause in priced[product].not_included) + ".",
        *(() if footprint.nat_gateways or footprint.tenant_of else (NO_NAT_NOTE,)),
        *((TENANT_NOTE.format(platform=footprint.tenant_of),) if footprint.tenant_of else ()),
        *footprint.notes,
    )
    lines = tuple(line for product in TABLE for line in priced[product].lines)
    unpriced = tuple(p.missing(attribute) for attribute in priced_stack.missing)
    return Estimate(stack, p.region, p.name, p.hours_per_month, lines, assumptions, unpriced)


def from_plan(plan: Mapping[str, Any], usage: Usage = Usage(), prices: Prices | None = None) -> Estimate:
    """The estimate of an offline plan (plan.json): the footprint it recorded, priced."""
    return estimate(footprint_of_plan(plan), plan.get("stack", ""), usage, prices)
