"""The offline plan: what one stack file declares, seen without AWS, a Pulumi backend or the CLI.

`build()` runs the real program under the harness in preview mode and turns the recording
into a plan: a plain, sorted, JSON-ready dict. `files()` lays the plan out for review: plan.json,
every resource (type, name, parent, provider, options, dependencies, inputs), and the files
offline/plan_files.py makes of it (the manifests, the IAM documents, the diagram); `write()` makes
them all a folder holds (offline/plan_folder.py).

plan.json's format, and how it is read back, are offline/plan_document.py's (no SDK: the diff reads
plans with it). `render_tree()` is what `python -m offline plan` prints. Values AWS only assigns at deploy
time are never made up: they read `{{Kind:name.property}}` (that property of that resource,
known after deploy) or `(known after deploy)`; secrets read `[secret]`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
from pulumi.output import Unknown
from pulumi.runtime import rpc

from eksfargate.contract import PlatformOutput
from eksfargate.facts.resource_types import STACK_REFERENCE
from eksfargate.fargate_pods import FargateSizeError
from eksfargate.pod_network import network_of
from offline import plan_folder
from offline.footprints import footprint_of
from offline.harness import PROJECT_DIR, Recording, record
from offline.plan_document import PLAN_FORMAT, SECRET, PlanError, dumps, placeholders
from offline.plan_files import Tree, iam_documents, manifests_yaml, mermaid
from offline.registry import summarize
from offline.registry.entry import show
from offline.unknowns import KNOWN_AFTER_DEPLOY, LEGEND


def build(
    stack: str,
    project_dir: Path = PROJECT_DIR,
    stack_file: Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Runs the program for a stack file offline and returns its plan.

    Raises PlanError with a one-line message for what a user can fix (settings, stack
    file); anything else the program raises is a bug and propagates with its traceback.
    """
    return from_recording(record_stack(stack, project_dir, stack_file, overrides))


def record_stack(
    stack: str,
    project_dir: Path = PROJECT_DIR,
    stack_file: Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> Recording:
    """The preview-mode recording a plan is made from, with `build`'s error handling."""
    try:
        recording = record(stack, overrides, project_dir, stack_file, preview=True)
    except (FileNotFoundError, ValueError) as exc:  # no stack file, encrypted secret
        raise PlanError(str(exc)) from exc
    if isinstance(recording.error, pulumi.RunError):  # SettingsError and the program's own checks
        key = str(getattr(recording.error, "key", ""))
        key = key if ":" in key else f"{recording.project}:{key}"
        if key in recording.secret_config:
            raise PlanError(
                f"{recording.error} (a secure: value, which an offline plan reads as {SECRET}: the program needs its value, "
                "so this stack can only be planned with its secrets provider, by `pulumi preview`)"
            ) from recording.error
        raise PlanError(str(recording.error)) from recording.error
    if recording.error is not None:
        raise recording.error
    return recording


def from_recording(recording: Recording) -> dict[str, Any]:
    """The plan of a recording: plain values, resources sorted by URN, secrets masked."""
    resources = []
    for res in sorted(recording.resources, key=lambda r: r.urn):
        resources.append(
            {
                "urn": res.urn,
                "type": res.type,
                "name": res.name,
                "parent": res.parent,
                "custom": res.custom,
                "remote": res.remote,
                # A provider reference is "<urn>::<id>"; the id is a placeholder.
                "provider": res.provider.rsplit("::", 1)[0] if res.provider else None,
                "protect": res.protect,
                "deleteBeforeReplace": res.delete_before_replace,
                "dependencies": sorted(set(res.dependencies)),
                "inputs": plain(res.inputs),
            }
        )
    outputs = {
        name: masked(plain(value)) if name in recording.secret_outputs else plain(value)
        for name, value in sorted(recording.outputs.items())
    }
    return {
        "planFormat": PLAN_FORMAT,
        "project": recording.project,
        "stack": recording.stack,
        "config": dict(sorted(recording.config.items())),
        "resources": resources,
        "outputs": outputs,
        "secretOutputs": sorted(recording.secret_outputs),
        # What the stack runs (eksfargate/estimate.py): the one model its cost, capacity and
        # tenant shares are read from. null: a pod larger than any Fargate size (the policy pack says which).
        "footprint": _footprint(recording),
        # Which namespace's pods reach which ports of which other's (eksfargate/pod_network.py).
        "podNetwork": _pod_network(recording, resources, outputs),
    }


def _pod_network(recording: Recording, resources: list[dict[str, Any]], outputs: dict[str, Any]) -> dict[str, Any]:
    """The stack's pod network; a tenant works with the cluster group its platform exports."""
    cluster_group = outputs.get(PlatformOutput.CLUSTER_SECURITY_GROUP_ID)
    for res in recording.resources:
        if res.type == STACK_REFERENCE:
            cluster_group = plain((res.outputs.get("outputs") or {}).get(PlatformOutput.CLUSTER_SECURITY_GROUP_ID))
    ids = {res.urn: plain(res.id) for res in recording.resources}
    return network_of(resources, recording.stack, lambda res: ids[res["urn"]], cluster_group).to_json()


def _footprint(recording: Recording) -> dict[str, Any] | None:
    try:
        return footprint_of(recording).to_json()
    except FargateSizeError:
        return None


def masked(value: Any) -> str:
    """A secret as plans show it: never its value, but the placeholders it was made from."""
    sources = sorted(set(placeholders(value)))
    return SECRET if not sources else f"{SECRET[:-1]}, from " + " ".join("{{" + s + "}}" for s in sources) + "]"


def plain(value: Any) -> Any:
    """JSON-ready copy of an input value: secrets masked, unknowns spelled out, 5.0 back to 5.

    A masked secret keeps the names of the placeholders it was made from (never a value), so
    that the diff still sees e.g. a kubeconfig change when the cluster is replaced.
    """
    if rpc.is_rpc_secret(value):
        return masked(plain(rpc.unwrap_rpc_secret(value)))
    if isinstance(value, Unknown):
        return KNOWN_AFTER_DEPLOY
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    # Assets, archives, resource references: name the kind, never a memory address.
    return f"<{type(value).__name__}>"


def files(plan: dict[str, Any]) -> dict[str, str]:
    """plan.json, manifests.yaml, diagram.mmd and iam/*.json of a plan, by path in its folder, in that order."""
    texts = {"plan.json": dumps(plan), "manifests.yaml": manifests_yaml(plan), "diagram.mmd": mermaid(plan)}
    for name, document in iam_documents(plan).items():
        texts[f"iam/{name}"] = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return texts


def write(plan: dict[str, Any], out: Path) -> list[Path]:
    """Makes the plan's files all that `out` holds (offline/plan_folder.py); returns them."""
    return plan_folder.put(out, files(plan))


# ---------------------------------------------------------------------------------------
# The printed tree


def render_tree(plan: dict[str, Any]) -> str:
    """The resource tree with the few properties a reviewer needs, and the stack outputs."""
    tree = Tree(plan)
    count = sum(1 for res in plan["resources"] if res["custom"] or res["remote"])
    lines = [
        f"Offline plan of stack {plan['stack']} (project {plan['project']}): {len(plan['resources'])} registrations, "
        f"{count} of them resources or remote components",
        f"  {LEGEND}",
        "",
    ]

    def walk(parent: str | None, prefix: str) -> None:
        children = tree.ordered_children(parent)
        for index, urn in enumerate(children):
            last = index == len(children) - 1
            res = tree.resources[urn]
            branch = "" if parent is None else ("└─ " if last else "├─ ")
            details = summarize(res)
            flags = [
                flag for flag, on in (("PROTECTED", res["protect"]), ("delete-before-replace", res["deleteBeforeReplace"])) if on
            ]
            text = f"{res['name']}  ({res['type']})"
            if flags:
                text += "  [" + ", ".join(flags) + "]"
            if details:
                text += "  " + "; ".join(details)
            lines.append(prefix + branch + text)
            walk(urn, prefix + ("" if parent is None else ("   " if last else "│  ")))
            if parent is None:
                lines.append("")

    walk(None, "")
    lines.append("Outputs:")
    width = max((len(name) for name in plan["outputs"]), default=0)
    for name, value in plan["outputs"].items():
        lines.append(f"  {name.ljust(width)}  {show(value)}")
    return "\n".join(lines) + "\n"
