"""The AWS regions this stack can be deployed to, from data/regions.json (each field with its source).

One reader for settings.py (is `aws:region` usable, how many zones may a stack ask for),
the offline harness (the zones `getAvailabilityZones` answers), the cost estimate and
`python -m teams new --region`.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

REGIONS_FILE = Path(__file__).resolve().parent / "data" / "regions.json"


class RegionError(ValueError):
    """A region this stack cannot be deployed to; the message says why and what to use instead."""


@dataclass(frozen=True)
class Zone:
    name: str
    id: str


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    partition: str
    eks: bool
    fargate: bool
    zones: tuple[Zone, ...]

    @property
    def usable_zones(self) -> tuple[Zone, ...]:
        """The zones an EKS cluster's subnets may be in."""
        return tuple(zone for zone in self.zones if zone.id not in eks_excluded_zone_ids())


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REGIONS_FILE.read_text())
    return data


@cache
def all_regions() -> dict[str, Region]:
    regions = {}
    for code, entry in _data()["regions"].items():
        regions[code] = Region(
            code=code,
            name=entry["name"],
            partition=entry["partition"],
            eks=entry["eks"],
            fargate=entry["fargate"],
            zones=tuple(Zone(zone["name"], zone["id"]) for zone in entry["zones"]),
        )
    return regions


def supported_codes() -> list[str]:
    return sorted(code for code, region in all_regions().items() if region.partition in _data()["supportedPartitions"])


def eks_excluded_zone_ids() -> list[str]:
    """Zone ids EKS places no control plane in (cluster subnets there fail to create)."""
    return list(_data()["eksExcludedZoneIds"])


def supported_region(code: str) -> Region:
    """The region named `code`, if this stack can be deployed there; RegionError otherwise."""
    region = all_regions().get(code)
    if region is None:
        hint = nearest(code)
        suggestion = f"did you mean {' or '.join(repr(c) for c in hint)}? " if hint else ""
        raise RegionError(f"{suggestion}regions with zone data in eksfargate/data/regions.json: {supported_codes()}")
    unsupported = _data()["unsupportedPartitions"].get(region.partition)
    if unsupported:
        raise RegionError(
            f"{region.name} is in the {region.partition} partition, which this stack does not support: {unsupported}"
        )
    if not (region.eks and region.fargate):
        raise RegionError(f"EKS on Fargate is not offered in {region.name}")
    return region


def nearest(text: str) -> list[str]:
    """Region codes a mistyped `text` probably meant: close spellings, or a city in the region's name."""
    codes = supported_codes()
    by_city = [code for code in codes if text.strip() and text.strip().lower() in all_regions()[code].name.lower()]
    return by_city or difflib.get_close_matches(text.strip().lower(), codes, n=3, cutoff=0.6)
