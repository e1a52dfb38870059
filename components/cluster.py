"""The EKS control plane, Fargate-only, and the Kubernetes provider every manifest goes through."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s

from components.cluster_context import ClusterContext
from components.network import NetworkIds
from eksfargate.facts.eks_access import CLUSTER_ADMIN_POLICY_ARN


@dataclass
class ClusterArgs:
    """Inputs of `Cluster`.

    name: physical name of the EKS cluster.
    kubernetes_version: control-plane version, e.g. "1.34".
    network: the VPC and subnets; the control plane's interfaces go in its subnets.
    region: the cluster's region (handed on in the cluster's context).
    admin_principal_arns: IAM principals given cluster-admin through access entries.
    log_types: control-plane log types sent to CloudWatch.
    endpoint_public_access, endpoint_private_access, public_access_cidrs: who reaches the API.
    secrets_encryption: envelope-encrypt Kubernetes secrets with a KMS key made here.
    support_type: the upgrade policy at the end of standard support, EXTENDED or STANDARD
        (eksfargate/facts/kubernetes_versions.py).
    protect: protect the cluster (Pulumi protect and EKS deletion protection).
    tags: tags for every taggable resource.
    """

    name: str
    kubernetes_version: str
    network: NetworkIds
    region: str
    admin_principal_arns: Sequence[str] = ()
    log_types: Sequence[str] = ()
    endpoint_public_access: bool = True
    endpoint_private_access: bool = True
    public_access_cidrs: Sequence[str] = ("0.0.0.0/0",)
    secrets_encryption: bool = True
    support_type: str = "EXTENDED"
    protect: bool = False
    tags: dict[str, str] = field(default_factory=dict)


class Cluster(pulumi.ComponentResource):
    """An EKS cluster with no nodes at all: every pod runs on Fargate."""

    name: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    oidc_issuer: pulumi.Output[str]
    provider: k8s.Provider
    context: ClusterContext

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:cluster:Cluster", name, None, opts)

        key_arn = None
        if args.secrets_encryption:
            key = aws.kms.Key(
                f"{name}-secrets",
                description=f"Envelope encryption of Kubernetes secrets in EKS cluster {args.name}",
                enable_key_rotation=True,
                tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
            key_arn = key.arn

        cluster = eks.Cluster(
            f"{name}-eks",
            name=args.name,
            version=args.kubernetes_version,
            vpc_id=args.network.vpc_id,
            private_subnet_ids=list(args.network.private_subnet_ids),
            public_subnet_ids=list(args.network.public_subnet_ids),
            skip_default_node_group=True,
            # Fargate pods no SecurityGroupPolicy selects get the security group EKS makes for the
            # cluster (an app's pods get their namespace's, components/namespace_security_group.py);
            # the extra groups pulumi-eks makes exist for EC2 nodes, and there are none.
            skip_default_security_groups=True,
            # kube-proxy and the VPC CNI run as DaemonSets, which Fargate cannot schedule,
            # and CoreDNS is installed by the Fargate component once its profile exists.
            bootstrap_self_managed_addons=False,
            coredns_addon_options=eks.CoreDnsAddonOptionsArgs(enabled=False),
            kube_proxy_addon_options=eks.KubeProxyAddonOptionsArgs(enabled=False),
            # Fargate pods cannot use EKS Pod Identity, so IAM roles for service accounts
            # (IRSA) need the cluster's OIDC provider.
            create_oidc_provider=True,
            authentication_mode=eks.AuthenticationMode.API,
            access_entries={
                key: eks.AccessEntryArgs(
                    principal_arn=arn,
                    access_policies={
                        "cluster-admin": eks.AccessPolicyAssociationArgs(
                            policy_arn=CLUSTER_ADMIN_POLICY_ARN,
                            access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
                        )
                    },
                )
                for arn, key in _access_entry_keys(args.admin_principal_arns).items()
            },
            enabled_cluster_log_types=list(args.log_types),
            endpoint_public_access=args.endpoint_public_access,
            endpoint_private_access=args.endpoint_private_access,
            public_access_cidrs=list(args.public_access_cidrs) if args.endpoint_public_access else None,
            encryption_config_key_arn=key_arn,
            deletion_protection=args.protect,
            upgrade_policy=aws.eks.ClusterUpgradePolicyArgs(support_type=args.support_type),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )

        # The name is known up front, but handing it out through a cluster output makes
        # everything that uses it (Fargate profiles, add-ons) wait for the cluster.
        self.name = cluster.oidc_provider_arn.apply(lambda _: args.name)
        self.kubeconfig = pulumi.Output.secret(cluster.kubeconfig_json)
        self.oidc_provider_arn = cluster.oidc_provider_arn
        self.oidc_issuer = cluster.oidc_issuer
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.context = ClusterContext(
            name=self.name,
            provider=self.provider,
            oidc_provider_arn=self.oidc_provider_arn,
            oidc_issuer=self.oidc_issuer,
            security_group_id=cluster.cluster_security_group_id,
            network=args.network,
            region=args.region,
            kubernetes_version=args.kubernetes_version,
            tags=args.tags,
        )
        self.register_outputs(
            {
                "name": self.name,
                "kubeconfig": self.kubeconfig,
                "oidcProviderArn": self.oidc_provider_arn,
                "oidcIssuer": self.oidc_issuer,
            }
        )


def _access_entry_keys(principal_arns: Sequence[str]) -> dict[str, str]:
    """A stable key for each principal's access entry: its kind and name, not its list position; where
    principals of other accounts or paths share a kind and name, each of them also carries a digest of
    its ARN, so that none overwrites another's entry and the others keep their keys."""
    by_name = {arn: _kind_and_name(arn) for arn in principal_arns}
    holders = Counter(by_name.values())
    return {
        arn: f"{key}-{hashlib.sha256(arn.encode()).hexdigest()[:8]}" if holders[key] > 1 else key for arn, key in by_name.items()
    }


def _kind_and_name(principal_arn: str) -> str:
    kind, _, path = principal_arn.split(":", 5)[5].partition("/")
    return re.sub(r"[^A-Za-z0-9-]", "-", f"{kind}-{path.rsplit('/', 1)[-1]}")
