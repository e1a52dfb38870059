"""Rules on IAM: trust policies name who may assume a role, and no policy allows everything."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs

from eksfargate.facts.resource_types import IAM_POLICY, IAM_ROLE, IAM_ROLE_POLICY, IAM_ROLE_POLICY_ATTACHMENT
from policy.declare import MANDATORY, resource_policy
from policy.reading import (
    UNKNOWN,
    allows_action,
    as_list,
    condition_values,
    get,
    get_list,
    known_str,
    only_wildcards,
    policy_document,
    principals,
    statements,
)

FARGATE_PODS_SERVICE = "eks-fargate-pods.amazonaws.com"

# --- IAM ----------------------------------------------------------------------------------------


def _trust_policy(args: ResourceValidationArgs) -> dict[str, Any] | None:
    if args.resource_type != IAM_ROLE:
        return None
    return policy_document(get(args.props, "assumeRolePolicy"))


@resource_policy(
    "irsa-trust-sub-and-aud",
    MANDATORY,
    "Roles for service accounts (web identity through the cluster's OIDC provider) trust only with sub and aud conditions.",
)
def irsa_trust_sub_and_aud(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    document = _trust_policy(args)
    if document is None:
        return
    for statement in statements(document):
        federated = [p for p in principals(statement, "Federated") if "cognito-identity.amazonaws.com" not in p]
        if not federated or not allows_action(statement, "sts:AssumeRoleWithWebIdentity"):
            continue
        conditions = condition_values(statement)
        subs = [values for key, values in conditions.items() if key.endswith(":sub")]
        missing = []
        if not subs or all(only_wildcards(values) for values in subs):
            missing.append("a 'sub' condition naming the service account")
        if not any(key.endswith(":aud") for key in conditions):
            missing.append("an 'aud' condition")
        if missing:
            report_violation(
                f"role '{args.name}' lets web identities from {', '.join(federated)} assume it without "
                f"{' or '.join(missing)}, so any service account of the cluster (or any token of the provider) could. "
                "Add StringEquals {'<issuer>:sub': 'system:serviceaccount:<namespace>:<service account>', "
                "'<issuer>:aud': 'sts.amazonaws.com'}.",
                None,
            )


@resource_policy(
    "pod-execution-role-source-arn",
    MANDATORY,
    "The Fargate pod execution role trusts eks-fargate-pods.amazonaws.com only for this cluster's Fargate profiles "
    "(aws:SourceArn condition).",
)
def pod_execution_role_source_arn(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    document = _trust_policy(args)
    if document is None:
        return
    for statement in statements(document):
        if FARGATE_PODS_SERVICE not in principals(statement, "Service") or not allows_action(statement, "sts:AssumeRole"):
            continue
        source_arns = condition_values(statement).get("aws:sourcearn", [])
        if not source_arns or only_wildcards(source_arns) or not all(":fargateprofile/" in arn for arn in source_arns):
            report_violation(
                f"role '{args.name}' trusts {FARGATE_PODS_SERVICE} without an aws:SourceArn condition naming the "
                "cluster's Fargate profiles, so Fargate could assume it for other clusters (confused deputy). Add "
                "ArnLike {'aws:SourceArn': 'arn:<partition>:eks:<region>:<account>:fargateprofile/<cluster>/*'}.",
                None,
            )


ADMINISTRATOR_ACCESS = ":policy/AdministratorAccess"
_POLICY_DOCUMENTS = {
    IAM_POLICY: "policy",
    IAM_ROLE_POLICY: "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
}
_POLICY_ATTACHMENTS = {
    IAM_ROLE_POLICY_ATTACHMENT,
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
}


def _allows_everything(document: Mapping[str, Any]) -> bool:
    for statement in statements(document):
        if statement.get("Effect") != "Allow":
            continue
        actions = [str(a) for a in as_list(statement.get("Action"))]
        resources = [str(r) for r in as_list(statement.get("Resource"))]
        if any(a in ("*", "*:*") for a in actions) and "*" in resources:
            return True
    return False


@resource_policy(
    "no-iam-allow-all",
    MANDATORY,
    "No IAM policy allows every action on every resource (Action '*' on Resource '*', or AdministratorAccess).",
)
def no_iam_allow_all(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    advice = "Grant only the actions and resources the role needs."
    documents: list[tuple[str, Any]] = []
    if args.resource_type in _POLICY_DOCUMENTS:
        documents.append((f"policy '{args.name}'", get(args.props, _POLICY_DOCUMENTS[args.resource_type])))
    elif args.resource_type == IAM_ROLE:
        inline = get_list(args.props, "inlinePolicies")
        for item in inline if inline is not UNKNOWN else []:
            label = known_str(get(item, "name")) or "?"
            documents.append((f"inline policy '{label}' of role '{args.name}'", get(item, "policy")))
        managed = get_list(args.props, "managedPolicyArns")
        for arn in managed if managed is not UNKNOWN else []:
            if known_str(arn) and arn.endswith(ADMINISTRATOR_ACCESS):
                report_violation(f"role '{args.name}' has AdministratorAccess: every action on every resource. {advice}", None)
    elif args.resource_type in _POLICY_ATTACHMENTS:
        arn = known_str(get(args.props, "policyArn"))
        if arn and arn.endswith(ADMINISTRATOR_ACCESS):
            report_violation(
                f"'{args.name}' attaches AdministratorAccess, which allows every action on every resource. {advice}", None
            )
    for label, value in documents:
        document = policy_document(value)
        if document is not None and _allows_everything(document):
            report_violation(f"{label} allows Action '*' on Resource '*'. {advice}", None)
