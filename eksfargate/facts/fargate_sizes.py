"""Fargate's pod sizes and Kubernetes quantities: the one copy the policy pack and the cost
estimate (eksfargate/fargate_pods.py) both read.

EKS user guide, "Fargate Pod configuration" (source and date in eksfargate/data/prices.json,
`fargatePodSizing`): a pod gets the smallest supported vCPU/memory combination that holds
its request plus the 256 MB Fargate adds for kubelet, kube-proxy and containerd; nothing is
larger than 16 vCPU / 120 GB.

Standard library only: the pack runs this folder on its own (`pulumi preview --policy-pack
policy`, or a published pack), and the Pulumi program imports it through cost/.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

MIB = 1024 * 1024
GIB_IN_MIB = 1024

# Memory Fargate reserves in every pod for its own Kubernetes components (256 MB, taken as
# MiB since Fargate's sizes are binary: 0.5 GB is 512 MiB).
RESERVED_MEMORY_MIB = 256


def _gib(*values: float) -> tuple[int, ...]:
    return tuple(int(value * GIB_IN_MIB) for value in values)


# vCPU → the memory sizes (MiB) Fargate offers with it, smallest first.
SUPPORTED_SIZES: tuple[tuple[Decimal, tuple[int, ...]], ...] = (
    (Decimal("0.25"), _gib(0.5, 1, 2)),
    (Decimal("0.5"), _gib(1, 2, 3, 4)),
    (Decimal("1"), _gib(*range(2, 9))),
    (Decimal("2"), _gib(*range(4, 17))),
    (Decimal("4"), _gib(*range(8, 31))),
    (Decimal("8"), _gib(*range(16, 61, 4))),
    (Decimal("16"), _gib(*range(32, 121, 8))),
)
LARGEST_VCPU, LARGEST_MEMORY_MIB = SUPPORTED_SIZES[-1][0], SUPPORTED_SIZES[-1][1][-1]

# Kubernetes quantities: a decimal number, then a binary (Ki … Ei) or decimal (n u m k M G T P E)
# suffix, or an exponent (1e9).
_QUANTITY = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$")
_SUFFIXES = {
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
}


def quantity(value: Any) -> Decimal | None:
    """A Kubernetes quantity ("250m", "0.25", "256Mi", "1e9", 2) in cores or bytes; None if it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    match = _QUANTITY.match(str(value).strip())
    if not match:
        return None
    number, exponent, suffix = match.groups()
    amount = Decimal(number)
    if exponent:
        amount *= Decimal(10) ** int(exponent)
    if suffix:
        amount *= _SUFFIXES[suffix]
    return amount
