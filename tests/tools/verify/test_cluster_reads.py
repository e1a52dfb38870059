"""The table of what verify reads (eksfargate/facts/cluster_reads.py) is what it reads: one round of the
checks, as `python -m verify` runs it, against the loopback API, requests exactly the table's paths, for
a platform (cluster-wide) and for a tenant (its namespace; the nodes cluster-wide). The verifiers'
ClusterRole grants the table (tests/components/test_cluster_readers.py), so it grants every request."""

import pytest

from eksfargate.facts.cluster_reads import VERIFY_READS
from tests.tools.verify import fakes
from verify.cluster import Cluster, Scope
from verify.outputs import StackOutputs
from verify.run import Readers, cluster_round

NS = "tenant-ledger"


class LoggedPods:
    """CloudWatch Logs where every pod has logged: the round's log check passes without an AWS call."""

    def pod_has_logs(self, log_group: str, pod: str, namespace: str) -> bool:
        return True


def objects() -> dict:
    return {
        "nodes": [fakes.fargate_node()],
        "pods": [fakes.pod("app-a", NS)],
        "deployments": [fakes.deployment("app", NS)],
        "ingresses": [fakes.ingress("app", NS)],
        "autoscalers": [fakes.autoscaler("app", NS)],
    }


def requested_paths(scope: Scope) -> set[str]:
    api = fakes.FakeApi(objects())
    with fakes.kubernetes_api(api) as kubeconfig:
        outputs = StackOutputs(kubeconfig, "ap-northeast-2", scope, url=None, log_group="/pods", alarm_names=[])
        results = cluster_round(outputs, Readers(cluster=Cluster(kubeconfig, scope), cloud=LoggedPods()))  # type: ignore[arg-type]
    assert all(result.passed for result in results), results
    return {path.split("?")[0] for _, path, _ in api.requests}


@pytest.mark.parametrize(
    ("scope", "namespace"), [(Scope(None, excluded_prefix="tenant-"), None), (Scope(NS), NS)], ids=["platform", "tenant"]
)
def test_a_round_lists_exactly_the_tables_paths(scope, namespace):
    table = {read.path(namespace if read.namespaced else None) for read in VERIFY_READS}
    assert requested_paths(scope) == table


def test_a_tenant_lists_nodes_cluster_wide_and_nothing_else_outside_its_namespace():
    outside = {path for path in requested_paths(Scope(NS)) if f"/namespaces/{NS}/" not in path}
    assert outside == {"/api/v1/nodes"}


def test_a_cluster_scoped_read_has_no_namespaced_path():
    (nodes,) = [read for read in VERIFY_READS if not read.namespaced]
    with pytest.raises(ValueError, match="cluster-scoped"):
        nodes.path(NS)
