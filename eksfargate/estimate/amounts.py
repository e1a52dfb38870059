"""How the estimate rounds and prints amounts: every line to the cent, prices with all their digits."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def usd(amount: Decimal) -> str:
    """A price as printed: at least two decimals, and as many more as it has (0.0225, 0.10)."""
    return f"{amount.quantize(CENT):f}" if amount == amount.quantize(CENT) else num(amount)


def num(number: Decimal | int) -> str:
    text = f"{Decimal(number):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
