"""Issue 17 §3: a price for every figure in every supported region, or the reason there is none; the
estimate of a region with a figure missing prices the rest and says what it left out."""

import json
import re
from decimal import Decimal

import pytest

from cost.__main__ import main as cost_main
from cost.build_prices import AWS_URL, build, usd_text
from eksfargate import regions
from eksfargate.estimate import FIGURES, PRICES_FILE, compute_cost, estimate, from_plan, load_prices, render, unpriced_figures
from eksfargate.footprint import Footprint
from offline.harness import PROJECT_DIR
from offline.plan import from_recording as plan_of
from tests.recordings import recorded
from tests.stackfacts import PINNED_DEV

D = Decimal
DATA = json.loads(PRICES_FILE.read_text())
SUPPORTED = regions.supported_codes()


def data_transcriptions() -> dict:
    return json.loads((PROJECT_DIR / DATA["albTranscriptions"]["file"]).read_text())


def fully_priced(code: str) -> bool:
    return not unpriced_figures(DATA, code)


# ---------------------------------------------------------------- the table


def test_the_walkthrough_example_is_us_east_1s_price():
    """$0.04048 per vCPU-hour and $0.004445 per GB-hour: 0.25 vCPU and 0.5 GB for an hour is $0.01234."""
    us_east = load_prices("us-east-1")

    assert (us_east.fargate_vcpu_hour, us_east.fargate_gb_hour) == (D("0.04048"), D("0.004445"))
    hour = compute_cost(D("0.25"), D("0.5"), D(1), us_east.fargate_vcpu_hour, us_east.fargate_gb_hour)
    assert round(hour, 5) == D("0.01234")


def test_every_supported_region_has_every_price_or_says_why_not():
    assert list(DATA["regions"]) == SUPPORTED
    listed = [(code, key) for entry in DATA["unpriced"]["entries"] for code in entry["regions"] for key in entry["figures"]]
    assert len(listed) == len(set(listed)), "a figure listed twice"
    for entry in DATA["unpriced"]["entries"]:
        assert entry["reason"] and set(entry["figures"]) <= set(FIGURES) and set(entry["regions"]) <= set(SUPPORTED)
    for code in SUPPORTED:
        figures, unpriced = DATA["regions"][code], unpriced_figures(DATA, code)
        assert figures["name"] == regions.supported_region(code).name, code
        for key in FIGURES:
            # One or the other: a price, or the reason there is none (never both).
            assert (key in figures) != (key in unpriced), (code, key)
        prices = load_prices(code)
        assert {key for key, (attribute, _) in FIGURES.items() if getattr(prices, attribute) is None} == set(unpriced)


def test_the_built_figures_name_the_aws_file_its_date_and_the_offers_rate_code():
    files = DATA["dataFiles"]
    assert all(f["url"].startswith("https://") and f["copy"].startswith("https://") and f["published"] for f in files.values())
    built = [
        (code, key, figure)
        for code, entry in DATA["regions"].items()
        for key, figure in entry.items()
        if key != "name" and figure["source"].startswith(AWS_URL.split("{")[0])
    ]
    assert built, "no figure from the AWS data files"
    for code, key, figure in built:
        # The offer's rate code: SKU, on-demand term, price dimension (a tiered price names its tier's).
        assert re.search(r"rate code [0-9A-Z]{16}\.JRTCKXETXF\.[0-9A-Z]{10} ", figure["source"]), (code, key)
        name = figure["source"].split("copy read: dataFiles.", 1)[1].split(".", 1)[0].split(";", 1)[0]
        assert figure["sourceDate"] == files[name]["published"][:10], (code, key)


def test_some_built_figures_as_the_aws_files_give_them():
    """Paris's Fargate, the extended-support total (standard + extended), Sao Paulo's NAT gateway."""
    paris, virginia = load_prices("eu-west-3"), load_prices("us-east-1")
    assert (paris.fargate_vcpu_hour, paris.fargate_gb_hour) == (D("0.0486"), D("0.0053"))
    assert virginia.eks_extended_support_cluster_hour == 6 * virginia.eks_cluster_hour == D("0.60")
    assert load_prices("sa-east-1").nat_gateway_hour == D("0.093")


# ---------------------------------------------------------------- a missing price, per item


def _prices_without(tmp_path, region: str, *keys: str, unpriced: bool = True):
    data = json.loads(PRICES_FILE.read_text())
    for key in keys:
        data["regions"][region].pop(key)
    data["unpriced"]["entries"] = [e for e in data["unpriced"]["entries"] if region not in e["regions"]]
    if unpriced:
        data["unpriced"]["entries"].append({"figures": list(keys), "regions": [region], "reason": "no source (a test)"})
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(data))
    return path


def test_a_missing_price_leaves_out_its_item_only_and_the_estimate_says_so(tmp_path):
    footprint = Footprint("us-east-1", 1, (), 1, 1, (), 0)
    whole = estimate(footprint, prices=load_prices("us-east-1"))
    prices = load_prices("us-east-1", _prices_without(tmp_path, "us-east-1", "natGatewayHour"))
    partial = estimate(footprint, prices=prices)

    assert whole.complete and not partial.complete
    assert [line.item for line in whole.lines if line.item != "NAT gateways"] == [line.item for line in partial.lines]
    assert partial.unpriced == ("no price for NAT gateway hour (natGatewayHour) in us-east-1: no source (a test)",)
    assert partial.total_usd == whole.total_usd - whole.by_category()["NAT"] + partial.by_category()["NAT"]
    text = render(partial)
    assert "total, priced items only" in text and "Not priced (1)" in text and "natGatewayHour" in text
    assert partial.to_dict()["unpriced"] == list(partial.unpriced)


def test_a_prices_file_changed_in_place_is_read_again(tmp_path):
    """load_prices parses a file once per path and content."""
    path = _prices_without(tmp_path, "us-east-1", unpriced=False)
    assert load_prices("us-east-1", path).nat_gateway_hour == load_prices("us-east-1").nat_gateway_hour
    _prices_without(tmp_path, "us-east-1", "natGatewayHour")
    assert load_prices("us-east-1", path).nat_gateway_hour is None


def test_a_missing_control_plane_or_fargate_price_is_named_too(tmp_path):
    prices = load_prices("us-east-1", _prices_without(tmp_path, "us-east-1", "eksClusterHour", "fargateGbHour"))
    result = from_plan(plan_of(recorded("dev", overrides={"aws:region": "us-east-1"}, stack_file=PINNED_DEV)), prices=prices)

    assert not any(line.category in ("EKS", "Fargate") for line in result.lines)
    assert [text.split(":")[0] for text in result.unpriced] == [
        "no price for Fargate GB-hour (fargateGbHour) in us-east-1",
        "no price for EKS control plane hour, standard support (eksClusterHour) in us-east-1",
    ]


def test_a_figure_neither_priced_nor_explained_is_an_error(tmp_path):
    with pytest.raises(ValueError, match=r"us-east-1 has neither a price nor an 'unpriced' reason for \['albHour'\]"):
        load_prices("us-east-1", _prices_without(tmp_path, "us-east-1", "albHour", unpriced=False))


# ---------------------------------------------------------------- the dev stack in every region


@pytest.mark.parametrize("region", SUPPORTED)
def test_a_copy_of_the_dev_stack_plans_with_a_cost_in_every_supported_region(region):
    # dev's three zones, or as many as the region has for an EKS cluster (us-west-1: 2).
    zones = min(3, len(regions.supported_region(region).usable_zones))
    # Made once per session (tests/recordings.py): dev's own region is the `dev` fixture's recording.
    recording = recorded("dev", overrides={"aws:region": region, "availabilityZoneCount": zones}, stack_file=PINNED_DEV)
    assert recording.error is None, recording.error
    result = from_plan(plan_of(recording))

    assert result.region == region and result.total_usd > 0
    assert {line.category for line in result.lines} >= {"Fargate", "EKS", "NAT", "IPv4", "KMS", "Logs"}
    if fully_priced(region):
        assert result.complete and "ALB" in result.by_category()
    else:
        # What the dev stack runs and the region has no price for: said, one sentence each, with the reason.
        missing = unpriced_figures(DATA, region)
        assert result.unpriced and all(f"in {region}: " in text for text in result.unpriced)
        assert {text.split("(", 1)[1].split(")", 1)[0] for text in result.unpriced} <= set(missing)


def test_the_cost_command_prices_a_region_with_a_figure_missing_and_lists_it(tmp_path, capsys):
    region = next((code for code in SUPPORTED if not fully_priced(code)), None)
    if region is None:
        pytest.skip("every supported region is fully priced")
    stack_file = tmp_path / "Pulumi.elsewhere.yaml"
    stack_file.write_text(PINNED_DEV.read_text().replace("ap-northeast-2", region))

    assert cost_main(["--stack", "elsewhere", "--stack-file", str(stack_file)]) == 0
    out = capsys.readouterr().out
    assert f": {region} (" in out and "Not priced (" in out
    assert all(f"({key}) in {region}: " in out for key in unpriced_figures(DATA, region) if key.startswith("alb"))


# ---------------------------------------------------------------- the builder


def _data_file(service_id: str, rows: dict[str, dict[str, str]]) -> dict:
    return {
        "manifest": {"serviceId": service_id, "hawkFilePublicationDate": "2025-10-28T18:47:40Z", "currencyCode": "USD"},
        "regions": {
            region: {
                key: {"rateCode": f"SKU{i}.JRTCKXETXF.6YS6EN2CT7", "price": price} for i, (key, price) in enumerate(row.items())
            }
            for region, row in rows.items()
        },
    }


def test_the_builder_reads_each_figure_from_the_aws_files_and_lists_what_none_gives(tmp_path):
    frankfurt = "EU (Frankfurt)"  # the files' name for botocore's "Europe (Frankfurt)"
    files = {
        "eks.json": {
            frankfurt: {
                "Fargate perCPU per hours": "0.0465600000",
                "Fargate perGB per hours": "0.0051100000",
                "Compute per Hours": "0.1000000000",
                "Compute ExtendedSupport per Hours": "0.5000000000",
            }
        },
        "ecs.json": {frankfurt: {"perCPU per hour": "0.0465600000", "perGB per hour": "0.0052000000"}},
        "natgateway.json": {
            frankfurt: {"Hourly charge for NAT Gateways": "0.052", "Charge for per GB data processed by NatGateways": "0.052"}
        },
        "vpc.json": {frankfurt: {"Hourly charge for In use Public IPv4 Addresses per Hrs": "0.005"}},
        "kms.json": {frankfurt: {"Encryption Key": "1.0000000000"}},
        "cloudwatch.json": {
            frankfurt: {"Logs Collected Data Ingestion": "0.63", "Stored Data": "0.0324", "Alarm Standard": "0.1000000000"},
            # Dashboards are global, like Route 53's zones.
            "Any": {"Dashboard Basic Dashboard": "3.0000000000", "Dashboard Basic Free upto 3 Dashboard": "0.0000000000"},
        },
        "s3.json": {
            frankfurt: {
                "Standard Storage First 50 TB per GB Mo": "0.0245000000",
                "Standard Storage Next 450 TB per GB Mo": "0.0235000000",
                "PUT COPY/POST or LIST requests per Requests": "0.0000054000",
            }
        },
        # Route 53 is global: its zone price is under the file's region "Any".
        "route53.json": {"Any": {"DNS Zone first 25": "0.5000000000", "DNS Zone": "0.1000000000"}},
    }
    for name, rows in files.items():
        (tmp_path / name).write_text(json.dumps(_data_file(name.removesuffix(".json"), rows)))
    kept = {"us-east-1": {"name": "US East (N. Virginia)", "kmsKeyMonth": {"usd": "2.00", "source": "by hand"}}}
    regions_data = json.loads(regions.REGIONS_FILE.read_text())["regions"]

    out, notes = build(
        tmp_path,
        {"regions": kept},
        regions_data,
        copy="https://example.invalid/{file}",
        checked="2026-12-03",
        fargate_check={"eu-central-1": (D("0.04656"), D("0.00511"))},
        fargate_check_source="https://example.invalid/fgcalc",
    )

    built = out["regions"]["eu-central-1"]
    assert {key: built[key]["usd"] for key in ("fargateVcpuHour", "eksExtendedSupportClusterHour", "natGatewayHour")} == {
        "fargateVcpuHour": "0.04656",
        "eksExtendedSupportClusterHour": "0.60",
        "natGatewayHour": "0.052",
    }
    assert built["fargateVcpuHour"]["sourceDate"] == "2025-10-28" and built["fargateVcpuHour"]["checked"] == "2026-12-03"
    assert "ecs.json (AmazonECS, Fargate for ECS tasks) gives the same" in built["fargateVcpuHour"]["source"]
    assert "gives 0.0052: EKS pods are billed at AmazonEKS's rate" in built["fargateGbHour"]["source"]
    assert "https://example.invalid/fgcalc agrees" in built["fargateGbHour"]["source"]
    # S3 Standard's first tier (not the next one), and a PUT, as the file gives them.
    assert (built["s3StandardStorageGbMonth"]["usd"], built["s3PutRequest"]["usd"]) == ("0.0245", "0.0000054")
    assert "'Standard Storage First 50 TB per GB Mo'" in built["s3StandardStorageGbMonth"]["source"]
    assert (
        built["cloudwatchAlarmStandardMonth"]["usd"] == "0.10"
        and "'Alarm Standard'" in built["cloudwatchAlarmStandardMonth"]["source"]
    )
    assert out["notIncluded"]["cloudwatchDashboardMonth"]["usd"] == "3.00"
    zone = out["notIncluded"]["route53HostedZoneMonth"]
    assert zone["usd"] == "0.50" and "region 'Any', 'DNS Zone first 25'" in zone["source"]
    assert "albHour" not in built and out["dataFiles"]["eks"]["copy"] == "https://example.invalid/eks.json"
    alb = next(entry for entry in out["unpriced"]["entries"] if "albHour" in entry["figures"])
    assert "eu-central-1" in alb["regions"] and "us-east-1" in alb["regions"]
    # A figure sourced by hand is kept; the builder does not overwrite it and has nothing to say (no file gives it here).
    assert out["regions"]["us-east-1"]["kmsKeyMonth"] == kept["us-east-1"]["kmsKeyMonth"] and notes == []
    assert list(out["regions"]) == SUPPORTED


def test_the_builder_takes_each_regions_alb_prices_from_its_own_transcription_and_extrapolates_none(tmp_path):
    for name in ("eks", "ecs", "natgateway", "vpc", "kms", "s3"):
        (tmp_path / f"{name}.json").write_text(json.dumps(_data_file(name, {})))
    cloudwatch = _data_file("cloudwatch", {"Any": {"Dashboard Basic Dashboard": "3.00"}})
    (tmp_path / "cloudwatch.json").write_text(json.dumps(cloudwatch))
    (tmp_path / "route53.json").write_text(json.dumps(_data_file("route53", {"Any": {"DNS Zone first 25": "0.50"}})))
    offer = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSELB/current/{}/index.json"
    transcriptions = {
        "offerVersion": "20260911124544",
        "regions": {
            "sa-east-1": {
                "albHour": "0.034",
                "albLcuHour": "0.011",
                "sourceDate": "2026-09-16",
                "offerFile": offer.format("sa-east-1"),
                "transcription": "US$ 0,034/h",
                "indexIds": ["1", "2"],
            },
            "us-west-1": {
                "albHour": "0.0252",
                "albLcuHour": None,
                "sourceDate": "2023-08-01",
                "offerFile": offer.format("us-west-1"),
                "transcription": "OLD",
                "indexIds": ["3"],
            },
            "us-east-1": {
                "albHour": "0.0226",
                "albLcuHour": "0.008",
                "sourceDate": "2026-07-20",
                "offerFile": offer.format("us-east-1"),
                "transcription": "a table",
                "indexIds": ["4"],
            },
        },
    }
    by_hand = {"usd": "0.0225", "unit": "per hour", "source": "by hand", "sourceDate": "2026-05-08", "checked": "x"}
    kept = {"us-east-1": {"name": "US East (N. Virginia)", "albHour": by_hand}}
    regions_data = json.loads(regions.REGIONS_FILE.read_text())["regions"]

    out, notes = build(tmp_path, {"regions": kept}, regions_data, checked="2026-12-06", alb=transcriptions)

    sao_paulo = out["regions"]["sa-east-1"]
    assert (sao_paulo["albHour"]["usd"], sao_paulo["albLcuHour"]["usd"]) == ("0.034", "0.011")
    for figure in (sao_paulo["albHour"], sao_paulo["albLcuHour"]):
        assert figure["source"].startswith("second-hand") and offer.format("sa-east-1") in figure["source"]
        assert "albTranscriptions, regions.sa-east-1" in figure["source"] and figure["sourceDate"] == "2026-09-16"
    # A price the transcription leaves out is unpriced there, not another region's.
    assert out["regions"]["us-west-1"]["albHour"]["usd"] == "0.0252" and "albLcuHour" not in out["regions"]["us-west-1"]
    reasons = {(f, c): e["reason"] for e in out["unpriced"]["entries"] for f in e["figures"] for c in e["regions"]}
    assert ("albLcuHour", "us-west-1") in reasons and ("albHour", "us-west-1") not in reasons
    assert "not extrapolated" in reasons[("albLcuHour", "us-west-1")] and ("albHour", "eu-north-1") in reasons
    # A figure sourced by hand is kept, and where the transcription differs the builder says so.
    assert out["regions"]["us-east-1"]["albHour"] == by_hand
    assert out["regions"]["us-east-1"]["albLcuHour"]["usd"] == "0.008"
    assert notes == ["us-east-1 albHour: prices.json has 0.0225, the AWSELB transcription 0.0226"]
    assert out["albTranscriptions"]["offerVersion"] == "20260911124544"


def test_every_transcribed_alb_price_comes_from_its_own_regions_offer_file():
    """Never another region's: each names its region's AWSELB offer file, the transcription it was read in, a date."""
    transcribed = [
        (code, key, figure)
        for code, entry in DATA["regions"].items()
        for key, figure in entry.items()
        if key in ("albHour", "albLcuHour") and figure["source"].startswith("second-hand")
    ]
    assert transcribed
    for code, key, figure in transcribed:
        assert f"/AWSELB/current/{code}/index.json" in figure["source"], (code, key)
        assert figure["source"].endswith(f"albTranscriptions, regions.{code}"), (code, key)
        assert code in data_transcriptions()["regions"] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", figure["sourceDate"])


@pytest.mark.parametrize(
    "text,expected", [("0.1000000000", "0.10"), ("0.0225000000", "0.0225"), ("1", "1.00"), ("0.0518144", "0.0518144")]
)
def test_prices_are_written_as_prices_json_writes_them(text, expected):
    assert usd_text(D(text)) == expected
