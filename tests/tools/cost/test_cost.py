"""What a stack costs: Fargate pod sizing, the price table, and the estimate the stack exports."""

import json
import re
import shutil
from decimal import ROUND_HALF_UP, Decimal

import pytest

import cost.__main__ as cost_command
from cost import from_recording, tenancy
from cost.__main__ import main as cost_main
from eksfargate.estimate import (
    PRICES_FILE,
    UnknownRegionError,
    Usage,
    compute_cost,
    from_plan,
    load_prices,
    render,
)
from eksfargate.fargate_pods import FargateSizeError, PodSize, parse_quantity, pod_size
from eksfargate.footprint import footprint_from_resources
from offline.exit_codes import EXIT_CRASH
from offline.harness import PROJECT_DIR, Recording, record
from offline.plan import from_recording as plan_of
from tests.recordings import recorded
from tests.stackfacts import PINNED_DEV
from tests.tools.offline.test_plan import recording_here

D = Decimal
WALKTHROUGH_VCPU_HOUR, WALKTHROUGH_GB_HOUR = D("0.04048"), D("0.004445")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def container(cpu=None, memory=None, limits_only=False):
    resources = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    return {"resources": {"limits": resources} if limits_only else {"requests": resources, "limits": resources}}


# ---------------------------------------------------------------- the walkthrough's example


def test_walkthrough_example_raw_compute():
    """0.25 vCPU and 0.5 GB for one hour at $0.04048 and $0.004445: $0.01012 + $0.00222 = $0.01234."""
    vcpu_part = compute_cost(D("0.25"), D(0), D(1), WALKTHROUGH_VCPU_HOUR, WALKTHROUGH_GB_HOUR)
    memory_part = compute_cost(D(0), D("0.5"), D(1), WALKTHROUGH_VCPU_HOUR, WALKTHROUGH_GB_HOUR)
    total = compute_cost(D("0.25"), D("0.5"), D(1), WALKTHROUGH_VCPU_HOUR, WALKTHROUGH_GB_HOUR)

    assert round(vcpu_part, 5) == D("0.01012")
    assert round(memory_part, 5) == D("0.00222")
    assert round(total, 5) == D("0.01234")


def test_walkthrough_pod_costs_more_on_the_bill_than_on_paper():
    """Containers asking for 0.25 vCPU / 0.5 GB get 256 MiB more: billed as 0.25 vCPU / 1 GB."""
    size = pod_size([container("250m", "512Mi")])
    billed = compute_cost(size.vcpu, size.memory_gb, D(1), WALKTHROUGH_VCPU_HOUR, WALKTHROUGH_GB_HOUR)

    assert size == PodSize(D("0.25"), 1024)
    assert billed == D("0.014565") > D("0.0123425")


def test_the_walkthrough_prices_are_us_east_1s_not_seouls():
    us_east, seoul = load_prices("us-east-1"), load_prices("ap-northeast-2")

    assert (us_east.fargate_vcpu_hour, us_east.fargate_gb_hour) == (WALKTHROUGH_VCPU_HOUR, WALKTHROUGH_GB_HOUR)
    assert (seoul.fargate_vcpu_hour, seoul.fargate_gb_hour) == (D("0.04656"), D("0.00511"))


# ---------------------------------------------------------------- Fargate pod sizing

SIZES = [
    # (containers, init containers, expected vCPU, expected memory in GB)
    ([], [], "0.25", "0.5"),  # no requests: the smallest size
    ([{"name": "no-resources"}], [], "0.25", "0.5"),
    ([container("250m", "256Mi")], [], "0.25", "0.5"),  # 256 + 256 MiB = exactly 0.5 GB
    ([container("0.25", "256M")], [], "0.25", "0.5"),  # CoreDNS: 244 MiB + 256 MiB
    ([container("250m", "257Mi")], [], "0.25", "1"),  # crosses to 1 GB because of the 256 MiB
    ([container("0.25", "0.5Gi")], [], "0.25", "1"),  # the walkthrough's pod, as billed
    ([container("1", "8Gi")], [], "2", "9"),  # the user guide's example: 1 vCPU tier ends at 8 GB
    ([container("300m", "100Mi")], [], "0.5", "1"),  # vCPU rounds up to the next tier
    ([container("250m", "256Mi"), container("250m", "256Mi")], [], "0.5", "1"),  # containers add up
    ([container("250m", "256Mi")], [container("1", "1Gi")], "1", "2"),  # a larger init container wins
    (
        [container("250m", "256Mi"), container("250m", "256Mi")],
        [container("100m", "600Mi")],
        "0.5",
        "1",
    ),  # vCPU from the sum, memory from init
    ([container("500m", "1Gi", limits_only=True)], [], "0.5", "2"),  # a limit without a request is the request
    ([container("4", "30Gi")], [], "8", "32"),  # 30.25 GB: past 4 vCPU's 30 GB, 8 vCPU goes in 4 GB steps
    ([container("16", str(120 * 1024 - 256) + "Mi")], [], "16", "120"),  # the largest size, exactly
]


@pytest.mark.parametrize("containers,init,vcpu,memory_gb", SIZES, ids=[f"{c[2]}vCPU-{c[3]}GB-{i}" for i, c in enumerate(SIZES)])
def test_pod_size_rounds_up_to_a_supported_combination(containers, init, vcpu, memory_gb):
    size = pod_size(containers, init)

    assert size.vcpu == D(vcpu)
    assert size.memory_gb == D(memory_gb)


@pytest.mark.parametrize(
    "containers",
    [
        [container("16", "120Gi")],  # 120 GB + 256 MiB
        [container("17", "32Gi")],
        [container("8", "64Gi"), container("8", "64Gi")],  # two that fit alone do not together
    ],
    ids=["120GB-plus-reserved", "17-vCPU", "two-halves"],
)
def test_a_pod_above_the_largest_size_is_an_error(containers):
    with pytest.raises(FargateSizeError, match="larger than the largest Fargate size, 16 vCPU / 120 GB"):
        pod_size(containers)


@pytest.mark.parametrize(
    "text,value",
    [
        ("250m", "0.25"),
        ("0.25", "0.25"),
        ("2", "2"),
        (2, "2"),
        ("256Mi", str(256 * 2**20)),
        ("1Gi", str(2**30)),
        ("512M", "512000000"),
        ("1e3", "1000"),
        ("100k", "100000"),
    ],
)
def test_kubernetes_quantities(text, value):
    assert parse_quantity(text) == D(value)


@pytest.mark.parametrize("text", ["", "1.2.3", "twelve", "5 Gi", "1GB"])
def test_a_quantity_that_is_not_one_is_an_error(text):
    with pytest.raises(FargateSizeError, match="not a Kubernetes quantity"):
        parse_quantity(text)


# ---------------------------------------------------------------- the price table


def test_every_price_names_its_source_and_date():
    data = json.loads(PRICES_FILE.read_text())

    assert {"us-east-1", "ap-northeast-2"} <= set(data["regions"])
    assert "us-east-1" in data["walkthroughSeoulLabel"] and "0.04656" in data["walkthroughSeoulLabel"]
    for region, figures in data["regions"].items():
        for key, figure in figures.items():
            if key == "name":
                continue
            assert D(figure["usd"]) > 0, (region, key)
            for field in ("unit", "source", "sourceDate", "checked"):
                assert figure.get(field), (region, key, field)
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", figure["checked"]), (region, key)
        load_prices(region)  # every figure the estimate reads is there, or prices.json says why not


def test_a_region_without_prices_is_named_in_the_error():
    with pytest.raises(UnknownRegionError, match="no prices for region 'mars-1'"):
        load_prices("mars-1")


# ---------------------------------------------------------------- the dev stack's estimate


def test_dev_total_is_the_sum_of_its_parts(dev: Recording):
    prices = load_prices("ap-northeast-2")
    estimate = from_recording(dev)
    hours = D(730)
    pod_hour = prices.pod_hour(PodSize(D("0.25"), 512))
    expected = {
        # 5 game pods (the autoscaler's minimum), 2 CoreDNS, 2 controller pods, 1 metrics-server: all
        # 0.25 vCPU / 0.5 GB once Fargate adds its 256 MiB; the metrics collector (512 MiB) 0.25 vCPU / 1 GB.
        "Fargate": sum((cents(pod_hour * n * hours) for n in (5, 2, 2, 1)), D(0))
        + cents(prices.pod_hour(PodSize(D("0.25"), 1024)) * hours),
        "EKS": cents(prices.eks_cluster_hour * hours),
        # One shared NAT gateway (natMode single) and 20 GB through it.
        "NAT": cents(prices.nat_gateway_hour * hours) + cents(prices.nat_gateway_gb * 20),
        # One ALB, 1 LCU every hour.
        "ALB": cents(prices.alb_hour * hours) + cents(prices.alb_lcu_hour * hours),
        # The NAT gateway's Elastic IP and one ALB address in each of the 3 zones.
        "IPv4": cents(prices.public_ipv4_hour * 4 * hours),
        "KMS": prices.kms_key_month,
        # 11 pods' logs at 0.5 GB each, kept 30 days (30/30.42 of a month's logs stored at once), and
        # their performance events for the pod metrics at 0.15 GB each, kept 7 days.
        "Logs": cents(prices.logs_ingestion_gb * D("5.5"))
        + cents(prices.logs_storage_gb_month * D("5.5") * 30 / (hours / 24))
        + cents(prices.logs_ingestion_gb * D("1.65"))
        + cents(prices.logs_storage_gb_month * D("1.65") * 7 / (hours / 24)),
        # 7 alarms, the 5xx rate's reading 2 metrics (the autoscaled game keeps 5 pods: every alarm kind).
        "CloudWatch": prices.alarm_metric_month * 8,
        # 8 pod metrics for the cluster, 3 namespaces (kube-system, the game's, the collector's) and 5
        # workloads (game, CoreDNS, controller, metrics-server, collector).
        "Metrics": cents(prices.metric_month * 8 * (1 + 3 + 5)),
    }

    assert estimate.by_category() == expected
    assert estimate.total_usd == sum(line.monthly_usd for line in estimate.lines) == sum(expected.values())


def test_the_program_exports_no_estimate_of_its_own(committed: dict[str, Recording]):
    """The estimate needs every registered resource (pods inside add-ons and Helm values): the plan prices it, not the program."""
    for recording in committed.values():
        assert not any("cost" in name.lower() for name in recording.outputs)


def test_nat_per_zone_and_an_existing_vpc_are_priced_from_what_they_declare(existing_vpc: Recording):
    per_az = record("dev", overrides={"natMode": "per-az", "appReplicas": 3, "secretsEncryption": False}, stack_file=PINNED_DEV)
    assert per_az.error is None

    per_az_lines = {line.item: line for line in from_recording(per_az).lines}
    assert per_az_lines["NAT gateways"].quantity.startswith("3 ×")
    app = per_az.config["eks-fargate:appNamespace"]
    assert per_az_lines[f"{app}/deployment-2048"].quantity.startswith("3 (max 10) ×")
    assert "KMS" not in from_recording(per_az).by_category()
    # An existing VPC's NAT gateways are someone else's bill; the ALB uses the 2 given subnets.
    existing = from_recording(existing_vpc).by_category()
    assert "NAT" not in existing
    assert existing["IPv4"] == cents(load_prices("ap-northeast-2").public_ipv4_hour * 2 * 730)


def test_the_plan_of_a_preview_is_estimated_like_the_recording(dev: Recording):
    preview = recording_here("dev", PINNED_DEV)  # the plan command's recording (a preview), made once per session

    assert from_plan(plan_of(preview)).lines == from_recording(dev).lines


def test_assumptions_change_the_estimate_where_they_should(dev: Recording):
    base = from_recording(dev).by_category()
    busier = from_recording(dev, Usage(nat_gb_per_month=D(1000), alb_lcu=D(5))).by_category()

    assert busier["NAT"] > base["NAT"] and busier["ALB"] > base["ALB"]
    assert {k: v for k, v in busier.items() if k not in ("NAT", "ALB")} == {
        k: v for k, v in base.items() if k not in ("NAT", "ALB")
    }


def test_load_balancers_are_counted_by_group_and_scheme():
    def ingress(name, group=None, scheme="internet-facing", cls="alb"):
        annotations = {"alb.ingress.kubernetes.io/scheme": scheme}
        if group:
            annotations["alb.ingress.kubernetes.io/group.name"] = group
        return (
            "kubernetes:networking.k8s.io/v1:Ingress",
            name,
            {"metadata": {"annotations": annotations}, "spec": {"ingressClassName": cls}},
        )

    subnets = [("aws:ec2/subnet:Subnet", f"s{i}", {"availabilityZone": f"az{i}", "mapPublicIpOnLaunch": True}) for i in range(3)]
    footprint = footprint_from_resources(
        "us-east-1",
        [
            *subnets,
            ingress("a", group="shared"),
            ingress("b", group="shared"),
            ingress("c", scheme="internal"),
            ingress("d", cls="nginx"),
            ("kubernetes:helm.sh/v3:Release", "other", {"chart": "grafana", "values": {}}),
        ],
    )

    assert [(lb.zones, lb.internet_facing) for lb in footprint.load_balancers] == [(3, True), (2, False)]
    assert any("grafana" in note for note in footprint.notes)


def test_cost_command_prints_the_breakdown(dev: Recording, capsys, monkeypatch):
    # The command's recording of what it is asked for, made once per session (tests/recordings.py).
    monkeypatch.setattr(cost_command, "record", recorded)
    assert cost_main(["--stack", "dev", "--stack-file", str(PINNED_DEV), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)

    assert printed["totalMonthlyUsd"] == float(from_recording(dev).total_usd)
    assert round(sum(line["monthlyUsd"] for line in printed["lines"]), 2) == printed["totalMonthlyUsd"]


def test_cost_command_fails_cleanly_without_a_stack_file(capsys):
    assert cost_main(["--stack", "no-such-stack"]) == 2
    assert "no stack file Pulumi.no-such-stack.yaml" in capsys.readouterr().err


def test_an_autoscaled_game_is_priced_at_its_minimum_with_its_maximum_as_a_second_figure(dev: Recording):
    estimate = from_recording(dev)
    autoscaler = dev.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").inputs["spec"]
    namespace = dev.config["eks-fargate:appNamespace"]
    game = next(line for line in estimate.lines if line.item == f"{namespace}/deployment-2048")
    pod_month = load_prices("ap-northeast-2").pod_hour(PodSize(D("0.25"), 512)) * 730
    assert game.monthly_usd == cents(pod_month * int(autoscaler["minReplicas"]))
    assert game.max_monthly_usd == cents(pod_month * int(autoscaler["maxReplicas"]))
    # The pods' logs and performance events grow with the pods (the metrics, per workload, do not):
    # every line with a maximum moves the total by its difference.
    moved = [line for line in estimate.lines if line.max_monthly_usd is not None]
    assert {line.category for line in moved} == {"Fargate", "Logs"} and game in moved
    assert not any(line.unit_price.endswith("/metric-month") for line in moved)
    assert estimate.max_total_usd - estimate.total_usd == sum(line.max_monthly_usd - line.monthly_usd for line in moved) > 0
    assert estimate.to_dict()["maxTotalMonthlyUsd"] == float(estimate.max_total_usd)
    assert "autoscaled workloads at their maximum replicas" in render(estimate)


def test_every_price_source_is_something_a_reader_can_open():
    data = json.loads(PRICES_FILE.read_text())
    for region, figures in data["regions"].items():
        for key, figure in figures.items():
            if key != "name":
                assert "index id" not in figure["source"], (region, key)  # an internal search id, not a source
                assert "https://" in figure["source"] or figure["source"].startswith("same "), (region, key)


def test_pod_logs_are_priced_only_where_the_router_ships_them(dev: Recording, logging_off: Recording):
    def pod_log_lines(recording: Recording) -> list:
        # The pod metrics' performance events are Logs lines too, with or without the router.
        return [line for line in from_recording(recording).lines if line.item.startswith("pod logs ")]

    assert pod_log_lines(dev)
    assert pod_log_lines(logging_off) == []
    longer = record("dev", overrides={"fargateLogRetentionDays": 365})
    stored = {line.item: line for line in from_recording(longer).lines}["pod logs stored (365 days kept)"]
    assert (
        stored.monthly_usd > {line.item: line for line in from_recording(dev).lines}["pod logs stored (30 days kept)"].monthly_usd
    )


def test_the_all_stacks_table_names_a_stack_file_that_fails_and_shows_the_others(dev: Recording, tmp_path, monkeypatch, capsys):
    """`python -m cost --all` over a platform project of two stack files, one with a setting the program refuses."""
    platform_dir, tenant_dir = tmp_path / "platform", tmp_path / "platform" / "tenant"
    tenant_dir.mkdir(parents=True)
    shutil.copy(PROJECT_DIR / "Pulumi.yaml", platform_dir)
    shutil.copy(PROJECT_DIR / "tenant" / "Pulumi.yaml", tenant_dir)
    (platform_dir / "__main__.py").symlink_to(PROJECT_DIR / "__main__.py")
    shutil.copy(PINNED_DEV, platform_dir / "Pulumi.good.yaml")
    (platform_dir / "Pulumi.bad.yaml").write_text("config:\n  aws:region: ap-northeast-2\n  eks-fargate:appReplicas: 500\n")
    # good is dev's pinned values: the session's recording of them stands in for running it again.
    monkeypatch.setattr(tenancy, "record", lambda stack, **where: dev if stack == "good" else record(stack, **where))
    monkeypatch.setattr(tenancy, "PLATFORM_PROJECT_DIR", platform_dir)
    monkeypatch.setattr(tenancy, "TENANT_PROJECT_DIR", tenant_dir)

    assert cost_main(["--all"]) == 2
    captured = capsys.readouterr()
    (error,) = captured.err.splitlines()
    assert error.startswith("error: Pulumi.bad.yaml: ") and "'eks-fargate:appReplicas' has invalid value 500" in error
    rows = {line.split()[0]: line for line in captured.out.splitlines() if line.startswith("Pulumi.")}
    assert set(rows) == {"Pulumi.good.yaml"}
    assert f"{from_recording(dev).total_usd:,.2f}" in rows["Pulumi.good.yaml"]
    assert "Pulumi.bad.yaml" in captured.out.split("\n\n")[-1], "the table says which stack file it leaves out"


def test_a_crash_while_pricing_every_stack_exits_with_the_crash_code_and_names_the_stack_file(monkeypatch, capsys):
    def crash(stack, **where):
        raise RuntimeError("a bug in the program")

    monkeypatch.setattr(tenancy, "record", crash)
    assert cost_main(["--all"]) == EXIT_CRASH
    err = capsys.readouterr().err
    first = sorted(PROJECT_DIR.glob("Pulumi.*.yaml"))[0].name
    assert "RuntimeError: a bug in the program" in err and f"(planning {first})" in err
