"""Kubernetes version changes in a plan diff: what EKS refuses, and what one upgrade or rollback rolls.

EKS updates a control plane one minor version at a time (EKS user guide, "Update existing cluster
to new Kubernetes version") and rolls it back only to the previous minor version, within
ROLLBACK_WINDOW of the in-place upgrade, without the add-ons (facts/kubernetes_versions.py). A
diff that moves a cluster's `version` up by more than one minor, or down by more than one, would
fail half-way through `pulumi up`: `review()` turns it into a refusal, which makes
`python -m offline diff` exit 3. One minor up gets a note with the order `pulumi up` follows and
what to check afterwards; one minor down, a note on the rollback's conditions and what it leaves
to the stack.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from components.rollout import KUBERNETES_VERSION_ANNOTATION
from eksfargate.facts.kubernetes_versions import ROLLBACK_WINDOW
from eksfargate.facts.resource_types import EKS_ADDON, EKS_CLUSTER, EKS_CLUSTER_COMPONENT

CLUSTER_TYPES = (EKS_CLUSTER_COMPONENT, EKS_CLUSTER)
ADDON = EKS_ADDON


@dataclass(frozen=True)
class Finding:
    """A refusal (EKS would reject the change) or a note (what the change does)."""

    refused: bool
    text: str


def review(old: dict[str, Any] | None, new: dict[str, Any] | None, stack: str) -> list[Finding]:
    """Findings for every cluster whose Kubernetes version differs between two plans."""
    before, after = _clusters(old), _clusters(new)
    findings = []
    for urn in sorted(before.keys() & after.keys()):
        was, now = before[urn]["inputs"].get("version"), after[urn]["inputs"].get("version")
        if not (isinstance(was, str) and isinstance(now, str)) or was == now:
            continue
        findings.append(_finding(stack, after[urn]["name"], was, now, old or {}, new or {}))
    return findings


def _finding(stack: str, cluster: str, was: str, now: str, old: dict[str, Any], new: dict[str, Any]) -> Finding:
    old_version, new_version = _minor(was), _minor(now)
    where = f"Stack `{stack}`, cluster `{cluster}`: Kubernetes {was} → {now}."
    if old_version is None or new_version is None:
        return Finding(True, f"{where} One of these is not a `major.minor` version; EKS takes versions like `1.35`.")
    if new_version < old_version:
        if new_version[0] == old_version[0] and old_version[1] - new_version[1] == 1:
            return Finding(False, _rollback_note(where, was, now, old, new))
        return Finding(
            True,
            f"{where} EKS rolls a control plane back only to the previous minor version, within "
            f"{ROLLBACK_WINDOW.days} days of the upgrade from it. Instead keep `kubernetesVersion: {was}`; to run "
            f"{now}, create a new stack (a new cluster) on {now}, move the workloads to it, then destroy this one.",
        )
    if new_version[0] != old_version[0] or new_version[1] - old_version[1] > 1:
        steps = _steps(old_version, new_version)
        return Finding(
            True,
            f"{where} EKS upgrades a control plane one minor version at a time, so `pulumi up` would fail. "
            f"Instead, one pull request and one `pulumi up` per step: "
            + ", then ".join(f"`kubernetesVersion: {step}`" for step in steps)
            + ', checking the cluster after each (docs/operating.md, "Upgrading Kubernetes").',
        )
    return Finding(False, _upgrade_note(where, was, now, old, new))


def _upgrade_note(where: str, was: str, now: str, old: dict[str, Any], new: dict[str, Any]) -> str:
    coredns_old, coredns_new = _addon_version(old, "coredns"), _addon_version(new, "coredns")
    text = (
        f"{where} One `pulumi up` updates, in this order: the control plane; the CoreDNS add-on "
        f"({coredns_old} → {coredns_new}); the load balancer controller's pods, then the game's pods (their "
        f"pod-template annotation `{KUBERNETES_VERSION_ANNOTATION}` changes, so they are replaced and start on the "
        f"new kubelet). Fargate pods keep the kubelet they started with until replaced."
    )
    if _coredns_version_annotation(old) != _coredns_version_annotation(new):
        text += f" CoreDNS's pods roll too: its add-on configuration carries `{KUBERNETES_VERSION_ANNOTATION}`."
    elif coredns_old == coredns_new:
        text += (
            f" The CoreDNS add-on version is the same for both, so its pods keep the {was} kubelet: after "
            f"`pulumi up`, run `kubectl -n kube-system rollout restart deployment coredns`."
        )
    return text + " Check: `kubectl get nodes` lists every Fargate node on v" + now + "."


def _rollback_note(where: str, was: str, now: str, old: dict[str, Any], new: dict[str, Any]) -> str:
    addons = ", ".join(
        f"{addon} ({_addon_version(old, addon)} → {_addon_version(new, addon)})" for addon in ("coredns", "metrics-server")
    )
    return (
        f"{where} A rollback: EKS takes a control plane back to the previous minor version only within "
        f"{ROLLBACK_WINDOW.days} days of the in-place upgrade from it (after that EKS refuses it, and `pulumi up` "
        f"fails on the control plane, before the add-ons and pods that depend on it). EKS does not roll back "
        f"add-ons: after the control plane, this `pulumi up` sets them to the pins for {now} itself: {addons}. "
        f"The load balancer controller's pods, then the game's, are replaced (their pod-template annotation "
        f"`{KUBERNETES_VERSION_ANNOTATION}` changes) and start on the {now} kubelet. Before merging: "
        f"`aws eks list-insights --cluster-name CLUSTER` (its rollback readiness insights). "
        f"Check: `kubectl get nodes` lists every Fargate node on v{now}."
    )


def _clusters(plan: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {r["urn"]: r for r in (plan or {}).get("resources", []) if r["type"] in CLUSTER_TYPES}


def _coredns_version_annotation(plan: dict[str, Any]) -> Any:
    """The Kubernetes version CoreDNS's pod annotations carry (its add-on configuration), if any."""
    for res in plan.get("resources", []):
        if res["type"] == ADDON and res["inputs"].get("addonName") == "coredns":
            values = res["inputs"].get("configurationValues")
            try:
                parsed = json.loads(values) if isinstance(values, str) else values or {}
            except json.JSONDecodeError:
                return None
            return (parsed.get("podAnnotations") or {}).get(KUBERNETES_VERSION_ANNOTATION)
    return None


def _addon_version(plan: dict[str, Any], addon: str) -> str:
    for res in plan.get("resources", []):
        if res["type"] == ADDON and res["inputs"].get("addonName") == addon:
            return f"`{res['inputs'].get('addonVersion', 'EKS default')}`"
    return "(not installed)"


def _minor(version: str) -> tuple[int, int] | None:
    parts = version.split(".")
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        return None
    return int(parts[0]), int(parts[1])


def _steps(old: tuple[int, int], new: tuple[int, int]) -> list[str]:
    """The minor versions to pass through, old excluded, new included (same major)."""
    if new[0] != old[0]:
        return [f"{new[0]}.{new[1]}"]
    return [f"{old[0]}.{minor}" for minor in range(old[1] + 1, new[1] + 1)]
