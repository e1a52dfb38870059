"""Issue 17: every region where EKS offers Fargate, and zones pinned by id.

Red first: the eu-central-1 name/id pairing, the sa-east-1 typo hint and the refusal of regions
without zone data failed before the fix.
"""

import json

import pytest
from pulumi.runtime.mocks import MockCallArgs

from eksfargate import regions
from eksfargate.settings import SettingsError
from offline.harness import StackMocks, record, zone_placeholder
from tests.recordings import recorded
from tests.stackfacts import EKS_CLUSTER, PINNED_DEV, STACKS_DIR, SUBNET

DATA = json.loads(regions.REGIONS_FILE.read_text())
PINNED_ZONES = STACKS_DIR / "Pulumi.pinned-zones.yaml"
ZONE_ID_NAMES = STACKS_DIR / "Pulumi.zone-id-names.yaml"
SAO_PAULO = STACKS_DIR / "Pulumi.sao-paulo.yaml"


def zones_answer(region, **query):
    return StackMocks(region).call(MockCallArgs("aws:index/getAvailabilityZones:getAvailabilityZones", query, ""))


# ---------------------------------------------------------------- the region list


def test_eu_central_1_pairs_names_with_the_ids_aws_gives_not_in_letter_order():
    frankfurt = {zone.id: zone.name for zone in regions.supported_region("eu-central-1").zones}
    assert frankfurt == {"euc1-az2": "eu-central-1a", "euc1-az3": "eu-central-1b", "euc1-az1": "eu-central-1c"}


def test_the_region_list_is_every_commercial_eks_region_of_the_pinned_botocore():
    assert "botocore 1.44.8" in DATA["regionListSource"] and DATA["fargateSource"]
    commercial = {code for code, entry in DATA["regions"].items() if entry["partition"] == "aws"}
    assert len(commercial) == 34 and set(regions.supported_codes()) == commercial
    for code in ("sa-east-1", "ap-northeast-1", "ap-southeast-1", "ap-southeast-2", "ap-south-1", "eu-west-2", "eu-north-1"):
        assert code in commercial
    for code, entry in DATA["regions"].items():
        assert entry["source"] and entry["zonesSource"] and entry["zoneMappingSource"], code
        assert entry["zoneMapping"] in ("uniform", "per-account", "unknown"), code
        if entry["zones"] is None:
            assert "not" in entry["zonesSource"], code  # says it was not read


def test_names_are_recorded_only_where_the_mapping_is_the_same_in_every_account():
    for code in regions.supported_codes():
        region = regions.supported_region(code)
        if region.zone_mapping != regions.UNIFORM:
            assert all(zone.name is None for zone in region.zones or ()), code


@pytest.mark.parametrize("region", ["sa-east-1", "ap-northeast-1", "eu-west-2", "ap-southeast-2"])
def test_a_real_commercial_region_is_accepted_with_no_typo_hint(region):
    found = regions.supported_region(region)
    assert found.code == region and found.eks and found.fargate


def test_sao_paulo_plans_with_its_zones_pinned_by_id():
    recording = recorded("sao-paulo", stack_file=SAO_PAULO)

    assert recording.error is None
    names = sorted(s.name for s in recording.of_type(SUBNET))
    assert names == sorted(f"network-{kind}-sae1-az{i}" for kind in ("private", "public") for i in (1, 2, 3))
    assert {s.inputs["availabilityZone"] for s in recording.of_type(SUBNET)} == {
        zone_placeholder(f"sae1-az{i}") for i in (1, 2, 3)
    }


@pytest.mark.parametrize(
    "region,present,absent",
    [
        ("sa-east1", "no AWS region is named 'sa-east1'; did you mean 'sa-east-1'", "is a real region"),
        ("Stockholm", "did you mean 'eu-north-1'?", "is a real region"),
        ("us-gov-east-1", "is a real region, in the aws-us-gov partition", "did you mean"),
        ("us-iso-east-1", "is a real region, in the aws-iso partition", "did you mean"),
        ("eusc-de-east-1", "is a real region, in the aws-eusc partition", "did you mean"),
    ],
)
def test_a_misspelt_region_gets_names_and_a_real_unsupported_one_gets_the_reason(region, present, absent):
    recording = record("dev", overrides={"aws:region": region}, stack_file=PINNED_DEV)

    assert isinstance(recording.error, SettingsError) and recording.resources == []
    assert present in str(recording.error) and absent not in str(recording.error)


# ---------------------------------------------------------------- zones pinned by id


def test_pinning_a_running_stack_to_its_zones_plans_the_same_resources(dev):
    today = dev
    pinned = recorded("dev", stack_file=PINNED_ZONES)  # the same stack, its zones now pinned

    assert pinned.error is None
    assert sorted((r.type, r.name) for r in pinned.resources) == sorted((r.type, r.name) for r in today.resources)

    def inputs(recording):
        return {(r.type, r.name): json.dumps(r.inputs, sort_keys=True, default=str) for r in recording.resources}

    assert inputs(pinned) == inputs(today)
    assert {s.inputs["availabilityZone"] for s in pinned.of_type(SUBNET)} == {f"ap-northeast-2{x}" for x in "abc"}


def test_new_stacks_name_per_zone_resources_by_zone_id_and_place_them_by_the_lookup():
    recording = recorded("zone-id-names", stack_file=ZONE_ID_NAMES)

    assert recording.error is None
    private = sorted((s.name, s.inputs["cidrBlock"]) for s in recording.of_type(SUBNET) if not s.inputs["mapPublicIpOnLaunch"])
    # In the ids' order: the first eighth goes to use1-az4, the second to use1-az6, the third to use1-az1.
    assert private == [
        ("network-private-use1-az1", "10.20.64.0/19"),
        ("network-private-use1-az4", "10.20.0.0/19"),
        ("network-private-use1-az6", "10.20.32.0/19"),
    ]
    # us-east-1 names zones per account: the offline plan says which id, never which name.
    assert {s.inputs["availabilityZone"] for s in recording.of_type(SUBNET)} == {
        zone_placeholder(z) for z in ("use1-az4", "use1-az6", "use1-az1")
    }


def test_the_pinned_lookup_filters_by_the_ids_only():
    answer = zones_answer("ap-northeast-2", filters=[{"name": "zone-id", "values": ["apne2-az3", "apne2-az1"]}])
    assert answer["zoneIds"] == ["apne2-az1", "apne2-az3"]
    assert answer["names"] == ["ap-northeast-2a", "ap-northeast-2c"]
    frankfurt = zones_answer("eu-central-1", filters=[{"name": "zone-id", "values": ["euc1-az1"]}])
    assert frankfurt["names"] == ["eu-central-1c"]


def test_where_names_vary_per_account_the_offline_zones_are_id_placeholders():
    answer = zones_answer("us-east-1", excludeZoneIds=["use1-az3"])
    assert answer["zoneIds"] == ["use1-az1", "use1-az2", "use1-az4", "use1-az5", "use1-az6"]
    assert answer["names"] == [zone_placeholder(z) for z in answer["zoneIds"]]
    sao_paulo = zones_answer("sa-east-1")  # also mapped per account (AWS's 'AZ IDs' page)
    assert sao_paulo["names"] == [zone_placeholder(f"sae1-az{n}") for n in (1, 2, 3)]


@pytest.mark.parametrize(
    "ids,message",
    [
        (["use1-az1", "apne2-az2"], "'use1-az1': use1-az1 is a zone of us-east-1, not of ap-northeast-2"),
        (["apne2-az1", "apne2-az9"], "'apne2-az9': a zone id of ap-northeast-2: one of ['apne2-az1'"),
        (["apne2-az1", "ap-northeast-2b"], "zone ids, not names such as ap-northeast-2a"),
        (["apne2-az1"], "2 to 6 distinct availability zone ids"),
        (["apne2-az1", "apne2-az1"], "2 to 6 distinct availability zone ids"),
    ],
)
def test_a_bad_zone_id_is_a_settings_error_naming_the_key(ids, message):
    recording = record("dev", overrides={"availabilityZoneIds": ids}, stack_file=PINNED_DEV)

    assert isinstance(recording.error, SettingsError) and recording.resources == []
    assert "config key 'eks-fargate:availabilityZoneIds' has invalid value" in str(recording.error)
    assert message in str(recording.error)


def test_an_excluded_zone_is_refused_for_the_cluster_subnets():
    overrides = {"aws:region": "us-east-1", "availabilityZoneIds": ["use1-az1", "use1-az3"]}
    recording = record("dev", overrides=overrides, stack_file=PINNED_DEV)

    assert isinstance(recording.error, SettingsError)
    assert "'use1-az3': EKS places no control plane in use1-az3" in str(recording.error)


def test_a_zone_fargate_does_not_run_pods_in_is_refused_for_the_pod_subnets():
    # apne1-az3 is a zone of ap-northeast-1 (AWS's zone table), but not one of Fargate's.
    overrides = {"aws:region": "ap-northeast-1", "availabilityZoneIds": ["apne1-az1", "apne1-az3"]}
    recording = record("dev", overrides=overrides, stack_file=PINNED_DEV)

    assert isinstance(recording.error, SettingsError)
    assert "'apne1-az3': Fargate runs pods in ap-northeast-1 only in" in str(recording.error)


@pytest.mark.parametrize(
    "ids,message",
    [
        # us-west-1 has usw1-az1..az3; Fargate's usw1-az1 and usw1-az3 are the two EKS does not exclude.
        (["usw1-az1", "usw1-az2"], "'usw1-az2': EKS places no control plane in usw1-az2"),
        (["usw1-az1", "usw1-az4"], "'usw1-az4': a zone id of us-west-1: one of ['usw1-az1', 'usw1-az2', 'usw1-az3']"),
    ],
)
def test_us_west_1_takes_its_two_zones_eks_and_fargate_share(ids, message):
    recording = record("dev", overrides={"aws:region": "us-west-1", "availabilityZoneIds": ids}, stack_file=PINNED_DEV)
    assert isinstance(recording.error, SettingsError) and message in str(recording.error)

    both = recorded(
        "dev", overrides={"aws:region": "us-west-1", "availabilityZoneIds": ["usw1-az3", "usw1-az1"]}, stack_file=PINNED_DEV
    )
    assert both.error is None


def test_zone_id_names_need_the_ids():
    recording = record("dev", overrides={"perZoneNames": "zoneId"}, stack_file=PINNED_DEV)
    assert isinstance(recording.error, SettingsError) and "eks-fargate:perZoneNames" in str(recording.error)


def test_the_zone_count_cannot_disagree_with_the_pinned_ids():
    recording = record("pinned-zones", overrides={"availabilityZoneCount": 2}, stack_file=PINNED_ZONES)
    assert isinstance(recording.error, SettingsError) and "with availabilityZoneIds set" in str(recording.error)


# ---------------------------------------------------------------- the support type


@pytest.mark.parametrize("support_type", ["STANDARD", "EXTENDED"])
def test_the_support_type_is_the_clusters_upgrade_policy(support_type):
    recording = recorded("dev", overrides={"supportType": support_type}, stack_file=PINNED_DEV)
    (cluster,) = recording.of_type(EKS_CLUSTER)
    assert cluster.inputs["upgradePolicy"] == {"supportType": support_type}


def test_a_support_type_eks_does_not_know_is_refused():
    recording = record("dev", overrides={"supportType": "standard"}, stack_file=PINNED_DEV)
    assert isinstance(recording.error, SettingsError)
    assert "config key 'eks-fargate:supportType' has invalid value 'standard': one of ['EXTENDED', 'STANDARD']" in str(
        recording.error
    )
