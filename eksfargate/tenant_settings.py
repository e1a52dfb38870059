"""Tenant stack settings: read once from the tenant project's config, validated.

The same conventions as eksfargate/settings.py (it supplies the reader and `SettingsError`): every key is
declared in tenant/Pulumi.yaml, and a bad value fails before any resource is declared, naming
the key, the value and what is allowed. What keeps a tenant inside its own namespace is checked
here first: the namespace must match the platform's tenant rule (`tenant-*`) and not be a
reserved one, and the team's access is an edit or view policy scoped to that namespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi

from eksfargate.contract import (
    ACCESS_POLICIES,
    RESERVED_NAMESPACES,
    TENANT_NAMESPACE_PREFIX,
    TENANT_NAMESPACE_SELECTOR,
    is_tenant_namespace,
    platform_project_name,
)
from eksfargate.settings import (
    DNS_LABEL_RULE,
    TAG_VALUE,
    TAG_VALUE_RULE,
    SettingsError,
    TeamSettings,
    _Reader,
    is_dns_label,
    stack_tags,
)
from eksfargate.stack_catalog import namespace_owners

APPS = ("hello", "game")
ALB_MODES = ("own", "shared")
REPLICAS_RANGE = (0, 50)
QUOTA_PODS_RANGE = (1, 500)
GROUP_ORDER_RANGE = (-1000, 1000)  # the controller's group.order bounds
# Kubernetes quantities as a quota takes them: CPU in cores or millicores, memory in bytes with a binary suffix.
_CPU = re.compile(r"^([1-9][0-9]*m|[0-9]+(\.[0-9]+)?)$")
_MEMORY = re.compile(r"^[1-9][0-9]*(Mi|Gi)$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
_POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]+$")
_STACK_NAME = re.compile(r"^[\w.-]+(/[\w.-]+){0,2}$")
# A Kubernetes label value (cost-center is a namespace label as well as an AWS tag).
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class QuotaSettings:
    """The namespace's ResourceQuota and LimitRange, in what Fargate bills: pods, CPU, memory."""

    pods: int
    cpu: str
    memory: str
    default_cpu: str
    default_memory: str


@dataclass(frozen=True)
class WorkloadSettings:
    app: str
    replicas: int
    alb_mode: str
    host: str
    group_order: int


@dataclass(frozen=True)
class TenantSettings:
    project: str
    stack: str
    platform_stack: str  # the StackReference name, <organization>/<project>/<stack>
    team: TeamSettings
    namespace: str
    team_role_arn: str
    access_level: str
    service_account: str
    service_account_policy_arns: tuple[str, ...]
    quota: QuotaSettings
    workload: WorkloadSettings

    @property
    def tags(self) -> dict[str, str]:
        """Tags every taggable AWS resource of the tenant carries."""
        return stack_tags(self.project, self.stack, self.team)


def load_tenant_settings() -> TenantSettings:
    project, stack = pulumi.get_project(), pulumi.get_stack()
    config = _Reader(pulumi.Config(), project)

    team = config.string("team")
    config.check("team", team, is_dns_label, DNS_LABEL_RULE)
    cost_center, owner = config.string("costCenter") or team, config.string("owner") or team
    config.check(
        "costCenter",
        cost_center,
        lambda v: TAG_VALUE.match(v) and _LABEL_VALUE.match(v) and len(v) <= 63,
        f"{TAG_VALUE_RULE}, and a Kubernetes label value (letters, digits, '-', '_', '.', at most 63)",
    )
    config.check("owner", owner, TAG_VALUE.match, TAG_VALUE_RULE)

    platform = config.string("platformStack")
    config.check(
        "platformStack",
        platform,
        lambda v: bool(v) and _STACK_NAME.match(v),
        "the platform's stack: its name (e.g. shared-dev) or <organization>/<project>/<stack>",
    )
    if "/" not in platform:
        platform = f"{pulumi.get_organization()}/{platform_project_name()}/{platform}"

    namespace = config.string("namespace") or f"{TENANT_NAMESPACE_PREFIX}{team}"
    config.check("namespace", namespace, is_dns_label, DNS_LABEL_RULE)
    config.check(
        "namespace",
        namespace,
        is_tenant_namespace,
        f"a namespace of the tenant's own matching {TENANT_NAMESPACE_SELECTOR!r} (the platform's Fargate profile "
        f"covers only those), never {', '.join(RESERVED_NAMESPACES)}",
    )

    others = [owner for owner in namespace_owners().get(namespace, []) if owner != stack]
    config.check("namespace", namespace, lambda _: not others, f"a namespace of this tenant's own; tenant stack {others} has it")

    role = config.string("teamRoleArn")
    config.check(
        "teamRoleArn",
        role,
        lambda v: not v or _ROLE_ARN.match(v),
        "empty (no access entry) or an IAM role ARN, e.g. arn:aws:iam::123456789012:role/checkout-developers",
    )
    level = config.choice("accessLevel", tuple(ACCESS_POLICIES))

    service_account = config.string("serviceAccount")
    config.check(
        "serviceAccount",
        service_account,
        lambda v: not v or is_dns_label(v),
        f"empty (no IAM role for a service account) or {DNS_LABEL_RULE}",
    )
    policies = config.strings("serviceAccountPolicyArns")
    for arn in policies:
        config.check("serviceAccountPolicyArns", arn, _POLICY_ARN.match, "IAM managed policy ARNs")
        config.check(
            "serviceAccountPolicyArns",
            arn,
            lambda v: not v.endswith("/AdministratorAccess"),
            "a policy narrower than AdministratorAccess",
        )
    if policies and not service_account:
        raise SettingsError(config.key("serviceAccountPolicyArns"), list(policies), "set serviceAccount too")

    quota, workload = _quota(config), _workload(config)
    if workload.replicas > quota.pods:
        raise SettingsError(
            config.key("appReplicas"), workload.replicas, f"at most quotaPods ({quota.pods}): the quota would refuse the rest"
        )
    return TenantSettings(
        project=project,
        stack=stack,
        platform_stack=platform,
        team=TeamSettings(name=team, cost_center=cost_center, owner=owner),
        namespace=namespace,
        team_role_arn=role,
        access_level=level,
        service_account=service_account,
        service_account_policy_arns=policies,
        quota=quota,
        workload=workload,
    )


def _quota(config: _Reader) -> QuotaSettings:
    cpu, memory = config.string("quotaCpu"), config.string("quotaMemory")
    default_cpu, default_memory = config.string("defaultCpuRequest"), config.string("defaultMemoryRequest")
    for key, value in (("quotaCpu", cpu), ("defaultCpuRequest", default_cpu)):
        config.check(key, value, _CPU.match, "CPU as Kubernetes writes it: cores (2, 0.5) or millicores (250m)")
    for key, value in (("quotaMemory", memory), ("defaultMemoryRequest", default_memory)):
        config.check(key, value, _MEMORY.match, "memory in Mi or Gi, e.g. 512Mi or 8Gi")
    return QuotaSettings(
        pods=config.integer("quotaPods", QUOTA_PODS_RANGE),
        cpu=cpu,
        memory=memory,
        default_cpu=default_cpu,
        default_memory=default_memory,
    )


def _workload(config: _Reader) -> WorkloadSettings:
    alb_mode = config.choice("albMode", ALB_MODES)
    host = config.string("host")
    config.check("host", host, lambda v: not v or _HOST.match(v), "empty or a DNS host name, e.g. checkout.apps.example.com")
    if alb_mode == "shared" and not host:
        raise SettingsError(
            config.key("host"), host, "a host name of the tenant's own: on the shared ALB the tenant's rules match only it"
        )
    return WorkloadSettings(
        app=config.choice("app", APPS),
        replicas=config.integer("appReplicas", REPLICAS_RANGE),
        alb_mode=alb_mode,
        host=host,
        group_order=config.integer("albGroupOrder", GROUP_ORDER_RANGE),
    )
