"""The AWS regions this stack can be deployed to, from data/regions.json (each field with its source).

One reader for settings.py (is `aws:region` usable, which zone ids it has), the offline harness
(what `getAvailabilityZones` answers), the cost estimate and `python -m teams new --region`.

Every commercial region where EKS runs (botocore's EKS endpoints) is supported; EKS on Fargate
is offered in all of them (EKS user guide). Every supported region's zone ids are recorded (AWS's
"AWS Availability Zones" page); zone names only where the region maps names to ids the same way
in every account and a source pairing them was read.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

REGIONS_FILE = Path(__file__).resolve().parent / "data" / "regions.json"

# How a region pairs zone names with zone ids (data/regions.json, zoneMapping).
UNIFORM = "uniform"


class RegionError(ValueError):
    """A region this stack cannot be deployed to; the message says why and what to use instead."""


@dataclass(frozen=True)
class Zone:
    id: str
    # None where the region maps names to ids per account, or the pairing was not read.
    name: str | None


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    partition: str
    eks: bool
    fargate: bool | None
    zone_mapping: str
    # None: the region's zone ids were not read (data/regions.json says so).
    zones: tuple[Zone, ...] | None

    @property
    def zones_known(self) -> bool:
        return self.zones is not None

    @property
    def names_known(self) -> bool:
        """Zone names mean the same zones in every account, and the pairing is recorded."""
        return self.zone_mapping == UNIFORM and self.zones is not None and all(zone.name for zone in self.zones)

    @property
    def usable_zones(self) -> tuple[Zone, ...]:
        """The recorded zones an EKS cluster's subnets may be in (none when none are recorded)."""
        return tuple(zone for zone in self.zones or () if zone.id not in eks_excluded_zone_ids())

    @property
    def zone_ids(self) -> tuple[str, ...]:
        return tuple(zone.id for zone in self.zones or ())

    def fargate_zone_ids(self) -> tuple[str, ...] | None:
        """The only zone ids Fargate runs pods in, where Fargate is limited to some; None: every zone."""
        limited = _data()["fargateZoneIds"].get(self.code)
        return tuple(limited) if limited is not None else None


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REGIONS_FILE.read_text())
    return data


@cache
def all_regions() -> dict[str, Region]:
    regions = {}
    for code, entry in _data()["regions"].items():
        zones = entry["zones"]
        regions[code] = Region(
            code=code,
            name=entry["name"],
            partition=entry["partition"],
            eks=entry["eks"],
            fargate=entry["fargate"],
            zone_mapping=entry["zoneMapping"],
            zones=None if zones is None else tuple(Zone(zone["id"], zone["name"]) for zone in zones),
        )
    return regions


def supported_codes() -> list[str]:
    return sorted(
        code
        for code, region in all_regions().items()
        if region.partition in _data()["supportedPartitions"] and region.eks and region.fargate
    )


def eks_excluded_zone_ids() -> list[str]:
    """Zone ids EKS places no control plane in (cluster subnets there fail to create)."""
    return list(_data()["eksExcludedZoneIds"])


def region_of_zone_id(zone_id: str) -> str | None:
    """The region whose recorded zones include `zone_id`, if any."""
    for code, region in all_regions().items():
        if zone_id in region.zone_ids:
            return code
    return None


def supported_region(code: str) -> Region:
    """The region named `code`, if this stack can be deployed there; RegionError otherwise.

    A name that is no region gets the nearest names; a real region gets the reason it is refused.
    """
    region = all_regions().get(code)
    if region is None:
        hint = nearest(code)
        suggestion = f"no AWS region is named {code!r}; did you mean {' or '.join(repr(c) for c in hint)}? " if hint else ""
        raise RegionError(f"{suggestion}the regions EKS on Fargate runs in (eksfargate/data/regions.json): {supported_codes()}")
    unsupported = _data()["unsupportedPartitions"].get(region.partition)
    if unsupported:
        raise RegionError(
            f"{region.name} is a real region, in the {region.partition} partition, "
            f"which this stack does not support: {unsupported}"
        )
    if not region.eks:
        raise RegionError(f"{region.name} is a real region, but EKS is not offered there (botocore's EKS endpoints)")
    if not region.fargate:
        raise RegionError(f"{region.name} is a real region, but EKS on Fargate is not offered there")
    return region


def nearest(text: str) -> list[str]:
    """Region codes a mistyped `text` probably meant: close spellings, or a city in the region's name."""
    codes = supported_codes()
    by_city = [code for code in codes if text.strip() and text.strip().lower() in all_regions()[code].name.lower()]
    return by_city or difflib.get_close_matches(text.strip().lower(), codes, n=3, cutoff=0.6)
