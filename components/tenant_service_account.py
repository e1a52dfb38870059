"""A Kubernetes service account with an IAM role of its own (IRSA): a tenant's, and the platform app's when it reads secrets."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.alb_controller import ROLE_ARN_ANNOTATION, service_account_trust
from components.cluster_context import ClusterContext, TenantContext


@dataclass
class TenantServiceAccountArgs:
    """Inputs of `TenantServiceAccount`.

    namespace: the tenant's namespace (an output, so that the account waits for it).
    service_account: the service account's name; only it, in that namespace, may assume the role.
    policy_arns: managed policies attached to the role.
    cluster: the cluster (its OIDC provider and a provider for it) and the tags: a tenant's view of its
        platform's, or the platform's own.
    read_policy: an inline policy of the role, the JSON document that grants its secrets from AWS
        (eksfargate/secrets.py read_policy); None: none.
    component_type: its Pulumi type token (part of every child's URN: a tenant's stays as it was).
    """

    namespace: pulumi.Input[str]
    service_account: str
    policy_arns: Sequence[str]
    cluster: TenantContext | ClusterContext
    read_policy: str | None = None
    component_type: str = "eksfargate:tenant:TenantServiceAccount"


class TenantServiceAccount(pulumi.ComponentResource):
    """IAM role trusted by one service account of one namespace, and that service account."""

    role_arn: pulumi.Output[str]
    account: k8s.core.v1.ServiceAccount
    # What a reader of its secrets needs first: the account, and the role's read policy.
    ready: list[pulumi.Resource]

    def __init__(self, name: str, args: TenantServiceAccountArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(args.component_type, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-irsa",
            description=f"Assumed by service account {args.service_account} of a tenant namespace through IRSA",
            assume_role_policy=pulumi.Output.all(args.cluster.oidc_provider_arn, args.cluster.oidc_issuer, args.namespace).apply(
                lambda values: json.dumps(service_account_trust(values[0], values[1], values[2], args.service_account))
            ),
            tags=dict(args.cluster.tags),
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
            opts=pulumi.ResourceOptions(parent=self, provider=args.cluster.provider),
        )
        self.ready = [self.account]
        if args.read_policy is not None:
            self.ready.append(aws.iam.RolePolicy(f"{name}-secrets", role=role.id, policy=args.read_policy, opts=child))
        self.role_arn = role.arn
        self.register_outputs({"roleArn": self.role_arn})
