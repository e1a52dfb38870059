"""ACM: the stack's public certificates, which are free."""

from __future__ import annotations

from eksfargate.estimate.product import Priced, Stack

CLAUSE = (
    "ACM public certificates (free: ACM charges nothing for the certificates it manages, only exportable "
    "ones cost, and the stack's are not exportable)"
)


def price(stack: Stack) -> Priced:
    return Priced(not_included=(CLAUSE,) if stack.footprint.certificates else ())
