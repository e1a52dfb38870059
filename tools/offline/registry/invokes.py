"""The invokes (data sources) the programs call, and what AWS would answer them."""

from __future__ import annotations

import hashlib
from typing import Any

from eksfargate.facts.resource_types import GET_CALLER_IDENTITY, GET_HOSTED_ZONE, GET_LOAD_BALANCER_HOSTED_ZONE_ID
from eksfargate.regions import RegionError, supported_region
from offline.registry.entry import MOCK_ACCOUNT_ID, Invoke
from offline.unknowns import placeholder, zone_placeholder


def _zones(query: dict[str, Any], region_name: str) -> dict[str, Any]:
    """`getAvailabilityZones` as AWS would answer it, from data/regions.json, never made up.

    Zone ids are the recorded ones, or, where a region's ids were not read, the ids the stack
    pins (a zone-id filter). A zone's name is given only where the region maps names to ids
    the same way in every account and the pairing is recorded; elsewhere it is the placeholder
    {{AvailabilityZone:<zone id>.name}}, since another account names that zone differently.
    Every recorded zone is a standard one (opt-in-not-required), so the opt-in filter keeps all.
    """
    try:
        region = supported_region(region_name)
    except RegionError as exc:
        raise NotImplementedError(f"no offline zones for region {region_name!r}: {exc}") from None
    wanted: set[str] | None = None
    for flt in query.get("filters") or []:
        if flt.get("name") == "zone-id":
            values = set(flt.get("values") or [])
            wanted = values if wanted is None else wanted & values
    if region.zones is not None:
        ids = [zone.id for zone in region.zones]
    elif wanted is not None:
        ids = sorted(wanted)
    else:
        raise NotImplementedError(
            f"no offline zones for region {region_name!r}: its zone ids are not recorded in eksfargate/data/regions.json; "
            "pin the stack's zones with availabilityZoneIds (aws ec2 describe-availability-zones --region "
            f"{region_name})"
        )
    excluded = set(query.get("excludeZoneIds") or [])
    kept = [zone_id for zone_id in ids if zone_id not in excluded and (wanted is None or zone_id in wanted)]
    names = {zone.id: zone.name for zone in region.zones or ()} if region.names_known else {}
    return {
        "names": [names.get(zone_id) or zone_placeholder(zone_id) for zone_id in kept],
        "zoneIds": kept,
        "id": region_name,
    }


def _hosted_zone(arguments: dict[str, Any], _region: str) -> dict[str, Any]:
    name = arguments["name"]
    zone_id = "Z" + hashlib.sha256(name.encode()).hexdigest()[:13].upper()
    return {"name": name, "zoneId": zone_id, "id": zone_id, "privateZone": False}


def _load_balancer_zone(_arguments: dict[str, Any], region: str) -> dict[str, Any]:
    zone_id = "Z" + hashlib.sha256(f"{region}/application".encode()).hexdigest()[:13].upper()
    return {"id": zone_id, "loadBalancerType": "application", "region": region}


_IDENTITY = ("accountId", "arn", "userId", "id")

INVOKES = (
    Invoke("aws:index/getAvailabilityZones:getAvailabilityZones", _zones),
    Invoke(
        GET_CALLER_IDENTITY,
        lambda _arguments, _region: {
            "accountId": MOCK_ACCOUNT_ID,
            "arn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:user/offline",
            "userId": "AIDAOFFLINE",
            "id": MOCK_ACCOUNT_ID,
        },
        preview=lambda _arguments: {key: placeholder("getCallerIdentity", key) for key in _IDENTITY},
    ),
    Invoke(
        "aws:index/getPartition:getPartition",
        lambda _arguments, _region: {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"},
    ),
    Invoke(
        GET_HOSTED_ZONE,
        _hosted_zone,
        preview=lambda arguments: {key: placeholder(f"getZone:{arguments['name']}", key) for key in ("zoneId", "id")},
    ),
    Invoke(
        GET_LOAD_BALANCER_HOSTED_ZONE_ID,
        _load_balancer_zone,
        preview=lambda _arguments: {"id": placeholder("getHostedZoneId:application", "id")},
    ),
)
