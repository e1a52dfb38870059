"""Pods that roll when what they started with changes: the pod logging setup and the Kubernetes version.

Fargate's log router reads the aws-logging ConfigMap when a pod starts, and a Fargate pod keeps the
kubelet it started with: every pod template the stack controls carries both in its annotations
(components/rollout.py), so that a change to either rolls the pods in the same `pulumi up`.
"""

import functools
import json
from typing import Any

import pytest

from components import addon_versions, fargate_logging
from components.rollout import KUBERNETES_VERSION_ANNOTATION, POD_LOGGING_ANNOTATION, POD_LOGGING_OFF, pod_logging
from offline import diff as offline_diff
from offline import diff_render
from tests.recordings import planned
from tests.stackfacts import PINNED_DEV, RELEASE, setting
from tests.tools.offline.test_plan import dev_plan
from tests.tools.offline.test_upgrade import plan_at

ADDON = "aws:eks/addon:Addon"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
CLUSTER = "eks:index:Cluster"
GAME, CONTROLLER, COREDNS, METRICS_SERVER = (
    "game-2048-deployment",
    "alb-controller-release",
    "fargate-coredns",
    "metrics-server-addon",
)


def pod_annotations_of(resources: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """{resource name: its pods' annotations} for every workload whose pod template the stack controls:
    the game's Deployment, the controller's Helm release, the add-ons (through configurationValues)."""
    found: dict[str, dict[str, str]] = {}
    for res in resources:
        inputs = res["inputs"]
        if res["type"] == DEPLOYMENT:
            found[res["name"]] = inputs["spec"]["template"]["metadata"].get("annotations", {})
        elif res["type"] == RELEASE:
            found[res["name"]] = inputs["values"].get("podAnnotations", {})
        elif res["type"] == ADDON:
            found[res["name"]] = json.loads(inputs.get("configurationValues") or "{}").get("podAnnotations", {})
    return found


def of_recording(recording) -> dict[str, dict[str, str]]:
    return pod_annotations_of([{"type": r.type, "name": r.name, "inputs": r.inputs} for r in recording.resources])


def of_plan(plan: dict[str, Any]) -> dict[str, dict[str, str]]:
    return pod_annotations_of(plan["resources"])


@functools.cache
def dev_plan_with(**overrides: Any) -> dict[str, Any]:
    """dev's pinned values with some settings changed, planned once per session (tests/recordings.py)."""
    return planned("dev", stack_file=PINNED_DEV, overrides=overrides)


def router_configuration_of(recording) -> dict[str, str] | None:
    maps = [r for r in recording.of_type(CONFIG_MAP) if r.inputs["metadata"]["name"] == "aws-logging"]
    return maps[0].inputs["data"] if maps else None


# ---------------------------------------------------------------- every stack file


def test_every_pod_template_carries_the_stacks_pod_logging_setup(stack):
    data = router_configuration_of(stack)
    expected = pod_logging(data) if data is not None else POD_LOGGING_OFF
    assert (data is not None) == (setting(stack, "fargateLogging") == "true")
    workloads = of_recording(stack)
    assert GAME in workloads or setting(stack, "appEnabled") == "false"
    assert {CONTROLLER, COREDNS} <= set(workloads)
    for name, annotations in workloads.items():
        assert annotations.get(POD_LOGGING_ANNOTATION) == expected, name


def test_every_pod_template_carries_the_clusters_kubernetes_version(stack):
    version = stack.one(CLUSTER).inputs["version"]
    for name, annotations in of_recording(stack).items():
        assert annotations.get(KUBERNETES_VERSION_ANNOTATION) == version, name


def test_pod_annotations_go_only_to_addons_whose_schema_takes_them(stack):
    for addon in stack.of_type(ADDON):
        configuration = json.loads(addon.inputs["configurationValues"])
        assert ("podAnnotations" in configuration) == addon_versions.accepts_pod_annotations(addon.inputs["addonName"])


# ---------------------------------------------------------------- what changes roll which pods


def test_turning_logging_off_changes_every_logging_pod_template(dev, logging_off):
    on, off = of_recording(dev), of_recording(logging_off)
    assert {GAME, CONTROLLER, COREDNS, METRICS_SERVER} <= set(on) and set(on) == set(off)
    for name in on:
        assert on[name][POD_LOGGING_ANNOTATION] == pod_logging(router_configuration_of(dev)), name
        assert off[name][POD_LOGGING_ANNOTATION] == POD_LOGGING_OFF, name
        # Nothing else of the pods' annotations moves.
        assert {k: v for k, v in on[name].items() if k != POD_LOGGING_ANNOTATION} == {
            k: v for k, v in off[name].items() if k != POD_LOGGING_ANNOTATION
        }, name


def test_a_new_router_configuration_changes_every_logging_pod_template():
    before, after = of_plan(dev_plan()), of_plan(dev_plan_with(fargateLogGroupName="/eks/another/fargate-pods"))
    assert set(before) == set(after)
    for name in before:
        assert before[name][POD_LOGGING_ANNOTATION] != after[name][POD_LOGGING_ANNOTATION], name


def test_the_annotation_is_a_function_of_the_configmap_data_alone():
    data = {"output.conf": "[OUTPUT]\n    Name cloudwatch_logs\n    Match *\n"}
    assert pod_logging(data) == pod_logging(dict(reversed(list(data.items()))))
    assert pod_logging(data) != pod_logging({**data, "flb_log_cw": "true"})
    assert pod_logging(data) != POD_LOGGING_OFF
    # The log group's retention is not the router's: it is not in the ConfigMap, so it rolls no pod.
    assert "retention" not in json.dumps(fargate_logging.router_configuration("/eks/dev/fargate-pods", "ap-northeast-2"))


@pytest.mark.parametrize("version", ["1.36"])
def test_a_kubernetes_upgrade_changes_corednss_configuration(version):
    old, new = dev_plan(), plan_at(version)
    assert old["config"]["eks-fargate:kubernetesVersion"] != version
    coredns = {plan["config"]["eks-fargate:kubernetesVersion"]: of_plan(plan)[COREDNS] for plan in (old, new)}
    assert {v: a[KUBERNETES_VERSION_ANNOTATION] for v, a in coredns.items()} == {v: v for v in coredns}
    diff = offline_diff.compare(old, new, "dev")
    (entry,) = [e for e in diff.resources if e.resource["name"] == COREDNS]
    assert entry.op == "update" and any(c.path.startswith("configurationValues") for c in entry.changes)


# ---------------------------------------------------------------- the plan diff shows it


def test_the_diff_of_toggling_logging_shows_every_pod_template_update():
    diff = offline_diff.compare(dev_plan(), dev_plan_with(fargateLogging=False), "dev")
    entries = {e.resource["name"]: e for e in diff.resources}
    for name, type_, path in (
        (GAME, DEPLOYMENT, f"spec.template.metadata.annotations.{POD_LOGGING_ANNOTATION}"),
        (CONTROLLER, RELEASE, f"values.podAnnotations.{POD_LOGGING_ANNOTATION}"),
        (COREDNS, ADDON, "configurationValues"),
        (METRICS_SERVER, ADDON, "configurationValues"),
    ):
        entry = entries[name]
        assert entry.resource["type"] == type_ and entry.op == "update", name
        changed = {c.path: c for c in entry.changes}
        assert any(p == path or p.startswith(path) for p in changed), (name, sorted(changed))
    # The workloads are updated in place (a rolling update of their pods), never replaced.
    assert all(entries[name].op == "update" for name in (GAME, CONTROLLER, COREDNS, METRICS_SERVER))
    # What the pull request's comment shows (make diff renders the same Markdown).
    assert POD_LOGGING_ANNOTATION in diff_render.render([diff])
