"""Kubernetes upgrades: pinned add-ons, pods that roll with the control plane, and the diff's refusals."""

import copy
import functools
import re
import subprocess

from components import addon_versions
from components.rollout import KUBERNETES_VERSION_ANNOTATION
from eksfargate.facts.kubernetes_versions import ROLLBACK_WINDOW
from eksfargate.settings import SUPPORTED_KUBERNETES_VERSIONS
from offline import diff as offline_diff
from offline import plan as offline_plan
from offline import plan_document
from offline.__main__ import main as offline_main
from tests.tools.offline.test_plan import dev_plan

CLUSTER = "eks:index:Cluster"
ADDON = "aws:eks/addon:Addon"
COREDNS = "fargate-coredns"
RELEASE = "kubernetes:helm.sh/v3:Release"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
EKSBUILD_VERSION = re.compile(r"^v\d+\.\d+\.\d+-eksbuild\.\d+$")


@functools.cache
def plan_at(version: str) -> dict:
    """The dev stack's plan with the cluster on `version` (its own Kubernetes version shares dev_plan())."""
    if dev_plan()["config"]["eks-fargate:kubernetesVersion"] == version:
        return dev_plan()
    return offline_plan.build("dev", overrides={"kubernetesVersion": version})


def resource(plan: dict, type_: str, name: str | None = None) -> dict:
    (found,) = [r for r in plan["resources"] if r["type"] == type_ and name in (None, r["name"])]
    return found


def with_cluster_version(plan: dict, version: str) -> dict:
    edited = copy.deepcopy(plan)
    resource(edited, CLUSTER)["inputs"]["version"] = version
    return edited


def run_diff(tmp_path, capsys, old: dict, new: dict) -> subprocess.CompletedProcess:
    """`python -m offline diff old.json new.json`, run in this process (its exit code is what main returns:
    test_diff.py's CLI test runs it as a process): what it prints and its exit code."""
    (tmp_path / "old.json").write_text(plan_document.dumps(old))
    (tmp_path / "new.json").write_text(plan_document.dumps(new))
    argv = ["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]
    capsys.readouterr()
    status = offline_main(argv)
    printed = capsys.readouterr()
    return subprocess.CompletedProcess(argv, status, printed.out, printed.err)


def test_every_supported_kubernetes_version_has_a_pinned_version_of_every_addon(dev):
    installed = {a.inputs["addonName"] for a in dev.of_type(ADDON)}
    assert installed <= set(addon_versions.ADDON_VERSIONS)
    for addon, pins in addon_versions.ADDON_VERSIONS.items():
        assert set(SUPPORTED_KUBERNETES_VERSIONS) <= set(pins.versions), addon
        assert all(EKSBUILD_VERSION.match(v) for v in pins.versions.values()), addon
        assert pins.source.startswith("https://") and re.fullmatch(r"\d{4}-\d{2}-\d{2}", pins.read_on)


def test_addons_state_their_conflict_resolution_on_create_and_update(dev):
    for addon in dev.of_type(ADDON):
        # NONE and OVERWRITE are valid on create; NONE, OVERWRITE and PRESERVE on update.
        assert addon.inputs["resolveConflictsOnCreate"] in ("NONE", "OVERWRITE")
        assert addon.inputs["resolveConflictsOnUpdate"] in ("NONE", "OVERWRITE", "PRESERVE")
        assert EKSBUILD_VERSION.match(addon.inputs["addonVersion"])


def test_the_stacks_pods_carry_the_clusters_kubernetes_version(dev, existing_vpc):
    for recording in (dev, existing_vpc):
        version = recording.one(CLUSTER).inputs["version"]
        template = recording.one(DEPLOYMENT).inputs["spec"]["template"]["metadata"]
        assert template["annotations"][KUBERNETES_VERSION_ANNOTATION] == version
        assert recording.one(RELEASE).inputs["values"]["podAnnotations"][KUBERNETES_VERSION_ANNOTATION] == version


def test_an_upgrade_updates_control_plane_then_coredns_then_controller_then_app(dev):
    cluster, coredns, release, game = dev.one(CLUSTER), dev.one(ADDON, COREDNS), dev.one(RELEASE), dev.one(DEPLOYMENT)
    assert coredns.depends_on(cluster)
    assert release.depends_on(coredns)
    assert game.depends_on(release)
    assert not cluster.depends_on(game) and not coredns.depends_on(release)


def test_a_one_minor_upgrade_rolls_the_game_and_the_controller(tmp_path, capsys):
    old, new = plan_at("1.35"), plan_at("1.36")
    diff = offline_diff.compare(old, new, "dev")
    changes = {(e.resource["type"], c.path): (c.old, c.new) for e in diff.resources for c in e.changes}
    annotation = f"spec.template.metadata.annotations.{KUBERNETES_VERSION_ANNOTATION}"
    assert changes[(DEPLOYMENT, annotation)] == ("1.35", "1.36")
    assert changes[(RELEASE, f"values.podAnnotations.{KUBERNETES_VERSION_ANNOTATION}")] == ("1.35", "1.36")
    assert changes[(CLUSTER, "version")] == ("1.35", "1.36")
    assert {e.op for e in diff.resources if e.op != "same"} == {"update"}  # nothing is replaced
    (finding,) = diff.upgrade
    assert not finding.refused and "1.35 → 1.36" in finding.text
    done = run_diff(tmp_path, capsys, old, new)
    assert done.returncode == 1, done.stderr
    assert "**Kubernetes upgrade.** Stack <code>dev</code>" in done.stdout
    assert f"annotations.{KUBERNETES_VERSION_ANNOTATION}" in done.stdout


def test_a_new_addon_pin_moves_the_addon_with_the_control_plane(monkeypatch):
    pins = addon_versions.ADDON_VERSIONS["coredns"]
    moved = addon_versions.AddonPins({**pins.versions, "1.36": "v9.9.9-eksbuild.1"}, pins.source, pins.read_on)
    monkeypatch.setitem(addon_versions.ADDON_VERSIONS, "coredns", moved)
    new = offline_plan.build("dev", overrides={"kubernetesVersion": "1.36"})
    diff = offline_diff.compare(plan_at("1.35"), new, "dev")
    (entry,) = [e for e in diff.resources if e.resource["type"] == ADDON and e.resource["name"] == COREDNS]
    assert entry.op == "update" and ("addonVersion", "v9.9.9-eksbuild.1") in [(c.path, c.new) for c in entry.changes]
    assert "rollout restart" not in diff.upgrade[0].text


def test_coredns_rolls_with_the_upgrade_and_no_manual_restart_is_asked():
    """Its pod annotations carry the Kubernetes version: one `pulumi up` rolls it, whatever its pin."""
    old, new = plan_at("1.35"), plan_at("1.36")
    (finding,) = offline_diff.compare(old, new, "dev").upgrade
    assert "rollout restart" not in finding.text and "CoreDNS's pods roll too" in finding.text


def test_an_addon_whose_schema_takes_no_annotations_and_keeps_its_pin_asks_for_a_restart(monkeypatch):
    monkeypatch.setattr(addon_versions, "POD_ANNOTATIONS_IN_SCHEMA", {})
    pins = addon_versions.ADDON_VERSIONS["coredns"]
    same = addon_versions.AddonPins(dict.fromkeys(pins.versions, pins.versions["1.35"]), pins.source, pins.read_on)
    monkeypatch.setitem(addon_versions.ADDON_VERSIONS, "coredns", same)
    old = offline_plan.build("dev", overrides={"kubernetesVersion": "1.35"})
    new = offline_plan.build("dev", overrides={"kubernetesVersion": "1.36"})
    (finding,) = offline_diff.compare(old, new, "dev").upgrade
    assert "kubectl -n kube-system rollout restart deployment coredns" in finding.text


def test_skipping_a_minor_version_fails_the_diff_with_the_steps_to_take(tmp_path, capsys):
    old = with_cluster_version(plan_at("1.36"), "1.34")  # a revision still on 1.34
    done = run_diff(tmp_path, capsys, old, plan_at("1.36"))
    assert done.returncode == 3
    caution = done.stdout.split("> [!CAUTION]\n", 1)[1].split("\n\n", 1)[0]
    assert "EKS WOULD REFUSE" in caution and "Stack <code>dev</code>" in caution and "1.34 → 1.36" in caution
    assert "<code>kubernetesVersion: 1.35</code>, then <code>kubernetesVersion: 1.36</code>" in caution
    assert "refused: Stack `dev`" in done.stderr


def test_one_minor_down_is_a_rollback_the_diff_allows_and_says_the_addons_are_not_rolled_back(tmp_path, capsys):
    old, new = plan_at("1.36"), plan_at("1.35")
    (finding,) = offline_diff.compare(old, new, "dev").upgrade
    assert not finding.refused and "1.36 → 1.35" in finding.text
    # EKS's conditions: the previous minor only, within its window after the in-place upgrade.
    assert "roll" in finding.text.lower() and f"{ROLLBACK_WINDOW.days} days" in finding.text
    # EKS reverts the control plane, not the add-ons: the note says what moves them instead.
    assert "does not roll back add-ons" in finding.text
    coredns = resource(new, ADDON, COREDNS)["inputs"]["addonVersion"]
    assert coredns in finding.text
    done = run_diff(tmp_path, capsys, old, new)
    assert done.returncode == 1, done.stderr  # changes, not a refusal
    assert "EKS WOULD REFUSE" not in done.stdout and "1.36 → 1.35" in done.stdout


def test_going_down_two_minors_fails_the_diff(tmp_path, capsys):
    old = with_cluster_version(plan_at("1.36"), "1.37")  # a revision on a version two above 1.35
    done = run_diff(tmp_path, capsys, old, plan_at("1.35"))
    assert done.returncode == 3
    caution = done.stdout.split("> [!CAUTION]\n", 1)[1].split("\n\n", 1)[0]
    assert "EKS WOULD REFUSE" in caution and "1.37 → 1.35" in caution and "previous minor version" in caution


def test_plans_without_a_version_change_have_no_upgrade_findings():
    assert offline_diff.compare(dev_plan(), copy.deepcopy(dev_plan()), "dev").upgrade == []
    scaled = copy.deepcopy(dev_plan())
    resource(scaled, DEPLOYMENT)["inputs"]["spec"]["replicas"] = 1
    assert offline_diff.compare(dev_plan(), scaled, "dev").upgrade == []
