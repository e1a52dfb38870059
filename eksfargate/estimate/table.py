"""The estimate as text: the breakdown as a fixed-width table, then what it leaves out and assumes."""

from __future__ import annotations

from eksfargate.estimate.amounts import num
from eksfargate.estimate.breakdown import Estimate


def render(estimate: Estimate) -> str:
    """The breakdown as a fixed-width table, then the assumptions."""
    header = ("", "item", "quantity", "unit price", "per month")
    rows = [(line.category, line.item, line.quantity, line.unit_price, f"${line.monthly_usd:,.2f}") for line in estimate.lines]
    total_label = "total" if estimate.complete else "total, priced items only (see 'Not priced' below)"
    totals: list[tuple[str, ...]] = [("", total_label, "", "", f"${estimate.total_usd:,.2f}")]
    if estimate.max_total_usd != estimate.total_usd:
        totals.append(("", "total, autoscaled workloads at their maximum replicas", "", "", f"${estimate.max_total_usd:,.2f}"))
    widths = [max(len(row[i]) for row in (header, *rows, *totals)) for i in range(5)]

    def fmt(row: tuple[str, ...]) -> str:
        return "  ".join(
            cell.ljust(width) if i < 4 else cell.rjust(width) for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    title = (
        f"Estimated monthly cost of stack {estimate.stack or '?'}: {estimate.region} ({estimate.region_name}), "
        f"USD, {num(estimate.hours_per_month)} h/month"
    )
    body = [title, "", fmt(header), rule, *(fmt(row) for row in rows), rule, *(fmt(row) for row in totals), ""]
    if estimate.unpriced:
        body += [
            f"Not priced ({len(estimate.unpriced)}): the total leaves these out.",
            *(f"  - {text}" for text in estimate.unpriced),
            "",
        ]
    body += ["Assumptions:"]
    body += [f"  - {text}" for text in estimate.assumptions]
    return "\n".join(body) + "\n"
