"""A team as a tenant of a shared platform stack: its namespace, quota, access and workload.

platform (StackReference) ─► namespace ─► quota + LimitRange ─► workload ─► DNS alias
                           ├► access entry (namespace-scoped)   ├► IRSA service account (and its secrets' read policy)
                           ├► certificate (ACM, DNS-validated) ─┤
                           └► its External Secrets Operator ─► SecretStores, ExternalSecrets (appAwsSecrets)
alarm topic (SNS) ◄─ the workload's alarms (its ALB and target group, by the controller's tags) ─► dashboard
"""

import json
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.certificate import Certificate, CertificateArgs
from components.cluster_context import TenantContext
from components.dns_alias import DnsAlias, DnsAliasArgs
from components.stack_observability import ObservedApp, StackObservabilityArgs, stack_observability
from components.tenant_access import TenantAccess, TenantAccessArgs
from components.tenant_namespace import TenantNamespace, TenantNamespaceArgs
from components.tenant_service_account import TenantServiceAccount, TenantServiceAccountArgs
from components.web_app import WebApp, WebAppArgs, WebAppNames
from components.workload_secrets import SecretAccess, caller_account
from eksfargate.contract import (
    SECRET_STORE_API_ANNOTATION,
    ObservabilityOutput,
    PlatformOutput,
    access_policy_arn,
    host_annotation,
)
from eksfargate.facts.pod_placement import FARGATE_PROFILE_LABEL
from eksfargate.platform_reference import covering_profile, platform_output
from eksfargate.secrets import read_policy
from eksfargate.secrets_settings import check_account
from eksfargate.tenant_settings import load_tenant_settings

settings = load_tenant_settings()
app_secrets = settings.workload.spec.aws_secrets
# Before anything is declared: an ARN of another account is a settings error like any other.
account, partition = caller_account() if app_secrets.items else ("", "")
check_account(app_secrets, account, partition)

platform = pulumi.StackReference("platform", stack_name=settings.platform_stack)


def from_platform(name: str) -> pulumi.Output[Any]:
    return platform_output(platform, settings.platform_stack, name)


kubeconfig = from_platform(PlatformOutput.KUBECONFIG)
cluster = TenantContext(
    name=from_platform(PlatformOutput.CLUSTER_NAME),
    provider=k8s.Provider("platform-cluster", kubeconfig=kubeconfig),
    oidc_provider_arn=from_platform(PlatformOutput.OIDC_PROVIDER_ARN),
    oidc_issuer=from_platform(PlatformOutput.OIDC_ISSUER),
    vpc_id=from_platform(PlatformOutput.VPC_ID),
    security_group_id=from_platform(PlatformOutput.CLUSTER_SECURITY_GROUP_ID),
    tags=settings.tags,
)

namespace = TenantNamespace(
    "namespace",
    TenantNamespaceArgs(
        namespace=settings.namespace,
        labels={"team": settings.team.name, "cost-center": settings.team.cost_center},
        # The host is the one the platform's admission policy lets this namespace's Ingresses name.
        annotations={"owner": settings.team.owner, **host_annotation(settings.workload.edge.host)},
        pods=settings.quota.pods,
        cpu=settings.quota.cpu,
        memory=settings.quota.memory,
        default_cpu=settings.quota.default_cpu,
        default_memory=settings.quota.default_memory,
        cluster=cluster,
    ),
)

if settings.team_role_arn:
    TenantAccess(
        "access",
        TenantAccessArgs(
            cluster=cluster,
            principal_arn=settings.team_role_arn,
            policy_arn=access_policy_arn(settings.access_level),
            namespaces=[namespace.name],
        ),
    )

service_account = None
if settings.service_account:
    service_account = TenantServiceAccount(
        "service-account",
        TenantServiceAccountArgs(
            namespace=namespace.name,
            service_account=settings.service_account,
            policy_arns=settings.service_account_policy_arns,
            cluster=cluster,
            read_policy=json.dumps(read_policy(app_secrets.items, app_secrets.kms_key_arn, partition, settings.region, account))
            if app_secrets.items
            else None,
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
app_names = WebAppNames.tenant(settings.workload.app)
group = from_platform(PlatformOutput.SHARED_ALB_GROUP) if shared else None
app = WebApp(
    "app",
    WebAppArgs(
        names=app_names,
        namespace=namespace.name,
        creates_namespace=False,
        workload=settings.workload.spec,
        cluster=cluster,
        # The pods run as the IRSA service account when there is one: it must exist first.
        runs_after=[namespace.quota, namespace.limit_range, *([service_account.account] if service_account else [])],
        ingress_class=from_platform(PlatformOutput.INGRESS_CLASS),
        # EKS schedules the pods on this profile only; the label's value resolves only once the
        # platform's selector is known to cover the namespace, so the pods wait for that check.
        pod_labels={FARGATE_PROFILE_LABEL: covering_profile(platform, settings.platform_stack, settings.namespace)},
        group=group,
        group_order=settings.workload.group_order,
        host=edge.host,
        certificate_arn=certificate_arn,
        # The stores wait for the platform's operator: its CRDs and webhook are the platform's.
        secret_access=SecretAccess(
            region=settings.region,
            service_account=service_account,
            store_annotations={SECRET_STORE_API_ANNOTATION: from_platform(PlatformOutput.SECRET_STORE_API)},
        )
        if app_secrets.items
        else None,
    ),
)

if edge.dns_record:
    DnsAlias("dns", DnsAliasArgs(host=edge.host, hosted_zone=edge.hosted_zone, load_balancer_hostname=app.load_balancer_hostname))

# The tenant's alarms go to its own topic, not the platform's; its dashboard draws its namespace only.
observability = stack_observability(
    StackObservabilityArgs(
        project=settings.project,
        stack=settings.stack,
        region=settings.region,
        cluster_name=cluster.name,
        settings=settings.alarms,
        tags=settings.tags,
        whole_cluster=False,
        pod_metrics=settings.platform_pod_metrics,
        app=ObservedApp(
            names=app_names,
            namespace=settings.namespace,
            group=group,
            load_balancer_hostname=app.load_balancer_hostname,
            workload=settings.workload.spec,
        ),
    )
)

pulumi.export("namespace", namespace.name)
pulumi.export("clusterName", cluster.name)
pulumi.export("url", app.url)
# What `python -m verify --project-dir tenant` reads besides the above (tools/verify): the platform's
# cluster, region and pod log group, which this stack's pods run on and log to.
pulumi.export(PlatformOutput.KUBECONFIG, pulumi.Output.secret(kubeconfig))
pulumi.export(PlatformOutput.REGION, from_platform(PlatformOutput.REGION))
pulumi.export(PlatformOutput.POD_LOG_GROUP, platform.get_output(PlatformOutput.POD_LOG_GROUP))
pulumi.export(ObservabilityOutput.ALARM_NAMES, observability.alarm_names)
pulumi.export(ObservabilityOutput.ALARM_TOPIC_ARN, observability.topic.arn)
pulumi.export(ObservabilityOutput.DASHBOARD_NAME, observability.dashboard.name)
