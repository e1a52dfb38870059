"""The plan diff between platform and tenant stacks (eksfargate/contract.py, TENANT_READS).

A tenant stack reads its platform stack's outputs through a StackReference; offline, those are the
platform plan's values, and whatever AWS decides is a placeholder naming the platform resource it
comes from (`{{Cluster:cluster-eks.oidcIssuer}}`). When the platform replaces that resource (a new
VPC makes a new cluster) the placeholder reads the same on both sides of the tenant's diff, yet
`pulumi up` of the tenant would see new values: its Kubernetes provider points at another cluster,
so its objects are created again there, and its access entry went with the old cluster. So a
tenant's diff takes its platform's diff along (`platform_change`): the replaced resources behind the
outputs it reads replace what uses them in the tenant (offline/diff.py, `Upstream`), and the
outputs that change, with why, are the tenant's reason (`PlatformChange.reads`). Under the
platform's diff, `add_tenant_reads` lists the tenant stacks that read its changed outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eksfargate.contract import TENANT_READS
from eksfargate.stack_catalog import tenants
from offline.diff import ABSENT, Change, StackDiff, Upstream, compare, replaced_sources
from offline.plan_document import placeholder_source, placeholders, source_key
from offline.replacements import CLUSTER_TYPE


@dataclass(frozen=True)
class PlatformChange:
    """What a tenant reads from its platform that changes between two plans of the platform."""

    platform: str  # the platform stack on the new side
    upstream: Upstream  # its replaced resources behind the outputs the tenant reads
    reads: list[Change] = field(default_factory=list)  # the outputs it reads that change, and why


def output_name(path: str) -> str:
    """The output a change's path is in: `privateSubnetIds[0]` → `privateSubnetIds`."""
    return path.split(".")[0].split("[")[0]


def platform_change(old: dict[str, Any], new: dict[str, Any], tenant: dict[str, Any]) -> PlatformChange:
    """What the tenant whose new plan is `tenant` reads from its platform that differs between the
    platform plans `old` and `new` (the same stack, or the one the tenant moves to). The outputs
    listed are those whose change reaches the tenant: a new value, or a replaced resource behind a
    value of theirs that the tenant's plan holds."""
    read = TENANT_READS.keys()
    behind = {placeholder_source(ref) for output in read for ref in placeholders(new["outputs"].get(output))}
    platform = new["stack"]
    if old["stack"] == platform:
        diff = compare(old, new, platform)
        replaced = replaced_sources(diff.resources)
        gone = behind & replaced.keys()
        clusters = [replaced[key].resource for key in gone if replaced[key].resource["type"] == CLUSTER_TYPE]
        changes = [change for change in diff.outputs if output_name(change.path) in read]
    else:
        gone = behind
        clusters = [res for res in new["resources"] if res["type"] == CLUSTER_TYPE]
        moved = f"new value: read from platform stack {platform} instead of {old['stack']}"
        changes = [
            Change(name, old["outputs"].get(name, ABSENT), new["outputs"].get(name, ABSENT), note=moved)
            for name in sorted(read & (old["outputs"].keys() | new["outputs"].keys()))
        ]
    label = {key: f"{key} of platform stack {platform}" for key in gone}
    upstream = Upstream(label, {str(res["inputs"].get("name")): label[source_key(res)] for res in clusters})
    used = {ref for res in tenant["resources"] for ref in placeholders(res["inputs"])}
    reaching = [
        change
        for change in changes
        if not change.note.startswith("new value (known after deploy)")
        or any(placeholder_source(ref) in gone for ref in set(placeholders(change.new)) & used)
    ]
    return PlatformChange(platform, upstream, reaching)


def add_tenant_reads(diffs: list[StackDiff], tenant_dir: Path) -> None:
    """Under each platform stack whose outputs change: the tenant stacks that read them (eksfargate/contract.py)."""
    if not (tenant_dir / "Pulumi.yaml").is_file():
        return
    on: dict[str, list[str]] = {}
    for tenant in tenants(tenant_dir):
        on.setdefault(tenant.platform, []).append(tenant.stack)
    for diff in diffs:
        changed = sorted({output_name(change.path) for change in diff.outputs} & TENANT_READS.keys())
        if diff.stack in on:
            diff.tenant_reads = [(output, sorted(on[diff.stack]), TENANT_READS[output]) for output in changed]
