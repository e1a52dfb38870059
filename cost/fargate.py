"""How big a pod is on EKS Fargate, from its containers' requests: the size Fargate bills.

The rules, from the EKS user guide, "Fargate Pod configuration" (source and date in
cost/prices.json, `fargatePodSizing`):

- the pod's request is, for vCPU and for memory, the larger of the largest init
  container's request and the sum of the long-running containers' requests;
- Fargate adds 256 MB (taken here as 256 MiB, since its sizes are binary: 0.5 GB is
  512 MiB) to the memory for its own Kubernetes components (kubelet, kube-proxy, containerd);
- the result is rounded up to the smallest supported vCPU/memory combination (table
  below); no requests at all gives the smallest, 0.25 vCPU / 0.5 GB;
- nothing above 16 vCPU / 120 GB exists: such a pod is an error here (on EKS it would
  never be scheduled).

A container with a limit but no request gets the limit as its request (Kubernetes'
defaulting). Fargate wants requests equal to limits; that is not checked here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

MIB = 1024 * 1024
GIB_IN_MIB = 1024

# Memory Fargate reserves in every pod for kubelet, kube-proxy and containerd.
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
LARGEST = (SUPPORTED_SIZES[-1][0], SUPPORTED_SIZES[-1][1][-1])


class FargateSizeError(ValueError):
    """A pod asks for more than the largest Fargate size, or a request cannot be read."""


@dataclass(frozen=True)
class PodSize:
    """A Fargate size: what the pod's `CapacityProvisioned` annotation shows, and what is billed."""

    vcpu: Decimal
    memory_mib: int

    @property
    def memory_gb(self) -> Decimal:
        """Memory in the GB Fargate prices by (1 GB = 1024 MiB: 0.5 GB is 512 MiB)."""
        return Decimal(self.memory_mib) / GIB_IN_MIB

    def __str__(self) -> str:
        return f"{_trim(self.vcpu)} vCPU / {_trim(self.memory_gb)} GB"


@dataclass(frozen=True)
class Request:
    """A pod's effective request before Fargate adds its reserved memory and rounds up."""

    vcpu: Decimal
    memory_mib: Decimal


def pod_size(containers: Iterable[Mapping[str, Any]], init_containers: Iterable[Mapping[str, Any]] = ()) -> PodSize:
    """The Fargate size of a pod, from its containers as in a pod spec (`resources.requests`/`limits`)."""
    return round_up(effective_request(containers, init_containers))


def effective_request(containers: Iterable[Mapping[str, Any]], init_containers: Iterable[Mapping[str, Any]] = ()) -> Request:
    """max(largest init container, sum of the other containers), for vCPU and memory each."""
    app = [_requests(c) for c in containers]
    init = [_requests(c) for c in init_containers]
    app_cpu, app_mem = sum((r[0] for r in app), Decimal(0)), sum((r[1] for r in app), Decimal(0))
    init_cpu, init_mem = max((r[0] for r in init), default=Decimal(0)), max((r[1] for r in init), default=Decimal(0))
    return Request(vcpu=max(app_cpu, init_cpu), memory_mib=max(app_mem, init_mem))


def round_up(request: Request) -> PodSize:
    """The smallest supported size with at least the request's vCPU and its memory plus 256 MiB."""
    memory = request.memory_mib + RESERVED_MEMORY_MIB
    for vcpu, memories in SUPPORTED_SIZES:
        if vcpu < request.vcpu:
            continue
        for size in memories:
            if size >= memory:
                return PodSize(vcpu, size)
    raise FargateSizeError(
        f"a pod requesting {_trim(request.vcpu)} vCPU and {_trim(request.memory_mib)} MiB of memory "
        f"({_trim(memory)} MiB with the {RESERVED_MEMORY_MIB} MiB Fargate adds) is larger than the largest "
        f"Fargate size, {_trim(LARGEST[0])} vCPU / {LARGEST[1] // GIB_IN_MIB} GB"
    )


def _requests(container: Mapping[str, Any]) -> tuple[Decimal, Decimal]:
    resources = container.get("resources") or {}
    requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
    cpu = requests.get("cpu", limits.get("cpu"))
    memory = requests.get("memory", limits.get("memory"))
    return (
        parse_quantity(cpu) if cpu is not None else Decimal(0),
        parse_quantity(memory) / MIB if memory is not None else Decimal(0),
    )


# Kubernetes quantities: a decimal number, then a binary (Ki … Ei) or decimal (n u m k M G T P E)
# suffix, or an exponent (1e9).
_QUANTITY = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$")
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


def parse_quantity(value: Any) -> Decimal:
    """A Kubernetes resource quantity ("250m", "0.25", "256Mi", "1G", 2) as a number of cores or bytes."""
    if isinstance(value, bool):
        raise FargateSizeError(f"{value!r} is not a Kubernetes quantity")
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    match = _QUANTITY.match(str(value).strip())
    if not match:
        raise FargateSizeError(f"{value!r} is not a Kubernetes quantity (e.g. 250m, 0.5, 512Mi, 1G)")
    number, suffix = match.groups()
    try:
        amount = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise FargateSizeError(f"{value!r} is not a Kubernetes quantity") from None
    if not suffix:
        return amount
    if suffix[0] in "eE":
        return amount * Decimal(10) ** int(suffix[1:])
    return amount * _SUFFIXES[suffix]


def _trim(number: Decimal | int) -> str:
    text = f"{Decimal(number):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
