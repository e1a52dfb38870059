"""Regions and zones are real: eksfargate/data/regions.json, the region check, the zone count, the offline zones."""

import json
import re
from dataclasses import replace

import pytest
from pulumi.runtime.mocks import MockCallArgs

from eksfargate import regions
from eksfargate.estimate import PRICES_FILE
from eksfargate.settings import SettingsError
from offline.harness import PROJECT_DIR, StackMocks, record, stack_config, zone_placeholder
from teams.__main__ import main as teams_main
from tests.stackfacts import PINNED_DEV, SUBNET

DATA = json.loads(regions.REGIONS_FILE.read_text())


def test_every_region_names_where_each_fact_comes_from():
    assert DATA["checked"] and DATA["regionListSource"] and DATA["fargateSource"] and DATA["eksExcludedZoneIdsSource"]
    assert DATA["fargateZoneIdsSource"]
    for code, entry in DATA["regions"].items():
        for fact in ("zones", "zoneMapping"):
            assert entry[f"{fact}Source"], (code, fact)
        assert entry["source"], code


def test_the_supported_regions_have_real_looking_zones_and_the_committed_stacks_regions_are_there():
    for code in regions.supported_codes():
        region = regions.supported_region(code)
        if region.zones is None:
            continue  # not read: data/regions.json says so (tests/eksfargate/test_zones.py)
        assert len(region.usable_zones) >= 2, code
        # AZ ids are the region's short form (us-east-1 -> use1, ap-northeast-2 -> apne2), -az and a number.
        area, direction, number = code.split("-")
        short = {"northeast": "ne", "southeast": "se", "northwest": "nw", "southwest": "sw"}.get(direction, direction[0])
        assert all(re.fullmatch(rf"{area}{short}{number}-az[1-9]", zone.id) for zone in region.zones), code
        named = [zone.name for zone in region.zones if zone.name]
        assert all(name[:-1] == code and name[-1].isalpha() for name in named), code
        assert len({z.id for z in region.zones}) == len(region.zones) and len(set(named)) == len(named)
    used = {
        stack_config(path.name.removeprefix("Pulumi.").removesuffix(".yaml"))["aws:region"]
        for path in PROJECT_DIR.glob("Pulumi.*.yaml")
    }
    assert used <= set(regions.supported_codes())


@pytest.mark.parametrize(
    "region,message",
    [
        ("ap-northeast2", "did you mean 'ap-northeast-2' or"),
        ("Seoul", "did you mean 'ap-northeast-2'?"),
        ("us-east1", "did you mean 'us-east-1' or"),
        ("mars-1", "the regions EKS on Fargate runs in (eksfargate/data/regions.json): ["),
        ("us-gov-west-1", "EKS on Fargate is not offered in GovCloud"),
        ("cn-north-1", "in the aws-cn partition, which this stack does not support"),
    ],
)
def test_a_region_the_stack_cannot_use_fails_before_any_resource(region, message):
    recording = record("dev", overrides={"aws:region": region}, stack_file=PINNED_DEV)

    assert isinstance(recording.error, SettingsError)
    assert f"config key 'aws:region' has invalid value {region!r}" in str(recording.error)
    assert message in str(recording.error)
    assert recording.resources == []


def test_five_zones_in_a_four_zone_region_is_a_settings_error():
    recording = record("dev", overrides={"availabilityZoneCount": 5}, stack_file=PINNED_DEV)  # ap-northeast-2

    assert isinstance(recording.error, SettingsError)
    assert "invalid value 5: at most 4: ap-northeast-2 has 4 zones an EKS cluster can use" in str(recording.error)
    assert recording.resources == []


def test_the_zone_eks_excludes_does_not_count():
    # us-east-1 has six zones; EKS uses five of them (not use1-az3).
    refused = record("dev", overrides={"aws:region": "us-east-1", "availabilityZoneCount": 6}, stack_file=PINNED_DEV)
    assert isinstance(refused.error, SettingsError) and "at most 5" in str(refused.error)

    accepted = record("dev", overrides={"aws:region": "us-east-1", "availabilityZoneCount": 5}, stack_file=PINNED_DEV)
    assert accepted.error is None
    zones = {s.inputs["availabilityZone"] for s in accepted.of_type(SUBNET)}
    # us-east-1 names its zones per account: the offline plan names them by id.
    assert zones == {zone_placeholder(f"use1-az{n}") for n in (1, 2, 4, 5, 6)}


def test_the_offline_zones_are_the_files_and_never_made_up():
    def zones(region, excluded=()):
        args = MockCallArgs("aws:index/getAvailabilityZones:getAvailabilityZones", {"excludeZoneIds": list(excluded)}, "")
        return StackMocks(region).call(args)

    seoul = zones("ap-northeast-2", ["apne2-az2"])
    assert seoul["zoneIds"] == ["apne2-az1", "apne2-az3", "apne2-az4"]
    assert seoul["names"] == ["ap-northeast-2a", "ap-northeast-2c", "ap-northeast-2d"]
    # Stockholm maps names the same way in every account, but no first-party source pairing them
    # was read: its recorded ids, named by id.
    stockholm = zones("eu-north-1")
    assert stockholm["zoneIds"] == ["eun1-az1", "eun1-az2", "eun1-az3"]
    assert stockholm["names"] == [zone_placeholder(f"eun1-az{n}") for n in (1, 2, 3)]


def test_a_region_whose_zone_ids_are_not_recorded_plans_only_with_pinned_ids(monkeypatch):
    # Every supported region has its ids recorded today; a region added to the file without them
    # (a new AWS region) must not get made-up zones.
    recorded = regions.all_regions()
    monkeypatch.setattr(regions, "all_regions", lambda: {**recorded, "eu-north-1": replace(recorded["eu-north-1"], zones=None)})
    token = "aws:index/getAvailabilityZones:getAvailabilityZones"

    with pytest.raises(NotImplementedError, match="no offline zones for region 'eu-north-1'.*pin the stack's zones"):
        StackMocks("eu-north-1").call(MockCallArgs(token, {}, ""))
    pinned = StackMocks("eu-north-1").call(MockCallArgs(token, {"filters": [{"name": "zone-id", "values": ["eun1-az2"]}]}, ""))
    assert pinned["zoneIds"] == ["eun1-az2"] and pinned["names"] == [zone_placeholder("eun1-az2")]


@pytest.mark.parametrize("region,message", [("ap-northeast2", "did you mean 'ap-northeast-2' or"), ("us-gov-east-1", "GovCloud")])
def test_teams_new_validates_the_region_the_same_way(tmp_path, capsys, region, message):
    (tmp_path / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())

    assert teams_main(["--project-dir", str(tmp_path), "new", "ops", "--region", region]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --region {region!r}: ") and message in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Pulumi.yaml"]


def test_every_priced_region_is_a_supported_region():
    assert set(json.loads(PRICES_FILE.read_text())["regions"]) <= set(regions.supported_codes())
