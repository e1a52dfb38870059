"""IAM, KMS and CloudWatch Logs types: roles, policies, inline and attached policies, keys, log groups.

Replace-on rules: the ForceNew attributes of hashicorp/terraform-provider-aws internal/service/
iam/role.go, iam/policy.go (description too), iam/role_policy.go, iam/role_policy_attachment.go,
kms/key.go and logs/group.go. Not ForceNew there, so left out: a KMS key's description.
"""

from __future__ import annotations

from typing import Any

from eksfargate.facts.resource_types import (
    IAM_POLICY,
    IAM_ROLE,
    IAM_ROLE_POLICY,
    IAM_ROLE_POLICY_ATTACHMENT,
    KMS_KEY,
    LOG_GROUP,
)
from offline.registry.entry import MOCK_ACCOUNT_ID, NewResource, ResourceType, json_document
from offline.unknowns import KNOWN_AFTER_DEPLOY


def _autonamed(resource: NewResource) -> dict[str, Any]:
    """An IAM name the program leaves to Pulumi's autonaming is known only after deploy."""
    return {} if resource.inputs.get("name") else {"name": resource.placeholder("name")}


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


def _role(res: dict[str, Any]) -> list[str]:
    trust = json_document(res["inputs"].get("assumeRolePolicy"))
    return [f"trusted by {_principals(trust)}", f"iam/role-{res['name']}.trust.json"]


def _policy(res: dict[str, Any]) -> list[str]:
    document = json_document(res["inputs"].get("policy")) or {}
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    return [f"{len(statements)} statements", f"iam/policy-{res['name']}.json"]


def _key_id(resource: NewResource) -> str:
    return f"{resource.suffix[:8]}-0000-4000-8000-{resource.suffix[:12]}"


TYPES = (
    ResourceType(
        IAM_ROLE,
        outputs=lambda _resource, id_: {"name": id_, "arn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:role/{id_}"},
        preview_outputs=_autonamed,
        replace_on=("name", "namePrefix", "path"),
        fixed_name="name",
        summary=_role,
    ),
    ResourceType(
        IAM_POLICY,
        outputs=lambda _resource, id_: {"name": id_, "arn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:policy/{id_}"},
        preview_outputs=_autonamed,
        replace_on=("name", "namePrefix", "path", "description"),
        fixed_name="name",
        summary=_policy,
    ),
    ResourceType(
        IAM_ROLE_POLICY,
        replace_on=("name", "namePrefix", "role"),
        summary=lambda res: [f"inline on role {res['inputs'].get('role')}", f"iam/role-policy-{res['name']}.json"],
    ),
    ResourceType(
        IAM_ROLE_POLICY_ATTACHMENT,
        replace_on=("policyArn", "role"),
        summary=lambda res: [f"{res['inputs'].get('policyArn')} → role {res['inputs'].get('role')}"],
    ),
    ResourceType(
        KMS_KEY,
        id_of=_key_id,
        outputs=lambda resource, id_: {"arn": resource.arn("kms", f"key/{id_}")},
        replace_on=("customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"),
        summary=lambda res: ["rotation on" if res["inputs"].get("enableKeyRotation") else "rotation OFF"],
    ),
    ResourceType(
        LOG_GROUP,
        outputs=lambda resource, _id: {"arn": resource.arn("logs", f"log-group:{resource.inputs['name']}")},
        replace_on=("logGroupClass", "name", "namePrefix"),
        fixed_name="name",
        summary=lambda res: [
            f"log group {res['inputs'].get('name')}",
            f"retention {res['inputs'].get('retentionInDays', 'NEVER EXPIRES')} days",
        ],
    ),
)
