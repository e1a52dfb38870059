"""Route 53: the existing hosted zone the stack writes records to, named but not the stack's to pay."""

from __future__ import annotations

from eksfargate.estimate.amounts import usd
from eksfargate.estimate.product import Priced, Stack


def price(stack: Stack) -> Priced:
    footprint, zone_month = stack.footprint, stack.prices.hosted_zone_month
    records = footprint.route53_records
    if not records:
        return Priced()
    zone = f"${usd(zone_month)} a month" if zone_month is not None else "its monthly charge"
    clause = (
        f"the Route 53 hosted zone the stack writes {records} record{'s' if records != 1 else ''} to "
        f"(an existing zone, not the stack's: {zone} per zone if made for this; alias queries to an ALB are free"
        + (", the certificate's validation CNAME is queried at the standard rate)" if footprint.certificates else ")")
    )
    return Priced(not_included=(clause,))
