"""The project's stack files, read statically: VPC CIDRs, cluster names, and new team stacks.

A team stack is a stack file `Pulumi.<team>-<env>.yaml` beside Pulumi.yaml that sets the
team, cost center and owner (tagged on every taggable AWS resource) and a VPC CIDR of its own.
Its cluster name, the physical name everything else AWS names after (ALBs, target groups and
security groups hash it in, log groups and the OIDC issuer carry it), defaults to
<project>-<stack>, so it is unique per team and environment unless a stack file sets it.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import re
from pathlib import Path
from typing import Any

import yaml

from eksfargate.config_reader import DNS_LABEL_RULE, TAG_VALUE, TAG_VALUE_RULE, is_dns_label
from eksfargate.regions import RegionError, supported_region
from eksfargate.settings import MAX_LABEL_LENGTH as MAX_CLUSTER_NAME
from eksfargate.stack_catalog import Project, StackFile, project, stack_files

DEFAULT_REGION = "ap-northeast-2"
# Team VPCs are /16s from 10.0.0.0/8: 10.<n>.0.0/16, the first n that overlaps nothing.
TEAM_POOL = ipaddress.IPv4Network("10.0.0.0/8")
TEAM_PREFIX = 16
PRODUCTION_ENVS = ("prod", "production")


class TeamStackError(ValueError):
    """A team stack cannot be made as asked."""


def vpc_cidr(proj: Project, stack: StackFile) -> ipaddress.IPv4Network | None:
    """The CIDR of the VPC the stack creates; None in existing-VPC mode (it creates none)."""
    if proj.setting(stack, "existingVpcId"):
        return None
    return ipaddress.IPv4Network(str(proj.setting(stack, "vpcCidr")), strict=False)


def cluster_name(proj: Project, stack: StackFile) -> str:
    return str(proj.setting(stack, "clusterName") or f"{proj.name}-{stack.stack}")


def cidr_overlaps(directory: Path) -> list[tuple[str, str]]:
    """Pairs of stack files whose VPC CIDRs overlap."""
    proj = project(directory)
    cidrs = [(s.path.name, cidr) for s in stack_files(directory) if (cidr := vpc_cidr(proj, s)) is not None]
    return [
        (f"{a} {cidr_a}", f"{b} {cidr_b}")
        for (a, cidr_a), (b, cidr_b) in itertools.combinations(cidrs, 2)
        if cidr_a.overlaps(cidr_b)
    ]


def duplicate_cluster_names(directory: Path) -> dict[str, list[str]]:
    """Cluster names that more than one stack file would give AWS."""
    proj = project(directory)
    names: dict[str, list[str]] = {}
    for stack in stack_files(directory):
        names.setdefault(cluster_name(proj, stack), []).append(stack.path.name)
    return {name: files for name, files in names.items() if len(files) > 1}


def taken_cidrs(directory: Path) -> list[tuple[str, ipaddress.IPv4Network]]:
    """CIDRs a new stack must not overlap: every stack file's, and Pulumi.yaml's default
    (which any stack file that forgets vpcCidr gets)."""
    proj = project(directory)
    taken = [("Pulumi.yaml default", ipaddress.IPv4Network(str(proj.default("vpcCidr")), strict=False))]
    for stack in stack_files(directory):
        cidr = vpc_cidr(proj, stack)
        if cidr is not None:
            taken.append((stack.path.name, cidr))
    return taken


def next_free_cidr(taken: list[ipaddress.IPv4Network]) -> ipaddress.IPv4Network:
    """The first 10.x.0.0/16 that overlaps none of `taken`."""
    for candidate in TEAM_POOL.subnets(new_prefix=TEAM_PREFIX):
        if not any(candidate.overlaps(cidr) for cidr in taken):
            return candidate
    raise TeamStackError(f"every /{TEAM_PREFIX} of {TEAM_POOL} overlaps a stack's VPC; set vpcCidr by hand")


# Zones a new stack spreads over: the default of availabilityZoneCount.
DEFAULT_ZONES = 3


def new_team_stack(
    directory: Path,
    team: str,
    env: str = "dev",
    region: str = DEFAULT_REGION,
    cost_center: str | None = None,
    owner: str | None = None,
    zone_ids: tuple[str, ...] | None = None,
) -> tuple[Path, ipaddress.IPv4Network]:
    """Writes Pulumi.<team>-<env>.yaml with the next free VPC CIDR; returns its path and CIDR.

    The stack's zones are pinned by id (availabilityZoneIds) and its per-zone resources named
    after them (perZoneNames: zoneId): `zone_ids`, or the region's first three zones that EKS's
    control plane and Fargate can both use.
    """
    proj = project(directory)
    try:
        found = supported_region(region)
    except RegionError as exc:
        raise TeamStackError(f"--region {region!r}: {exc}") from None
    if zone_ids is None:
        allowed = found.fargate_zone_ids()
        usable = [z.id for z in found.usable_zones if allowed is None or z.id in allowed]
        if not found.zones_known:
            raise TeamStackError(
                f"--region {region!r}: eksfargate/data/regions.json has no zone ids for it; pass --zone-ids "
                f"(aws ec2 describe-availability-zones --region {region} --query 'AvailabilityZones[].ZoneId')"
            )
        zone_ids = tuple(usable[:DEFAULT_ZONES])
    for what, value in (("team", team), ("env", env)):
        if not is_dns_label(value):
            raise TeamStackError(f"{what} {value!r} must be {DNS_LABEL_RULE}")
    stack = f"{team}-{env}"
    cluster = f"{proj.name}-{stack}"
    if len(cluster) > MAX_CLUSTER_NAME:
        raise TeamStackError(
            f"the cluster name {cluster!r} would be longer than {MAX_CLUSTER_NAME} characters; shorten the team or env"
        )
    cost_center, owner = cost_center or team, owner or team
    for what, value in (("cost center", cost_center), ("owner", owner)):
        if not TAG_VALUE.match(value):
            raise TeamStackError(f"{what} {value!r} must be {TAG_VALUE_RULE}")
    path = directory / f"Pulumi.{stack}.yaml"
    if path.exists():
        raise TeamStackError(f"{path.name} exists already")
    clash = [s.path.name for s in stack_files(directory) if cluster_name(proj, s) == cluster]
    if clash:
        raise TeamStackError(f"{', '.join(clash)} already names its cluster {cluster!r}")

    cidr = next_free_cidr([c for _, c in taken_cidrs(directory)])
    values: dict[str, Any] = {
        "aws:region": region,
        f"{proj.name}:team": team,
        f"{proj.name}:costCenter": cost_center,
        f"{proj.name}:owner": owner,
        f"{proj.name}:vpcCidr": str(cidr),
        f"{proj.name}:availabilityZoneIds": "[" + ", ".join(zone_ids) + "]",
        f"{proj.name}:perZoneNames": "zoneId",
    }
    if env in PRODUCTION_ENVS:
        values[f"{proj.name}:natMode"] = "per-az"
        values[f"{proj.name}:protect"] = True
    lines = [
        f"# Team {team}, environment {env}: made with `python -m teams new {team} --env {env}`.",
        "# Its vpcCidr overlaps no other stack file's; every other setting and its default is in Pulumi.yaml.",
        "config:",
        *(f"  {key}: {_scalar(value)}" for key, value in values.items()),
    ]
    path.write_text("\n".join(lines) + "\n")
    return path, cidr


def _scalar(value: Any) -> str:
    """A YAML scalar that reads back as exactly `value` (quoted when plain text would not)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text.startswith("[") and text.endswith("]"):
        return text  # a flow list of plain scalars (zone ids)
    if re.match(r"^[A-Za-z0-9][\w./@-]*$", text) and yaml.safe_load(text) == text:
        return text
    return json.dumps(text)
