"""The offline plan: what one stack file declares, seen without AWS, a Pulumi backend or the CLI.

`build()` runs the real program under the harness in preview mode and turns the recording
into a plan: a plain, sorted, JSON-ready dict. `write()` lays the plan out for review:

    plan.json       every resource: type, name, parent, provider, options, dependencies, inputs
    manifests.yaml  the Kubernetes objects, kubectl-applicable; Helm releases as comments
    iam/*.json      every IAM trust and permission document, pretty-printed
    diagram.mmd     Mermaid: the top-level components and what each waits for

`render_tree()` is what `python -m offline plan` prints. Values AWS only assigns at deploy
time are never made up: they read `{{Kind:name.property}}` (that property of that resource,
known after deploy) or `(known after deploy)`; secrets read `[secret]`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.output import Unknown
from pulumi.runtime import rpc

from eksfargate.facts.resource_types import (
    ACM_CERTIFICATE,
    EKS_ADDON,
    EKS_CLUSTER_COMPONENT,
    FARGATE_PROFILE,
    HELM_RELEASE,
    IAM_POLICY,
    IAM_ROLE,
    IAM_ROLE_POLICY,
    IAM_ROLE_POLICY_ATTACHMENT,
    KMS_KEY,
    KUBERNETES_PROVIDER,
    LOG_GROUP,
    NAT_GATEWAY,
    ROUTE53_RECORD,
    ROUTE_TABLE,
    ROUTE_TABLE_ASSOCIATION,
    S3_BUCKET_LIFECYCLE,
    SUBNET,
    VPC,
)
from eksfargate.fargate_pods import FargateSizeError
from eksfargate.stack_files import SECRET_PLACEHOLDER
from offline.footprints import footprint_of
from offline.harness import PLACEHOLDER, PROJECT_DIR, Recording, record

PLAN_FORMAT = 1
KNOWN_AFTER_DEPLOY = "(known after deploy)"
SECRET = SECRET_PLACEHOLDER
LEGEND = "{{Kind:name.property}} = known after deploy (that property of that resource); [secret] = masked"

K8S_PROVIDER = KUBERNETES_PROVIDER
IAM_ATTACHMENT = IAM_ROLE_POLICY_ATTACHMENT

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


class PlanError(Exception):
    """The stack cannot be planned: invalid settings, a missing stack file, an encrypted secret."""


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
    }


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


def dumps(plan: dict[str, Any]) -> str:
    """plan.json's text: byte-identical for identical plans."""
    return json.dumps(plan, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load(path: Path) -> dict[str, Any]:
    plan = json.loads(Path(path).read_text())
    if not isinstance(plan, dict) or plan.get("planFormat") != PLAN_FORMAT:
        raise PlanError(f"{path} is not a plan.json of format {PLAN_FORMAT}")
    return plan


# ---------------------------------------------------------------------------------------
# Writing the plan out


def write(plan: dict[str, Any], out: Path) -> list[Path]:
    """Writes plan.json, manifests.yaml, iam/*.json and diagram.mmd into `out`; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    iam_dir = out / "iam"
    iam_dir.mkdir(exist_ok=True)
    for stale in iam_dir.glob("*.json"):
        stale.unlink()
    written = []
    for name, text in (
        ("plan.json", dumps(plan)),
        ("manifests.yaml", manifests_yaml(plan)),
        ("diagram.mmd", mermaid(plan)),
    ):
        (out / name).write_text(text)
        written.append(out / name)
    for name, document in iam_documents(plan).items():
        (iam_dir / name).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        written.append(iam_dir / name)
    return written


def kubernetes_objects(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The Kubernetes objects the plan declares directly, in kubectl apply order."""
    objects = []
    for res in plan["resources"]:
        if res["type"].startswith("kubernetes:") and res["type"] != HELM_RELEASE and res["custom"]:
            obj = {key: value for key, value in res["inputs"].items() if not key.startswith("__")}
            objects.append(obj)

    def order(obj: dict[str, Any]) -> tuple:
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
        elif res["type"] == IAM_ATTACHMENT:
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
# Structure: the component tree and the dependencies between components


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
        lines.append(f"  {name.ljust(width)}  {_show(value)}")
    return "\n".join(lines) + "\n"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "[" + ", ".join(value) + "]"
    return json.dumps(value, sort_keys=True)


def _json_string(text: Any) -> Any:
    if isinstance(text, str):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return None
    return None


def summarize(res: dict[str, Any]) -> list[str]:
    """The few properties of a resource a reviewer looks at, as short strings."""
    kind, i = res["type"], res["inputs"]
    tags = i.get("tags") or {}
    if kind == VPC:
        dns = (
            "DNS hostnames+support" if i.get("enableDnsHostnames") and i.get("enableDnsSupport") else "DNS hostnames/support OFF"
        )
        return [f"cidr {i.get('cidrBlock', KNOWN_AFTER_DEPLOY)}", dns]
    if kind == SUBNET:
        roles = [f"{key}={value}" for key, value in sorted(tags.items()) if key.startswith("kubernetes.io/role/")]
        zone = i.get("availabilityZone") or i.get("availabilityZoneId") or KNOWN_AFTER_DEPLOY
        return ["public" if i.get("mapPublicIpOnLaunch") else "private", f"cidr {i.get('cidrBlock')}", f"zone {zone}", *roles]
    if kind == NAT_GATEWAY:
        return [f"in subnet {i.get('subnetId')}"]
    if kind == ROUTE_TABLE:
        return [
            f"{route.get('cidrBlock') or route.get('ipv6CidrBlock')} → {_route_target(route)}" for route in i.get("routes") or []
        ]
    if kind == ROUTE_TABLE_ASSOCIATION:
        return [f"{i.get('subnetId') or i.get('gatewayId')} → {i.get('routeTableId')}"]
    if kind == EKS_CLUSTER_COMPONENT:
        return _cluster_summary(i)
    if kind == FARGATE_PROFILE:
        selectors = [
            "namespace=" + s.get("namespace", "?") + "".join(f",{k}={v}" for k, v in sorted((s.get("labels") or {}).items()))
            for s in i.get("selectors") or []
        ]
        return [
            f"profile {i.get('fargateProfileName')} of cluster {i.get('clusterName')}",
            f"selectors [{' | '.join(selectors)}]",
            f"subnets {_show(i.get('subnetIds'))}",
            f"pod execution role {i.get('podExecutionRoleArn')}",
        ]
    if kind == EKS_ADDON:
        config = _json_string(i.get("configurationValues")) or {}
        parts = [f"add-on {i.get('addonName')} {i.get('addonVersion', '(default version)')} on {i.get('clusterName')}"]
        if isinstance(config, dict) and config.get("computeType"):
            parts.append(f"computeType {config['computeType']}")
        return parts
    if kind == IAM_ROLE:
        return [f"trusted by {_principals(_json_string(i.get('assumeRolePolicy')))}", f"iam/role-{res['name']}.trust.json"]
    if kind == IAM_POLICY:
        document = _json_string(i.get("policy")) or {}
        statements = document.get("Statement", []) if isinstance(document, dict) else []
        return [f"{len(statements)} statements", f"iam/policy-{res['name']}.json"]
    if kind == IAM_ATTACHMENT:
        return [f"{i.get('policyArn')} → role {i.get('role')}"]
    if kind == IAM_ROLE_POLICY:
        return [f"inline on role {i.get('role')}", f"iam/role-policy-{res['name']}.json"]
    if kind == LOG_GROUP:
        return [f"log group {i.get('name')}", f"retention {i.get('retentionInDays', 'NEVER EXPIRES')} days"]
    if kind == KMS_KEY:
        return ["rotation on" if i.get("enableKeyRotation") else "rotation OFF"]
    if kind == ACM_CERTIFICATE:
        return [f"certificate for {i.get('domainName')}", f"{i.get('validationMethod')}-validated"]
    if kind == ROUTE53_RECORD:
        zone = f"zone {i.get('zoneId')}"
        if i.get("name", KNOWN_AFTER_DEPLOY) == KNOWN_AFTER_DEPLOY:
            return [f"record {KNOWN_AFTER_DEPLOY} (ACM names a certificate's validation record)", zone]
        aliases = i.get("aliases") or []
        target = f"alias to {aliases[0].get('name')}" if aliases else _show(i.get("records") or [])
        return [f"{i.get('type')} {i.get('name')}", target, zone]
    if kind == S3_BUCKET_LIFECYCLE:
        return [f"objects expire after {(rule.get('expiration') or {}).get('days')} days" for rule in i.get("rules") or []]
    if kind == HELM_RELEASE:
        values = i.get("values") or {}
        parts = [
            f"chart {i.get('chart')} {i.get('version', '(unpinned)')}",
            f"repo {(i.get('repositoryOpts') or {}).get('repo', '(local)')}",
            f"release {i.get('namespace', 'default')}/{i.get('name', res['name'])}",
        ]
        image = values.get("image") if isinstance(values, dict) else None
        if isinstance(image, dict) and image.get("tag"):
            parts.append(f"image tag {image['tag']}")
        return parts
    if kind.startswith("kubernetes:") and kind != K8S_PROVIDER:
        return _kubernetes_summary(i)
    return []


def _route_target(route: dict[str, Any]) -> str:
    for key in ("natGatewayId", "gatewayId", "transitGatewayId", "vpcPeeringConnectionId", "networkInterfaceId"):
        if route.get(key):
            return f"{key.removesuffix('Id')} {route[key]}"
    return "?"


def _principals(document: Any) -> str:
    if not isinstance(document, dict):
        return KNOWN_AFTER_DEPLOY
    found = []
    for statement in document.get("Statement", []):
        principal = statement.get("Principal", {})
        conditions = " (with conditions)" if statement.get("Condition") else ""
        if isinstance(principal, dict):
            for kind, value in sorted(principal.items()):
                found += [f"{kind} {item}{conditions}" for item in (value if isinstance(value, list) else [value])]
        else:
            found.append(f"{principal}{conditions}")
    return ", ".join(found) or "nobody"


def _cluster_summary(i: dict[str, Any]) -> list[str]:
    endpoint = []
    if i.get("endpointPublicAccess"):
        endpoint.append("public " + _show(i.get("publicAccessCidrs") or ["0.0.0.0/0"]))
    if i.get("endpointPrivateAccess"):
        endpoint.append("private")
    parts = [
        f"name {i.get('name', KNOWN_AFTER_DEPLOY)}",
        f"Kubernetes {i.get('version', '(default)')}",
        f"auth {i.get('authenticationMode', '(default)')}",
        "endpoint " + " + ".join(endpoint),
        f"logs {_show(i.get('enabledClusterLogTypes') or [])}",
        f"private subnets {_show(i.get('privateSubnetIds') or [])}",
        f"public subnets {_show(i.get('publicSubnetIds') or [])}",
        "OIDC provider" if i.get("createOidcProvider") else "no OIDC provider",
        f"secrets encryption {i['encryptionConfigKeyArn']}" if i.get("encryptionConfigKeyArn") else "no secrets encryption",
    ]
    if i.get("skipDefaultNodeGroup"):
        parts.append("no default node group")
    if i.get("deletionProtection"):
        parts.append("deletion protection")
    admins = sorted((i.get("accessEntries") or {}).keys())
    if admins:
        parts.append(f"access entries {_show(admins)}")
    return parts


def _kubernetes_summary(i: dict[str, Any]) -> list[str]:
    meta = i.get("metadata") or {}
    spec = i.get("spec") or {}
    kind = i.get("kind", "")
    where = f"{meta.get('namespace')}/{meta.get('name')}" if meta.get("namespace") else str(meta.get("name"))
    parts = [f"{kind} {where}"]
    if kind in ("Deployment", "StatefulSet", "ReplicaSet"):
        parts.append(f"replicas {spec['replicas']}" if "replicas" in spec else "replicas unset (an autoscaler's, else 1)")
        pod = (spec.get("template") or {}).get("spec") or {}
        for container in pod.get("containers") or []:
            requests = (container.get("resources") or {}).get("requests") or {}
            sized = ", ".join(f"{k} {v}" for k, v in sorted(requests.items()))
            parts.append(f"image {container.get('image')}" + (f" (requests {sized})" if sized else ""))
    elif kind == "Service":
        ports = ", ".join(f"{p.get('port')}→{p.get('targetPort', p.get('port'))}" for p in spec.get("ports") or [])
        parts.append(f"{spec.get('type', 'ClusterIP')} {ports}")
    elif kind == "Ingress":
        annotations = meta.get("annotations") or {}
        parts.append(f"class {spec.get('ingressClassName')}")
        parts += [f"{key.rsplit('/', 1)[-1]} {value}" for key, value in sorted(annotations.items())]
    elif kind == "HorizontalPodAutoscaler":
        target = spec.get("scaleTargetRef") or {}
        parts.append(
            f"scales {target.get('kind')} {target.get('name')} from {spec.get('minReplicas', 1)} to {spec.get('maxReplicas')}"
        )
        for metric in spec.get("metrics") or []:
            resource = metric.get("resource") or {}
            parts.append(f"{resource.get('name')} {(resource.get('target') or {}).get('averageUtilization')}%")
    elif kind == "PodDisruptionBudget":
        parts += [f"{key} {spec[key]}" for key in ("maxUnavailable", "minAvailable") if key in spec]
    return parts


def placeholders(value: Any) -> Iterable[str]:
    """Every `{{...}}` reference inside a (nested) value, JSON strings included."""
    if isinstance(value, str):
        yield from (match.group(1) for match in PLACEHOLDER.finditer(value))
    elif isinstance(value, dict):
        for item in value.values():
            yield from placeholders(item)
    elif isinstance(value, list):
        for item in value:
            yield from placeholders(item)


_SOURCE = re.compile(r"^(?P<source>[^.]+)\.(?P<prop>.+)$")


def placeholder_source(reference: str) -> str:
    """ "Subnet:network-private-a.id" → "Subnet:network-private-a" (the resource the value comes from)."""
    match = _SOURCE.match(reference)
    return match.group("source") if match else reference


def source_key(res: dict[str, Any]) -> str:
    """How placeholders name a resource: "Kind:name"."""
    return f"{res['type'].rsplit(':', 1)[-1]}:{res['name']}"
