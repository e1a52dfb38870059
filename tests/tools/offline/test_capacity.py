"""Subnet capacity: usable addresses per private subnet against the most pods a stack may run."""

import copy
import ipaddress

from eksfargate.footprint import footprint_from_resources
from offline import __main__ as offline_cli
from offline import capacity
from offline import plan as offline_plan
from tests.stackfacts import PINNED_DEV, STACKS_DIR
from tests.tools.offline.test_plan import dev_plan, plan_command_records_once, plan_here

TINY_VPC = STACKS_DIR / "Pulumi.tiny-vpc.yaml"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SUBNET = "aws:ec2/subnet:Subnet"


def tiny_plan() -> dict:
    return plan_here("tiny-vpc", TINY_VPC)


def private_cidrs(plan: dict) -> list[str]:
    return [r["inputs"]["cidrBlock"] for r in plan["resources"] if r["type"] == SUBNET and not r["inputs"]["mapPublicIpOnLaunch"]]


def deployment(plan: dict) -> dict:
    (found,) = [r for r in plan["resources"] if r["type"] == DEPLOYMENT]
    return found


def with_replicas(plan: dict, replicas: int) -> dict:
    edited = copy.deepcopy(plan)
    deployment(edited)["inputs"]["spec"]["replicas"] = replicas
    return footprint_recorded_again(edited)


def footprint_recorded_again(plan: dict) -> dict:
    """A plan edited by hand, with the footprint the plan command would record for its resources."""
    resources = ((r["type"], r["name"], r["inputs"]) for r in plan["resources"])
    plan["footprint"] = footprint_from_resources(plan["config"]["aws:region"], resources).to_json()
    return plan


def test_each_private_subnet_loses_five_addresses_to_aws(tmp_path):
    report = capacity.assess(dev_plan())
    assert sorted(s.cidr for s in report.subnets) == sorted(private_cidrs(dev_plan()))
    for subnet in report.subnets:
        assert subnet.usable == ipaddress.IPv4Network(subnet.cidr).num_addresses - 5
        assert f"{subnet.cidr}  {subnet.usable} usable addresses" in capacity.render(report)


def test_the_pods_counted_include_the_apps_replicas_and_the_system_pods():
    report = capacity.assess(dev_plan())
    counted = dict(report.pods)
    app = deployment(dev_plan())["inputs"]
    autoscalers = [r["inputs"]["spec"] for r in dev_plan()["resources"] if r["type"].endswith(":HorizontalPodAutoscaler")]
    most = autoscalers[0]["maxReplicas"] if autoscalers else app["spec"]["replicas"]
    assert counted[f"{app['metadata']['namespace']}/{app['metadata']['name']}"] == most
    assert any("coredns" in name for name in counted) and any("aws-load-balancer-controller" in name for name in counted)
    assert report.max_pods == sum(counted.values()) and report.ok


def test_an_autoscaler_maximum_counts_instead_of_the_replicas():
    plan = copy.deepcopy(dev_plan())
    app = deployment(plan)["inputs"]
    hpa = {
        "urn": "urn:pulumi:dev::eks-fargate::test:hpa",
        "type": "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        "name": "hpa",
        "inputs": {
            "metadata": {"namespace": app["metadata"]["namespace"], "name": "game"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": app["metadata"]["name"]}, "maxReplicas": 40},
        },
    }
    plan["resources"].append(hpa)
    counted = dict(capacity.assess(footprint_recorded_again(plan)).pods)
    assert counted[f"{app['metadata']['namespace']}/{app['metadata']['name']}"] == 40


def test_the_boundary_a_tiny_vpc_holds_its_zone_share_and_not_one_pod_more():
    cidrs = private_cidrs(tiny_plan())
    assert len(cidrs) == 2 and all(ipaddress.IPv4Network(c).prefixlen == 23 for c in cidrs)
    limit = 2 * (2**9 - 5)  # two /23 subnets, five addresses reserved in each
    others = capacity.assess(tiny_plan()).max_pods - deployment(tiny_plan())["inputs"]["spec"]["replicas"]

    at_limit = capacity.assess(with_replicas(tiny_plan(), limit - others))
    assert at_limit.max_pods == limit and at_limit.zone_share == 2**9 - 5 and at_limit.ok and at_limit.problem() == ""

    over = capacity.assess(with_replicas(tiny_plan(), limit - others + 1))
    assert not over.ok and over.zone_share == 2**9 - 5 + 1
    message = over.problem()
    assert message.startswith("stack tiny-vpc: ") and f"up to {limit + 1} Fargate pods over 2 zones" in message
    assert "more than the 507 usable addresses" in message and "vpcCidr" in message
    assert "TOO SMALL" in capacity.render(over)


def test_subnets_the_stack_does_not_make_are_reported_unknown_not_failed(existing_vpc):
    plan = offline_plan.from_recording(existing_vpc)
    report = capacity.assess(plan)
    assert report.subnets == () and report.ok and report.max_pods > 0
    assert "sizes are unknown offline" in capacity.render(report)


def test_the_plan_command_fails_when_the_subnets_are_too_small(tmp_path, monkeypatch, capsys):
    over = capacity.assess(with_replicas(tiny_plan(), 2 * 507))
    monkeypatch.setattr(capacity, "assess", lambda plan: over)
    plan_command_records_once(monkeypatch, "tiny-vpc", TINY_VPC)
    code = offline_cli.main(["plan", "--stack", "tiny-vpc", "--stack-file", str(TINY_VPC), "--out", str(tmp_path)])
    assert code == offline_cli.EXIT_POLICY
    assert "error: stack tiny-vpc: up to" in capsys.readouterr().err
    assert "TOO SMALL" in (tmp_path / "capacity.txt").read_text()


def test_the_plan_prints_the_capacity(tmp_path, monkeypatch, capsys):
    plan_command_records_once(monkeypatch, "dev", PINNED_DEV)
    args = ["plan", "--stack", "dev", "--stack-file", str(PINNED_DEV), "--out", str(tmp_path)]
    assert offline_cli.main(args) == offline_cli.EXIT_OK
    printed = capsys.readouterr().out
    assert "Subnet capacity of stack dev" in printed and "usable addresses" in printed and "pods at most" in printed
