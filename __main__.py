"""EKS on Fargate serving the 2048 game through an ALB.

network ─► cluster ─► logging (log group, aws-logging) ─► fargate (profiles, CoreDNS) ─► ALB controller ─► 2048 game
             │                                                            ├─► metrics-server (for the game's HPA)
             │                                                            └─► ADOT collector (pod metrics to Container Insights)
             ├─► tenants' Ingress guardrails (admission policy, with servesTenants)
             └─► verifiers' access (access entries, read-only ClusterRole, with verifierPrincipalArns)
fargate ─► External Secrets Operator ─► the game's SecretStores and ExternalSecrets (its secrets from AWS) ─► 2048 game
ALB access-log bucket ─► ALB controller            app certificate (ACM, DNS-validated) ─► 2048 game ─► DNS alias
alarm topic (SNS) ◄─ 2048 game's alarms (on its ALB and target group, found by the controller's tags) ─► dashboard
"""

import json

import pulumi

from components.alb_access_logs import AlbAccessLogs, AlbAccessLogsArgs
from components.alb_controller import AlbController, AlbControllerArgs
from components.certificate import Certificate, CertificateArgs
from components.cluster import Cluster, ClusterArgs
from components.cluster_readers import ClusterReaders, ClusterReadersArgs
from components.container_insights import NAMESPACE as METRICS_NAMESPACE
from components.container_insights import ContainerInsights, ContainerInsightsArgs
from components.dns_alias import DnsAlias, DnsAliasArgs
from components.external_secrets import ExternalSecrets, ExternalSecretsArgs
from components.fargate import Fargate, FargateArgs
from components.fargate_logging import FargateLogging, FargateLoggingArgs
from components.ingress_guardrails import IngressGuardrails, IngressGuardrailsArgs
from components.metrics_server import MetricsServer, MetricsServerArgs
from components.network import Network, NetworkArgs, NetworkIds
from components.stack_observability import ObservedApp, StackObservabilityArgs, stack_observability
from components.web_app import WebApp, WebAppArgs, WebAppNames
from components.workload_secrets import SecretAccess, caller_account
from eksfargate.contract import (
    INGRESS_CLASS,
    SHARED_ALB_GROUP,
    TENANT_NAMESPACE_SELECTOR,
    ObservabilityOutput,
    PlatformOutput,
)
from eksfargate.facts.container_insights import performance_log_group
from eksfargate.facts.external_secrets import OPERATOR_NAMESPACE
from eksfargate.secrets import read_policy
from eksfargate.secrets_settings import check_account
from eksfargate.settings import load_settings

settings = load_settings()
app_secrets = settings.app.workload.aws_secrets
# Before anything is declared: an ARN of another account is a settings error like any other.
account, partition = caller_account() if app_secrets.items else ("", "")
check_account(app_secrets, account, partition)

if settings.network.existing_vpc:
    network = NetworkIds.existing(settings.network.existing_vpc)
else:
    network = Network(
        "network",
        NetworkArgs(
            cidr=settings.network.vpc_cidr,
            az_count=settings.network.az_count,
            nat_mode=settings.network.nat_mode,
            name_prefix=settings.cluster.name,
            protect=settings.protect,
            tags=settings.tags,
            zone_ids=settings.network.zone_ids,
            fargate_zone_ids=settings.network.fargate_zone_ids,
            names_by_zone_id=settings.network.per_zone_names == "zoneId",
        ),
    ).ids

cluster = Cluster(
    "cluster",
    ClusterArgs(
        name=settings.cluster.name,
        kubernetes_version=settings.cluster.kubernetes_version,
        network=network,
        region=settings.region,
        admin_principal_arns=settings.cluster.admin_principal_arns,
        log_types=settings.cluster.log_types,
        endpoint_public_access=settings.cluster.endpoint_public_access,
        endpoint_private_access=settings.cluster.endpoint_private_access,
        public_access_cidrs=settings.cluster.public_access_cidrs,
        secrets_encryption=settings.cluster.secrets_encryption,
        support_type=settings.cluster.support_type,
        protect=settings.protect,
        tags=settings.tags,
    ),
)

if settings.cluster.verifier_principal_arns:
    ClusterReaders(
        "verifiers",
        ClusterReadersArgs(cluster=cluster.context, principal_arns=settings.cluster.verifier_principal_arns),
    )

# Before Fargate: its pod execution role gets the log group's permissions, and every pod,
# CoreDNS's first, starts after the router's ConfigMap and those permissions.
logging = (
    FargateLogging(
        "logging",
        FargateLoggingArgs(
            cluster=cluster.context,
            log_group_name=settings.logging.log_group_name,
            retention_days=settings.logging.retention_days,
        ),
    )
    if settings.logging.enabled
    else None
)

fargate = Fargate(
    "fargate",
    FargateArgs(
        cluster=cluster.context,
        logging=logging,
        workload_namespaces=[settings.app.namespace] if settings.app.enabled else [],
        # The profile for the app namespace is named after it, as in the eksctl walkthrough.
        workload_profile_name=settings.app.namespace,
        tenant_namespace_selector=TENANT_NAMESPACE_SELECTOR if settings.serves_tenants else None,
        operator_namespace=OPERATOR_NAMESPACE if settings.external_secrets else None,
        metrics_namespace=METRICS_NAMESPACE if settings.container_insights.enabled else None,
    ),
)
# Everything below starts pods: on Fargate, after the log router's setup.
pods = fargate.pods

access_logs = (
    AlbAccessLogs(
        "alb-access-logs",
        AlbAccessLogsArgs(
            region=settings.region,
            retention_days=settings.alb.access_log_retention_days,
            protect=settings.protect,
            tags=settings.tags,
        ),
    )
    if settings.alb.access_logs
    else None
)

alb_controller = AlbController(
    "alb-controller",
    AlbControllerArgs(
        cluster=pods,
        # ELB turns access logs on only if it may write to the bucket.
        runs_after=[fargate.kube_system_profile, fargate.coredns, *(access_logs.ready if access_logs else [])],
        access_logs_bucket=access_logs.bucket_name if access_logs else None,
        web_acl_arn=settings.alb.web_acl_arn,
    ),
)

# A team's kubectl reaches its Ingresses, and through them the ALBs: the API server holds them to the
# class's edge rules and the tenant's own host, whoever writes them.
if settings.serves_tenants:
    IngressGuardrails("tenant-ingresses", IngressGuardrailsArgs(cluster=cluster.context))

# Its pods need their profile and DNS first (it reads from AWS's APIs by name).
external_secrets = (
    ExternalSecrets(
        "external-secrets",
        ExternalSecretsArgs(cluster=pods, runs_after=[p for p in (fargate.operator_profile, fargate.coredns) if p]),
    )
    if settings.external_secrets
    else None
)

if fargate.metrics_profile:
    metrics = ContainerInsights(
        "container-insights",
        ContainerInsightsArgs(
            cluster=pods,
            log_group_name=performance_log_group(settings.cluster.name),
            log_retention_days=settings.container_insights.log_retention_days,
            profile=fargate.metrics_profile,
        ),
    )
    pulumi.export(ObservabilityOutput.POD_METRICS_LOG_GROUP, metrics.log_group.name)

if settings.app.autoscaling:
    MetricsServer("metrics-server", MetricsServerArgs(cluster=pods, runs_after=[fargate.kube_system_profile]))

observed_app = None
edge = settings.app.edge
if fargate.workload_profile:
    certificate_arn: pulumi.Input[str] | None = edge.certificate_arn or None
    if edge.issues_certificate:
        certificate_arn = Certificate(
            "app-certificate", CertificateArgs(host=edge.host, hosted_zone=edge.hosted_zone, tags=settings.tags)
        ).arn
    app_names = WebAppNames.walkthrough()
    app = WebApp(
        "game-2048",
        WebAppArgs(
            names=app_names,
            namespace=settings.app.namespace,
            creates_namespace=True,
            workload=settings.app.workload,
            cluster=pods,
            runs_after=[fargate.workload_profile],
            ingress_class=INGRESS_CLASS,
            ingress_controller=alb_controller.release,
            public_subnet_ids=network.public_subnet_ids if settings.network.existing_vpc else None,
            host=edge.host,
            certificate_arn=certificate_arn,
            # Its ExternalSecrets after the operator's release: its CRDs and webhook.
            secret_access=SecretAccess(
                region=settings.region,
                read_policy=json.dumps(
                    read_policy(app_secrets.items, app_secrets.kms_key_arn, partition, settings.region, account)
                ),
                runs_after=[external_secrets.release],
            )
            if app_secrets.items and external_secrets
            else None,
        ),
    )
    if edge.dns_record:
        DnsAlias(
            "app-dns",
            DnsAliasArgs(host=edge.host, hosted_zone=edge.hosted_zone, load_balancer_hostname=app.load_balancer_hostname),
        )
    pulumi.export("ingressUrl", app.url)
    observed_app = ObservedApp(
        names=app_names,
        namespace=settings.app.namespace,
        group=None,
        load_balancer_hostname=app.load_balancer_hostname,
        workload=settings.app.workload,
    )

# The stack's alarms notify its own topic (tenants' alarms go to their stacks' topics); its dashboard
# draws what they watch, and the whole cluster's pods.
observability = stack_observability(
    StackObservabilityArgs(
        project=settings.project,
        stack=settings.stack,
        region=settings.region,
        cluster_name=cluster.name,
        settings=settings.alarms,
        tags=settings.tags,
        whole_cluster=True,
        pod_metrics=settings.container_insights.enabled,
        app=observed_app,
    )
)

pulumi.export("clusterName", cluster.name)
pulumi.export("kubeconfig", cluster.kubeconfig)
pulumi.export("vpcId", network.vpc_id)
pulumi.export("privateSubnetIds", network.private_subnet_ids)
pulumi.export("publicSubnetIds", network.public_subnet_ids)
pulumi.export("podExecutionRoleArn", fargate.pod_execution_role_arn)
pulumi.export("fargateProfileNames", fargate.profile_names)
pulumi.export("albControllerRoleArn", alb_controller.role_arn)
pulumi.export(PlatformOutput.POD_LOG_GROUP, logging.log_group.name if logging else None)
pulumi.export(ObservabilityOutput.ALARM_NAMES, observability.alarm_names)
pulumi.export(ObservabilityOutput.ALARM_TOPIC_ARN, observability.topic.arn)
pulumi.export(ObservabilityOutput.DASHBOARD_NAME, observability.dashboard.name)
# What tenant stacks (tenant/) read through a StackReference.
pulumi.export(PlatformOutput.REGION, settings.region)
pulumi.export(PlatformOutput.OIDC_PROVIDER_ARN, cluster.oidc_provider_arn)
pulumi.export(PlatformOutput.OIDC_ISSUER, cluster.oidc_issuer)
pulumi.export(PlatformOutput.CLUSTER_SECURITY_GROUP_ID, cluster.context.security_group_id)
pulumi.export(PlatformOutput.INGRESS_CLASS, INGRESS_CLASS)
if external_secrets:
    pulumi.export(PlatformOutput.SECRET_STORE_API, external_secrets.api_version)
if fargate.tenant_profile:
    pulumi.export(PlatformOutput.TENANT_PROFILE, fargate.tenant_profile.fargate_profile_name)
    pulumi.export(PlatformOutput.TENANT_SELECTOR, TENANT_NAMESPACE_SELECTOR)
    pulumi.export(PlatformOutput.SHARED_ALB_GROUP, SHARED_ALB_GROUP)
