"""The plan diff: what changes between two offline plans.

Resources match by URN. Within a resource the diff is per property; a change is flagged as
forcing a replacement when the property is one the provider cannot update in place
(`REPLACE_ON`, `K8S_REPLACE_ON`: Terraform AWS provider ForceNew fields, pulumi-kubernetes'
force-new table, the Helm release's name/namespace) or one EKS cannot change (the cluster's VPC,
or subnets in other zones: `_cluster_network`). A replacement also changes every
`{{Kind:name.*}}` value that comes from the replaced resource, which can replace the resources
that use it in turn, and a new cluster takes what EKS keeps on it; the diff follows that.
Deleting or replacing a resource that is protected is flagged loudly: `pulumi up` refuses it.
Each stack's diff also carries the monthly estimate's changed lines (offline/diff_cost.py) and, for
sides planned here, the policy findings the change introduces or resolves. This is an
approximation of the engine's diff, from code alone: the real `pulumi preview` (with
credentials) is authoritative.

A tenant stack reads its platform's outputs, which its plan shows as the platform's placeholders:
what the platform replaces behind them (`Upstream`, offline/diff_tenancy.py) replaces what uses them
in the tenant too. The sides as the command line gives them (plan files, or stacks planned at git
revisions) are offline/diff_command.py's, the plans at revisions offline/revisions.py's; the diff as
data, offline/diff_data.py's; its Markdown,
`make diff`'s and the pull-request comment's, offline/diff_render.py's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from eksfargate.facts.resource_types import (
    EKS_CLUSTER,
    EKS_CLUSTER_COMPONENT,
    HELM_RELEASE,
    KMS_KEY,
    KUBERNETES_PROVIDER,
    LOG_GROUP,
    VPC,
)
from eksfargate.pod_network import crossings
from offline import diff_cost, upgrade
from offline.diff_cost import CostChange
from offline.plan_document import SECRET, placeholder_source, placeholders, source_key
from offline.replacements import (
    CLUSTER_CHANGES_ZONES,
    CLUSTER_SUBNETS,
    CLUSTER_TYPE,
    FIXED_NAME,
    JSON,
    SET_VALUED,
    forces_replacement,
    ignored,
    kubernetes_namespace,
    kubernetes_provider_replaced,
    replaced_when_unknown,
    warning,
)


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


ABSENT: Any = _Absent()


@dataclass
class Change:
    """One property that changes: `path` like `spec.replicas` or `selectors[0].namespace`."""

    path: str
    old: Any
    new: Any
    replaces: bool = False
    note: str = ""


@dataclass
class ResourceChange:
    op: str  # create, delete, update, replace, same
    resource: dict[str, Any]  # the new one, or the old one when deleted
    old: dict[str, Any] | None = None
    changes: list[Change] = field(default_factory=list)

    @property
    def protected(self) -> bool:
        return bool(self.old and self.old.get("protect")) if self.op != "create" else False

    @property
    def loud(self) -> bool:
        """A protected resource would go (delete or replace): `pulumi up` refuses, and it matters."""
        return self.op in ("delete", "replace") and self.protected

    @property
    def grave(self) -> str:
        """What is lost when it goes (delete or replace), for what cannot come back as it was; "" otherwise."""
        return GRAVE.get(self.resource["type"], "") if self.op in ("delete", "replace") else ""

    @property
    def fixed_name(self) -> str:
        """The name the program gives it and its replacement keeps ("" if none, or if the name changes:
        then the new one can exist beside the old)."""
        names = [_given_name(res) for res in (self.old, self.resource) if res is not None]
        name = names[-1] if names else ""
        return name if name and len(set(names)) == 1 and "{{" not in name else ""

    @property
    def deletes_first(self) -> bool:
        """A replacement that deletes the old one before it creates the new: asked for, or forced by a fixed name."""
        return bool(self.resource.get("deleteBeforeReplace") or self.fixed_name)

    @property
    def warnings(self) -> list[str]:
        """The warnings among its changes' notes ("new value …; warning" carries one after the "; ")."""
        found = set()
        for change in self.changes:
            if change.note.startswith("new value"):
                if "; " in change.note:
                    found.add(change.note.split("; ", 1)[1])
            elif change.note:
                found.add(change.note)
        return sorted(found)


def _given_name(resource: dict[str, Any]) -> str:
    """The physical name the program sets: metadata.name (and namespace) for a Kubernetes object,
    the name property of FIXED_NAME for the rest."""
    inputs = resource["inputs"]
    if resource["type"].startswith("kubernetes:") and resource.get("custom"):
        metadata = inputs.get("metadata") or {}
        name, namespace = metadata.get("name"), metadata.get("namespace") or ""
        return f"{namespace}/{name}".lstrip("/") if isinstance(name, str) else ""
    name = inputs.get(FIXED_NAME.get(resource["type"], ""))
    return name if isinstance(name, str) else ""


# What goes with a resource that cannot come back as it was.
GRAVE = {
    CLUSTER_TYPE: "the EKS cluster: every pod on it, and what EKS keeps on it (Fargate profiles, add-ons, access"
    " entries); its endpoint, certificate authority and OIDC issuer change, so every kubeconfig and IRSA trust breaks",
    EKS_CLUSTER: "the EKS cluster: every pod on it, and what EKS keeps on it",
    VPC: "the VPC: its subnets, NAT gateways and everything in them, the cluster included",
    LOG_GROUP: "a log group: the logs it holds are deleted with it",
    KMS_KEY: "a KMS key: AWS schedules it for deletion, after which what it encrypted cannot be read",
}
CLUSTER_STEPS = (
    "A cluster cannot be replaced in place: its name is fixed, so the old one would be deleted first, and with it"
    " every workload. Instead, create the new cluster in a new stack beside this one (a stack file of its own, with"
    " its own clusterName and vpcCidr: `python -m teams new`), move the workloads and their DNS to it, then"
    " `pulumi destroy` the old stack."
)


@dataclass
class StackDiff:
    stack: str
    old_label: str
    new_label: str
    resources: list[ResourceChange] = field(default_factory=list)
    outputs: list[Change] = field(default_factory=list)
    config: list[Change] = field(default_factory=list)
    cost: list[CostChange] = field(default_factory=list)
    cost_totals: tuple[Decimal, Decimal] | None = None
    # What the new side's estimate could not price (its region has no source for it): the totals leave it out.
    cost_unpriced: tuple[str, ...] = ()
    findings_added: list[str] = field(default_factory=list)
    findings_removed: list[str] = field(default_factory=list)
    error: str = ""
    note: str = ""
    upgrade: list[upgrade.Finding] = field(default_factory=list)  # Kubernetes version changes
    # A platform's changed outputs that tenant stacks read: (output, tenant stacks, what follows it in them).
    tenant_reads: list[tuple[str, list[str], str]] = field(default_factory=list)
    # A tenant's platform stack, and the outputs it reads from it that change (offline/diff_tenancy.py).
    platform: str = ""
    platform_reads: list[Change] = field(default_factory=list)

    def count(self, op: str) -> int:
        return sum(1 for entry in self.resources if entry.op == op)

    @property
    def changed(self) -> bool:
        return bool(self.outputs) or any(entry.op != "same" for entry in self.resources)


@dataclass(frozen=True)
class Upstream:
    """Resources of another stack that this one's plan names by their placeholders (a tenant: its
    platform's, through the outputs it reads) and that are replaced: each source ("Kind:name") as the
    diff's notes name it, and each replaced cluster's name (what EKS keeps on it goes with it)."""

    replaced: dict[str, str]
    clusters: dict[str, str]


def compare(
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    stack: str = "",
    labels: tuple[str, str] = ("old", "new"),
    findings: tuple[list[str] | None, list[str] | None] = (None, None),
    upstream: Upstream | None = None,
) -> StackDiff:
    """The diff of two plans; None for a side where the stack does not exist (all created / deleted).

    `findings` are each side's policy findings (policy.txt lines), where known: the diff lists
    those the change introduces and those it resolves. `upstream`: what the stack reads from
    another that is replaced there.
    """
    result = StackDiff(stack=stack or (new or old or {}).get("stack", ""), old_label=labels[0], new_label=labels[1])
    result.cost, result.cost_totals = diff_cost.changes(old, new)
    result.cost_unpriced = diff_cost.unpriced(new if new is not None else old)
    if findings[0] is not None and findings[1] is not None:
        result.findings_added = sorted(set(findings[1]) - set(findings[0]))
        result.findings_removed = sorted(set(findings[0]) - set(findings[1]))
    # Which namespace's pods can reach which other's is read off each plan's security groups.
    reach_old, reach_new = crossings(old), crossings(new)
    result.findings_added += sorted(reach_new - reach_old)
    result.findings_removed += sorted(reach_old - reach_new)
    before = {res["urn"]: res for res in (old or {}).get("resources", [])}
    after = {res["urn"]: res for res in (new or {}).get("resources", [])}
    entries: dict[str, ResourceChange] = {}
    for urn in sorted(before.keys() | after.keys()):
        was, now = before.get(urn), after.get(urn)
        if was is None:
            assert now is not None  # the URN is on one side at least
            entries[urn] = ResourceChange("create", now)
        elif now is None:
            entries[urn] = ResourceChange("delete", was, old=was)
        else:
            entry = ResourceChange("same", now, old=was, changes=_resource_changes(was, now))
            entries[urn] = _settle(entry)
    old_sources = {source_key(res): res for res in before.values()}
    new_sources = {source_key(res): res for res in after.values()}
    for entry in entries.values():
        if entry.resource["type"] == CLUSTER_TYPE and entry.op not in ("create", "delete"):
            _cluster_network(entry, old_sources, new_sources)
    _cascade_replacements(entries, upstream)
    result.resources = list(entries.values())
    for key in ("outputs", "config"):
        found = _deep_diff((old or {}).get(key, {}), (new or {}).get(key, {}))
        setattr(result, key, [Change(_format_path(path), o, n) for path, o, n in found])
    result.outputs += _outputs_of_replaced(result, (old or {}).get("outputs", {}), (new or {}).get("outputs", {}))
    result.upgrade = upgrade.review(old, new, result.stack)
    return result


def _outputs_of_replaced(diff: StackDiff, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Outputs that read the same but come from a resource that is replaced or created again: new values after deploy."""
    gone = {source_key(e.resource) for e in diff.resources if e.op in ("replace", "delete")}
    listed = {change.path.split(".")[0].split("[")[0] for change in diff.outputs}
    found = []
    for name in sorted(old.keys() & new.keys()):
        sources = sorted({placeholder_source(ref) for ref in placeholders(new[name])} & gone)
        if sources and name not in listed:
            found.append(
                Change(name, old[name], new[name], note=f"new value (known after deploy): {', '.join(sources)} is replaced")
            )
    return found


def _resource_changes(was: dict[str, Any], now: dict[str, Any]) -> list[Change]:
    kind = now["type"]
    sets = {tuple(path.split(".")) for path in SET_VALUED.get(kind, ())}
    old_inputs, new_inputs = _compared_inputs(was), _compared_inputs(now)
    changes = [
        Change(_format_path(path), o, n, replaces=forces_replacement(now, path), note=warning(now, path))
        for path, o, n in _deep_diff(old_inputs, new_inputs, sets=sets)
        if not ignored(now, path)
    ]
    if kind == KUBERNETES_PROVIDER:
        elsewhere = kubernetes_provider_replaced(was["inputs"], now["inputs"])
        for change in changes:
            if change.path.split(".")[0].split(" ")[0] in ("kubeconfig", "context", "cluster"):
                change.replaces = elsewhere
    # Encryption can be added to an EKS cluster, never removed (ForceNewIfChange on removal).
    if (
        kind in (EKS_CLUSTER_COMPONENT,)
        and was["inputs"].get("encryptionConfigKeyArn")
        and not now["inputs"].get("encryptionConfigKeyArn")
    ):
        for change in changes:
            if change.path == "encryptionConfigKeyArn":
                change.replaces, change.note = True, "EKS cannot turn secrets encryption off"
    if was.get("provider") != now.get("provider"):
        changes.append(Change("(provider)", was.get("provider"), now.get("provider"), replaces=True, note="another provider"))
    for option in ("protect", "deleteBeforeReplace"):
        if bool(was.get(option)) != bool(now.get(option)):
            changes.append(Change(f"({option} option)", bool(was.get(option)), bool(now.get(option))))
    return changes


def _compared_inputs(resource: dict[str, Any]) -> dict[str, Any]:
    """The inputs as the provider compares them: a Kubernetes object's namespace as pulumi-kubernetes sees it."""
    inputs: dict[str, Any] = resource["inputs"]
    kind = resource["type"]
    if not (kind.startswith("kubernetes:") and kind != HELM_RELEASE and resource.get("custom")):
        return inputs
    metadata = dict(inputs.get("metadata") or {})
    namespace = kubernetes_namespace(resource, metadata.pop("namespace", None))
    if namespace is not None:
        metadata["namespace"] = namespace
    return {**inputs, "metadata": metadata}


def _cluster_network(entry: ResourceChange, old_sources: dict[str, Any], new_sources: dict[str, Any]) -> None:
    """Subnets in other zones replace the cluster; other subnets in its VPC and zones update it."""
    subnet_changes = [c for c in entry.changes if re.split(r"[.\[]", c.path, maxsplit=1)[0] in CLUSTER_SUBNETS]
    if not subnet_changes:
        return
    if entry.old is None:  # only an update has subnets on both sides
        return
    old_zones = _subnet_zones(entry.old["inputs"], old_sources)
    new_zones = _subnet_zones(entry.resource["inputs"], new_sources)
    if old_zones is not None and new_zones is not None and old_zones != new_zones:
        for change in subnet_changes:
            change.replaces, change.note = True, CLUSTER_CHANGES_ZONES
        _settle(entry)


def _subnet_zones(inputs: dict[str, Any], sources: dict[str, Any]) -> set[str] | None:
    """The zones of the cluster's subnets, where the plan declares them (None for subnet ids given as such)."""
    zones: set[str] = set()
    for key in CLUSTER_SUBNETS:
        for value in inputs.get(key) or []:
            found = [sources.get(placeholder_source(ref)) for ref in placeholders(value)]
            subnets = [subnet for subnet in found if subnet is not None]
            if not subnets or len(subnets) != len(found):
                return None
            for subnet in subnets:
                zone = subnet["inputs"].get("availabilityZone") or subnet["inputs"].get("availabilityZoneId")
                if not zone:
                    return None
                zones.add(str(zone))
    return zones


def _settle(entry: ResourceChange) -> ResourceChange:
    if any(change.replaces for change in entry.changes):
        entry.op = "replace"
    else:
        entry.op = "update" if entry.changes else "same"
    return entry


def replaced_sources(entries: list[ResourceChange]) -> dict[str, ResourceChange]:
    """The resources that get new ids/ARNs/names, by source key: replaced, or deleted and created
    again under another URN (moved to another parent)."""
    replaced = {source_key(e.resource): e for e in entries if e.op == "replace"}
    deleted = {source_key(e.resource) for e in entries if e.op == "delete"}
    return replaced | {source_key(e.resource): e for e in entries if e.op == "create" and source_key(e.resource) in deleted}


def _cascade_replacements(entries: dict[str, ResourceChange], upstream: Upstream | None = None) -> None:
    """A replaced resource gets new ids/ARNs/names: whatever refers to them changes too (`upstream`'s
    included, from the first round on)."""
    done: set[str] = set()
    outside = upstream or Upstream({}, {})
    while True:
        replaced = replaced_sources(list(entries.values()))
        fresh = set(replaced) - done
        if not (fresh or outside.replaced or outside.clusters):
            return
        done |= fresh
        fresh_urns = {replaced[key].resource["urn"] for key in fresh}
        named = {key: key for key in fresh} | outside.replaced
        # What EKS keeps on a cluster (profiles, add-ons, access entries) goes with it; the program
        # names the cluster by a plain string, which a new cluster keeps.
        fresh_clusters = outside.clusters | {
            str(replaced[key].resource["inputs"].get("name")): key
            for key in fresh
            if replaced[key].resource["type"] == CLUSTER_TYPE
        }
        outside = Upstream({}, {})
        for entry in entries.values():
            if entry.op in ("create", "delete"):
                continue
            changed_paths = {change.path for change in entry.changes}
            on_cluster = fresh_clusters.get(str(entry.resource["inputs"].get("clusterName")))
            if entry.resource["type"].startswith("aws:eks/") and on_cluster and "clusterName" not in changed_paths:
                name = entry.resource["inputs"]["clusterName"]
                entry.changes.append(
                    Change("clusterName", name, name, replaces=True, note=f"new value: {on_cluster} is replaced")
                )
                changed_paths.add("clusterName")
            if entry.resource.get("provider") in fresh_urns and "(provider)" not in changed_paths:
                provider = entry.resource["provider"].rsplit("::", 1)[-1]
                entry.changes.append(
                    Change("(provider)", provider, provider, replaces=True, note=f"new value: provider {provider} is replaced")
                )
                changed_paths.add("(provider)")
            for path, value in _leaves(entry.resource["inputs"]):
                sources = sorted({placeholder_source(ref) for ref in placeholders(value)} & named.keys())
                text = _format_path(path)
                if not sources or text in changed_paths:
                    continue
                entry.changes.append(
                    Change(
                        text,
                        value,
                        value,
                        replaces=replaced_when_unknown(entry.resource, path),
                        note=f"new value (known after deploy): {', '.join(named[s] for s in sources)} is replaced"
                        + (f"; {warning(entry.resource, path)}" if warning(entry.resource, path) else ""),
                    )
                )
                changed_paths.add(text)
            _settle(entry)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[list[Any], Any]]:
    if isinstance(value, dict):
        return [leaf for key in sorted(value) for leaf in _leaves(value[key], (*path, key))]
    if isinstance(value, list):
        return [leaf for index, item in enumerate(value) for leaf in _leaves(item, (*path, index))]
    return [(list(path), value)]


def _deep_diff(
    old: Any, new: Any, path: tuple[Any, ...] = (), sets: set[tuple[str, ...]] | None = None
) -> list[tuple[list[Any], Any, Any]]:
    """(path, old, new) for every differing leaf; lists of unequal length and sets compare whole."""
    if old == new or _same_secret(old, new):
        return []
    keys_only = tuple(p for p in path if isinstance(p, str))
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in sorted(old.keys() | new.keys()):
            found += _deep_diff(old.get(key, ABSENT), new.get(key, ABSENT), (*path, key), sets)
        return found
    if isinstance(old, list) and isinstance(new, list):
        if sets and keys_only in sets and sorted(map(_canonical, old)) == sorted(map(_canonical, new)):
            return []
        if len(old) == len(new) and not (sets and keys_only in sets):
            found = []
            for index, (o, n) in enumerate(zip(old, new, strict=True)):
                found += _deep_diff(o, n, (*path, index), sets)
            return found
        return [(list(path), old, new)]
    if isinstance(old, str) and isinstance(new, str):
        old_doc, new_doc = _json_container(old), _json_container(new)
        if old_doc is not None and new_doc is not None:
            return _deep_diff(old_doc, new_doc, (*path, JSON), None)
    return [(list(path), old, new)]


def _same_secret(old: Any, new: Any) -> bool:
    """A bare `[secret]` (a plan made before masks named their placeholders) and a mask that names
    them: the same secret, as far as a plan can tell."""
    if not (isinstance(old, str) and isinstance(new, str)):
        return False
    named = SECRET[:-1] + ", from "
    return (old == SECRET and new.startswith(named)) or (new == SECRET and old.startswith(named))


def _json_container(text: str) -> Any:
    if not text.lstrip().startswith(("{", "[")):
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, (dict, list)) else None


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _format_path(path: list[Any]) -> str:
    """["spec", "containers", 0, "image"] → "spec.containers[0].image"; JSON inside a string → "policy (JSON) Statement"."""
    text = ""
    for segment in path:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif segment == JSON:
            text += " (JSON) "
        else:
            text += ("." if text and not text.endswith(" ") else "") + str(segment)
    return text.strip() or "(root)"


UNTOUCHED = "Not planned: neither its stack file nor anything else the program reads changed."


def changed_stacks(diffs: list[StackDiff]) -> list[str]:
    """Stacks whose plan changes and that still exist on the new side: what `pulumi up` has to run for."""
    return [d.stack for d in diffs if d.changed and not d.error and not d.note.startswith("The stack file is removed")]
