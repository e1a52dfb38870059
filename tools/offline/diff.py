"""The plan diff: what changes between two offline plans, as Markdown for a pull-request comment.

A side is a plan.json file (or a folder holding one), or `REV:STACK`: that stack file's plan
at git revision REV, planned with *this* checkout's harness from `git archive REV` in a
temporary folder (`:STACK` is the working tree, `REV:*` every stack file at either revision).

Resources match by URN. Within a resource the diff is per property; a change is flagged as
forcing a replacement when the property is one the provider cannot update in place
(`REPLACE_ON`, `K8S_REPLACE_ON`: Terraform AWS provider ForceNew fields, pulumi-kubernetes'
force-new table, the Helm release's name/namespace) or one EKS cannot change (the cluster's VPC,
or subnets in other zones: `_cluster_network`). A replacement also changes every
`{{Kind:name.*}}` value that comes from the replaced resource, which can replace the resources
that use it in turn, and a new cluster takes what EKS keeps on it; the diff follows that.
Deleting or replacing a resource that is protected is flagged loudly: `pulumi up` refuses it.
Each stack's diff also carries the monthly estimate's changed lines (cost/estimate.py) and, for
sides planned here, the policy findings the change introduces or resolves. This is an
approximation of the engine's diff, from code alone: the real `pulumi preview` (with
credentials) is authoritative.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from eksfargate import estimate as cost
from eksfargate.contract import TENANT_READS
from eksfargate.facts.resource_types import (
    EKS_CLUSTER,
    EKS_CLUSTER_COMPONENT,
    HELM_RELEASE,
    KMS_KEY,
    KUBERNETES_PROVIDER,
    LOG_GROUP,
    VPC,
)
from eksfargate.project import TENANT_PROJECT_DIR
from eksfargate.stack_catalog import tenants
from offline import upgrade
from offline.harness import PROJECT_DIR, plan_process
from offline.plan import SECRET, PlanError, load, placeholder_source, placeholders, source_key, summarize
from offline.plan_cache import CACHE_ENV, OFF, Entry, PlanCache, Tree, plans_itself, platform_root
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

MARKER = "<!-- offline-plan-diff -->"
COMMENT_LIMIT = 60_000  # GitHub refuses comments over 65,536 characters


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
class CostChange:
    """One line of the monthly estimate that differs; None on the side where the line does not exist."""

    category: str
    item: str
    old: Decimal | None
    new: Decimal | None


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
    findings_added: list[str] = field(default_factory=list)
    findings_removed: list[str] = field(default_factory=list)
    error: str = ""
    note: str = ""
    upgrade: list[upgrade.Finding] = field(default_factory=list)  # Kubernetes version changes
    # A platform's changed outputs that tenant stacks read: (output, tenant stacks, what follows it in them).
    tenant_reads: list[tuple[str, list[str], str]] = field(default_factory=list)

    def count(self, op: str) -> int:
        return sum(1 for entry in self.resources if entry.op == op)

    @property
    def changed(self) -> bool:
        return bool(self.outputs) or any(entry.op != "same" for entry in self.resources)


# ---------------------------------------------------------------------------------------
# Comparing two plans


def compare(
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    stack: str = "",
    labels=("old", "new"),
    findings: tuple[list[str] | None, list[str] | None] = (None, None),
) -> StackDiff:
    """The diff of two plans; None for a side where the stack does not exist (all created / deleted).

    `findings` are each side's policy findings (policy.txt lines), where known: the diff lists
    those the change introduces and those it resolves.
    """
    result = StackDiff(stack=stack or (new or old or {}).get("stack", ""), old_label=labels[0], new_label=labels[1])
    result.cost, result.cost_totals = _cost_changes(old, new)
    if findings[0] is not None and findings[1] is not None:
        result.findings_added = sorted(set(findings[1]) - set(findings[0]))
        result.findings_removed = sorted(set(findings[0]) - set(findings[1]))
    before = {res["urn"]: res for res in (old or {}).get("resources", [])}
    after = {res["urn"]: res for res in (new or {}).get("resources", [])}
    entries: dict[str, ResourceChange] = {}
    for urn in sorted(before.keys() | after.keys()):
        was, now = before.get(urn), after.get(urn)
        if was is None:
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
    _cascade_replacements(entries)
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
    inputs = resource["inputs"]
    kind = resource["type"]
    if not (kind.startswith("kubernetes:") and kind != HELM_RELEASE and resource.get("custom")):
        return inputs
    metadata = dict(inputs.get("metadata") or {})
    namespace = kubernetes_namespace(resource, metadata.pop("namespace", None))
    if namespace is not None:
        metadata["namespace"] = namespace
    return {**inputs, "metadata": metadata}


def _cost_lines(plan: dict[str, Any] | None) -> dict[tuple[str, str], Decimal] | None:
    """The monthly estimate's lines of a plan ({} where the stack does not exist; None: no prices)."""
    if plan is None:
        return {}
    try:
        estimate = cost.from_plan(plan)
    except cost.UnknownRegionError:
        return None
    return {(line.category, line.item): line.monthly_usd for line in estimate.lines}


def _cost_changes(old: dict[str, Any] | None, new: dict[str, Any] | None):
    before, after = _cost_lines(old), _cost_lines(new)
    if before is None or after is None:
        return [], None
    changes = [
        CostChange(category, item, before.get((category, item)), after.get((category, item)))
        for category, item in sorted(before.keys() | after.keys(), key=lambda key: (key[0], key[1]))
        if before.get((category, item)) != after.get((category, item))
    ]
    return changes, (sum(before.values(), Decimal(0)), sum(after.values(), Decimal(0)))


def _cluster_network(entry: ResourceChange, old_sources: dict[str, Any], new_sources: dict[str, Any]) -> None:
    """Subnets in other zones replace the cluster; other subnets in its VPC and zones update it."""
    subnet_changes = [c for c in entry.changes if re.split(r"[.\[]", c.path, maxsplit=1)[0] in CLUSTER_SUBNETS]
    if not subnet_changes:
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
            subnets = [sources.get(placeholder_source(ref)) for ref in placeholders(value)]
            if not subnets or None in subnets:
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


def _cascade_replacements(entries: dict[str, ResourceChange]) -> None:
    """A replaced resource gets new ids/ARNs/names: whatever refers to them changes too."""
    done: set[str] = set()
    while True:
        replaced = {source_key(e.resource): e for e in entries.values() if e.op == "replace"}
        # Deleted and created again under another URN (moved to another parent): new ids too.
        deleted = {source_key(e.resource) for e in entries.values() if e.op == "delete"}
        replaced |= {
            source_key(e.resource): e for e in entries.values() if e.op == "create" and source_key(e.resource) in deleted
        }
        fresh = set(replaced) - done
        if not fresh:
            return
        done |= fresh
        fresh_urns = {replaced[key].resource["urn"] for key in fresh}
        # What EKS keeps on a cluster (profiles, add-ons, access entries) goes with it; the program
        # names the cluster by a plain string, which a new cluster keeps.
        fresh_clusters = {
            str(replaced[key].resource["inputs"].get("name")): key
            for key in fresh
            if replaced[key].resource["type"] == CLUSTER_TYPE
        }
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
                sources = sorted({placeholder_source(ref) for ref in placeholders(value)} & fresh)
                text = _format_path(path)
                if not sources or text in changed_paths:
                    continue
                entry.changes.append(
                    Change(
                        text,
                        value,
                        value,
                        replaces=replaced_when_unknown(entry.resource, path),
                        note=f"new value (known after deploy): {', '.join(sources)} is replaced"
                        + (f"; {warning(entry.resource, path)}" if warning(entry.resource, path) else ""),
                    )
                )
                changed_paths.add(text)
            _settle(entry)


def _leaves(value: Any, path: tuple = ()) -> list[tuple[list[Any], Any]]:
    if isinstance(value, dict):
        return [leaf for key in sorted(value) for leaf in _leaves(value[key], (*path, key))]
    if isinstance(value, list):
        return [leaf for index, item in enumerate(value) for leaf in _leaves(item, (*path, index))]
    return [(list(path), value)]


def _deep_diff(
    old: Any, new: Any, path: tuple = (), sets: set[tuple[str, ...]] | None = None
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


# ---------------------------------------------------------------------------------------
# Markdown


_OPS = {
    "replace": ("🔁", "replace"),
    "delete": ("➖", "delete"),
    "create": ("➕", "create"),
    "update": ("✏️", "update"),
}
_OP_ORDER = ["replace", "delete", "create", "update"]


def render(diffs: list[StackDiff], details: bool = True, limit: int = COMMENT_LIMIT) -> str:
    """One Markdown document for all stacks, under `limit` characters (details dropped if needed)."""
    text = _render(diffs, details)
    if len(text) > limit and details:
        text = _render(diffs, False)
    if len(text) > limit:
        text = text[: limit - 200] + "\n\n… (cut: the full diff is in the workflow's artifact)\n"
    return text


def _render(diffs: list[StackDiff], details: bool) -> str:
    changed = [d for d in diffs if d.changed or d.error]
    lines = [MARKER, "## Offline plan diff", ""]
    if not diffs:
        lines.append("No stack files on either side.")
    elif not changed:
        stacks = ", ".join(f"`{d.stack}`" for d in diffs)
        lines += [f"No changes to stacks {stacks}: the offline plans are identical.", ""]
    if any(entry.loud for d in diffs for entry in d.resources):
        lines += [
            "> [!CAUTION]",
            "> **PROTECTED RESOURCES WOULD BE DELETED OR REPLACED:** "
            + "; ".join(
                f"`{e.resource['name']}` (`{e.resource['type']}`, stack `{d.stack}`): {e.op}"
                + "".join(f" ({w})" for w in _warnings(e))
                for d in diffs
                for e in d.resources
                if e.loud
            )
            + ". `pulumi up` refuses to delete a protected resource; if this is really meant, unprotect it in a"
            " separate, deliberate change first.",
            "",
        ]
    for diff in diffs:
        lines += _render_stack(diff, details)
    lines += [
        "",
        "<sub>Offline plan from the code alone (no cloud state): `{{Kind:name.property}}` values are known after deploy; "
        "replacements follow the providers' force-new fields as `offline/diff.py` knows them. "
        "Where credentials are configured, the `pulumi preview` comment is authoritative.</sub>",
    ]
    return "\n".join(lines) + "\n"


def _render_stack(diff: StackDiff, details: bool) -> list[str]:
    lines = [f"### Stack `{diff.stack}`: {diff.old_label} → {diff.new_label}", ""]
    lines += _render_grave(diff)
    if diff.error:
        return [*lines, "> [!WARNING]", f"> Could not plan: {_escape(diff.error)}", ""]
    if diff.note:
        lines += [f"_{diff.note}_", ""]
    lines += upgrade.render(diff.upgrade)
    if not diff.changed:
        if diff.config:
            keys = ", ".join(f"`{c.path}`" for c in diff.config)
            return [*lines, f"No changes, though the configuration differs: {keys}.", ""]
        return [*lines, "No changes.", ""]
    counts = " · ".join(f"{diff.count(op)} to {op}" for op in ("create", "update", "replace", "delete") if diff.count(op))
    lines += [f"**{counts or 'no resource changes'}** · {diff.count('same')} unchanged", ""]
    entries = sorted(
        (e for e in diff.resources if e.op != "same"),
        key=lambda e: (_OP_ORDER.index(e.op), e.resource["type"], e.resource["name"]),
    )
    if entries:
        lines += ["| | resource | type | why |", "| --- | --- | --- | --- |"]
        for entry in entries:
            icon, word = _OPS[entry.op]
            res = entry.resource
            flag = " **PROTECTED**" if entry.loud else ""
            lines.append(f"| {icon} {word}{flag} | `{res['name']}` | `{res['type']}` | {_why(entry)} |")
        lines.append("")
    if diff.outputs:
        lines += ["**Stack outputs:**", *(_render_output(c) for c in diff.outputs), ""]
    if diff.tenant_reads:
        lines += ["**Tenant stacks that read the changed outputs:**"]
        lines += [f"- `{output}`: {', '.join(f'`{t}`' for t in stacks)}: {what}" for output, stacks, what in diff.tenant_reads]
        lines.append("")
    lines += _render_cost(diff) + _render_findings(diff)
    if details:
        lines += _details(entries, diff)
    return lines


def _render_grave(diff: StackDiff) -> list[str]:
    """A CAUTION at the top of the stack for what cannot come back as it was, protected or not."""
    grave = [e for e in diff.resources if e.grave]
    if not grave:
        return []
    lines = ["> [!CAUTION]", "> **This change deletes or replaces what cannot come back as it was:**"]
    lines += [f"> - {e.op} `{e.resource['name']}`, {e.grave}" for e in sorted(grave, key=lambda e: e.resource["urn"])]
    if any(e.resource["type"] in (CLUSTER_TYPE, EKS_CLUSTER) and e.op == "replace" for e in grave):
        lines += [">", f"> {CLUSTER_STEPS}"]
    return [*lines, ""]


def _render_output(change: Change) -> str:
    if change.note:
        return f"- `{change.path}`: {_escape(change.note)}"
    return f"- `{change.path}`: {_value(change.old)} → {_value(change.new)}"


def _usd(amount: Decimal | None) -> str:
    return "—" if amount is None else f"${amount:,.2f}"


def _signed_usd(amount: Decimal) -> str:
    return f"{'+' if amount >= 0 else '−'}${abs(amount):,.2f}"


def _render_cost(diff: StackDiff) -> list[str]:
    if not diff.cost or diff.cost_totals is None:
        return []
    before, after = diff.cost_totals
    lines = [
        f"**Estimated monthly cost:** {_usd(before)} → {_usd(after)} ({_signed_usd(after - before)}/month)",
        "",
        "| | line | before | after | change |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for line in diff.cost:
        change = (line.new or Decimal(0)) - (line.old or Decimal(0))
        item = _escape(line.item)
        lines.append(f"| {line.category} | {item} | {_usd(line.old)} | {_usd(line.new)} | {_signed_usd(change)} |")
    return [*lines, ""]


def _render_findings(diff: StackDiff) -> list[str]:
    lines = []
    if diff.findings_added:
        lines += ["**Policy findings this change introduces:**", *(f"- {_escape(f)}" for f in diff.findings_added), ""]
    if diff.findings_removed:
        lines += ["**Policy findings this change resolves:**", *(f"- {_escape(f)}" for f in diff.findings_removed), ""]
    return lines


def _why(entry: ResourceChange) -> str:
    if entry.op == "create":
        return _escape("; ".join(summarize(entry.resource)[:3]))
    if entry.op == "delete":
        return "removed from the program" + (" — protected, `pulumi up` will refuse" if entry.loud else "")
    forcing = _unique_paths(c for c in entry.changes if c.replaces)
    warned = "".join(f" ⚠️ {w}." for w in _warnings(entry))
    if entry.op == "replace":
        order = "delete, then create" if entry.deletes_first else "create, then delete"
        if entry.fixed_name and not entry.resource.get("deleteBeforeReplace"):
            order += (
                f": its name `{entry.fixed_name}` is fixed, so the new one cannot exist beside the old;"
                " an outage until it is back"
            )
        verb = "forces" if len(forcing) == 1 else "force"
        return _escape(f"{', '.join(f'`{p}`' for p in forcing)} {verb} replacement ({order}).{warned}")
    paths = _unique_paths(entry.changes)
    shown = ", ".join(f"`{p}`" for p in paths[:4]) + (f" +{len(paths) - 4}" if len(paths) > 4 else "")
    return _escape(shown + warned)


def _warnings(entry: ResourceChange) -> list[str]:
    """The warnings among the changes' notes ("new value …; warning" carries one after the "; ")."""
    found = set()
    for change in entry.changes:
        if change.note.startswith("new value"):
            if "; " in change.note:
                found.add(change.note.split("; ", 1)[1])
        elif change.note:
            found.add(change.note)
    return sorted(found)


def _unique_paths(changes: Iterable[Change]) -> list[str]:
    """Paths without list indices, each once: `subnetIds[0]`, `subnetIds[1]` → `subnetIds`."""
    seen: dict[str, None] = {}
    for change in changes:
        seen.setdefault(re.sub(r"\[\d+\]", "", change.path), None)
    return list(seen)


def _details(entries: list[ResourceChange], diff: StackDiff) -> list[str]:
    described = [e for e in entries if e.op in ("update", "replace")]
    if not described and not diff.config:
        return []
    lines = ["<details><summary>Property changes</summary>", ""]
    for entry in described:
        icon, word = _OPS[entry.op]
        lines.append(f"**{icon} `{entry.resource['name']}`** (`{entry.resource['type']}`) — {word}")
        for change in entry.changes:
            tail = " — **forces replacement**" if change.replaces else ""
            if change.note:
                tail += f" ({change.note})"
            if change.note.startswith("new value"):
                lines.append(f"- `{change.path}`: {_value(change.new)}{tail}")
            else:
                lines.append(f"- `{change.path}`: {_value(change.old)} → {_value(change.new)}{tail}")
        lines.append("")
    if diff.config:
        lines += ["**Stack configuration:**", *(f"- `{c.path}`: {_value(c.old)} → {_value(c.new)}" for c in diff.config), ""]
    return [*lines, "</details>", ""]


def _value(value: Any, width: int = 160) -> str:
    if value is ABSENT:
        return "_(absent)_"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if len(text) > width:
        text = text[: width - 1] + "…"
    return "`" + text.replace("`", "'") + "`"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# ---------------------------------------------------------------------------------------
# Sides: plan files, or a stack at a git revision


@dataclass
class Side:
    label: str
    plan: dict[str, Any] | None = None  # None: the stack file does not exist there
    error: str = ""
    findings: list[str] | None = None  # the policy pack's findings, where the side was planned here


class DiffError(Exception):
    """A side cannot be read: not a plan file, not a revision, git missing."""


def git(*args: str, cwd: Path = PROJECT_DIR) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise DiffError("git is not installed") from exc
    if done.returncode != 0:
        raise DiffError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def is_revision_spec(spec: str) -> bool:
    return ":" in spec and not Path(spec).exists()


def load_file_side(spec: str) -> Side:
    path = Path(spec)
    if path.is_dir():
        path = path / "plan.json"
    if not path.is_file():
        raise DiffError(f"{spec}: neither a plan.json (or a folder with one) nor REV:STACK")
    try:
        return Side(label=f"`{spec}`", plan=load(path))
    except (PlanError, json.JSONDecodeError) as exc:
        raise DiffError(f"{spec}: {exc}") from exc


# A revision's worker (its tools/offline/worker.py, run as `python -m offline.worker`) and the request it reads.
WORKER = Path("tools") / "offline" / "worker.py"
WORKER_PROTOCOL = 1


class Revisions:
    """Plans stacks at git revisions: one `git archive` per revision, one worker process per revision.

    With a `cache` (offline/plan_cache.py), a stack whose plan is kept there is not planned, and a
    plan made is kept. `planned` lists the (revision, stack) plans made, in order.
    """

    def __init__(self, project_dir: Path = PROJECT_DIR, cache: PlanCache | None = None):
        self.project_dir = project_dir.resolve()
        self.top = Path(git("rev-parse", "--show-toplevel", cwd=self.project_dir).strip())
        self.inside = self.project_dir.relative_to(self.top)
        self.tmp = tempfile.TemporaryDirectory(prefix="offline-diff-")
        self.trees: dict[str, Path] = {}
        self.cache = cache
        self.planned: list[tuple[str, str]] = []
        self._keyed: dict[str, Tree | None] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self.tmp.cleanup()

    def label(self, rev: str) -> str:
        if not rev:
            return "working tree"
        short = git("rev-parse", "--short", f"{rev}^{{commit}}", cwd=self.top).strip()
        return f"`{short}`" if re.fullmatch(r"[0-9a-f]{7,40}", rev) else f"`{rev}` ({short})"

    def stacks(self, rev: str) -> set[str]:
        if not rev:
            names = [p.name for p in self.project_dir.glob("Pulumi.*.yaml")]
        else:
            listing = git("ls-tree", "--name-only", f"{rev}^{{tree}}", "--", f"{self.inside.as_posix()}/", cwd=self.top)
            names = [Path(line).name for line in listing.splitlines()]
        return {
            name[len("Pulumi.") : -len(".yaml")] for name in names if name.startswith("Pulumi.") and name.endswith(".yaml")
        } - {""}

    def tree(self, rev: str) -> Path:
        """The project folder at `rev` (the working tree itself for "")."""
        if not rev:
            return self.project_dir
        with self._lock:
            if rev not in self.trees:
                target = Path(self.tmp.name) / f"tree-{len(self.trees)}"
                target.mkdir()
                archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=self.top, capture_output=True, check=False)
                if archive.returncode != 0:
                    raise DiffError(f"git archive {rev}: {archive.stderr.decode(errors='replace').strip()}")
                with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
                    tar.extractall(target, filter="data")
                self.trees[rev] = target / self.inside
            return self.trees[rev]

    def plan(self, rev: str, stack: str) -> Side:
        """One stack at one revision: from the cache, or in a process of its own (`python -m offline plan`)."""
        label = self.label(rev)
        project = self.tree(rev)
        if not (project / f"Pulumi.{stack}.yaml").is_file():
            return Side(label=label, plan=None)
        out = self._out(stack)
        kept = self._cached(rev, stack, label, out)
        if kept is not None:
            return kept
        self.planned.append((rev, stack))
        # Each revision plans itself: its program, library, policy pack and tools.
        done = subprocess.run(
            [sys.executable, "-m", "offline", *self._plan_args(project, stack, out)],
            **self._process(platform_root(project)),
            capture_output=True,
            text=True,
            check=False,
        )
        self._keep(rev, stack, out, done.returncode, done.stderr)
        return self._side(label, out, done.returncode, done.stderr)

    def plan_all(self, wanted: dict[str, list[str]]) -> dict[tuple[str, str], Side]:
        """Every (revision, stack) of `wanted` (stacks by revision): those the cache keeps from it, the
        rest by one worker per revision (offline/worker.py, in that revision's checkout: its program,
        library and tools), each planning its stacks in children forked once the SDKs are loaded, at
        most one worker per CPU and the CPUs shared among them. A revision whose tools have no worker
        (older than it) plans each stack in a process of its own, as does any stack its worker did not report."""
        cpus = max(1, os.cpu_count() or 1)
        revs = sorted(wanted)
        with ThreadPoolExecutor(max_workers=min(cpus, max(1, len(revs)))) as pool:
            parallel = max(1, cpus // max(1, len(revs)))
            done = pool.map(lambda rev: self._plan_revision(rev, sorted(set(wanted[rev])), parallel), revs)
            return {(rev, stack): side for rev, sides in zip(revs, done, strict=True) for stack, side in sides.items()}

    def _plan_revision(self, rev: str, stacks: list[str], parallel: int) -> dict[str, Side]:
        label = self.label(rev)
        project = self.tree(rev)
        root = platform_root(project)
        present = [stack for stack in stacks if (project / f"Pulumi.{stack}.yaml").is_file()]
        sides = {stack: Side(label=label, plan=None) for stack in stacks if stack not in present}
        outs = {stack: self._out(stack) for stack in present}
        for stack in present:
            kept = self._cached(rev, stack, label, outs[stack])
            if kept is not None:
                sides[stack] = kept
        todo = [stack for stack in present if stack not in sides]
        if todo and (root / WORKER).is_file():
            jobs = [
                {
                    "argv": self._plan_args(project, stack, outs[stack]),
                    "stderr": str(outs[stack].parent / f"{outs[stack].name}.stderr"),
                }
                for stack in todo
            ]
            self.planned += [(rev, stack) for stack in todo]
            request = json.dumps({"protocol": WORKER_PROTOCOL, "parallel": parallel, "jobs": jobs})
            done = subprocess.run(
                [sys.executable, "-m", "offline.worker"],
                input=request,
                **self._process(root),
                capture_output=True,
                text=True,
                check=False,
            )
            for line in done.stdout.splitlines():
                try:
                    report = json.loads(line)
                    stack = todo[report["job"]]
                    stderr = Path(jobs[report["job"]]["stderr"]).read_text(errors="replace")
                except (ValueError, KeyError, IndexError, TypeError, OSError):
                    continue
                self._keep(rev, stack, outs[stack], report["status"], stderr)
                sides[stack] = self._side(label, outs[stack], report["status"], stderr)
        missing = [stack for stack in present if stack not in sides]
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            sides.update(zip(missing, pool.map(lambda stack: self.plan(rev, stack), missing), strict=True))
        return sides

    # The plan cache (offline/plan_cache.py)

    def _key(self, rev: str, stack: str) -> str | None:
        """The cache key of `stack`'s plan at `rev`; None without a cache, or for a checkout whose
        plans borrow a library from elsewhere (a project folder without its own tools)."""
        if self.cache is None:
            return None
        project = self.tree(rev)
        root = platform_root(project)
        with self._lock:
            if rev not in self._keyed:
                tree = None
                if plans_itself(root):
                    try:
                        if rev:
                            archive = project.parents[len(self.inside.parts) - 1] if self.inside.parts else project
                            tree = Tree.at_revision(self.top, rev, root.relative_to(archive).as_posix())
                        else:
                            tree = Tree.of_worktree(root)
                    except (OSError, subprocess.CalledProcessError):
                        tree = None
                self._keyed[rev] = tree
            tree = self._keyed[rev]
        return self.cache.key(tree, project.relative_to(root).as_posix(), stack) if tree is not None else None

    def _cached(self, rev: str, stack: str, label: str, out: Path) -> Side | None:
        key = self._key(rev, stack)
        entry = self.cache.get(key) if self.cache is not None and key is not None else None
        if entry is None or "policy.txt" not in entry.files:
            return None
        entry.write(out)
        return self._side(label, out, entry.status, entry.stderr())

    def _keep(self, rev: str, stack: str, out: Path, status: int, stderr: str) -> None:
        """Keeps a plan that worked (exit 0, or 1 with its policy report) in the cache."""
        key = self._key(rev, stack)
        if self.cache is None or key is None or status not in (0, 1) or not (out / "policy.txt").is_file():
            return
        try:
            entry = Entry.from_out(out, status, stderr)
        except (OSError, UnicodeDecodeError):
            return
        self.cache.put(key, entry)

    @staticmethod
    def _process(root: Path) -> dict[str, Any]:
        """`plan_process(root)`, its plans kept from the cache: the diff looks up and keeps them itself."""
        process = plan_process(root)
        process["env"][CACHE_ENV] = OFF
        return process

    def _out(self, stack: str) -> Path:
        return Path(tempfile.mkdtemp(dir=self.tmp.name, prefix=f"plan-{stack}-"))

    @staticmethod
    def _plan_args(project: Path, stack: str, out: Path) -> list[str]:
        return ["plan", "--stack", stack, "--project-dir", str(project), "--out", str(out), "--quiet"]

    @staticmethod
    def _side(label: str, out: Path, returncode: int, stderr: str) -> Side:
        # Exit 1 is a mandatory policy finding: the revision still has a plan to compare, and its
        # policy report. Without the report, exit 1 is Python's own: the plan crashed.
        if returncode not in (0, 1) or not (out / "policy.txt").is_file():
            message = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit code {returncode}"
            return Side(label=label, error=message.removeprefix("error: "))
        report = (out / "policy.txt").read_text().splitlines()
        findings = [line for line in report if line and line != "no violations"]
        return Side(label=label, plan=load(out / "plan.json"), findings=findings)

    def changed_files(self, old_rev: str, new_rev: str) -> set[str] | None:
        """Files that differ between the revisions, relative to the project (`../` outside it); None if git cannot say."""
        # A project in a subfolder (tenant/) reads the shared modules and its platform's stack
        # files beside it: every change of the checkout counts.
        inside = "."
        try:
            names = git("diff", "--name-only", old_rev, *([new_rev] if new_rev else []), "--", inside, cwd=self.top).split()
            if not new_rev:
                names += git("ls-files", "--others", "--exclude-standard", "--", inside, cwd=self.top).split()
        except DiffError:
            return None
        prefix = f"{self.inside.as_posix()}/" if self.inside.parts else ""
        return {name.removeprefix(prefix) if name.startswith(prefix) else f"../{name}" for name in names}


def diff_specs(
    old_spec: str, new_spec: str, project_dir: Path = PROJECT_DIR, *, cache: PlanCache | None = None
) -> list[StackDiff]:
    """The stack diffs for two sides as given on the command line; plans kept in `cache` are not made again."""
    old_is_rev, new_is_rev = is_revision_spec(old_spec), is_revision_spec(new_spec)
    if not old_is_rev and not new_is_rev:
        old, new = load_file_side(old_spec), load_file_side(new_spec)
        return [_pair(old, new, (new.plan or old.plan or {}).get("stack", ""))]
    revisions = Revisions(project_dir, cache)
    try:
        jobs: list[tuple[str, Any, Any]] = []
        old_rev, old_stack = old_spec.rsplit(":", 1) if old_is_rev else (None, None)
        new_rev, new_stack = new_spec.rsplit(":", 1) if new_is_rev else (None, None)
        if "*" in (old_stack, new_stack):
            if not (old_is_rev and new_is_rev and old_stack == new_stack == "*"):
                raise DiffError("`REV:*` (every stack) needs `REV:*` on both sides")
            stacks = sorted(revisions.stacks(old_rev) | revisions.stacks(new_rev))
            unchanged = _untouched_stacks(revisions.changed_files(old_rev, new_rev), stacks)
            jobs = [(stack, (old_rev, stack), (new_rev, stack)) for stack in stacks if stack not in unchanged]
            skipped = [
                StackDiff(stack, revisions.label(old_rev), revisions.label(new_rev), note=UNTOUCHED) for stack in unchanged
            ]
        else:
            stack = new_stack or old_stack or ""
            jobs = [(stack, (old_rev, old_stack) if old_is_rev else old_spec, (new_rev, new_stack) if new_is_rev else new_spec)]
            skipped = []
        for rev in sorted({side[0] for _, o, n in jobs for side in (o, n) if isinstance(side, tuple)}):
            revisions.tree(rev)  # archive each revision once, before planning in parallel
        if old_is_rev and new_is_rev and old_stack == new_stack != "*":
            _check_stack_exists(revisions, [old_rev or "", new_rev or ""], old_stack or "")

        wanted: dict[str, list[str]] = {}
        for _, *specs in jobs:
            for spec in specs:
                if isinstance(spec, tuple):
                    wanted.setdefault(spec[0], []).append(spec[1])
        sides = revisions.plan_all(wanted)

        def side(spec: Any) -> Side:
            return sides[spec] if isinstance(spec, tuple) else load_file_side(spec)

        planned = [_pair(side(o), side(n), stack) for stack, o, n in jobs]
        if new_is_rev:
            _add_tenant_reads(planned, revisions.tree(new_rev or "") / TENANT_PROJECT_DIR.name)
        return sorted(planned + skipped, key=lambda d: d.stack)
    finally:
        revisions.close()


def _check_stack_exists(revisions: Revisions, revs: list[str], stack: str) -> None:
    """A stack on neither side is a typo, not a stack without changes."""
    existing = set().union(*(revisions.stacks(rev) for rev in revs))
    if stack not in existing:
        sides = " or ".join(revisions.label(rev) for rev in revs)
        known = ", ".join(sorted(existing)) or "none"
        raise DiffError(f"no stack {stack!r}: there is no Pulumi.{stack}.yaml at {sides}; the stacks are {known}")


def _add_tenant_reads(diffs: list[StackDiff], tenant_dir: Path) -> None:
    """Under each platform stack whose outputs change: the tenant stacks that read them (eksfargate/contract.py)."""
    if not (tenant_dir / "Pulumi.yaml").is_file():
        return
    on = {}
    for tenant in tenants(tenant_dir):
        on.setdefault(tenant.platform, []).append(tenant.stack)
    for diff in diffs:
        changed = sorted({change.path.split(".")[0].split("[")[0] for change in diff.outputs} & TENANT_READS.keys())
        if diff.stack in on:
            diff.tenant_reads = [(output, sorted(on[diff.stack]), TENANT_READS[output]) for output in changed]


UNTOUCHED = "Not planned: neither its stack file nor anything else the program reads changed."


def _untouched_stacks(changed: set[str] | None, stacks: list[str]) -> set[str]:
    """Stacks that need no plan: when only stack files changed, every stack whose file did not."""
    if changed is None or any(not _is_stack_file(name) for name in changed):
        return set()
    return {stack for stack in stacks if f"Pulumi.{stack}.yaml" not in changed}


def _is_stack_file(name: str) -> bool:
    return "/" not in name and name.startswith("Pulumi.") and name.endswith(".yaml") and name != "Pulumi.yaml"


def changed_stacks(diffs: list[StackDiff]) -> list[str]:
    """Stacks whose plan changes and that still exist on the new side: what `pulumi up` has to run for."""
    return [d.stack for d in diffs if d.changed and not d.error and not d.note.startswith("The stack file is removed")]


def _pair(old: Side, new: Side, stack: str) -> StackDiff:
    if old.error or new.error:
        which = [f"{side.label}: {side.error}" for side in (old, new) if side.error]
        return StackDiff(stack=stack, old_label=old.label, new_label=new.label, error="; ".join(which))
    diff = compare(old.plan, new.plan, stack, (old.label, new.label), (old.findings, new.findings))
    if old.plan is None and new.plan is not None:
        diff.note = f"The stack file is new: it does not exist at {old.label}."
    elif new.plan is None and old.plan is not None:
        diff.note = f"The stack file is removed: it does not exist at {new.label}. (`pulumi destroy` the stack first.)"
    return diff
