"""The whole pack over recorded stacks (`policy.offline.check`): dev, variants of it, a first preview."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from components.container_insights import NAMESPACE as METRICS_NAMESPACE
from offline.harness import RecordedResource, Recording
from policy import offline as policy_offline
from tests.policy.engine_args import (
    ASSOCIATION,
    DAEMONSET,
    DEPLOYMENT,
    NAMESPACE,
    PROFILE,
    ROUTE_TABLE,
    SUBNET,
    U,
    deployment,
    pod,
)


def test_dev_stack_passes_every_mandatory_rule(dev: Recording) -> None:
    violations = policy_offline.check(dev)
    assert [v for v in violations if v.mandatory] == []
    # What it does get is advisory, and known: the dev API endpoint is open, the game image is :latest
    # and the game is served on plain HTTP.
    assert sorted((v.policy, v.resource) for v in violations) == [
        ("cluster-endpoint-not-open-to-world", "cluster-eks"),
        ("image-tag-pinned", "game-2048-deployment"),
        ("ingress-has-tls", "game-2048-ingress"),
    ]


def _extra(dev: Recording, kind_type: str, name: str, props: dict) -> RecordedResource:
    """A Kubernetes resource as the program would register it, on the dev stack's cluster provider."""
    game = dev.one(DEPLOYMENT)
    urn = game.urn.replace("game-2048-deployment", name).replace(DEPLOYMENT, kind_type)
    return RecordedResource(
        urn=urn, type=kind_type, name=name, parent=game.parent, custom=True, remote=False, provider=game.provider,
        protect=False, delete_before_replace=False, dependencies=[], property_dependencies={},
        inputs=props, id=name, outputs=dict(props),
    )  # fmt: skip


def test_variant_with_uncovered_namespace_daemonset_and_host_path_fails(dev: Recording) -> None:
    log_agent = deployment(namespace="kube-system", labels={"app": "log-agent"})
    log_agent["metadata"]["name"] = "log-agent"
    app_namespace = dev.config["eks-fargate:appNamespace"]
    debug = deployment(pod(volumes=[{"name": "host-logs", "hostPath": {"path": "/var/log"}}]), namespace=app_namespace)
    debug["metadata"]["name"] = "debug"
    extras = [
        _extra(dev, NAMESPACE, "reports-namespace", {"metadata": {"name": "reports"}}),
        _extra(dev, DEPLOYMENT, "reports", {**deployment(namespace="reports"), "kind": "Deployment"}),
        _extra(dev, DAEMONSET, "log-agent", log_agent),
        _extra(dev, DEPLOYMENT, "debug", debug),
    ]
    variant = dataclasses.replace(dev, resources=[*dev.resources, *extras])
    mandatory = sorted((v.policy, v.resource, v.message) for v in policy_offline.check(variant) if v.mandatory)
    assert [(policy, resource) for policy, resource, _ in mandatory] == [
        ("fargate-profile-covers-workload", "reports"),
        ("no-daemonsets", "log-agent"),
        ("no-host-path-volumes", "debug"),
    ]
    messages = [message for *_, message in mandatory]
    assert "namespace 'reports'" in messages[0] and "matches no Fargate profile selector" in messages[0]
    metrics = [METRICS_NAMESPACE] if dev.config["eks-fargate:containerInsights"] == "true" else []
    covered = [app_namespace, "kube-system", *metrics]
    assert f"(selectors: {', '.join(sorted(covered))})" in messages[0]
    assert "DaemonSet 'log-agent' would never schedule on Fargate" in messages[1]
    assert "volume 'host-logs' of Deployment 'debug' is a hostPath volume" in messages[2]
    assert len(dev.resources) + len(extras) == len(variant.resources)  # the shared recording is untouched


def test_dev_without_the_workload_profile_leaves_the_game_uncovered(dev: Recording) -> None:
    variant = dataclasses.replace(dev, resources=[r for r in dev.resources if r.name != "fargate-workloads"])
    mandatory = [v for v in policy_offline.check(variant) if v.mandatory]
    assert [(v.policy, v.resource) for v in mandatory] == [("fargate-profile-covers-workload", "game-2048-deployment")]


def test_dev_profile_on_public_subnets_fails(dev: Recording) -> None:
    public = [s for s in dev.of_type(SUBNET) if s.inputs["mapPublicIpOnLaunch"]]
    workloads = copy.deepcopy(dev.one(PROFILE, "fargate-workloads"))
    workloads.inputs["subnetIds"] = workloads.outputs["subnetIds"] = [s.id for s in public]
    workloads.property_dependencies["subnetIds"] = [s.urn for s in public]
    variant = dataclasses.replace(dev, resources=[workloads if r.name == workloads.name else r for r in dev.resources])
    mandatory = [v for v in policy_offline.check(variant) if v.mandatory]
    assert {v.policy for v in mandatory} == {"fargate-profile-private-subnets"} and len(mandatory) == len(public) == 3
    name = workloads.inputs["fargateProfileName"]
    assert all(f"Fargate profile '{name}'" in v.message and "public IP on launch" in v.message for v in mandatory)


def _as_first_preview(dev: Recording) -> Recording:
    """The dev recording as a first `pulumi preview` sees it: every id, ARN and value computed from one unknown."""
    computed = {r.id for r in dev.resources if r.id} | {"arn:", "123456789012", "oidc.eks."}

    def blank(value: Any) -> Any:
        if isinstance(value, str) and any(marker in value for marker in computed):
            return U
        if isinstance(value, dict):
            return {key: blank(item) for key, item in value.items()}
        if isinstance(value, list):
            return [blank(item) for item in value]
        return value

    resources = [dataclasses.replace(r, inputs=blank(r.inputs), outputs=blank(r.outputs), id="") for r in dev.resources]
    return dataclasses.replace(dev, resources=resources)


def test_first_preview_with_unknown_ids_passes_and_still_catches_public_subnets(dev: Recording) -> None:
    preview = _as_first_preview(dev)
    profile = preview.one(PROFILE, "fargate-workloads")
    assert profile.inputs["subnetIds"] == [U, U, U] and profile.inputs["podExecutionRoleArn"] == U
    assert [v for v in policy_offline.check(preview) if v.mandatory] == []

    # Only property dependencies tell which subnets and route tables are meant now.
    public = [s for s in preview.of_type(SUBNET) if s.inputs["mapPublicIpOnLaunch"]]
    public_table = preview.one(ROUTE_TABLE, "network-public")
    swapped = []
    for r in preview.resources:
        if r.name == "fargate-workloads":
            r = dataclasses.replace(r, property_dependencies={**r.property_dependencies, "subnetIds": [s.urn for s in public]})
        elif r.type == ASSOCIATION and r.name.startswith("network-private-"):
            r = dataclasses.replace(r, property_dependencies={**r.property_dependencies, "routeTableId": [public_table.urn]})
        swapped.append(r)
    mandatory = [v for v in policy_offline.check(dataclasses.replace(preview, resources=swapped)) if v.mandatory]
    by_profile = {}
    for v in mandatory:
        assert v.policy == "fargate-profile-private-subnets"
        by_profile.setdefault(v.resource, []).append(v.message)
    assert all("public IP on launch" in m for m in by_profile["fargate-workloads"]) and len(by_profile["fargate-workloads"]) == 3
    # kube-system keeps the private subnets, now associated with the public route table (routes to the gateway)
    assert len(by_profile["fargate-kube-system"]) == 3
    assert all("route table 'network-public' routes to an internet gateway" in m for m in by_profile["fargate-kube-system"])


def test_a_stack_with_fargate_logging_off_gets_the_advisory(dev: Recording, logging_off: Recording) -> None:
    assert [v for v in policy_offline.check(dev) if v.policy == "fargate-logging-off"] == []
    (violation,) = [v for v in policy_offline.check(logging_off) if v.policy == "fargate-logging-off"]
    assert not violation.mandatory and violation.resource == "fargate-kube-system"
