"""The files a plan is reviewed in, besides plan.json (offline/plan.py writes them all):

    manifests.yaml  the Kubernetes objects, kubectl-applicable; Helm releases as comments
    iam/*.json      every IAM trust and permission document, pretty-printed
    diagram.mmd     Mermaid: the top-level components and what each waits for

and `Tree`, the component tree the diagram and the printed tree are drawn from.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from eksfargate.facts.resource_types import HELM_RELEASE, IAM_POLICY, IAM_ROLE, IAM_ROLE_POLICY, IAM_ROLE_POLICY_ATTACHMENT
from offline.registry.entry import is_kubernetes_object
from offline.unknowns import KNOWN_AFTER_DEPLOY, LEGEND

# kubectl applies in file order: what others live in or refer to goes first.
_KIND_ORDER = [
    "Namespace",
    "CustomResourceDefinition",
    "ServiceAccount",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "ConfigMap",
    "Secret",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "Job",
    "Service",
    "Ingress",
]


def kubernetes_objects(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The Kubernetes objects the plan declares directly, in kubectl apply order."""
    objects = []
    for res in plan["resources"]:
        if is_kubernetes_object(res["type"]) and res["custom"]:
            obj = {key: value for key, value in res["inputs"].items() if not key.startswith("__")}
            objects.append(obj)

    def order(obj: dict[str, Any]) -> tuple[int, str, str, str]:
        kind = obj.get("kind", "")
        rank = _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER)
        meta = obj.get("metadata") or {}
        return rank, kind, meta.get("namespace") or "", meta.get("name") or ""

    return sorted(objects, key=order)


def helm_releases(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [res for res in plan["resources"] if res["type"] == HELM_RELEASE]


def manifests_yaml(plan: dict[str, Any]) -> str:
    """kubectl-applicable YAML of the Kubernetes objects, Helm releases described in comments."""
    lines = [
        f"# Kubernetes objects of stack {plan['stack']} (offline plan; `kubectl apply -f` applies them in this order).",
        f"# {LEGEND}: substitute such values before applying by hand.",
        "# Not listed: what Helm charts and the pulumi-eks component create inside the cluster.",
    ]
    for release in helm_releases(plan):
        lines += ["#", *_release_comment(release)]
    documents = [
        yaml.safe_dump(obj, sort_keys=True, default_flow_style=False, allow_unicode=True, width=1000)
        for obj in kubernetes_objects(plan)
    ]
    if not documents:
        return "\n".join(lines) + "\n"
    return "\n".join(lines) + "\n---\n" + "---\n".join(documents)


def _release_comment(release: dict[str, Any]) -> list[str]:
    inputs = release["inputs"]
    repo = (inputs.get("repositoryOpts") or {}).get("repo", "")
    name = inputs.get("name") or release["name"]
    namespace = inputs.get("namespace") or "default"
    values = yaml.safe_dump(inputs.get("values") or {}, sort_keys=True, default_flow_style=False, width=1000)
    command = f"helm upgrade --install {name} {inputs.get('chart', '')} --namespace {namespace}"
    if repo:
        command += f" --repo {repo}"
    if inputs.get("version"):
        command += f" --version {inputs['version']}"
    return [
        f"# Helm release {namespace}/{name} (resource {release['name']}; a Helm release, not a Kubernetes object):",
        f"#   chart {inputs.get('chart', '')} {inputs.get('version', '(unpinned)')} from {repo or '(local chart)'}",
        f"#   the equivalent by hand: {command} -f values.yaml, with values.yaml:",
        *(f"#     {line}" for line in values.rstrip("\n").splitlines()),
    ]


def iam_documents(plan: dict[str, Any]) -> dict[str, Any]:
    """File name → parsed IAM document, for every trust policy and permission policy in the plan."""
    documents: dict[str, Any] = {}
    attachments = []
    for res in plan["resources"]:
        inputs, name = res["inputs"], res["name"]
        if res["type"] == IAM_ROLE:
            documents[f"role-{name}.trust.json"] = _document(inputs.get("assumeRolePolicy"))
            for inline in inputs.get("inlinePolicies") or []:
                documents[f"role-{name}.inline-{inline.get('name', 'policy')}.json"] = _document(inline.get("policy"))
        elif res["type"] == IAM_POLICY:
            documents[f"policy-{name}.json"] = _document(inputs.get("policy"))
        elif res["type"] == IAM_ROLE_POLICY:
            documents[f"role-policy-{name}.json"] = _document(inputs.get("policy"))
        elif res["type"] == IAM_ROLE_POLICY_ATTACHMENT:
            attachments.append({"attachment": name, "role": inputs.get("role"), "policyArn": inputs.get("policyArn")})
    if attachments:
        documents["attachments.json"] = sorted(attachments, key=lambda a: a["attachment"])
    return documents


def _document(text: Any) -> Any:
    if not isinstance(text, str):
        return {"document": text if text is not None else KNOWN_AFTER_DEPLOY}
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return {"document": text}


# ---------------------------------------------------------------------------------------
# The diagram, and the tree it is drawn from


class Tree:
    """Parent/child and dependency lookups over a plan's resources."""

    def __init__(self, plan: dict[str, Any]):
        self.resources = {res["urn"]: res for res in plan["resources"]}
        self.children: dict[str | None, list[str]] = {}
        for urn, res in self.resources.items():
            parent = res["parent"] if res["parent"] in self.resources else None
            self.children.setdefault(parent, []).append(urn)

    def waits_for(self, urn: str) -> list[str]:
        """What a resource needs before it can be created: its dependencies and its provider."""
        res = self.resources[urn]
        return [*res["dependencies"], *([res["provider"]] if res["provider"] in self.resources else [])]

    def subtree(self, urn: str) -> list[str]:
        found, todo = [], [urn]
        while todo:
            current = todo.pop()
            found.append(current)
            todo.extend(self.children.get(current, []))
        return found

    def ordered_children(self, parent: str | None) -> list[str]:
        """Children in creation order: by how long a chain of siblings each waits for, then type and name."""
        children = self.children.get(parent, [])
        owner = {member: child for child in children for member in self.subtree(child)}
        waits: dict[str, set[str]] = {child: set() for child in children}
        for child in children:
            for member in self.subtree(child):
                waits[child] |= {owner[dep] for dep in self.waits_for(member) if owner.get(dep) not in (None, child)}
        depth: dict[str, int] = {}

        def depth_of(urn: str, seen: frozenset[str] = frozenset()) -> int:
            if urn not in depth:
                chain = [depth_of(dep, seen | {urn}) for dep in sorted(waits[urn]) if dep not in seen | {urn}]
                depth[urn] = 1 + max(chain, default=-1)
            return depth[urn]

        return sorted(children, key=lambda urn: (depth_of(urn), self.resources[urn]["type"], self.resources[urn]["name"]))

    def component_edges(self) -> dict[tuple[str, str], list[str]]:
        """(top-level A, top-level B) → names of B's resources that A's resources depend on."""
        top = self.children.get(None, [])
        owner = {member: root for root in top for member in self.subtree(root)}
        edges: dict[tuple[str, str], set[str]] = {}
        for root in top:
            for member in self.subtree(root):
                for dep in self.waits_for(member):
                    target = owner.get(dep)
                    if target and target != root:
                        edges.setdefault((root, target), set()).add(self.resources[dep]["name"])
        return {key: sorted(names) for key, names in sorted(edges.items())}


def mermaid(plan: dict[str, Any]) -> str:
    """A Mermaid flowchart: one node per top-level component, an arrow from what is waited for."""
    tree = Tree(plan)
    top = tree.ordered_children(None)
    ids = {urn: f"c{index}" for index, urn in enumerate(top)}
    lines = [
        f"%% Components of stack {plan['stack']} and what each waits for (offline plan).",
        "%% An arrow A --> B: something in B depends on the resources of A named on the arrow.",
        "flowchart LR",
    ]
    for urn in top:
        res = tree.resources[urn]
        members = tree.subtree(urn)
        nested = [tree.resources[m] for m in members[1:] if not tree.resources[m]["custom"] or tree.resources[m]["remote"]]
        label = [res["name"], res["type"], f"{len(members) - 1} resources" if len(members) > 1 else "resource"]
        label += [f"{n['type']} {n['name']}" for n in sorted(nested, key=lambda n: n["urn"])]
        lines.append(f'    {ids[urn]}["{_mermaid_text("<br/>".join(label))}"]')
    for (waiter, waited), names in tree.component_edges().items():
        shown = ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")
        lines.append(f'    {ids[waited]} -->|"{_mermaid_text(shown)}"| {ids[waiter]}')
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")
