"""One round of every check, and the rounds repeated until all pass or the deadline comes.

The deadline covers what settles after `pulumi up` returns: the controller provisioning the ALB
and writing the Ingress's address, the ALB turning active and its targets healthy, the router's
first log events, the autoscaler's first metrics. An ALB takes minutes to provision (3 to 5 in the
reports read, second-hand: docs/verify.md), so the default wait is 10 minutes.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass

from verify import cluster_checks as checks
from verify.cloud import Cloud, check_alarms, check_logs
from verify.cluster import Cluster
from verify.outputs import StackOutputs
from verify.results import ReadError, Result, unreadable
from verify.web import check_redirect, check_url, http_twin

DEFAULT_WAIT = 600
DEFAULT_INTERVAL = 15


@dataclass
class Readers:
    cluster: Cluster
    cloud: Cloud
    ssl_context: ssl.SSLContext | None = None
    # The plain-HTTP address whose redirect to HTTPS is checked; None: the URL's own host on port 80.
    redirect_from: str | None = None


def _namespaces(pods: list[checks.Object]) -> list[str]:
    return sorted({pod["metadata"]["namespace"] for pod in pods})


def cluster_round(outputs: StackOutputs, readers: Readers) -> list[Result]:
    cluster = readers.cluster
    results: list[Result] = []
    try:
        nodes = cluster.nodes()
    except ReadError as error:
        return [unreadable("cluster", "the API server answers the kubeconfig's credentials", str(error))]
    results.append(checks.check_nodes(nodes))
    fargate = checks.fargate_node_names(nodes)
    try:
        deployments, pods = cluster.deployments(), cluster.pods()
        ingresses, autoscalers = cluster.ingresses(), cluster.autoscalers()
    except ReadError as error:
        return [*results, unreadable("cluster", "the stack's workloads listed", str(error))]
    results += [checks.check_rollout(deployment) for deployment in deployments]
    running = [pod for pod in pods if pod.get("status", {}).get("phase") not in checks.FINISHED_PHASES]
    for namespace in _namespaces(running):
        results.append(checks.check_pods(namespace, [p for p in running if p["metadata"]["namespace"] == namespace], fargate))
    results += [checks.check_ingress(ingress) for ingress in ingresses]
    results += [checks.check_autoscaler(hpa) for hpa in autoscalers]
    for namespace in _namespaces(running):
        names = [(namespace, p["metadata"]["name"]) for p in running if p["metadata"]["namespace"] == namespace]
        results.append(check_logs(readers.cloud, outputs.log_group, namespace, names))
    return results


def one_round(outputs: StackOutputs, readers: Readers) -> list[Result]:
    results = cluster_round(outputs, readers)
    results.append(check_url(outputs.url, readers.ssl_context))
    if outputs.url and outputs.url.startswith("https://"):
        results.append(check_redirect(readers.redirect_from or http_twin(outputs.url)))
    results.append(check_alarms(readers.cloud, outputs.alarm_names))
    return results


def until_settled(
    round_of_checks: Callable[[], list[Result]],
    wait: float = DEFAULT_WAIT,
    interval: float = DEFAULT_INTERVAL,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Result]:
    """Rounds until every check passes or `wait` seconds have gone by; the last round's results."""
    deadline = clock() + wait
    while True:
        results = round_of_checks()
        if all(result.passed for result in results) or clock() + interval > deadline:
            return results
        sleep(interval)
