"""A tenant's Kubernetes service account with an IAM role of its own (IRSA)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.alb_controller import ROLE_ARN_ANNOTATION, service_account_trust


@dataclass
class TenantServiceAccountArgs:
    """Inputs of `TenantServiceAccount`.

    namespace: the tenant's namespace (an output, so that the account waits for it).
    service_account: the service account's name; only it, in that namespace, may assume the role.
    oidc_provider_arn, oidc_issuer: the platform cluster's IAM OIDC provider.
    policy_arns: managed policies attached to the role.
    provider: the Kubernetes provider of the platform's cluster.
    tags: tags of the role.
    """

    namespace: pulumi.Input[str]
    service_account: str
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer: pulumi.Input[str]
    policy_arns: Sequence[str]
    provider: k8s.Provider
    tags: dict[str, str] = field(default_factory=dict)


class TenantServiceAccount(pulumi.ComponentResource):
    """IAM role trusted by one service account of one namespace, and that service account."""

    role_arn: pulumi.Output[str]
    account: k8s.core.v1.ServiceAccount

    def __init__(self, name: str, args: TenantServiceAccountArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:tenant:TenantServiceAccount", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-irsa",
            description=f"Assumed by service account {args.service_account} of a tenant namespace through IRSA",
            assume_role_policy=pulumi.Output.all(args.oidc_provider_arn, args.oidc_issuer, args.namespace).apply(
                lambda values: json.dumps(service_account_trust(values[0], values[1], values[2], args.service_account))
            ),
            tags=args.tags,
            opts=child,
        )
        for index, policy_arn in enumerate(args.policy_arns):
            aws.iam.RolePolicyAttachment(f"{name}-policy-{index}", role=role.name, policy_arn=policy_arn, opts=child)
        self.account = k8s.core.v1.ServiceAccount(
            f"{name}-account",
            metadata={
                "name": args.service_account,
                "namespace": args.namespace,
                "annotations": {ROLE_ARN_ANNOTATION: role.arn},
            },
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider),
        )
        self.role_arn = role.arn
        self.register_outputs({"roleArn": self.role_arn})
