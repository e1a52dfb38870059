"""One stack per team: team tags everywhere, VPC CIDRs that never overlap, physical names that never clash."""

import importlib
import inspect
import ipaddress
import shutil
from functools import cache
from pathlib import Path

import pytest
import yaml

from eksfargate.config_reader import MAX_LABEL_LENGTH
from eksfargate.contract import default_namespace
from eksfargate.settings import SettingsError, is_dns_label
from offline import capacity
from offline import plan as offline_plan
from offline.exit_codes import EXIT_CRASH
from offline.harness import PROJECT_DIR, Recording, record
from teams import tenants as tenant_files
from teams.__main__ import EXIT_CONFLICT
from teams.__main__ import main as teams_main
from teams.stacks import cidr_overlaps, cluster_name, duplicate_cluster_names, project, stack_files, vpc_cidr
from tests.stackfacts import cluster_name as recorded_cluster_name

TEAM_STACKS = ("payments-dev", "search-dev")
TEAM_TAGS = {"team": "team", "cost-center": "costCenter", "owner": "owner"}

# `teams list` and `teams new` plan the platform stacks that serve tenants: once (tests/tools/teams/conftest.py).
pytestmark = pytest.mark.usefixtures("platform_plans_once")


@pytest.fixture(scope="module")
def team_stacks(committed) -> dict[str, Recording]:
    return {stack: committed[stack] for stack in TEAM_STACKS}


@cache
def taggable(type_token: str) -> bool:
    """Whether the provider's resource takes `tags` (read from the installed SDK, not a list kept here)."""
    package, module, name = type_token.split(":")
    if package == "aws":
        sdk = importlib.import_module("pulumi_aws" if module.startswith("index") else f"pulumi_aws.{module.split('/')[0]}")
    elif package == "eks":
        sdk = importlib.import_module("pulumi_eks")
    else:
        return False  # Kubernetes objects, providers, our components
    return "tags" in inspect.signature(getattr(sdk, name)._internal_init).parameters


def expected_tags(recording: Recording) -> dict[str, str]:
    return {tag: recording.config[f"{recording.project}:{key}"] for tag, key in TEAM_TAGS.items()}


def physical_names(recording: Recording) -> set[tuple[str, str]]:
    """Names the stack gives AWS itself: explicit `name`s (the cluster), and names that are
    unique per cluster (Fargate profiles, add-ons), qualified by their cluster."""
    names = set()
    for res in recording.resources:
        if not res.type.startswith(("aws:", "eks:")):
            continue
        if isinstance(res.inputs.get("name"), str):
            names.add((res.type, res.inputs["name"]))
        for key in ("fargateProfileName", "addonName"):
            if isinstance(res.inputs.get(key), str):
                names.add((res.type, f"{res.inputs['clusterName']}/{res.inputs[key]}"))
    return names


# ---------------------------------------------------------------- the stack files in the repository


def test_no_two_stack_files_vpc_cidrs_overlap():
    proj = project(PROJECT_DIR)
    files = stack_files(PROJECT_DIR)

    assert {"dev", *TEAM_STACKS} <= {s.stack for s in files}
    assert cidr_overlaps(PROJECT_DIR) == []
    # A team stack's VPC is not the default a stack file without vpcCidr would get either.
    default = ipaddress.IPv4Network(proj.default("vpcCidr"))
    for stack in files:
        if stack.stack in TEAM_STACKS:
            assert not vpc_cidr(proj, stack).overlaps(default), stack.path.name


def test_the_overlap_check_sees_a_default_and_a_nested_cidr(tmp_path):
    shutil.copy(PROJECT_DIR / "Pulumi.yaml", tmp_path)
    (tmp_path / "Pulumi.a.yaml").write_text("config:\n  aws:region: us-east-1\n")  # the default, 10.0.0.0/16
    (tmp_path / "Pulumi.b.yaml").write_text("config:\n  aws:region: us-east-1\n  eks-fargate:vpcCidr: 10.0.128.0/20\n")
    (tmp_path / "Pulumi.c.yaml").write_text(
        "config:\n  aws:region: us-east-1\n  eks-fargate:existingVpcId: vpc-0a1b2c3d4e5f60718\n"  # creates no VPC
    )

    assert cidr_overlaps(tmp_path) == [("Pulumi.a.yaml 10.0.0.0/16", "Pulumi.b.yaml 10.0.128.0/20")]
    assert teams_main(["--project-dir", str(tmp_path), "list"]) == 1


def test_no_two_stacks_give_aws_the_same_physical_name(committed):
    seen: dict[tuple[str, str], str] = {}
    for recording in committed.values():
        names = physical_names(recording)
        assert ("eks:index:Cluster", recorded_cluster_name(recording)) in names
        for name in names:
            assert name not in seen, f"{recording.stack} and {seen[name]} both name a {name[0]} {name[1]!r}"
            seen[name] = recording.stack
    assert duplicate_cluster_names(PROJECT_DIR) == {}


def test_the_name_check_sees_a_cluster_name_set_twice(tmp_path):
    shutil.copy(PROJECT_DIR / "Pulumi.yaml", tmp_path)
    (tmp_path / "Pulumi.a.yaml").write_text("config:\n  eks-fargate:vpcCidr: 10.1.0.0/16\n")
    (tmp_path / "Pulumi.b.yaml").write_text(
        "config:\n  eks-fargate:vpcCidr: 10.2.0.0/16\n  eks-fargate:clusterName: eks-fargate-a\n"
    )

    assert duplicate_cluster_names(tmp_path) == {"eks-fargate-a": ["Pulumi.a.yaml", "Pulumi.b.yaml"]}


def test_every_stack_carries_the_team_tags_on_every_taggable_aws_resource(stack):
    assert taggable("aws:ec2/vpc:Vpc") and taggable("eks:index:Cluster")
    assert not taggable("aws:ec2/routeTableAssociation:RouteTableAssociation")

    for recording in (stack,):
        tags = expected_tags(recording)
        checked = [r for r in recording.resources if taggable(r.type)]
        assert len(checked) > 20, recording.stack
        for res in checked:
            assert tags.items() <= (res.inputs.get("tags") or {}).items(), f"{recording.stack}: {res.type} {res.name}"


def test_the_load_balancer_controller_tags_what_it_creates(team_stacks):
    recording = team_stacks["payments-dev"]
    values = recording.one("kubernetes:helm.sh/v3:Release", "alb-controller-release").inputs["values"]

    assert expected_tags(recording).items() <= (values.get("defaultTags") or {}).items()


@pytest.mark.parametrize(
    "key,value,allowed",
    [
        ("team", "Payments", "DNS-1123 label"),
        ("team", "", "DNS-1123 label"),
        ("costCenter", "CC#4100", "an AWS tag value"),
        ("owner", "", "an AWS tag value"),
    ],
)
def test_bad_team_settings_fail_before_any_resource(key, value, allowed):
    recording = record("payments-dev", overrides={key: value})

    assert isinstance(recording.error, SettingsError)
    assert f"config key 'eks-fargate:{key}' has invalid value {value!r}" in str(recording.error)
    assert allowed in str(recording.error)
    assert recording.resources == []


# ---------------------------------------------------------------- python -m teams new


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """Pulumi.yaml and every stack file, plus one more that takes 10.3.x and one in existing-VPC mode."""
    for path in [PROJECT_DIR / "Pulumi.yaml", *PROJECT_DIR.glob("Pulumi.*.yaml")]:
        shutil.copy(path, tmp_path)
    (tmp_path / "Pulumi.legacy.yaml").write_text("config:\n  aws:region: us-east-1\n  eks-fargate:vpcCidr: 10.3.16.0/20\n")
    byo = {"aws:region": "us-east-1", "eks-fargate:existingVpcId": "vpc-0a1b2c3d4e5f60718", "eks-fargate:vpcCidr": "10.4.0.0/16"}
    (tmp_path / "Pulumi.byo.yaml").write_text(yaml.safe_dump({"config": byo}))
    return tmp_path


def test_new_picks_the_first_cidr_that_overlaps_no_stack(project_copy, capsys):
    assert (
        teams_main(["--project-dir", str(project_copy), "new", "billing", "--env", "prod", "--owner", "billing@example.com"]) == 0
    )

    written = project_copy / "Pulumi.billing-prod.yaml"
    config = yaml.safe_load(written.read_text())["config"]
    # 10.0 is Pulumi.yaml's default, 10.1 and 10.2 the team stacks, 10.3 holds legacy's /20;
    # the existing-VPC stack's vpcCidr creates no VPC, so 10.4 is free.
    assert config["eks-fargate:vpcCidr"] == "10.4.0.0/16"
    assert cidr_overlaps(project_copy) == []
    assert config["eks-fargate:team"] == "billing" and config["eks-fargate:costCenter"] == "billing"
    assert config["eks-fargate:natMode"] == "per-az" and config["eks-fargate:protect"] is True
    assert "Pulumi.billing-prod.yaml" in capsys.readouterr().out

    # The program accepts the file as written, and tags with it.
    recording = record("billing-prod", stack_file=written)
    assert recording.error is None, recording.error
    assert recording.one("aws:ec2/vpc:Vpc").inputs["tags"]["owner"] == "billing@example.com"
    assert recording.outputs["clusterName"] == "eks-fargate-billing-prod"


@pytest.mark.parametrize(
    "args,message",
    [
        (["payments"], "Pulumi.payments-dev.yaml exists already"),
        (["Payments"], "must be a DNS-1123 label"),
        (["ops", "--env", "qa_1"], "must be a DNS-1123 label"),
        (["ops", "--owner", "ops#1"], "an AWS tag value"),
        (["a" * 60], "longer than 63 characters"),
    ],
)
def test_new_refuses_what_it_cannot_make(project_copy, capsys, args, message):
    before = sorted(p.name for p in project_copy.iterdir())

    assert teams_main(["--project-dir", str(project_copy), "new", *args]) == 2
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in project_copy.iterdir()) == before


def test_list_shows_every_stack_and_no_conflict(capsys):
    assert teams_main(["list"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    proj = project(PROJECT_DIR)
    for stack in stack_files(PROJECT_DIR):
        row = rows[stack.path.name]
        assert cluster_name(proj, stack) in row
        assert str(vpc_cidr(proj, stack) or "(existing VPC)") in row


def test_a_production_stack_says_how_to_give_its_environment_reviewers(project_copy, capsys):
    assert teams_main(["--project-dir", str(project_copy), "new", "billing", "--env", "prod"]) == 0
    out = capsys.readouterr().out
    # The deploy workflow refuses a protected stack whose environment has no required reviewers.
    assert "pulumi-billing-prod" in out and "Required reviewers" in out and "Settings → Environments" in out
    assert teams_main(["--project-dir", str(project_copy), "new", "billing", "--env", "dev"]) == 0
    assert "Required reviewers" not in capsys.readouterr().out


def test_teams_list_counts_a_platforms_own_pods_as_its_plan_does():
    """The room a platform leaves its tenants starts from the pods its plan runs at most (the plan's capacity check)."""
    serving = {stack: p for stack, p in tenant_files.platforms(PROJECT_DIR).items() if p.serves_tenants}
    assert serving
    for stack, platform in serving.items():
        assert platform.own_pods == capacity.assess(offline_plan.build(stack)).max_pods, stack


def test_teams_list_catches_a_shared_alb_whose_tenants_tls_differs(tmp_path, monkeypatch):
    """A tenant stack file the tenant program would refuse (one redirect setting for every tenant of a shared ALB)."""
    tenant_dir = tmp_path / "tenant"
    tenant_dir.mkdir()
    for path in (PROJECT_DIR / "tenant").glob("Pulumi*.yaml"):
        shutil.copy(path, tenant_dir)
    shared = [t for t in tenant_files.tenants(tenant_dir) if t.alb_mode == "shared" and t.tls]
    assert shared, "the example tenants share an ALB with TLS"
    platform = shared[0].platform
    plain = {"platformStack": platform, "team": "plain", "albMode": "shared", "host": "plain.apps.example.com"}
    config = {"aws:region": "ap-northeast-2"} | {f"eks-fargate-tenant:{key}": value for key, value in plain.items()}
    (tenant_dir / "Pulumi.plain-dev.yaml").write_text(yaml.safe_dump({"config": config}))
    # The platform's room for pods is another check's (and takes a plan): a platform that serves tenants, sizes unknown.
    room = tenant_files.PlatformCapacity(platform, serves_tenants=True, usable_per_subnet=None, zones=3, own_pods=0)
    monkeypatch.setattr(tenant_files, "platforms", lambda _: {platform: room})

    (conflict,) = tenant_files.conflicts(PROJECT_DIR, tenant_dir)
    with_tls = ", ".join(t.stack for t in shared)
    assert f"platform {platform}'s shared ALB serves {with_tls} with TLS and plain-dev without" in conflict


@pytest.fixture
def projects(tmp_path) -> Path:
    """Both projects' Pulumi.yaml and stack files: the platform's in `tmp_path`, the tenants' in tenant/."""
    (tmp_path / "tenant").mkdir()
    for path in [*PROJECT_DIR.glob("Pulumi*.yaml"), *(PROJECT_DIR / "tenant").glob("Pulumi*.yaml")]:
        shutil.copy(path, tmp_path / path.relative_to(PROJECT_DIR))
    return tmp_path


def serving_platform(directory: Path) -> str:
    proj = project(directory)
    return next(s.stack for s in stack_files(directory) if proj.setting(s, "servesTenants") is True)


def files_in(directory: Path) -> list[str]:
    return sorted(str(path.relative_to(directory)) for path in directory.rglob("*"))


LONGEST_TENANT_TEAM = MAX_LABEL_LENGTH - len(default_namespace(""))


def test_the_longest_tenant_team_is_the_longest_whose_namespace_is_a_dns_label():
    assert is_dns_label(default_namespace("a" * LONGEST_TENANT_TEAM))
    assert not is_dns_label(default_namespace("a" * (LONGEST_TENANT_TEAM + 1)))


@pytest.mark.parametrize("length", [LONGEST_TENANT_TEAM + 1, 60])
def test_new_shared_refuses_a_team_too_long_for_its_namespace(projects, capsys, length):
    team, before = "a" * length, files_in(projects)

    assert teams_main(["--project-dir", str(projects), "new", team, "--env", "dev", "--shared", serving_platform(projects)]) == 2
    (error,) = capsys.readouterr().err.splitlines()
    assert error.startswith("error: team ") and team in error
    assert default_namespace(team) in error and f"at most {LONGEST_TENANT_TEAM}" in error
    assert files_in(projects) == before


def test_new_shared_refuses_when_every_namespace_it_could_give_is_taken(projects, capsys):
    team, platform = "a" * LONGEST_TENANT_TEAM, serving_platform(projects)
    # A tenant of the same team in another environment holds tenant-<team>; tenant-<team>-dev is too long.
    config = {"aws:region": "ap-northeast-2", "eks-fargate-tenant:platformStack": platform, "eks-fargate-tenant:team": team}
    (projects / "tenant" / f"Pulumi.{team}-qa.yaml").write_text(yaml.safe_dump({"config": config}))
    before = files_in(projects)

    assert teams_main(["--project-dir", str(projects), "new", team, "--env", "dev", "--shared", platform]) == 2
    (error,) = capsys.readouterr().err.splitlines()
    assert error.startswith("error: team ") and team in error and default_namespace(team) in error
    assert f"{team}-qa" in error, "names the tenant that holds it"
    assert files_in(projects) == before


def test_list_names_a_platform_stack_file_that_cannot_be_planned(projects, capsys):
    platform = serving_platform(projects)
    stack_file = projects / f"Pulumi.{platform}.yaml"
    settings = yaml.safe_load(stack_file.read_text())
    settings["config"]["eks-fargate:appReplicas"] = 500
    stack_file.write_text(yaml.safe_dump(settings))

    assert teams_main(["--project-dir", str(projects), "list"]) == 2
    (error,) = capsys.readouterr().err.splitlines()
    assert error.startswith(f"error: Pulumi.{platform}.yaml: ") and "'eks-fargate:appReplicas' has invalid value 500" in error


def test_a_crash_exits_with_the_crash_code_not_that_of_a_conflict(monkeypatch, capsys):
    def crash(*args):
        raise RuntimeError("a bug in the check")

    monkeypatch.setattr(tenant_files, "conflicts", crash)
    assert teams_main(["list"]) == EXIT_CRASH != EXIT_CONFLICT
    assert "RuntimeError: a bug in the check" in capsys.readouterr().err
