"""The ELB access-log principal per region (eksfargate/facts/elb_access_logs.py) covers every supported region."""

import json
import re
from pathlib import Path

import pytest

from eksfargate import regions
from eksfargate.facts import elb_access_logs

DATA = json.loads(regions.REGIONS_FILE.read_text())


def test_every_supported_region_resolves_to_one_documented_principal():
    supported = regions.supported_codes()
    assert len(supported) == 34
    for code in supported:
        principal = elb_access_logs.log_delivery_principal(code)
        legacy = elb_access_logs.LEGACY_ELB_ACCOUNT_IDS.get(code)
        expected = {"AWS": f"arn:aws:iam::{legacy}:root"} if legacy else {"Service": elb_access_logs.SERVICE_PRINCIPAL}
        assert principal == expected, code


def test_the_module_knows_no_region_the_project_does_not_list_and_splits_them_cleanly():
    assert not set(elb_access_logs.LEGACY_ELB_ACCOUNT_IDS) & elb_access_logs.SERVICE_PRINCIPAL_REGIONS
    assert elb_access_logs.known_regions() == set(regions.supported_codes())


def test_account_ids_are_twelve_digits_distinct_and_give_root_arns_in_the_aws_partition():
    ids = list(elb_access_logs.LEGACY_ELB_ACCOUNT_IDS.values())
    assert len(ids) == 22 and len(set(ids)) == len(ids)
    for code, account in elb_access_logs.LEGACY_ELB_ACCOUNT_IDS.items():
        assert re.fullmatch(r"\d{12}", account), code
        assert elb_access_logs.log_delivery_principal(code) == {"AWS": f"arn:aws:iam::{account}:root"}


def test_regions_the_guide_names_as_opened_after_august_2022_use_the_service_principal():
    # "Regions available as of August 2022 or later": Hyderabad, Melbourne, Spain, Zurich, UAE.
    for code in ("ap-south-2", "ap-southeast-4", "eu-south-2", "eu-central-2", "me-central-1"):
        assert elb_access_logs.log_delivery_principal(code) == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
    # and every region after them is absent from the legacy list ("do not support the legacy policy").
    for code in elb_access_logs.LATER_SERVICE_PRINCIPAL_REGIONS:
        assert "Service" in elb_access_logs.log_delivery_principal(code), code


def test_the_region_names_match_the_names_the_region_list_gives():
    source = Path(elb_access_logs.__file__).read_text(encoding="utf-8")
    for code in elb_access_logs.known_regions():
        comment = re.search(rf'"{code}"[^#\n]*#\s*(.+)', source)
        assert comment, code
        expected = DATA["regions"][code]["name"].replace("Sao Paulo", "São Paulo")
        assert comment.group(1).strip() == expected, code


@pytest.mark.parametrize("region", ["us-gov-west-1", "cn-north-1", "eusc-de-east-1", "xx-nowhere-1", ""])
def test_an_unknown_region_raises_naming_it(region):
    with pytest.raises(KeyError, match=re.escape(repr(region))):
        elb_access_logs.log_delivery_principal(region)


def test_principals_list_the_service_principal_first_and_the_legacy_account_where_there_is_one():
    assert elb_access_logs.log_delivery_principals("us-east-1") == [
        {"Service": elb_access_logs.SERVICE_PRINCIPAL},
        {"AWS": "arn:aws:iam::127311923021:root"},
    ]
    assert elb_access_logs.log_delivery_principals("ca-west-1") == [{"Service": elb_access_logs.SERVICE_PRINCIPAL}]
