"""The secrets table `make plan` prints: each secret or parameter a stack's apps read from AWS, never a value.

One row per item of an ExternalSecret: the secret's name or ARN (and JSON key), the variable or file it
feeds in which Deployment, the service account its store reads as, and the statement of that account's
IAM role that grants it (none found: the row says so, and the read would be denied). Read from the plan
alone: the ExternalSecrets and SecretStores, the Deployments' secretKeyRef variables and projected
volumes, and each service account's inline policies (the ones declared beside it).
"""

from __future__ import annotations

import fnmatch
import json
from collections import defaultdict
from typing import Any

from eksfargate.facts.external_secrets import SERVICE_PREFIXES
from eksfargate.facts.resource_types import DEPLOYMENT, EXTERNAL_SECRET, IAM_ROLE_POLICY, SECRET_STORE


def rows(plan: dict[str, Any]) -> list[dict[str, str]]:
    """source, feeds, store (service as account), granted by, for every item of every ExternalSecret."""
    resources = plan["resources"]

    def of(type_: str) -> list[dict[str, Any]]:
        return [r for r in resources if r["type"] == type_]

    stores = {_where(r): r["inputs"]["spec"]["provider"]["aws"] for r in of(SECRET_STORE)}
    feeds = _feeds(of(DEPLOYMENT))
    accounts = [r for r in resources if r["type"].startswith("kubernetes:") and r["inputs"].get("kind") == "ServiceAccount"]
    grants = _grants(accounts, of(IAM_ROLE_POLICY))
    found = []
    for external in of(EXTERNAL_SECRET):
        spec, namespace = external["inputs"]["spec"], _where(external)[0]
        store = stores.get((namespace, spec["secretStoreRef"]["name"]), {})
        account = store.get("auth", {}).get("jwt", {}).get("serviceAccountRef", {}).get("name", "")
        service = store.get("service", "")
        for item in spec.get("data", []):
            remote = item["remoteRef"]
            source = remote["key"] + (f"#{remote['property']}" if remote.get("property") else "")
            target = (namespace, spec["target"]["name"], item["secretKey"])
            found.append(
                {
                    "source": f"{SERVICE_PREFIXES.get(service, service)}:{source}"
                    if not remote["key"].startswith("arn:")
                    else source,
                    "feeds": ", ".join(feeds.get(target, [])) or "nothing (no container reads it)",
                    "store": f"{service} as {namespace}/{account or '(no service account)'}",
                    "granted": _granting(grants.get((namespace, account), []), service, remote["key"]),
                }
            )
    return found


def report(plan: dict[str, Any]) -> str:
    """The table, or an empty string for a stack whose apps read no secret from AWS."""
    found = rows(plan)
    if not found:
        return ""
    lines = [
        f"Secrets from AWS of stack {plan['stack']} (names only; External Secrets Operator copies each value into the "
        "namespace's Secret, as the store's service account):",
        "| secret or parameter | feeds | read through | granted by |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| `{r['source']}` | {r['feeds']} | {r['store']} | {r['granted']} |" for r in found]
    return "\n".join(lines) + "\n"


def _where(res: dict[str, Any]) -> tuple[str, str]:
    meta = res["inputs"].get("metadata") or {}
    return meta.get("namespace", ""), meta.get("name", "")


def _feeds(deployments: list[dict[str, Any]]) -> dict[tuple[str, str, str], list[str]]:
    """(namespace, Secret, key) -> the variables and files that read it, as `Deployment: NAME` / `Deployment: /path`."""
    feeds: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for deployment in deployments:
        namespace, name = _where(deployment)
        pod = deployment["inputs"]["spec"]["template"]["spec"]
        for container in pod.get("containers", []):
            for variable in container.get("env", []):
                ref = (variable.get("valueFrom") or {}).get("secretKeyRef")
                if ref:
                    feeds[namespace, ref["name"], ref["key"]].append(f"{name}: ${variable['name']}")
            mounts = {m["name"]: m["mountPath"] for m in container.get("volumeMounts", [])}
            for volume in pod.get("volumes", []):
                for source in (volume.get("projected") or {}).get("sources", []):
                    secret = source.get("secret") or {}
                    for item in secret.get("items", []):
                        path = f"{mounts.get(volume['name'], '(not mounted)')}/{item['path']}"
                        feeds[namespace, secret["name"], item["key"]].append(f"{name}: file {path} (read-only)")
    return feeds


def _grants(accounts: list[dict[str, Any]], policies: list[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(namespace, service account) -> the statements of the inline policies declared beside it (its role's)."""
    by_parent: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for policy in policies:
        document = policy["inputs"].get("policy")
        if isinstance(document, str):
            by_parent[policy.get("parent") or ""] += json.loads(document).get("Statement", [])
    return {_where(account): by_parent.get(account.get("parent") or "", []) for account in accounts}


def _granting(statements: list[dict[str, Any]], service: str, key: str) -> str:
    """The Sid and resource of the first Allow statement whose resource matches the key, by IAM's wildcards."""
    prefix = SERVICE_PREFIXES.get(service, "")
    for statement in statements:
        actions = statement.get("Action")
        actions = [actions] if isinstance(actions, str) else actions or []
        if statement.get("Effect") != "Allow" or not any(a.startswith(f"{prefix}:") for a in actions):
            continue
        resources = statement.get("Resource")
        for resource in [resources] if isinstance(resources, str) else resources or []:
            if key.startswith("arn:") and resource == key or _names(resource, service, key):
                return f"{statement.get('Sid', '(no Sid)')}: {', '.join(actions)} on `{resource}`"
    return "NOTHING: the read is denied"


def _names(resource: str, service: str, key: str) -> bool:
    """Whether an ARN pattern of the stack's account covers a secret or parameter named `key`."""
    tail = resource.split(":secret:", 1)[-1] if service == "SecretsManager" else resource.split(":parameter", 1)[-1]
    if tail == resource:
        return False
    candidate = f"{key}-abcdef" if service == "SecretsManager" else key
    return fnmatch.fnmatchcase(candidate, tail)
