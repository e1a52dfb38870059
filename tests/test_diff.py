"""The plan diff: updates, replacements (and what they drag along), deletions, protected resources, exit codes."""

import copy
import json
import subprocess
import sys

import pytest

from offline import diff as offline_diff
from offline import plan as offline_plan
from offline.harness import PROJECT_DIR
from tests.test_plan import dev_plan

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
    assert "No changes to stacks `dev`" in offline_diff.render([diff])


def test_a_replica_change_is_an_in_place_update_of_the_autoscalers_floor_only():
    scaled = offline_plan.build("dev", overrides={"appReplicas": 3})
    diff = offline_diff.compare(dev_plan(), scaled, "dev")
    assert changed(diff) == {(AUTOSCALER, "game-2048-autoscaler"): "update"}
    (change,) = entry(diff, AUTOSCALER, "game-2048-autoscaler").changes
    assert (change.path, change.old, change.new, change.replaces) == ("spec.minReplicas", 5, 3, False)
    markdown = offline_diff.render([diff])
    assert f"**1 to update** · {len(dev_plan()['resources']) - 1} unchanged" in markdown
    assert "- `spec.minReplicas`: `5` → `3`" in markdown
    assert '- `eks-fargate:appReplicas`: `"5"` → `"3"`' in markdown


def test_a_fargate_profile_selector_change_is_a_replacement():
    new = copy.deepcopy(dev_plan())
    resource(new, PROFILE, "fargate-workloads")["inputs"]["selectors"] = [{"namespace": "game-2048", "labels": {"tier": "web"}}]
    diff = offline_diff.compare(dev_plan(), new, "dev")
    assert changed(diff) == {(PROFILE, "fargate-workloads"): "replace"}
    (change,) = entry(diff, PROFILE, "fargate-workloads").changes
    assert change.path == "selectors" and change.replaces
    row = next(line for line in offline_diff.render([diff]).splitlines() if "`fargate-workloads`" in line)
    assert row.startswith("| 🔁 replace |") and "`selectors` forces replacement (delete, then create)" in row


def test_a_new_app_namespace_replaces_the_profile_and_every_object_in_it():
    renamed = offline_plan.build("dev", overrides={"appNamespace": "game"})
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
    markdown = offline_diff.render([diff])
    assert "**1 to delete**" in markdown
    assert "| ➖ delete | `game-2048-ingress` |" in markdown
    assert "CAUTION" not in markdown


def test_a_new_vpc_cidr_replaces_the_network_and_what_uses_its_ids():
    moved = offline_plan.build("dev", overrides={"vpcCidr": "10.20.0.0/16"})
    diff = offline_diff.compare(dev_plan(), moved, "dev")
    ops = changed(diff)
    assert ops[("aws:ec2/vpc:Vpc", "network-vpc")] == "replace"
    assert ops[("aws:ec2/subnet:Subnet", "network-private-ap-northeast-2a")] == "replace"
    # The profiles' subnet ids did not change in the code, but they will: their subnets are new.
    assert ops[(PROFILE, "fargate-kube-system")] == ops[(PROFILE, "fargate-workloads")] == "replace"
    assert ops[("aws:ec2/internetGateway:InternetGateway", "network-igw")] == "update"
    cluster = entry(diff, "eks:index:Cluster", "cluster-eks")
    assert cluster.op == "update"
    assert any(c.path == "vpcId" and "cannot move a cluster to another VPC" in c.note for c in cluster.changes)


def test_renaming_the_cluster_replaces_it_and_everything_on_it():
    renamed = offline_plan.build("dev", overrides={"clusterName": "renamed"})
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
    markdown = offline_diff.render([diff])
    caution = markdown.split("> [!CAUTION]\n", 1)[1].split("\n\n", 1)[0]
    assert "PROTECTED RESOURCES WOULD BE DELETED OR REPLACED" in caution
    assert "`network-vpc`" in caution and "`cluster-eks`" in caution
    assert "| 🔁 replace **PROTECTED** | `network-vpc` |" in markdown


def test_the_cli_exit_code_tells_whether_anything_changed(tmp_path):
    base, scaled = tmp_path / "base.json", tmp_path / "scaled.json"
    base.write_text(offline_plan.dumps(dev_plan()))
    new = copy.deepcopy(dev_plan())
    resource(new, AUTOSCALER, "game-2048-autoscaler")["inputs"]["spec"]["minReplicas"] = 2
    scaled.write_text(json.dumps(new))

    def cli(*args):
        command = [sys.executable, "-m", "offline", "diff", *args]
        return subprocess.Popen(command, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    running = [cli(str(base), str(base)), cli(str(base), str(scaled)), cli(str(base), str(tmp_path / "nope"))]
    (same, _), (different, _), (_, broken) = [process.communicate() for process in running]
    assert [process.returncode for process in running] == [0, 1, 2]
    assert "No changes to stacks `dev`" in same
    assert different.startswith(offline_diff.MARKER) and "`spec.minReplicas`: `5` → `2`" in different
    assert "Traceback" not in broken and broken.startswith("error: ")


def test_revisions_are_read_with_git_archive_and_a_stack_missing_there_is_new():
    revisions = offline_diff.Revisions()
    try:
        assert "dev" in revisions.stacks("HEAD")
        assert (revisions.tree("HEAD") / "Pulumi.dev.yaml").read_bytes() == subprocess.run(
            ["git", "show", "HEAD:Pulumi.dev.yaml"], cwd=PROJECT_DIR, capture_output=True, check=True
        ).stdout
        side = revisions.plan("HEAD", "no-such-stack")
        assert side.plan is None and not side.error
    finally:
        revisions.close()
    diff = offline_diff._pair(offline_diff.Side("`HEAD`"), offline_diff.Side("working tree", plan=dev_plan()), "dev")
    assert diff.note.startswith("The stack file is new") and diff.count("create") == len(dev_plan()["resources"])


@pytest.mark.parametrize("spec", ["HEAD:dev", ":dev", "origin/main:*"])
def test_revision_specs_are_told_from_files(spec):
    assert offline_diff.is_revision_spec(spec)
    assert not offline_diff.is_revision_spec(str(PROJECT_DIR / "Pulumi.dev.yaml"))
