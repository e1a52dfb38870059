"""Tenant stack settings: read once from the tenant project's config, validated.

The same conventions as eksfargate/settings.py: every key is declared once in
eksfargate/tenant_schema.py (tenant/Pulumi.yaml is rendered from it) and read through
eksfargate/config_reader.py, the workload's keys by the reader both projects share
(eksfargate/workload_settings.py); a bad value fails before any resource is declared, naming
the key, the value and what is allowed. What keeps a tenant inside its own namespace is checked
here first: the namespace must match the platform's tenant rule (`tenant-*`) and not be a
reserved one, nor another tenant's (eksfargate/tenancy.py), and the team's access is an edit or
view policy scoped to that namespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pulumi

from eksfargate.alarm_settings import AlarmSettings, read_alarms
from eksfargate.config_reader import (
    DNS_LABEL_RULE,
    TAG_VALUE,
    TAG_VALUE_RULE,
    Reader,
    SettingsError,
    is_dns_label,
)
from eksfargate.contract import (
    RESERVED_NAMESPACES,
    TENANT_NAMESPACE_SELECTOR,
    default_namespace,
    is_tenant_namespace,
    platform_project_name,
)
from eksfargate.edge import Edge
from eksfargate.facts.fargate_sizes import quantity
from eksfargate.ownership import TeamSettings, stack_tags
from eksfargate.project import PLATFORM_PROJECT_DIR
from eksfargate.stack_catalog import StackFile, project, stack_files, tenants
from eksfargate.tenancy import host_holders, namespace_holders, tls_disagreeing
from eksfargate.tenant_schema import TENANT
from eksfargate.workload import GAME_2048_IMAGE, NGINX_IMAGE, WorkloadSpec, quantity_text
from eksfargate.workload_settings import Preset, WorkloadSection, read_edge, read_workload

# The walkthrough's workloads, each an nginx image on the hardened nginx configuration
# (eksfargate/workload.py): `hello`, nginx's own page (the reference walkthrough's simple API
# server), and `game`, the 2048 game. Any other app name is a workload of the team's own:
# appImage, appPort and appProbePath then say what runs.
PRESET_IMAGES = {"hello": NGINX_IMAGE, "game": GAME_2048_IMAGE}
APPS = tuple(PRESET_IMAGES)
# A rolling update adds at most this many pods above the replicas (and takes none away first):
# the quota must leave room for them, or the rollout stalls on a refused pod.
SURGE_PODS = 1
# The tenant's autoscaler keeps its pods at this average CPU use (percent of their requests).
CPU_TARGET_PERCENT = 70
# Kubernetes quantities as a quota takes them: CPU in cores or millicores, memory in bytes with a binary suffix.
_CPU = re.compile(r"^([1-9][0-9]*m|[0-9]+(\.[0-9]+)?)$")
_MEMORY = re.compile(r"^[1-9][0-9]*(Mi|Gi)$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
_POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]+$")
_STACK_NAME = re.compile(r"^[\w.-]+(/[\w.-]+){0,2}$")
# A Kubernetes label value (cost-center is a namespace label as well as an AWS tag).
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
# Edge fields -> the tenant keys that set them.
EDGE_KEYS = {"host": "host", "certificate_arn": "certificateArn", "hosted_zone": "hostedZone", "dns_record": "dnsRecord"}


def is_role_arn(value: str) -> bool:
    return bool(_ROLE_ARN.match(value))


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
    spec: WorkloadSpec
    alb_mode: str
    edge: Edge
    group_order: int

    @property
    def replicas(self) -> int:
        return self.spec.replicas


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
    alarms: AlarmSettings
    region: str  # the stack's aws:region, the platform's
    # Whether the platform's collector sends its namespace's pod metrics (its containerInsights; True
    # for a platform stack file outside this checkout, whose setting cannot be read).
    platform_pod_metrics: bool

    @property
    def tags(self) -> dict[str, str]:
        """Tags every taggable AWS resource of the tenant carries."""
        return stack_tags(self.project, self.stack, self.team)


def load_tenant_settings() -> TenantSettings:
    project, stack = pulumi.get_project(), pulumi.get_stack()
    config = Reader(pulumi.Config(), project, TENANT)

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

    namespace = config.string("namespace") or default_namespace(team)
    config.check("namespace", namespace, is_dns_label, DNS_LABEL_RULE)
    config.check(
        "namespace",
        namespace,
        is_tenant_namespace,
        f"a namespace of the tenant's own matching {TENANT_NAMESPACE_SELECTOR!r} (the platform's Fargate profile "
        f"covers only those), never {', '.join(RESERVED_NAMESPACES)}",
    )

    others = namespace_holders(namespace, tenants(), stack)
    config.check("namespace", namespace, lambda _: not others, f"a namespace of this tenant's own; tenant stack {others} has it")

    role = config.string("teamRoleArn")
    config.check(
        "teamRoleArn",
        role,
        lambda v: not v or _ROLE_ARN.match(v),
        "empty (no access entry) or an IAM role ARN, e.g. arn:aws:iam::123456789012:role/checkout-developers",
    )
    level = config.choice("accessLevel")

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
    # External Secrets Operator reads them as the workload's own IRSA role: there must be one.
    if config.strings("appAwsSecrets") and not service_account:
        raise SettingsError(
            config.key("appAwsSecrets"),
            list(config.strings("appAwsSecrets")),
            "set serviceAccount too: they are read as its role",
        )

    region = _same_region_as_platform(config, platform)
    quota, workload = _quota(config), _workload(config, service_account, region, team)
    if workload.alb_mode == "shared":
        _agrees_on_shared_alb(config, platform, stack, workload.edge)
    _fits_quota(config, quota, workload.spec)
    _platform_scales_pods(config, platform, workload.spec)
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
        alarms=read_alarms(config),
        region=region,
        platform_pod_metrics=_platform_sends_pod_metrics(platform),
    )


def _quota(config: Reader) -> QuotaSettings:
    cpu, memory = config.string("quotaCpu"), config.string("quotaMemory")
    default_cpu, default_memory = config.string("defaultCpuRequest"), config.string("defaultMemoryRequest")
    for key, value in (("quotaCpu", cpu), ("defaultCpuRequest", default_cpu)):
        config.check(key, value, _CPU.match, "CPU as Kubernetes writes it: cores (2, 0.5) or millicores (250m)")
    for key, value in (("quotaMemory", memory), ("defaultMemoryRequest", default_memory)):
        config.check(key, value, _MEMORY.match, "memory in Mi or Gi, e.g. 512Mi or 8Gi")
    return QuotaSettings(
        pods=config.integer("quotaPods"),
        cpu=cpu,
        memory=memory,
        default_cpu=default_cpu,
        default_memory=default_memory,
    )


def _workload(config: Reader, service_account: str, region: str, team: str) -> WorkloadSettings:
    alb_mode = config.choice("albMode")
    if alb_mode == "shared" and not config.string("host"):
        raise SettingsError(
            config.key("host"), "", "a host name of the tenant's own: on the shared ALB the tenant's rules match only it"
        )
    edge = read_edge(config, EDGE_KEYS, region)
    return WorkloadSettings(
        app=config.string("app"),
        spec=_spec(config, service_account, team, region),
        alb_mode=alb_mode,
        edge=edge,
        group_order=config.integer("albGroupOrder"),
    )


def _agrees_on_shared_alb(config: Reader, platform_stack: str, stack: str, edge: Edge) -> None:
    """The other tenants of the platform's shared ALB (stack files of this checkout) leave room for this one.

    Their rules and certificates merge into one ALB (components/ingress.py): a host two tenants
    claim would send one's traffic to the other; and HTTPS on one tenant turns every HTTP listener
    of the ALB into a redirect, so a tenant without a certificate would be redirected to a
    listener that has none for its host.
    """
    platform = platform_stack.rsplit("/", 1)[-1]
    same_host = host_holders(platform, edge.host, tenants(), stack)
    if same_host:
        raise SettingsError(
            config.key("host"), edge.host, f"a host of this tenant's own on platform {platform}'s shared ALB; {same_host} has it"
        )
    differ = tls_disagreeing(platform, edge.tls, tenants(), stack)
    if differ:
        mine, theirs = ("on", "off") if edge.tls else ("off", "on")
        raise SettingsError(
            config.key("hostedZone" if edge.hosted_zone and not edge.certificate_arn else "certificateArn"),
            edge.certificate_arn or edge.hosted_zone,
            f"TLS {theirs}, as for the other tenants of platform {platform}'s shared ALB ({', '.join(differ)}): with TLS "
            f"{mine} here and {theirs} there, the ALB's one redirect setting would break one side (every HTTP listener "
            "of a shared ALB redirects once a member asks it to); move all of them at once, or use albMode: own",
        )


def _spec(config: Reader, service_account: str, team: str, region: str) -> WorkloadSpec:
    app = config.string("app")
    config.check("app", app, is_dns_label, f"{list(APPS)}, or the name of a workload of the team's own: {DNS_LABEL_RULE}")
    # appImage, when set, is the preset's image under another name (a mirror, a pinned digest).
    preset = (
        Preset(
            image=config.string("appImage") or PRESET_IMAGES[app],
            keep_unset=f"left unset for app {app!r}: it runs on the walkthrough's hardened nginx configuration (port "
            "8080, probe /); name the app after your workload to set it",
            needs_tmp=f"a list that holds /tmp: app {app!r} runs nginx, which writes its pid, temp files and access log "
            "FIFO there",
        )
        if app in PRESET_IMAGES
        else None
    )
    section = WorkloadSection(
        name=app,
        preset=preset,
        own_needs=lambda missing: (
            f"app {app!r} is a workload of the team's own (not one of {list(APPS)}), so {', '.join(missing)} must be "
            "set: the image, the port its container listens on and the HTTP path its probes ask"
        ),
        autoscaling_key=None,
        cpu_target=CPU_TARGET_PERCENT,
        service_account=service_account,
        surge=SURGE_PODS,
        team=team,
        region=region,
    )
    return read_workload(config, section)


def _platform_file(platform_stack: str) -> StackFile | None:
    """The platform's stack file in this checkout; None for another project's stack or a missing file
    (then the StackReference says the platform does not exist)."""
    parts = platform_stack.split("/")
    if len(parts) == 3 and parts[1] != platform_project_name():
        return None
    return next((f for f in stack_files(PLATFORM_PROJECT_DIR) if f.stack == parts[-1]), None)


def _same_region_as_platform(config: Reader, platform_stack: str) -> str:
    """The tenant's access entry and IAM role are declared in its aws:region: the platform's cluster must be there."""
    region = Reader(pulumi.Config("aws"), "aws").string("region")
    platform_file = _platform_file(platform_stack)
    platform_region = platform_file.config.get("aws:region") if platform_file else None
    if platform_file and platform_region and region != platform_region:
        raise SettingsError(
            "aws:region",
            region,
            f"{platform_region}, the region of platform stack {platform_file.stack} (its cluster is there; the tenant's "
            f"access entry and IAM role would be declared in {region or 'no region'}, where the cluster does not exist)",
        )
    return region


def _platform_scales_pods(config: Reader, platform_stack: str, spec: WorkloadSpec) -> None:
    """An autoscaler needs the metrics-server the platform installs with its own appAutoscaling on."""
    platform_file = _platform_file(platform_stack)
    if spec.autoscaling is None or platform_file is None:
        return
    if project(PLATFORM_PROJECT_DIR).setting(platform_file, "appAutoscaling") is not True:
        raise SettingsError(
            config.key("appMaxReplicas"),
            spec.autoscaling.max_replicas,
            f"0: platform stack {platform_file.stack} runs no metrics-server (its appAutoscaling is false), so an "
            "autoscaler would never scale; ask the platform team to turn it on, or run a fixed appReplicas",
        )


def _platform_sends_pod_metrics(platform_stack: str) -> bool:
    platform_file = _platform_file(platform_stack)
    return platform_file is None or project(PLATFORM_PROJECT_DIR).setting(platform_file, "containerInsights") is True


def _fits_quota(config: Reader, quota: QuotaSettings, spec: WorkloadSpec) -> None:
    """Pods, CPU and memory at the autoscaler's maximum plus a rollout's surge, and the LimitRange defaults, within the quota."""
    pods = spec.max_replicas + (spec.surge or 0)
    replicas_key = "appMaxReplicas" if spec.autoscaling else "appReplicas"
    if spec.max_replicas and pods > quota.pods:
        raise SettingsError(
            config.key(replicas_key),
            spec.max_replicas,
            f"at most quotaPods ({quota.pods}) less {spec.surge}: a rolling update runs {spec.surge} pod more, and the "
            "quota would refuse the rest",
        )
    why = f"{pods} pods ({replicas_key} {spec.max_replicas}, and {spec.surge} more during a rolling update)"
    for resource, key, total_text, each_text in (
        ("cpu", "quotaCpu", quota.cpu, spec.cpu),
        ("memory", "quotaMemory", quota.memory, spec.memory),
    ):
        total, each = _amount(total_text), _amount(each_text)
        if spec.max_replicas and each * pods > total:
            raise SettingsError(
                config.key(key),
                total_text,
                f"at least {quantity_text(each * pods, resource)}: {why} × {each_text}; "
                "the quota would refuse the rest at run time",
            )
    for key, default_text, quota_key, total_text in (
        ("defaultCpuRequest", quota.default_cpu, "quotaCpu", quota.cpu),
        ("defaultMemoryRequest", quota.default_memory, "quotaMemory", quota.memory),
    ):
        if _amount(default_text) > _amount(total_text):
            raise SettingsError(
                config.key(key), default_text, f"at most {quota_key} ({total_text}): the LimitRange default must fit the quota"
            )


def _amount(text: str) -> Decimal:
    amount = quantity(text)
    assert amount is not None  # checked by _quota
    return amount
