"""The plan diff: updates, replacements (and what they drag along), deletions, protected resources, exit codes."""

import copy
import json
import shutil
import subprocess
import sys
from decimal import Decimal

import pytest

from components import addon_versions, alb_controller
from cost.__main__ import main as cost_main
from eksfargate import estimate as cost
from eksfargate.facts.kubernetes_kinds import CLUSTER_SCOPED_KINDS
from eksfargate.facts.resource_types import DASHBOARD, EKS_ADDON, HELM_RELEASE, METRIC_ALARM
from eksfargate.project import TENANT_PROJECT_DIR
from offline import diff as offline_diff
from offline import diff_command, diff_cost, diff_render, plan_document, replacements
from offline import plan as offline_plan
from offline import revisions as offline_revisions
from offline.comment_scripts import markdown as plan_markdown
from offline.harness import PROJECT_DIR
from offline.plan_cache import PlanCache, Tree
from tests.github.test_plan_comment import plan_comment
from tests.stackfacts import PINNED_DEV
from tests.tools.offline.test_plan import dev_plan
from tests.worker_plans import keep_platform_plan

EXISTING_VPC_STACK = PROJECT_DIR / "tests" / "data" / "stacks" / "Pulumi.existing-vpc.yaml"

PROFILE = "aws:eks/fargateProfile:FargateProfile"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
AUTOSCALER = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"


def resource(plan: dict, type_: str, name: str) -> dict:
    (found,) = [r for r in plan["resources"] if r["type"] == type_ and r["name"] == name]
    return found


def entry(diff: offline_diff.StackDiff, type_: str, name: str) -> offline_diff.ResourceChange:
    (found,) = [e for e in diff.resources if e.resource["type"] == type_ and e.resource["name"] == name]
    return found


def changed(diff: offline_diff.StackDiff) -> dict[tuple[str, str], str]:
    return {(e.resource["type"], e.resource["name"]): e.op for e in diff.resources if e.op != "same"}


def test_identical_plans_have_no_changes():
    diff = offline_diff.compare(dev_plan(), copy.deepcopy(dev_plan()), "dev")
    assert not diff.changed and changed(diff) == {}
    assert "No changes to stacks <code>dev</code>" in diff_render.render([diff])


def test_a_replica_change_is_an_in_place_update_of_the_autoscalers_floor_only():
    scaled = offline_plan.build("dev", stack_file=PINNED_DEV, overrides={"appReplicas": 3})
    diff = offline_diff.compare(dev_plan(), scaled, "dev")
    # The replicas the app keeps are also the not-ready alarm's threshold and a line on the dashboard.
    assert changed(diff) == {
        (AUTOSCALER, "game-2048-autoscaler"): "update",
        (METRIC_ALARM, "app-alarms-pods-not-ready"): "update",
        (DASHBOARD, "dashboard"): "update",
    }
    (change,) = entry(diff, AUTOSCALER, "game-2048-autoscaler").changes
    assert (change.path, change.old, change.new, change.replaces) == ("spec.minReplicas", 5, 3, False)
    markdown = diff_render.render([diff])
    assert f"**3 to update** · {len(dev_plan()['resources']) - 3} unchanged" in markdown
    assert "- <code>spec.minReplicas</code>: <code>5</code> → <code>3</code>" in markdown
    assert "- <code>eks-fargate:appReplicas</code>: <code>&quot;5&quot;</code> → <code>&quot;3&quot;</code>" in markdown


def test_a_fargate_profile_selector_change_is_a_replacement():
    new = copy.deepcopy(dev_plan())
    resource(new, PROFILE, "fargate-workloads")["inputs"]["selectors"] = [{"namespace": "game-2048", "labels": {"tier": "web"}}]
    diff = offline_diff.compare(dev_plan(), new, "dev")
    assert changed(diff) == {(PROFILE, "fargate-workloads"): "replace"}
    (change,) = entry(diff, PROFILE, "fargate-workloads").changes
    assert change.path == "selectors" and change.replaces
    row = next(line for line in diff_render.render([diff]).splitlines() if "<code>fargate-workloads</code>" in line)
    assert row.startswith("| 🔁 replace |") and "<code>selectors</code> forces replacement (delete, then create)" in row


def test_a_new_app_namespace_replaces_the_profile_and_every_object_in_it():
    renamed = offline_plan.build("dev", stack_file=PINNED_DEV, overrides={"appNamespace": "game"})
    diff = offline_diff.compare(dev_plan(), renamed, "dev")
    assert changed(diff) == {
        (PROFILE, "fargate-workloads"): "replace",
        ("kubernetes:core/v1:Namespace", "game-2048-namespace"): "replace",
        (DEPLOYMENT, "game-2048-deployment"): "replace",
        (AUTOSCALER, "game-2048-autoscaler"): "replace",
        ("kubernetes:core/v1:ConfigMap", "game-2048-nginx-conf"): "replace",
        ("kubernetes:policy/v1:PodDisruptionBudget", "game-2048-disruption-budget"): "replace",
        ("kubernetes:core/v1:Service", "game-2048-service"): "replace",
        ("kubernetes:networking.k8s.io/v1:Ingress", "game-2048-ingress"): "replace",
        ("kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy", "game-2048-network-policy"): "replace",
        # The controller's tags name the namespace: the alarms and the dashboard find another ALB.
        (DASHBOARD, "dashboard"): "update",
        **{(METRIC_ALARM, r["name"]): "update" for r in dev_plan()["resources"] if r["type"] == METRIC_ALARM},
    }


def test_subnets_listed_in_another_order_are_no_change():
    new = copy.deepcopy(dev_plan())
    profile = resource(new, PROFILE, "fargate-kube-system")["inputs"]
    profile["subnetIds"] = list(reversed(profile["subnetIds"]))
    assert not offline_diff.compare(dev_plan(), new, "dev").changed


def test_a_removed_resource_is_a_deletion():
    new = copy.deepcopy(dev_plan())
    ingress = resource(new, "kubernetes:networking.k8s.io/v1:Ingress", "game-2048-ingress")
    new["resources"].remove(ingress)
    diff = offline_diff.compare(dev_plan(), new, "dev")
    assert changed(diff) == {("kubernetes:networking.k8s.io/v1:Ingress", "game-2048-ingress"): "delete"}
    markdown = diff_render.render([diff])
    assert "**1 to delete**" in markdown
    assert "| ➖ delete | <code>game-2048-ingress</code> |" in markdown
    assert "CAUTION" not in markdown


def test_a_new_vpc_replaces_the_cluster_and_everything_on_it():
    moved = offline_plan.build("dev", stack_file=PINNED_DEV, overrides={"vpcCidr": "10.20.0.0/16"})
    diff = offline_diff.compare(dev_plan(), moved, "dev")
    ops = changed(diff)
    assert ops[("aws:ec2/vpc:Vpc", "network-vpc")] == "replace"
    assert ops[("aws:ec2/subnet:Subnet", "network-private-ap-northeast-2a")] == "replace"
    assert ops[("aws:ec2/internetGateway:InternetGateway", "network-igw")] == "update"
    # EKS cannot move a cluster to another VPC: the cluster goes, and everything on it with it.
    cluster = entry(diff, "eks:index:Cluster", "cluster-eks")
    assert cluster.op == "replace"
    assert any(c.path == "vpcId" and c.replaces and "another VPC" in c.note for c in cluster.changes)
    for kind, name in [
        (PROFILE, "fargate-kube-system"),
        (PROFILE, "fargate-workloads"),
        ("aws:eks/addon:Addon", "fargate-coredns"),
        ("pulumi:providers:kubernetes", "cluster-k8s"),
        ("kubernetes:helm.sh/v3:Release", "alb-controller-release"),
        (DEPLOYMENT, "game-2048-deployment"),
    ]:
        assert ops[(kind, name)] == "replace", (kind, name)
    rows = [line for line in diff_render.render([diff]).splitlines() if line.startswith("|")]
    row = next(line for line in rows if "<code>cluster-eks</code>" in line)
    assert row.startswith("| 🔁 replace") and "another VPC" in row


def existing_vpc_plan(**overrides) -> dict:
    return offline_plan.build("existing-vpc", stack_file=EXISTING_VPC_STACK, overrides=overrides or None)


def test_a_protected_cluster_moved_to_another_vpc_is_a_loud_replacement():
    old, new = existing_vpc_plan(protect=True), existing_vpc_plan(protect=True, existingVpcId="vpc-0ffffffffffffff01")
    diff = offline_diff.compare(old, new, "existing-vpc")
    cluster = entry(diff, "eks:index:Cluster", "cluster-eks")
    assert cluster.op == "replace" and cluster.loud
    markdown = diff_render.render([diff])
    caution = markdown.split("> [!CAUTION]\n", 1)[1].split("\n\n", 1)[0]
    assert "<code>cluster-eks</code>" in caution and "another VPC" in caution


def test_other_subnets_in_the_same_vpc_update_the_cluster_in_place():
    subnets = ["subnet-0aaaaaaaaaaaaaa01", "subnet-0aaaaaaaaaaaaaa03"]
    diff = offline_diff.compare(existing_vpc_plan(), existing_vpc_plan(existingPrivateSubnetIds=subnets), "existing-vpc")
    cluster = entry(diff, "eks:index:Cluster", "cluster-eks")
    assert cluster.op == "update"
    (change,) = [c for c in cluster.changes if c.path.startswith("privateSubnetIds")]
    assert not change.replaces and "same VPC" in change.note and "zones" in change.note


def test_a_cluster_in_other_zones_is_replaced():
    fewer = offline_plan.build("dev", stack_file=PINNED_DEV, overrides={"availabilityZoneCount": 2})
    cluster = entry(offline_diff.compare(dev_plan(), fewer, "dev"), "eks:index:Cluster", "cluster-eks")
    assert cluster.op == "replace"
    assert any(c.replaces and "zones" in c.note for c in cluster.changes)


def one_resource_plan(type_: str, inputs: dict) -> dict:
    name = "thing"
    urn = f"urn:pulumi:t::p::{type_}::{name}"
    resource = {
        "urn": urn,
        "type": type_,
        "name": name,
        "parent": None,
        "custom": True,
        "remote": False,
        "provider": None,
        "protect": False,
        "deleteBeforeReplace": False,
        "dependencies": [],
        "inputs": inputs,
    }
    return {"stack": "t", "config": {}, "resources": [resource], "outputs": {}}


def _set(inputs: dict, path: str, value) -> dict:
    *parents, last = path.split(".")
    node = inputs
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return inputs


@pytest.mark.parametrize(("type_", "prop"), [(t, p) for t, props in replacements.REPLACE_ON.items() for p in props])
def test_every_force_new_property_shows_as_a_replacement(type_, prop):
    old = one_resource_plan(type_, _set({"tags": {"a": "1"}}, prop, "old-value"))
    new = one_resource_plan(type_, _set({"tags": {"a": "1"}}, prop, "new-value"))
    (only,) = offline_diff.compare(old, new, "t").resources
    assert only.op == "replace"
    # The control: a tag change on the same resource is an update, not a replacement.
    retagged = one_resource_plan(type_, _set({"tags": {"a": "2"}}, prop, "old-value"))
    assert offline_diff.compare(old, retagged, "t").resources[0].op == "update"


@pytest.mark.parametrize(
    ("type_", "prop"),
    [
        (t, p)
        for t, props in replacements.K8S_REPLACE_ON.items()
        for p in (*props, *replacements.K8S_METADATA_REPLACE_ON)
        # A cluster-scoped object has no namespace to change (test_diff_truth.py).
        if not (p == "metadata.namespace" and t.rsplit(":", 1)[-1] in CLUSTER_SCOPED_KINDS)
    ],
)
def test_every_kubernetes_force_new_field_shows_as_a_replacement(type_, prop):
    old = one_resource_plan(type_, _set({"metadata": {"labels": {"a": "1"}}}, prop, "old-value"))
    new = one_resource_plan(type_, _set({"metadata": {"labels": {"a": "1"}}}, prop, "new-value"))
    assert offline_diff.compare(old, new, "t").resources[0].op == "replace"
    relabelled = one_resource_plan(type_, _set({"metadata": {"labels": {"a": "2"}}}, prop, "old-value"))
    assert offline_diff.compare(old, relabelled, "t").resources[0].op == "update"


def test_a_policy_v1_pod_disruption_budget_spec_is_updated_in_place():
    # pulumi-kubernetes lists PodDisruptionBudget's spec as force-new for policy/v1beta1 only.
    pdb = "kubernetes:policy/v1:PodDisruptionBudget"
    old = one_resource_plan(pdb, {"spec": {"minAvailable": 1}})
    new = one_resource_plan(pdb, {"spec": {"minAvailable": 2}})
    assert offline_diff.compare(old, new, "t").resources[0].op == "update"


def test_renaming_the_cluster_replaces_it_and_everything_on_it():
    renamed = offline_plan.build("dev", stack_file=PINNED_DEV, overrides={"clusterName": "renamed"})
    ops = changed(offline_diff.compare(dev_plan(), renamed, "dev"))
    assert ops[("eks:index:Cluster", "cluster-eks")] == "replace"
    assert ops[(PROFILE, "fargate-kube-system")] == "replace"
    assert ops[("aws:eks/addon:Addon", "fargate-coredns")] == "replace"
    # A new cluster means a new kubeconfig, a new provider, and every object created again.
    assert ops[("pulumi:providers:kubernetes", "cluster-k8s")] == "replace"
    assert ops[("kubernetes:helm.sh/v3:Release", "alb-controller-release")] == "replace"
    assert ops[(DEPLOYMENT, "game-2048-deployment")] == "replace"
    assert ops[("aws:iam/role:Role", "alb-controller-irsa")] == "update"


def test_deleting_or_replacing_a_protected_resource_is_flagged_loudly():
    old = copy.deepcopy(dev_plan())
    resource(old, "aws:ec2/vpc:Vpc", "network-vpc")["protect"] = True
    resource(old, "eks:index:Cluster", "cluster-eks")["protect"] = True
    new = copy.deepcopy(old)
    resource(new, "aws:ec2/vpc:Vpc", "network-vpc")["inputs"]["cidrBlock"] = "10.99.0.0/16"
    new["resources"].remove(resource(new, "eks:index:Cluster", "cluster-eks"))
    diff = offline_diff.compare(old, new, "dev")
    loud = {(e.resource["name"], e.op) for e in diff.resources if e.loud}
    assert loud == {("network-vpc", "replace"), ("cluster-eks", "delete")}
    markdown = diff_render.render([diff])
    caution = markdown.split("> [!CAUTION]\n", 1)[1].split("\n\n", 1)[0]
    assert "PROTECTED RESOURCES WOULD BE DELETED OR REPLACED" in caution
    assert "<code>network-vpc</code>" in caution and "<code>cluster-eks</code>" in caution
    assert "| 🔁 replace **PROTECTED** | <code>network-vpc</code> |" in markdown


def test_the_cli_exit_code_tells_whether_anything_changed(tmp_path):
    base, scaled = tmp_path / "base.json", tmp_path / "scaled.json"
    base.write_text(plan_document.dumps(dev_plan()))
    new = copy.deepcopy(dev_plan())
    resource(new, AUTOSCALER, "game-2048-autoscaler")["inputs"]["spec"]["minReplicas"] = 2
    scaled.write_text(json.dumps(new))

    def cli(*args):
        command = [sys.executable, "-m", "offline", "diff", *args]
        return subprocess.Popen(command, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    data, printed = tmp_path / "diff.json", tmp_path / "diff.md"
    running = [
        cli(str(base), str(base)),
        cli(str(base), str(scaled), "--json", str(data), "--out", str(printed)),
        cli(str(base), str(tmp_path / "nope")),
    ]
    (same, _), (different, _), (_, broken) = [process.communicate() for process in running]
    assert [process.returncode for process in running] == [0, 1, 2]
    assert "No changes to stacks <code>dev</code>" in same
    assert different.startswith(plan_markdown.BODY_START)
    assert "<code>spec.minReplicas</code>: <code>5</code> → <code>2</code>" in different
    # What it prints (and writes) is the body of the comment its data renders to.
    assert different == printed.read_text()
    comment = plan_comment.diff_comment(data.read_bytes(), "0" * 40, "https://example.com/run", "success")
    assert comment.endswith("\n" + different) and comment.count(plan_markdown.BODY_START) == 1
    assert "Traceback" not in broken and broken.startswith("error: ")


def test_revisions_are_read_with_git_archive_and_a_stack_missing_there_is_new():
    revisions = offline_revisions.Revisions()
    try:
        assert "dev" in revisions.stacks("HEAD")
        assert (revisions.tree("HEAD") / "Pulumi.dev.yaml").read_bytes() == subprocess.run(
            ["git", "show", "HEAD:Pulumi.dev.yaml"], cwd=PROJECT_DIR, capture_output=True, check=True
        ).stdout
        side = revisions.plan("HEAD", "no-such-stack")
        assert side.plan is None and not side.error
    finally:
        revisions.close()
    diff = diff_command.pair(offline_revisions.Side("`HEAD`"), offline_revisions.Side("working tree", plan=dev_plan()), "dev")
    assert diff.note.startswith("The stack file is new") and diff.count("create") == len(dev_plan()["resources"])


@pytest.mark.parametrize("spec", ["HEAD:dev", ":dev", "origin/main:*"])
def test_revision_specs_are_told_from_files(spec):
    assert diff_command.is_revision_spec(spec)
    assert not diff_command.is_revision_spec(str(PROJECT_DIR / "Pulumi.dev.yaml"))


def test_make_diff_without_arguments_compares_every_stack_file():
    if shutil.which("make") is None:
        pytest.skip("GNU make is not installed")
    dry_run = subprocess.run(["make", "-n", "diff"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    assert "-m offline diff 'HEAD:*' ':*'" in dry_run.stdout
    one = subprocess.run(["make", "-n", "diff", "STACK=dev"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    assert "-m offline diff 'HEAD:dev' ':dev'" in one.stdout


@pytest.fixture(scope="module")
def team_change(tmp_path_factory, worker_plans_folder) -> list[offline_diff.StackDiff]:
    """A copy of this checkout in a git repository of its own, where only payments-dev's stack file changes.
    Its plan at the base is the session workers' of this checkout's (tests/worker_plans.py), where the
    copy's files are this working tree's (a checkout with no file git does not track), kept in the
    diff's plan cache: the diff plans the changed side."""
    repo = tmp_path_factory.mktemp("repo")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_DIR, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        source = PROJECT_DIR / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_bytes(source.read_bytes())
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    stack_file = repo / "Pulumi.payments-dev.yaml"
    text = stack_file.read_text()
    stack_file.write_text(text + "  eks-fargate:appReplicas: 2\n  eks-fargate:publicAccessCidrs: [203.0.113.0/24]\n")
    cache = PlanCache(tmp_path_factory.mktemp("plans"))
    keep_platform_plan(cache, worker_plans_folder, Tree.at_revision(repo, "HEAD"), "payments-dev")
    return diff_command.diff_specs("HEAD:*", ":*", project_dir=repo, cache=cache)


def test_a_team_only_change_is_shown_for_that_team(team_change):
    by_stack = {d.stack: d for d in team_change}
    assert set(by_stack) >= {"dev", "payments-dev", "search-dev"}
    payments = by_stack["payments-dev"]
    assert changed(payments) == {
        (AUTOSCALER, "game-2048-autoscaler"): "update",
        ("eks:index:Cluster", "cluster-eks"): "update",
        (METRIC_ALARM, "app-alarms-pods-not-ready"): "update",
        (DASHBOARD, "dashboard"): "update",
    }
    # The other stacks' files and the code are as they were: not planned, no changes.
    assert all(not d.changed and d.note == offline_diff.UNTOUCHED for s, d in by_stack.items() if s != "payments-dev")
    markdown = diff_render.render(team_change)
    assert "No changes to stacks" not in markdown and "### Stack <code>payments-dev</code>" in markdown
    assert offline_diff.changed_stacks(team_change) == ["payments-dev"]


def test_the_diff_lists_the_policy_findings_a_change_resolves_and_the_cost_per_line(team_change):
    payments = next(d for d in team_change if d.stack == "payments-dev")
    assert [f.split(":")[1].strip().split(" ")[0] for f in payments.findings_removed] == ["cluster-endpoint-not-open-to-world"]
    assert payments.findings_added == []
    # Fewer game pods: less Fargate, and less pod log ingested and stored.
    (line,) = [line for line in payments.cost if line.category == "Fargate"]
    assert line.item.endswith("deployment-2048")
    assert {other.category for other in payments.cost if other is not line} <= {"Logs"}
    assert all(other.new < other.old for other in payments.cost)
    assert payments.cost_totals[1] - payments.cost_totals[0] == sum(other.new - other.old for other in payments.cost)
    markdown = diff_render.render(team_change)
    assert "**Policy findings this change resolves:**" in markdown
    assert "**Estimated monthly cost:**" in markdown and f"| Fargate | {plan_markdown.text(line.item, 160)} |" in markdown


@pytest.mark.parametrize("stack", sorted(p.stem.removeprefix("Pulumi.") for p in TENANT_PROJECT_DIR.glob("Pulumi.*-*.yaml")))
def test_a_tenants_diff_prices_it_as_the_cost_command_does(stack, capsys):
    """The diff's cost lines and `python -m cost` price one plan: a tenant's share of a shared ALB and its pods' logs included."""
    plan = offline_plan.build(stack, project_dir=TENANT_PROJECT_DIR)
    diff_lines = diff_cost.lines(plan)
    assert cost_main(["--stack", stack, "--project-dir", str(TENANT_PROJECT_DIR), "--json"]) == 0
    priced = json.loads(capsys.readouterr().out)
    assert {(line["category"], line["item"]): Decimal(str(line["monthlyUsd"])) for line in priced["lines"]} == diff_lines


def test_a_cost_change_in_a_region_with_unpriced_items_says_its_totals_leave_them_out():
    old = offline_plan.build("dev", stack_file=PINNED_DEV, overrides={"aws:region": "eu-north-1"})
    new = offline_plan.build("dev", stack_file=PINNED_DEV, overrides={"aws:region": "eu-north-1", "appReplicas": 6})
    unpriced = cost.from_plan(new).unpriced
    assert unpriced, "eu-north-1 has an item prices.json cannot price (else pick another region)"
    diff = offline_diff.compare(old, new, "dev")
    assert diff.cost and diff.cost_unpriced == unpriced
    markdown = diff_render.render([diff])
    assert all(plan_markdown.prose(item) in markdown for item in unpriced) and "priced items only" in markdown


def test_a_pod_template_change_says_the_pods_roll_and_a_replica_change_does_not():
    new = copy.deepcopy(dev_plan())
    deployment = resource(new, DEPLOYMENT, "game-2048-deployment")["inputs"]
    deployment["spec"]["template"]["metadata"]["annotations"]["eks-fargate/security-group"] = "sg-other"
    assert entry(offline_diff.compare(dev_plan(), new, "dev"), DEPLOYMENT, "game-2048-deployment").warnings == [
        "the pods roll: each is replaced"
    ]
    scaled = copy.deepcopy(dev_plan())
    resource(scaled, DEPLOYMENT, "game-2048-deployment")["inputs"]["spec"]["strategy"] = {"type": "Recreate"}
    assert entry(offline_diff.compare(dev_plan(), scaled, "dev"), DEPLOYMENT, "game-2048-deployment").warnings == []


def test_the_chart_and_addon_pins_are_plan_inputs_so_a_bump_changes_the_plan_and_deploys():
    """The deploy planner rolls out what changes a plan, and the runtime pins and the CLI, which no plan
    shows, by a check of its own (.github/scripts/deploy_plan.py): the pins in the code must reach the plan."""
    plan = dev_plan()
    (release,) = [r for r in plan["resources"] if r["type"] == HELM_RELEASE]
    assert release["inputs"]["version"] == alb_controller.CHART_VERSION
    (cluster,) = [r for r in plan["resources"] if r["type"] == replacements.CLUSTER_TYPE]
    addons = [r["inputs"] for r in plan["resources"] if r["type"] == EKS_ADDON]
    assert addons and all(
        a["addonVersion"] == addon_versions.addon_version(a["addonName"], cluster["inputs"]["version"]) for a in addons
    )


def test_a_change_in_what_one_namespace_reaches_of_another_is_a_finding():
    old = dev_plan()
    network = old["podNetwork"]
    (app_group,) = network["groups"]
    opened = copy.deepcopy(old)
    opened["podNetwork"]["rules"].append(
        {
            "group": app_group,
            "direction": "ingress",
            "protocol": "tcp",
            "from": 0,
            "to": 65535,
            "peerGroup": network["clusterGroup"],
        }
    )
    diff = offline_diff.compare(old, opened, "dev")
    assert any(line.startswith("reachability: kube-system → ") and "tcp 0-65535" in line for line in diff.findings_added)
    assert any(line.startswith("reachability: kube-system → ") and "tcp 10250" in line for line in diff.findings_removed)
    assert not offline_diff.compare(old, copy.deepcopy(old), "dev").findings_added
