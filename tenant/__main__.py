"""A team as a tenant of a shared platform stack: its namespace, quota, access and workload.

platform (StackReference) ─► namespace ─► quota + LimitRange ─► workload ─► DNS alias
                           ├► access entry (namespace-scoped)   ├► IRSA service account
                           └► certificate (ACM, DNS-validated) ─┘
"""

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.certificate import Certificate, CertificateArgs
from components.dns_alias import DnsAlias, DnsAliasArgs
from components.tenant_access import TenantAccess, TenantAccessArgs
from components.tenant_app import TenantApp, TenantAppArgs
from components.tenant_namespace import TenantNamespace, TenantNamespaceArgs
from components.tenant_service_account import TenantServiceAccount, TenantServiceAccountArgs
from eksfargate.contract import PlatformOutput, access_policy_arn
from eksfargate.platform_reference import covering_profile, platform_output
from eksfargate.tenant_settings import load_tenant_settings

settings = load_tenant_settings()

platform = pulumi.StackReference("platform", stack_name=settings.platform_stack)


def from_platform(name: str) -> pulumi.Output[Any]:
    return platform_output(platform, settings.platform_stack, name)


provider = k8s.Provider("platform-cluster", kubeconfig=from_platform(PlatformOutput.KUBECONFIG))
cluster_name = from_platform(PlatformOutput.CLUSTER_NAME)

namespace = TenantNamespace(
    "namespace",
    TenantNamespaceArgs(
        namespace=settings.namespace,
        labels={"team": settings.team.name, "cost-center": settings.team.cost_center},
        annotations={"owner": settings.team.owner},
        pods=settings.quota.pods,
        cpu=settings.quota.cpu,
        memory=settings.quota.memory,
        default_cpu=settings.quota.default_cpu,
        default_memory=settings.quota.default_memory,
        provider=provider,
    ),
)

if settings.team_role_arn:
    TenantAccess(
        "access",
        TenantAccessArgs(
            cluster_name=cluster_name,
            principal_arn=settings.team_role_arn,
            policy_arn=access_policy_arn(settings.access_level),
            namespaces=[namespace.name],
            tags=settings.tags,
        ),
    )

service_account = None
if settings.service_account:
    service_account = TenantServiceAccount(
        "service-account",
        TenantServiceAccountArgs(
            namespace=namespace.name,
            service_account=settings.service_account,
            oidc_provider_arn=from_platform(PlatformOutput.OIDC_PROVIDER_ARN),
            oidc_issuer=from_platform(PlatformOutput.OIDC_ISSUER),
            policy_arns=settings.service_account_policy_arns,
            provider=provider,
            tags=settings.tags,
        ),
    )
    pulumi.export("serviceAccountRoleArn", service_account.role_arn)

edge = settings.workload.edge
certificate_arn: pulumi.Input[str] | None = edge.certificate_arn or None
if edge.issues_certificate:
    certificate_arn = Certificate(
        "certificate", CertificateArgs(host=edge.host, hosted_zone=edge.hosted_zone, tags=settings.tags)
    ).arn

shared = settings.workload.alb_mode == "shared"
app = TenantApp(
    "app",
    TenantAppArgs(
        app=settings.workload.app,
        namespace=namespace.name,
        workload=settings.workload.spec,
        fargate_profile=covering_profile(platform, settings.platform_stack, settings.namespace),
        ingress_class=from_platform(PlatformOutput.INGRESS_CLASS),
        group=from_platform(PlatformOutput.SHARED_ALB_GROUP) if shared else None,
        group_order=settings.workload.group_order,
        host=edge.host,
        certificate_arn=certificate_arn,
        provider=provider,
        # The pods run as the IRSA service account when there is one: it must exist first.
        runs_after=[namespace.quota, namespace.limit_range, *([service_account.account] if service_account else [])],
    ),
)

if edge.dns_record:
    DnsAlias("dns", DnsAliasArgs(host=edge.host, hosted_zone=edge.hosted_zone, load_balancer_hostname=app.load_balancer_hostname))

pulumi.export("namespace", namespace.name)
pulumi.export("clusterName", cluster_name)
pulumi.export("url", app.url)
