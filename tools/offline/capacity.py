"""Subnet capacity: can the private subnets hold every Fargate pod the stack may run?

Every Fargate pod gets its own network interface, so one address, in one of its profile's
private subnets. AWS reserves the first four and the last address of every subnet (EC2
CreateSubnet API reference), so a subnet of prefix p holds 2^(32-p) - 5 pods at most.

The pods a stack may run are its plan's footprint's (eksfargate/footprint.py), the model its
cost is priced from: Deployments and StatefulSets at their replicas, or at their
HorizontalPodAutoscaler's maxReplicas when one scales them higher; Helm releases and EKS add-ons
at their replica count, chart and add-on defaults included.

The rule: Fargate spreads a profile's pods over its subnets, one per zone, so each zone must
hold its share, ceil(pods / zones), in its subnet's usable addresses; the plan fails when a
share exceeds the smallest private subnet. The spread is not guaranteed to be even, so a
stack close to the limit should grow its VPC (vpcCidr) or its zones before it gets there.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from typing import Any

from eksfargate.facts.resource_types import SUBNET
from eksfargate.footprint import footprint_of_plan

RESERVED_ADDRESSES_PER_SUBNET = 5


@dataclass(frozen=True)
class PrivateSubnet:
    name: str
    cidr: str

    @property
    def usable(self) -> int:
        return ipaddress.IPv4Network(self.cidr).num_addresses - RESERVED_ADDRESSES_PER_SUBNET


@dataclass(frozen=True)
class Capacity:
    """One stack's private subnets against the pods it may run."""

    stack: str
    subnets: tuple[PrivateSubnet, ...]  # empty: the subnets are not this stack's (existing VPC)
    pods: tuple[tuple[str, int], ...]  # (workload, most pods it may run)
    notes: tuple[str, ...] = ()

    @property
    def max_pods(self) -> int:
        return sum(count for _, count in self.pods)

    @property
    def zone_share(self) -> int:
        return math.ceil(self.max_pods / len(self.subnets)) if self.subnets else 0

    @property
    def smallest(self) -> PrivateSubnet | None:
        return min(self.subnets, key=lambda subnet: subnet.usable, default=None)

    @property
    def ok(self) -> bool:
        return self.smallest is None or self.zone_share <= self.smallest.usable

    def problem(self) -> str:
        """The failure, in one sentence naming the stack, the numbers and the ways out ("" when ok)."""
        if self.ok or self.smallest is None:
            return ""
        return (
            f"stack {self.stack}: up to {self.max_pods} Fargate pods over {len(self.subnets)} zones is {self.zone_share} "
            f"per zone, more than the {self.smallest.usable} usable addresses of private subnet {self.smallest.name} "
            f"({self.smallest.cidr}); use a larger vpcCidr, more availabilityZoneCount, or fewer replicas"
        )


def assess(plan: dict[str, Any]) -> Capacity:
    """The capacity of a plan's private subnets and the pods its footprint runs at most."""
    subnets = tuple(
        PrivateSubnet(res["name"], res["inputs"]["cidrBlock"])
        for res in plan["resources"]
        if res["type"] == SUBNET and not res["inputs"].get("mapPublicIpOnLaunch") and res["inputs"].get("cidrBlock")
    )
    footprint = footprint_of_plan(plan)
    pods = tuple((workload.name, workload.most_pods) for workload in footprint.workloads)
    unknown = "its pods are not estimated"  # the footprint's note for a release or add-on it cannot size
    notes = tuple(note.replace(unknown, "its pods are not counted") for note in footprint.notes if unknown in note)
    return Capacity(stack=plan["stack"], subnets=subnets, pods=pods, notes=notes)


def render(capacity: Capacity) -> str:
    """The capacity report the plan prints and writes to capacity.txt."""
    lines = [f"Subnet capacity of stack {capacity.stack} (one private address per Fargate pod; AWS reserves 5 per subnet):"]
    if not capacity.subnets:
        lines.append(
            "  private subnets: not made by this stack, so their sizes are unknown offline; check their free addresses "
            "with `aws ec2 describe-subnets --subnet-ids <ids> --query 'Subnets[].AvailableIpAddressCount'`"
        )
    for subnet in capacity.subnets:
        lines.append(f"  {subnet.name}  {subnet.cidr}  {subnet.usable} usable addresses")
    for name, count in capacity.pods:
        lines.append(f"  pods at most  {count:>4}  {name}")
    lines += [f"  note: {note}" for note in capacity.notes]
    lines.append(f"  total        {capacity.max_pods:>4} pods")
    if capacity.subnets:
        verdict = "OK" if capacity.ok else "TOO SMALL"
        lines.append(
            f"  per zone     {capacity.zone_share:>4} (ceil({capacity.max_pods} / {len(capacity.subnets)} zones)) "
            f"of {capacity.smallest.usable if capacity.smallest else 0} usable: {verdict}"
        )
    return "\n".join(lines) + "\n"
