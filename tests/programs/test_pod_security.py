"""Tenant namespaces enforce the "restricted" Pod Security Standard, and every tenant pod meets it.

`restricted_violations` follows the checks of the restricted level as kubernetes/pod-security-admission
writes them (policy/check_*.go: privilege escalation, capabilities, runAsNonRoot, runAsUser,
seccompProfile, volume types; and the baseline checks restricted includes: host namespaces,
privileged, hostPath, host ports). No Python implementation of PSA exists to run instead; only a
real cluster's admission runs the real one.
"""

import copy

import pytest

from eksfargate.facts.pod_security import RESTRICTED_NAMESPACE_LABELS
from tests.tenants import TENANT_STACKS, tenant_recording

NAMESPACE = "kubernetes:core/v1:Namespace"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}


def restricted_violations(pod: dict) -> list[str]:
    found = []
    context = pod.get("securityContext") or {}
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(key):
            found.append(key)
    for volume in pod.get("volumes") or []:
        kinds = set(volume) - {"name"}
        if not kinds <= RESTRICTED_VOLUMES:
            found.append(f"volume {volume['name']}: {sorted(kinds)}")
    for container in [*pod.get("initContainers", []), *pod["containers"]]:
        own = container.get("securityContext") or {}
        name = container["name"]
        if own.get("privileged"):
            found.append(f"{name}: privileged")
        if own.get("allowPrivilegeEscalation") is not False:
            found.append(f"{name}: allowPrivilegeEscalation")
        capabilities = own.get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []) or set(capabilities.get("add") or []) - {"NET_BIND_SERVICE"}:
            found.append(f"{name}: capabilities")
        if own.get("runAsNonRoot", context.get("runAsNonRoot")) is not True:
            found.append(f"{name}: runAsNonRoot")
        if own.get("runAsUser", context.get("runAsUser")) == 0:
            found.append(f"{name}: runAsUser 0")
        seccomp = (own.get("seccompProfile") or context.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            found.append(f"{name}: seccompProfile")
        if any(port.get("hostPort") for port in container.get("ports") or []):
            found.append(f"{name}: hostPort")
    return found


def test_a_tenant_namespace_enforces_audits_and_warns_restricted(tenant):
    labels = tenant.one(NAMESPACE).inputs["metadata"]["labels"]
    assert RESTRICTED_NAMESPACE_LABELS.items() <= labels.items()


def test_every_tenant_pod_meets_restricted(tenant):
    pods = [d.inputs["spec"]["template"]["spec"] for d in tenant.of_type(DEPLOYMENT)]
    assert pods
    for pod in pods:
        assert restricted_violations(pod) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda pod: pod["containers"][0]["securityContext"].pop("allowPrivilegeEscalation"),
        lambda pod: pod["containers"][0]["securityContext"]["capabilities"].update(add=["SYS_ADMIN"]),
        lambda pod: pod["containers"][0]["securityContext"].update(runAsNonRoot=False),
        lambda pod: pod.update(securityContext={}),
        lambda pod: pod["volumes"].append({"name": "host", "hostPath": {"path": "/"}}),
        lambda pod: pod.update(hostNetwork=True),
    ],
)
def test_a_pod_short_of_restricted_is_caught(change):
    pod = copy.deepcopy(tenant_recording(TENANT_STACKS[0]).one(DEPLOYMENT).inputs["spec"]["template"]["spec"])
    change(pod)
    assert restricted_violations(pod)
