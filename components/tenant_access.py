"""A team's access to its own namespace on the platform's cluster: an EKS access entry."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws


@dataclass
class TenantAccessArgs:
    """Inputs of `TenantAccess`.

    cluster_name: the platform's cluster.
    principal_arn: the team's IAM role.
    policy_arn: an EKS access policy (AmazonEKSEditPolicy or AmazonEKSViewPolicy).
    namespaces: the only namespaces the policy applies in (access scope `namespace`).
    tags: tags of the access entry.
    """

    cluster_name: pulumi.Input[str]
    principal_arn: str
    policy_arn: str
    namespaces: list[pulumi.Input[str]]
    tags: dict[str, str] = field(default_factory=dict)


class TenantAccess(pulumi.ComponentResource):
    """Access entry of the team's role and its namespace-scoped access policy association."""

    def __init__(self, name: str, args: TenantAccessArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:tenant:TenantAccess", name, None, opts)
        entry = aws.eks.AccessEntry(
            f"{name}-entry",
            cluster_name=args.cluster_name,
            principal_arn=args.principal_arn,
            type="STANDARD",
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        association = aws.eks.AccessPolicyAssociation(
            f"{name}-policy",
            cluster_name=args.cluster_name,
            principal_arn=entry.principal_arn,
            policy_arn=args.policy_arn,
            # Never `cluster`: the team acts in its namespace only (EKS does not check that it exists).
            access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="namespace", namespaces=args.namespaces),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"principalArn": entry.principal_arn, "policyArn": association.policy_arn})
