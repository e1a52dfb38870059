"""Public IPv4 addresses: the NAT gateways' Elastic IPs and an internet-facing ALB's one per zone."""

from __future__ import annotations

from decimal import Decimal

from eksfargate.estimate.amounts import CENT, cents, num, usd
from eksfargate.estimate.breakdown import Line
from eksfargate.estimate.product import Priced, Stack


def price(stack: Stack) -> Priced:
    footprint, hours = stack.footprint, stack.hours
    alb_addresses = sum((lb.zones * lb.share for lb in footprint.load_balancers if lb.internet_facing), Decimal(0))
    addresses = footprint.elastic_ips + alb_addresses
    if not addresses or (ipv4_hour := stack.rate("public_ipv4_hour")) is None:
        return Priced()
    line = Line(
        "IPv4",
        f"public addresses: {footprint.elastic_ips} Elastic IP (NAT), {num(alb_addresses.quantize(CENT))} ALB (1 per zone)",
        f"{num(addresses.quantize(CENT))} × {num(hours)} h",
        f"${usd(ipv4_hour)}/h",
        cents(ipv4_hour * addresses * hours),
    )
    return Priced((line,))
