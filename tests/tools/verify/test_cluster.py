"""The cluster checks, each passing and failing, read through the real Kubernetes client from a
loopback imitation of the API (tests/tools/verify/fakes.py) serving objects in the API's shape."""

import pytest

from tests.tools.verify import fakes
from verify import cluster_checks as checks
from verify.cluster import Cluster, Scope
from verify.results import ReadError, Status

APP_NS = "game-2048"
NODE = "fargate-ip-10-0-1-23.ap-northeast-2.compute.internal"


PLATFORM = Scope(None, excluded_prefix="tenant-")


def read(objects, scope=PLATFORM):
    api = fakes.FakeApi(objects)
    with fakes.kubernetes_api(api) as kubeconfig:
        cluster = Cluster(kubeconfig, scope)
        got = {
            "nodes": cluster.nodes(),
            "pods": cluster.pods(),
            "deployments": cluster.deployments(),
            "ingresses": cluster.ingresses(),
            "autoscalers": cluster.autoscalers(),
        }
    return got, api


def test_fargate_nodes_pass_and_an_ec2_node_fails():
    got, _ = read({"nodes": [fakes.fargate_node(), fakes.fargate_node("fargate-ip-10-0-3-9.ap-northeast-2.compute.internal")]})
    assert checks.check_nodes(got["nodes"]).status is Status.PASSED
    got, _ = read({"nodes": [fakes.fargate_node(), fakes.ec2_node()]})
    result = checks.check_nodes(got["nodes"])
    assert result.status is Status.FAILED
    assert "ip-10-0-2-45.ap-northeast-2.compute.internal" in result.found
    assert NODE not in result.found


def test_no_node_at_all_fails():
    assert checks.check_nodes([]).status is Status.FAILED


def test_a_settled_rollout_passes_and_a_stuck_one_fails_as_kubectl_says():
    got, _ = read({"deployments": [fakes.deployment("game-2048", APP_NS), fakes.deployment("coredns", "kube-system")]})
    assert [checks.check_rollout(d).status for d in got["deployments"]] == [Status.PASSED, Status.PASSED]
    stuck = fakes.deployment("game-2048", APP_NS, status=fakes.STUCK_ROLLOUT)
    result = checks.check_rollout(stuck)
    assert result.status is Status.FAILED
    assert "progress deadline" in result.found


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ({"observedGeneration": 2}, "not observed"),
        ({"updatedReplicas": 1}, "1 of 2 replicas updated"),
        ({"replicas": 3}, "1 old replica"),
        ({"availableReplicas": 1}, "1 of 2 updated replicas available"),
    ],
)
def test_each_step_of_kubectls_rollout_rule_fails_on_its_own(status, said):
    result = checks.check_rollout(fakes.deployment("game-2048", APP_NS, status=status))
    assert result.status is Status.FAILED
    assert said in result.found


def test_ready_pods_on_fargate_pass_and_a_pod_behind_its_readiness_gate_fails():
    got, _ = read({"pods": [fakes.pod("game-2048-a", APP_NS), fakes.pod("game-2048-b", APP_NS)], "nodes": [fakes.fargate_node()]})
    fargate = checks.fargate_node_names(got["nodes"])
    assert checks.check_pods(APP_NS, got["pods"], fargate).status is Status.PASSED
    gated = checks.check_pods(APP_NS, [fakes.pod("game-2048-a", APP_NS), fakes.pod("game-2048-b", APP_NS, ready=False)], fargate)
    assert gated.status is Status.FAILED
    assert "game-2048-b" in gated.found and "target-health.elbv2.k8s.aws" in gated.found
    assert "game-2048-a:" not in gated.found


def test_a_pending_pod_and_a_pod_on_ec2_fail():
    fargate = {NODE}
    pending = checks.check_pods(APP_NS, [fakes.pod("game-2048-a", APP_NS, node=None)], fargate)
    assert pending.status is Status.FAILED and "Unschedulable" in pending.found
    on_ec2 = checks.check_pods(
        APP_NS, [fakes.pod("game-2048-a", APP_NS, node="ip-10-0-2-45.ap-northeast-2.compute.internal")], fargate
    )
    assert on_ec2.status is Status.FAILED and "not a Fargate node" in on_ec2.found


def test_a_pod_whose_image_cannot_be_pulled_names_the_container_and_the_reason():
    """As the API shows a pinned digest the registry does not have: scheduled on its Fargate node, Pending,
    its container waiting in ImagePullBackOff."""
    stuck = fakes.pod("adot-collector-0", "fargate-container-insights")
    stuck["status"]["phase"] = "Pending"
    for entry in stuck["status"]["conditions"]:
        if entry["type"] in ("Ready", "ContainersReady"):
            entry.update(status="False", reason="ContainersNotReady", message="containers with unready status: [adot-collector]")
    waiting = {
        "reason": "ImagePullBackOff",
        "message": 'Back-off pulling image "public.ecr.aws/aws-observability/aws-otel-collector"',
    }
    stuck["status"]["containerStatuses"] = [
        {"name": "adot-collector", "ready": False, "restartCount": 0, "state": {"waiting": waiting}},
    ]
    result = checks.check_pods("fargate-container-insights", [stuck], {NODE})
    assert result.status is Status.FAILED
    assert "adot-collector ImagePullBackOff" in result.found and "ContainersNotReady" in result.found


def test_an_ingress_with_an_address_passes_and_one_without_fails():
    got, _ = read({"ingresses": [fakes.ingress("ingress-2048", APP_NS), fakes.ingress("pending", APP_NS, hostname=None)]})
    addressed, bare = (checks.check_ingress(i) for i in got["ingresses"])
    assert addressed.status is Status.PASSED and addressed.found.endswith(".elb.amazonaws.com")
    assert bare.status is Status.FAILED


def test_an_autoscaler_reading_its_metrics_passes_and_failed_get_resource_metric_fails():
    got, _ = read({"autoscalers": [fakes.autoscaler("game-2048", APP_NS), fakes.autoscaler("blind", APP_NS, metrics=False)]})
    reading, blind = (checks.check_autoscaler(h) for h in got["autoscalers"])
    assert reading.status is Status.PASSED
    assert blind.status is Status.FAILED and "FailedGetResourceMetric" in blind.found


def test_a_platform_reads_every_namespace_but_its_tenants_and_a_tenant_only_its_own():
    objects = {"pods": [fakes.pod("a", APP_NS), fakes.pod("b", "tenant-ledger"), fakes.pod("c", "kube-system")]}
    got, api = read(objects)
    assert sorted(p["metadata"]["name"] for p in got["pods"]) == ["a", "c"]
    got, api = read(objects, Scope("tenant-ledger"))
    assert [p["metadata"]["name"] for p in got["pods"]] == ["b"]
    assert any(path.startswith("/api/v1/namespaces/tenant-ledger/pods") for _, path, _ in api.requests)


def test_every_request_is_a_get_with_the_kubeconfigs_credentials():
    _, api = read({"nodes": [fakes.fargate_node()]})
    assert {method for method, _, _ in api.requests} == {"GET"}
    assert {auth for _, _, auth in api.requests} == {f"Bearer {fakes.TOKEN}"}
    assert len(api.requests) == 5


def test_a_forbidden_list_is_a_read_error_naming_the_status():
    api = fakes.FakeApi({}, status=403)
    with fakes.kubernetes_api(api) as kubeconfig:
        with pytest.raises(ReadError, match="403"):
            Cluster(kubeconfig, Scope(None)).nodes()


def test_an_unreachable_api_server_is_a_read_error():
    with fakes.kubernetes_api(fakes.FakeApi({})) as kubeconfig:
        pass  # the server is gone once the block ends
    with pytest.raises(ReadError, match="listing nodes"):
        Cluster(kubeconfig, Scope(None)).nodes()
