"""The walkthrough's cluster checks, over Kubernetes API objects as the API serves them (JSON, camelCase).

- Nodes: each carries EKS's label eks.amazonaws.com/compute-type=fargate; an EC2 node lacks it.
- Rollouts: kubectl's rule (`kubectl rollout status`, kubernetes/kubectl
  pkg/polymorphichelpers/rollout_status.go): the controller has seen the latest generation, its
  Progressing condition is not ProgressDeadlineExceeded, every replica is updated, no old replica is
  left and every updated one is available.
- Pods: Ready (which, with the load balancer controller's readiness gate, includes the ALB's target
  health) and on one of the Fargate nodes; a container that waits is named with its reason
  (status.containerStatuses[].state.waiting, core/v1 ContainerStateWaiting).
- Ingresses: an address in status.loadBalancer.ingress (the controller writes the ALB's DNS name).
- Autoscalers: condition ScalingActive True; False with a FailedGet…Metric reason is the metrics
  pipeline failing (metrics-server unreachable, no requests on the pods).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eksfargate.facts.pod_placement import COMPUTE_TYPE_LABEL, FARGATE_COMPUTE_TYPE
from verify.results import Result, failed, passed

Object = dict[str, Any]

NODES_EXPECTED = f"only Fargate nodes ({COMPUTE_TYPE_LABEL}={FARGATE_COMPUTE_TYPE}), no EC2 node"
ROLLOUT_EXPECTED = "rolled out: latest generation observed, all replicas updated and available"
PODS_EXPECTED = "every pod Ready, on a Fargate node"
ADDRESS_EXPECTED = "an address (the ALB's DNS name) in its status"
HPA_EXPECTED = "ScalingActive True (it reads its metrics)"
# Pods of finished Jobs stay listed; they are neither Ready nor failing.
FINISHED_PHASES = ("Succeeded",)


def name_of(item: Object) -> str:
    meta = item.get("metadata", {})
    namespace = meta.get("namespace")
    return f"{namespace}/{meta.get('name')}" if namespace else str(meta.get("name"))


def condition(item: Object, kind: str) -> Object | None:
    return next((c for c in item.get("status", {}).get("conditions") or [] if c.get("type") == kind), None)


def is_fargate(node: Object) -> bool:
    return (node.get("metadata", {}).get("labels") or {}).get(COMPUTE_TYPE_LABEL) == FARGATE_COMPUTE_TYPE


def fargate_node_names(nodes: Iterable[Object]) -> set[str]:
    return {node["metadata"]["name"] for node in nodes if is_fargate(node)}


def check_nodes(nodes: list[Object]) -> Result:
    others = sorted(name_of(node) for node in nodes if not is_fargate(node))
    if not nodes:
        return failed("nodes", NODES_EXPECTED, "no node at all (no pod is running)")
    if others:
        return failed("nodes", NODES_EXPECTED, f"not Fargate: {', '.join(others)}")
    return passed("nodes", NODES_EXPECTED, f"{len(nodes)} Fargate node(s)")


def rollout_state(deployment: Object) -> tuple[bool, str]:
    """(done, what kubectl rollout status would say), the same tests in the same order."""
    meta, spec, status = deployment.get("metadata", {}), deployment.get("spec", {}), deployment.get("status", {})
    if meta.get("generation", 0) > status.get("observedGeneration", 0):
        return False, "the controller has not observed the latest spec yet"
    progressing = condition(deployment, "Progressing")
    if progressing and progressing.get("reason") == "ProgressDeadlineExceeded":
        return False, f"exceeded its progress deadline: {progressing.get('message', '')}".rstrip(": ")
    wanted, updated = spec.get("replicas"), status.get("updatedReplicas", 0)
    if wanted is not None and updated < wanted:
        return False, f"{updated} of {wanted} replicas updated"
    if status.get("replicas", 0) > updated:
        return False, f"{status.get('replicas', 0) - updated} old replica(s) pending termination"
    available = status.get("availableReplicas", 0)
    if available < updated:
        return False, f"{available} of {updated} updated replicas available"
    return True, f"{updated} replica(s) updated and available"


def check_rollout(deployment: Object) -> Result:
    done, said = rollout_state(deployment)
    check = f"rollout {name_of(deployment)}"
    return passed(check, ROLLOUT_EXPECTED, said) if done else failed(check, ROLLOUT_EXPECTED, said)


def pod_problem(pod: Object, fargate_nodes: set[str]) -> str | None:
    """Why a pod is not Ready on Fargate, or None."""
    node = pod.get("spec", {}).get("nodeName")
    phase = pod.get("status", {}).get("phase", "Unknown")
    if not node:
        scheduled = condition(pod, "PodScheduled")
        why = f" ({scheduled.get('reason')}: {scheduled.get('message', '')})" if scheduled and scheduled.get("reason") else ""
        return f"{phase}, on no node{why}"
    if node not in fargate_nodes:
        return f"on {node}, not a Fargate node"
    ready = condition(pod, "Ready")
    if not ready or ready.get("status") != "True":
        gates = [c["type"] for c in pod.get("status", {}).get("conditions") or [] if c.get("status") != "True"]
        reason = ready.get("reason") if ready else None
        return f"not Ready ({', '.join(g for g in [reason, *gates, *_containers_waiting(pod)] if g)})"
    return None


def _containers_waiting(pod: Object) -> list[str]:
    """Each container that waits, with why (ImagePullBackOff for an image or digest the registry lacks,
    CrashLoopBackOff): what the Ready condition's ContainersNotReady does not say."""
    status = pod.get("status", {})
    containers = [*(status.get("initContainerStatuses") or []), *(status.get("containerStatuses") or [])]
    waiting = [(c.get("name"), c.get("state", {}).get("waiting")) for c in containers]
    return [f"{name} {state['reason']}" for name, state in waiting if state and state.get("reason")]


def check_pods(label: str, pods: list[Object], fargate_nodes: set[str]) -> Result:
    running = [pod for pod in pods if pod.get("status", {}).get("phase") not in FINISHED_PHASES]
    problems = [f"{name_of(pod)}: {why}" for pod in running if (why := pod_problem(pod, fargate_nodes))]
    check = f"pods {label}"
    if problems:
        return failed(check, PODS_EXPECTED, "; ".join(problems))
    return passed(check, PODS_EXPECTED, f"{len(running)} pod(s) Ready on Fargate")


def ingress_address(ingress: Object) -> str | None:
    for entry in ingress.get("status", {}).get("loadBalancer", {}).get("ingress") or []:
        if entry.get("hostname") or entry.get("ip"):
            return str(entry.get("hostname") or entry.get("ip"))
    return None


def check_ingress(ingress: Object) -> Result:
    address = ingress_address(ingress)
    check = f"ingress {name_of(ingress)}"
    if address is None:
        return failed(check, ADDRESS_EXPECTED, "no address yet (the controller has not provisioned its ALB)")
    return passed(check, ADDRESS_EXPECTED, address)


def check_autoscaler(hpa: Object) -> Result:
    check = f"autoscaler {name_of(hpa)}"
    active = condition(hpa, "ScalingActive")
    if active is None:
        return failed(check, HPA_EXPECTED, "no ScalingActive condition yet")
    said = f"ScalingActive {active.get('status')} ({active.get('reason', '')})"
    if active.get("status") != "True":
        return failed(check, HPA_EXPECTED, f"{said}: {active.get('message', '')}")
    return passed(check, HPA_EXPECTED, said)
