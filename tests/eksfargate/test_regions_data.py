"""The zone data of eksfargate/data/regions.json holds together: every supported region's zone ids,
how it maps names to them, the names only where they mean the same zone in every account, and
EKS's and Fargate's zone limits naming zones the file has."""

import json
import re

import pytest

from eksfargate import regions
from offline.harness import record, zone_placeholder
from tests.stackfacts import PINNED_DEV, SUBNET

DATA = json.loads(regions.REGIONS_FILE.read_text())
SUPPORTED = regions.supported_codes()
AZ_PAGE = "https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.md"
AZ_IDS_PAGE = "https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.md"
# AWS's 'AZ IDs' page, 'Regions with independently mapped Availability Zones' (the commercial ones).
PER_ACCOUNT = {
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "eu-west-1",
    "sa-east-1",
}


def prefix(code: str) -> str:
    """A region's zone-id prefix: us-east-1 -> use1, ap-northeast-2 -> apne2, ca-west-1 -> caw1."""
    area, direction, number = code.split("-")
    short = {"northeast": "ne", "southeast": "se", "northwest": "nw", "southwest": "sw"}.get(direction, direction[0])
    return f"{area}{short}{number}"


@pytest.mark.parametrize("code", SUPPORTED)
def test_every_zone_id_of_a_region_is_its_prefix_az_and_a_number(code):
    region = regions.supported_region(code)
    assert region.zones is not None, code
    assert len(region.zones) >= 3, code  # 'Each Region has at least three Availability Zones'
    assert all(re.fullmatch(rf"{prefix(code)}-az[1-9]", zone.id) for zone in region.zones), code
    assert len(set(region.zone_ids)) == len(region.zone_ids), code


def test_zone_ids_and_prefixes_are_unique_across_regions():
    ids = [zone_id for code in SUPPORTED for zone_id in regions.supported_region(code).zone_ids]
    assert len(ids) == len(set(ids))
    assert all(
        regions.region_of_zone_id(zone_id) == code for code in SUPPORTED for zone_id in regions.supported_region(code).zone_ids
    )
    assert len({prefix(code) for code in SUPPORTED}) == len(SUPPORTED)


def test_every_supported_region_says_how_it_maps_names_and_the_per_account_ones_are_awss_list():
    mappings = {code: regions.supported_region(code).zone_mapping for code in SUPPORTED}
    assert set(mappings.values()) == {"uniform", "per-account"}
    assert {code for code, mapping in mappings.items() if mapping == "per-account"} == PER_ACCOUNT
    for code in SUPPORTED:
        entry = DATA["regions"][code]
        assert AZ_IDS_PAGE in entry["zoneMappingSource"] and AZ_PAGE in entry["zonesSource"], code


@pytest.mark.parametrize("code", SUPPORTED)
def test_names_only_where_the_mapping_is_uniform_all_or_none_and_each_absence_says_why(code):
    region = regions.supported_region(code)
    source = DATA["regions"][code]["zonesSource"]
    names = [zone.name for zone in region.zones if zone.name]
    if region.zone_mapping != regions.UNIFORM:
        assert names == [] and "per account" in source, code
        assert not region.names_known
    elif names:
        assert len(names) == len(region.zones) and region.names_known, code
        assert all(re.fullmatch(rf"{code}[a-z]", name) for name in names) and len(set(names)) == len(names), code
        assert "names" in source and "names: not recorded" not in source, code  # where the names were read
    else:
        assert "names: not recorded" in source and not region.names_known, code


def test_the_regions_with_names_are_the_ones_whose_pairing_was_read():
    named = {code for code in SUPPORTED if regions.supported_region(code).names_known}
    assert named == {"ap-northeast-2", "eu-central-1", "eu-west-3", "us-east-2"}
    ohio = {zone.id: zone.name for zone in regions.supported_region("us-east-2").zones}
    assert ohio == {"use2-az1": "us-east-2a", "use2-az2": "us-east-2b", "use2-az3": "us-east-2c"}  # AWS's example output


def test_fargates_zones_are_zones_of_their_region_and_the_eks_exclusions_name_supported_regions():
    for code, ids in DATA["fargateZoneIds"].items():
        assert set(ids) < set(regions.supported_region(code).zone_ids), code
    by_prefix = {prefix(code): code for code in SUPPORTED}
    for zone_id in regions.eks_excluded_zone_ids():
        assert zone_id.rsplit("-az", 1)[0] in by_prefix, zone_id
    # cac1-az3 is excluded by EKS, and AWS's zone table no longer lists it for ca-central-1.
    assert "cac1-az3" not in regions.supported_region("ca-central-1").zone_ids


@pytest.mark.parametrize("code", SUPPORTED)
def test_every_supported_region_has_two_zones_both_the_cluster_and_fargate_can_use(code):
    region = regions.supported_region(code)
    fargate = region.fargate_zone_ids()
    both = [zone.id for zone in region.usable_zones if fargate is None or zone.id in fargate]
    assert len(both) >= 2, code
    if code == "us-west-1":
        assert both == ["usw1-az1", "usw1-az3"]


def test_the_dev_stack_plans_in_a_region_whose_names_were_not_read_with_its_zones_named_by_id():
    recording = record("dev", overrides={"aws:region": "eu-north-1"}, stack_file=PINNED_DEV)

    assert recording.error is None
    zones = {s.inputs["availabilityZone"] for s in recording.of_type(SUBNET)}
    assert zones == {zone_placeholder(f"eun1-az{n}") for n in (1, 2, 3)}
