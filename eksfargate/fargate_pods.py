"""How big a pod is on EKS Fargate, from its containers' requests: the size Fargate bills.

The rules, from the EKS user guide, "Fargate Pod configuration" (source and date in
eksfargate/data/prices.json, `fargatePodSizing`):

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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from eksfargate.facts.fargate_sizes import (
    GIB_IN_MIB,
    LARGEST_MEMORY_MIB,
    LARGEST_VCPU,
    MIB,
    RESERVED_MEMORY_MIB,
    SUPPORTED_SIZES,
    quantity,
)


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
        f"Fargate size, {_trim(LARGEST_VCPU)} vCPU / {LARGEST_MEMORY_MIB // GIB_IN_MIB} GB"
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


def parse_quantity(value: Any) -> Decimal:
    """A Kubernetes resource quantity ("250m", "0.25", "256Mi", "1G", 2) as a number of cores or bytes."""
    amount = quantity(value)
    if amount is None:
        raise FargateSizeError(f"{value!r} is not a Kubernetes quantity (e.g. 250m, 0.5, 512Mi, 1G)")
    return amount


def _trim(number: Decimal | int) -> str:
    text = f"{Decimal(number):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
