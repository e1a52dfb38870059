"""The EKS control plane: each cluster's hours at the standard- or extended-support rate of the month priced."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from eksfargate.estimate.amounts import cents, num, usd
from eksfargate.estimate.breakdown import Line
from eksfargate.estimate.prices import Prices
from eksfargate.estimate.product import Priced, Stack
from eksfargate.facts.kubernetes_versions import CALENDAR, EXTENDED
from eksfargate.footprint import Footprint


def price(stack: Stack) -> Priced:
    footprint, hours = stack.footprint, stack.hours
    label, rate, note = control_plane_rate(footprint, stack.prices, stack.month)
    if not footprint.clusters:
        return Priced(assumptions=(note,))
    if rate is None:
        stack.rate("eks_extended_support_cluster_hour" if "extended" in label else "eks_cluster_hour")
        return Priced(assumptions=(note,))
    line = Line(
        "EKS",
        label,
        f"{footprint.clusters} cluster × {num(hours)} h",
        f"${usd(rate)}/h",
        cents(rate * footprint.clusters * hours),
    )
    return Priced((line,), (note,))


def control_plane_rate(footprint: Footprint, p: Prices, month: date) -> tuple[str, Decimal | None, str]:
    """The control plane's label, hourly rate in `month` (its first day, UTC), and when that rate changes.

    Extended support is billed from the first day past the end of standard support, only where the
    upgrade policy is EXTENDED (EKS's default when none is given); with STANDARD, EKS upgrades the
    cluster then, and the standard rate goes on. The rate is None where the region has no price for it.
    """
    version, policy = footprint.kubernetes_version, footprint.support_type or "EXTENDED"
    support = CALENDAR.get(version or "")
    if support is None or support.end_of_standard is None:
        known = f"Kubernetes {version}'s end of standard support is not recorded" if version else "no Kubernetes version"
        return "control plane, standard support", p.eks_cluster_hour, f"EKS at the standard-support price ({known})."
    end = support.end_of_standard
    extended = (
        "the extended-support price"
        if p.eks_extended_support_cluster_hour is None
        else f"${usd(p.eks_extended_support_cluster_hour)}/h"
    )
    if policy == "EXTENDED" and support.phase(month) == EXTENDED:
        note = f"EKS at the extended-support price: Kubernetes {version} left standard support on {end.isoformat()}"
        return "control plane, extended support", p.eks_extended_support_cluster_hour, note + " (supportType EXTENDED)."
    if policy == "EXTENDED" and month < end:
        change = f"from {end.isoformat()} it is {extended} (extended support, supportType EXTENDED) unless upgraded"
    elif month < end:
        change = f"on {end.isoformat()} EKS upgrades the cluster itself (supportType STANDARD), at the same price"
    else:
        change = f"standard support for {version} ended on {end.isoformat()}"
    return "control plane, standard support", p.eks_cluster_hour, f"EKS at the standard-support price in {month:%Y-%m}; {change}."
