"""KMS: the cluster's customer managed key for secrets encryption, by the month."""

from __future__ import annotations

from eksfargate.estimate.amounts import cents, usd
from eksfargate.estimate.breakdown import Line
from eksfargate.estimate.product import Priced, Stack


def price(stack: Stack) -> Priced:
    keys = stack.footprint.kms_keys
    if not keys or (key_month := stack.rate("kms_key_month")) is None:
        return Priced()
    line = Line(
        "KMS", "customer managed key (secrets encryption)", f"{keys} key", f"${usd(key_month)}/month", cents(key_month * keys)
    )
    return Priced((line,))
