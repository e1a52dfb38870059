"""A team's access to its own namespace on the platform's cluster: an EKS access entry."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.cluster_context import TenantContext


@dataclass
class TenantAccessArgs:
    """Inputs of `TenantAccess`.

    cluster: the platform's cluster (and the tenant's tags, for the access entry).
    principal_arn: the team's IAM role.
    policy_arn: an EKS access policy (AmazonEKSEditPolicy or AmazonEKSViewPolicy).
    namespaces: the only namespaces the policy applies in (access scope `namespace`).
    """

    cluster: TenantContext
    principal_arn: str
    policy_arn: str
    namespaces: list[pulumi.Input[str]]


class TenantAccess(pulumi.ComponentResource):
    """Access entry of the team's role and its namespace-scoped access policy association."""

    def __init__(self, name: str, args: TenantAccessArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:tenant:TenantAccess", name, None, opts)
        entry = aws.eks.AccessEntry(
            f"{name}-entry",
            cluster_name=args.cluster.name,
            principal_arn=args.principal_arn,
            type="STANDARD",
            tags=dict(args.cluster.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        association = aws.eks.AccessPolicyAssociation(
            f"{name}-policy",
            cluster_name=args.cluster.name,
            principal_arn=entry.principal_arn,
            policy_arn=args.policy_arn,
            # Never `cluster`: the team acts in its namespace only (EKS does not check that it exists).
            access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="namespace", namespaces=args.namespaces),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"principalArn": entry.principal_arn, "policyArn": association.policy_arn})
