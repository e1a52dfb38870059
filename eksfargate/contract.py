"""What a platform stack and its tenant stacks agree on.

A platform stack (this project, `servesTenants: true`) owns one Fargate profile whose selector
covers every tenant namespace by a naming rule, `tenant-*`: EKS accepts `*` and `?` in a
selector's namespace, allows 10 profiles per cluster by default and creates or deletes one profile of a
cluster at a time, so a profile per tenant would cap the tenants at about 8 and make two
tenants' `pulumi up` collide. Tenant stacks (the project in tenant/) create only namespaces
that match the rule; they read the platform's outputs (`PlatformOutput`) through a
StackReference. The naming rule, the reserved namespaces and the access policies live here so
that the platform, the tenant program, `python -m teams` and the policy pack share one copy.
"""

from __future__ import annotations

from eksfargate.facts.eks_access import ACCESS_POLICY_ARN_PREFIX, TENANT_ACCESS_POLICIES
from eksfargate.facts.eks_wildcards import wildcard_matches
from eksfargate.project import PLATFORM_PROJECT_DIR
from eksfargate.stack_files import read_project

TENANT_NAMESPACE_PREFIX = "tenant-"
# The platform's Fargate profile selector; EKS matches `*` and `?` in a selector's namespace.
TENANT_NAMESPACE_SELECTOR = f"{TENANT_NAMESPACE_PREFIX}*"
TENANT_PROFILE = "tenants"
# The load balancer controller's IngressGroup that tenants with `albMode: shared` join.
SHARED_ALB_GROUP = "tenants"
INGRESS_CLASS = "alb"
# On a tenant's namespace, the one host its Ingresses may name (none: rules without a host). The
# tenant stack writes it from its `host`; the platform's admission policy reads it
# (components/ingress_guardrails.py). The team's namespace-scoped access cannot change a Namespace.
TENANT_HOST_ANNOTATION = "eks-fargate/ingress-host"
# On a tenant's SecretStores: the platform's External Secrets Operator API, which they wait for.
SECRET_STORE_API_ANNOTATION = "eks-fargate/secret-store-api"

# Namespaces no tenant may name: Kubernetes' own, and the Fargate log router's.
RESERVED_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease", "aws-observability")

# Namespace-scoped EKS access policies a team may get (no cluster-scoped one is offered).
ACCESS_POLICIES = TENANT_ACCESS_POLICIES


class PlatformOutput:
    """Stack outputs a platform exports for its tenants (names shared by both programs)."""

    CLUSTER_NAME = "clusterName"
    KUBECONFIG = "kubeconfig"
    REGION = "region"
    OIDC_PROVIDER_ARN = "oidcProviderArn"
    OIDC_ISSUER = "oidcIssuer"
    VPC_ID = "vpcId"
    PRIVATE_SUBNET_IDS = "privateSubnetIds"
    PUBLIC_SUBNET_IDS = "publicSubnetIds"
    POD_EXECUTION_ROLE_ARN = "podExecutionRoleArn"
    INGRESS_CLASS = "ingressClassName"
    TENANT_PROFILE = "tenantFargateProfile"
    TENANT_SELECTOR = "tenantNamespaceSelector"
    SHARED_ALB_GROUP = "sharedAlbGroup"
    CLUSTER_SECURITY_GROUP_ID = "clusterSecurityGroupId"
    POD_LOG_GROUP = "podLogGroupName"
    # The API of the platform's External Secrets Operator (absent without it).
    SECRET_STORE_API = "secretStoreApi"


class ObservabilityOutput:
    """Outputs for whoever is on call and for the post-deploy check (`python -m verify`): both projects
    export the alarms' and the dashboard's; the platform also its collector's log group."""

    ALARM_NAMES = "alarmNames"  # every alarm of the stack, by name
    ALARM_TOPIC_ARN = "alarmTopicArn"
    DASHBOARD_NAME = "dashboardName"
    # The Container Insights performance log group (absent with containerInsights off).
    POD_METRICS_LOG_GROUP = "podMetricsLogGroupName"


# The outputs a tenant stack reads, and what in it follows each: what a platform change to that
# output changes for its tenants (the offline diff lists them under the platform).
TENANT_READS = {
    PlatformOutput.KUBECONFIG: "its Kubernetes provider, and with it every object in its namespace"
    " (created again if the cluster is new)",
    PlatformOutput.CLUSTER_NAME: "its access entry and access policy association",
    PlatformOutput.OIDC_PROVIDER_ARN: "its service account role's trust policy",
    PlatformOutput.OIDC_ISSUER: "its service account role's trust policy",
    PlatformOutput.INGRESS_CLASS: "its Ingress",
    PlatformOutput.SHARED_ALB_GROUP: "its Ingress's group on the shared ALB",
    PlatformOutput.TENANT_PROFILE: "its pods' Fargate profile",
    PlatformOutput.TENANT_SELECTOR: "the check that the platform's Fargate profile covers its namespace",
    PlatformOutput.VPC_ID: "its namespace's security group (replaced in a new VPC, and its pods rolled)",
    PlatformOutput.CLUSTER_SECURITY_GROUP_ID: "its namespace's rules to and from the control plane and CoreDNS",
    PlatformOutput.REGION: "its region output, which `python -m verify` reads",
    PlatformOutput.POD_LOG_GROUP: "its podLogGroupName output, where `python -m verify` looks for its pods' logs",
    PlatformOutput.SECRET_STORE_API: "its SecretStores (which wait for the platform's External Secrets Operator)",
}


def selector_covers(selector: str, namespace: str) -> bool:
    """Whether a Fargate selector's namespace (with EKS's `*` and `?` wildcards) matches."""
    return wildcard_matches(selector, namespace)


def default_namespace(team: str) -> str:
    """A tenant's namespace when its stack file names none: tenant-<team>."""
    return f"{TENANT_NAMESPACE_PREFIX}{team}"


def host_annotation(host: str) -> dict[str, str]:
    """A tenant namespace's annotation naming its host (TENANT_HOST_ANNOTATION); none without a host."""
    return {TENANT_HOST_ANNOTATION: host} if host else {}


def is_tenant_namespace(namespace: str) -> bool:
    return selector_covers(TENANT_NAMESPACE_SELECTOR, namespace) and namespace not in RESERVED_NAMESPACES


def access_policy_arn(level: str) -> str:
    return ACCESS_POLICY_ARN_PREFIX + ACCESS_POLICIES[level]


def platform_project_name() -> str:
    return read_project(PLATFORM_PROJECT_DIR).name
