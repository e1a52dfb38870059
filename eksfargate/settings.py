"""Stack settings: read once from Pulumi config, validated, and handed to the components.

Every key is declared once, with its type, default, range and description, in
eksfargate/platform_schema.py (Pulumi.yaml's `config:` block is rendered from it); this module
and the workload reader it shares with the tenant project (eksfargate/workload_settings.py) are
the only places that read the platform's `pulumi.Config`. A bad value raises `SettingsError`
naming the key, the value and what is allowed, before any resource exists. The names the
imports mark `X as X` are re-exported: tools/teams, the tests and the docs know them by this module.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

import pulumi

from eksfargate import edge as edges
from eksfargate.alarm_settings import AlarmSettings, read_alarms
from eksfargate.config_reader import (
    DNS_LABEL_RULE,
    TAG_VALUE,
    TAG_VALUE_RULE,
    Reader,
    SettingsError,
    is_dns_label,
    refuse_unknown_keys,
)
from eksfargate.config_reader import MAX_LABEL_LENGTH as MAX_LABEL_LENGTH
from eksfargate.config_reader import UnknownSettingError as UnknownSettingError
from eksfargate.edge import Edge
from eksfargate.ownership import TeamSettings, stack_tags
from eksfargate.platform_schema import AZ_COUNT_RANGE as AZ_COUNT_RANGE
from eksfargate.platform_schema import PLATFORM
from eksfargate.platform_schema import SUPPORTED_KUBERNETES_VERSIONS as SUPPORTED_KUBERNETES_VERSIONS
from eksfargate.platform_schema import VPC_PREFIX_RANGE as VPC_PREFIX_RANGE
from eksfargate.regions import Region, RegionError, eks_excluded_zone_ids, region_of_zone_id, supported_region
from eksfargate.workload import GAME_2048_IMAGE, Autoscaling, WorkloadSpec, image_repository
from eksfargate.workload_settings import Preset, WorkloadSection, read_edge, read_workload

_ZONE_ID = re.compile(r"^[a-z]{2,}[0-9]+-az[0-9]+$")
# CreateLogGroup: 1 to 512 of a-z A-Z 0-9 _ - / . #, not starting with "aws/".
LOG_GROUP_NAME = re.compile(r"^[A-Za-z0-9_\-/.#]{1,512}$")
LOG_GROUP_NAME_RULE = "1 to 512 letters, digits and _ - / . # (a CloudWatch log group name), not starting with 'aws/'"
_VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")
_SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_IAM_PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+$")
# The app's name, as the walkthrough's.
APP_NAME = "app-2048"
# The platform app's service account, made when it reads secrets from AWS (its IRSA role reads them).
APP_SERVICE_ACCOUNT = "app-2048"
# Edge fields -> the platform keys that set them.
APP_EDGE_KEYS = {
    "host": "appHost",
    "certificate_arn": "appCertificateArn",
    "hosted_zone": "appHostedZone",
    "dns_record": "appDnsRecord",
}


@dataclass(frozen=True)
class ExistingVpc:
    """A VPC and subnets made outside this stack (existing-VPC mode)."""

    vpc_id: str
    private_subnet_ids: tuple[str, ...]
    public_subnet_ids: tuple[str, ...]


@dataclass(frozen=True)
class NetworkSettings:
    vpc_cidr: str
    az_count: int
    nat_mode: str
    existing_vpc: ExistingVpc | None
    # The zone ids the stack's subnets are in, in order (availabilityZoneIds); () = the first
    # az_count available zones of a live lookup, as stacks made before the setting do.
    zone_ids: tuple[str, ...] = ()
    # Where Fargate runs pods only in some zones of the region: those zone ids (else None).
    fargate_zone_ids: tuple[str, ...] | None = None
    per_zone_names: str = "zoneName"


@dataclass(frozen=True)
class ClusterSettings:
    name: str
    kubernetes_version: str
    admin_principal_arns: tuple[str, ...]
    log_types: tuple[str, ...]
    endpoint_public_access: bool
    endpoint_private_access: bool
    public_access_cidrs: tuple[str, ...]
    secrets_encryption: bool
    # EKS upgrade policy: EXTENDED (EKS's default) or STANDARD; see facts/kubernetes_versions.py.
    support_type: str = "EXTENDED"
    # Principals that may list what `python -m verify` reads (components/cluster_readers.py).
    verifier_principal_arns: tuple[str, ...] = ()


@dataclass(frozen=True)
class AppSettings:
    enabled: bool
    namespace: str
    workload: WorkloadSpec
    edge: Edge

    @property
    def replicas(self) -> int:
        return self.workload.replicas

    @property
    def image(self) -> str:
        return self.workload.image

    @property
    def autoscaling(self) -> Autoscaling | None:
        """None: a fixed replica count (`replicas`); otherwise `replicas` is the HPA's floor."""
        return self.workload.autoscaling


@dataclass(frozen=True)
class AlbSettings:
    """What every ALB of the cluster gets, whoever's Ingress makes it (components/alb_controller.py)."""

    access_logs: bool
    access_log_retention_days: int
    web_acl_arn: str  # "" leaves each ALB's web ACL as it is; edge.NO_WEB_ACL detaches it


@dataclass(frozen=True)
class LoggingSettings:
    """Pod logs through Fargate's built-in log router into a CloudWatch log group of the stack."""

    enabled: bool
    retention_days: int
    log_group_name: str


@dataclass(frozen=True)
class ContainerInsightsSettings:
    """Pod metrics through the ADOT collector into CloudWatch Container Insights (components/container_insights.py)."""

    enabled: bool
    log_retention_days: int


@dataclass(frozen=True)
class Settings:
    project: str
    stack: str
    region: str
    protect: bool
    network: NetworkSettings
    cluster: ClusterSettings
    app: AppSettings
    alb: AlbSettings
    team: TeamSettings
    logging: LoggingSettings
    serves_tenants: bool  # a platform for tenant stacks (tenant/): see eksfargate/contract.py
    alarms: AlarmSettings
    external_secrets: bool  # External Secrets Operator (components/external_secrets.py)
    container_insights: ContainerInsightsSettings

    @property
    def tags(self) -> dict[str, str]:
        """Tags every taggable AWS resource of the stack carries."""
        return stack_tags(self.project, self.stack, self.team)


def load_settings() -> Settings:
    """Reads and validates the current stack's configuration."""
    project, stack = pulumi.get_project(), pulumi.get_stack()
    refuse_unknown_keys(project, PLATFORM)
    config = Reader(pulumi.Config(), project, PLATFORM)
    region = _region(Reader(pulumi.Config("aws"), "aws").string("region"))
    cluster = _cluster(config, default_name=f"{project}-{stack}")
    team = _team(config)  # before the app: its secrets' prefix is the team's name

    return Settings(
        project=project,
        stack=stack,
        region=region.code,
        protect=config.boolean("protect"),
        network=_network(config, region),
        cluster=cluster,
        app=_app(config, region.code, team.name),
        alb=_alb(config, region.code),
        team=team,
        logging=_logging(config, cluster.name),
        serves_tenants=config.boolean("servesTenants"),
        alarms=read_alarms(config),
        external_secrets=_external_secrets(config),
        container_insights=ContainerInsightsSettings(
            enabled=config.boolean("containerInsights"),
            log_retention_days=config.integer("containerInsightsLogRetentionDays"),
        ),
    )


def _region(code: str) -> Region:
    if not code:
        raise SettingsError("aws:region", code, "set the AWS region, e.g. `pulumi config set aws:region ap-northeast-2`")
    try:
        return supported_region(code)
    except RegionError as exc:
        raise SettingsError("aws:region", code, str(exc)) from None


def _network(config: Reader, region: Region) -> NetworkSettings:
    vpc_cidr = config.string("vpcCidr")
    try:
        network = ipaddress.IPv4Network(vpc_cidr, strict=True)
    except ValueError:
        raise SettingsError(config.key("vpcCidr"), vpc_cidr, "an IPv4 network address in CIDR form, e.g. 10.0.0.0/16") from None
    low, high = config.bounds("vpcCidr")
    if not low <= network.prefixlen <= high:
        raise SettingsError(config.key("vpcCidr"), vpc_cidr, f"the prefix length must be between /{low} and /{high}")

    az_count = config.integer("availabilityZoneCount")
    zone_ids = _zone_ids(config, region)
    if zone_ids:
        if az_count not in (len(zone_ids), PLATFORM["availabilityZoneCount"].default):
            raise SettingsError(
                config.key("availabilityZoneCount"),
                az_count,
                f"with availabilityZoneIds set, the zones are those {len(zone_ids)}: "
                f"leave availabilityZoneCount out or set it to {len(zone_ids)}",
            )
        az_count = len(zone_ids)
    elif region.zones_known:
        usable = [zone.id for zone in region.usable_zones if zone.id in (region.fargate_zone_ids() or region.zone_ids)]
        if az_count > len(usable):
            raise SettingsError(
                config.key("availabilityZoneCount"),
                az_count,
                f"at most {len(usable)}: {region.code} has {len(usable)} zones an EKS cluster can use "
                f"({', '.join(usable)}; data/regions.json)",
            )
    nat_mode = config.choice("natMode")

    existing = None
    vpc_id = config.string("existingVpcId")
    if vpc_id:
        if not _VPC_ID.match(vpc_id):
            raise SettingsError(config.key("existingVpcId"), vpc_id, "a VPC id like vpc-0123456789abcdef0")
        existing = ExistingVpc(
            vpc_id=vpc_id,
            private_subnet_ids=_subnet_ids(config, "existingPrivateSubnetIds"),
            public_subnet_ids=_subnet_ids(config, "existingPublicSubnetIds"),
        )
    per_zone_names = config.choice("perZoneNames")
    if per_zone_names == "zoneId" and not zone_ids and existing is None:
        raise SettingsError(
            config.key("perZoneNames"), per_zone_names, "zoneId names resources after availabilityZoneIds: set them too"
        )
    return NetworkSettings(
        vpc_cidr=vpc_cidr,
        az_count=az_count,
        nat_mode=nat_mode,
        existing_vpc=existing,
        zone_ids=zone_ids,
        fargate_zone_ids=region.fargate_zone_ids(),
        per_zone_names=per_zone_names,
    )


def _zone_ids(config: Reader, region: Region) -> tuple[str, ...]:
    """availabilityZoneIds, each checked against the region's zones, EKS's and Fargate's limits."""
    key = "availabilityZoneIds"
    ids = config.strings(key)
    if not ids:
        return ()
    low, high = config.bounds(key)
    if not low <= len(ids) <= high or len(set(ids)) != len(ids):
        raise SettingsError(
            config.key(key), list(ids), f"{low} to {high} distinct availability zone ids, e.g. [apne2-az1, apne2-az2]"
        )
    for zone_id in ids:
        config.check(
            key, zone_id, _ZONE_ID.match, "availability zone ids like apne2-az1 (zone ids, not names such as ap-northeast-2a)"
        )
        home = region_of_zone_id(zone_id)
        if home is not None and home != region.code:
            raise SettingsError(config.key(key), zone_id, f"{zone_id} is a zone of {home}, not of {region.code} (aws:region)")
        if region.zones_known and zone_id not in region.zone_ids:
            raise SettingsError(
                config.key(key), zone_id, f"a zone id of {region.code}: one of {list(region.zone_ids)} (data/regions.json)"
            )
        if zone_id in eks_excluded_zone_ids():
            raise SettingsError(
                config.key(key),
                zone_id,
                f"EKS places no control plane in {zone_id} (the cluster's subnets cannot be there; EKS user guide, "
                "network requirements); choose other zones",
            )
        fargate = region.fargate_zone_ids()
        if fargate is not None and zone_id not in fargate:
            raise SettingsError(
                config.key(key),
                zone_id,
                f"Fargate runs pods in {region.code} only in {list(fargate)} (the pod subnets must be there; data/regions.json)",
            )
    if not region.zones_known:
        prefixes = {zone_id.rsplit("-az", 1)[0] for zone_id in ids}
        if len(prefixes) > 1:
            raise SettingsError(
                config.key(key), list(ids), f"zone ids of one region, {region.code}; these name {sorted(prefixes)}"
            )
    return ids


def _cluster(config: Reader, default_name: str) -> ClusterSettings:
    name = config.string("clusterName") or default_name
    config.check("clusterName", name, is_dns_label, f"{DNS_LABEL_RULE} (it defaults to <project>-<stack>)")
    admins = _principal_arns(config, "adminPrincipalArns", "platform-admin")
    verifiers = _verifiers(config, admins)
    log_types = config.strings("clusterLogTypes")
    cidrs = config.strings("publicAccessCidrs")
    for cidr in cidrs:
        config.check("publicAccessCidrs", cidr, _is_ipv4_cidr, "IPv4 CIDR blocks, e.g. 203.0.113.0/24")
    public, private = config.boolean("endpointPublicAccess"), config.boolean("endpointPrivateAccess")
    if not (public or private):
        raise SettingsError(
            config.key("endpointPublicAccess"),
            public,
            "at least one of endpointPublicAccess and endpointPrivateAccess must be true",
        )
    return ClusterSettings(
        name=name,
        kubernetes_version=config.choice("kubernetesVersion"),
        admin_principal_arns=admins,
        log_types=log_types,
        endpoint_public_access=public,
        endpoint_private_access=private,
        public_access_cidrs=cidrs,
        secrets_encryption=config.boolean("secretsEncryption"),
        support_type=config.choice("supportType"),
        verifier_principal_arns=verifiers,
    )


def _principal_arns(config: Reader, key: str, example_role: str) -> tuple[str, ...]:
    """IAM principals, each named once: EKS takes one access entry per principal (EKS user guide,
    "Create access entries")."""
    arns = config.strings(key)
    for index, arn in enumerate(arns):
        config.check(
            key, arn, _IAM_PRINCIPAL_ARN.match, f"IAM role or user ARNs, e.g. arn:aws:iam::123456789012:role/{example_role}"
        )
        if arn in arns[:index]:
            raise SettingsError(config.key(key), arn, "each principal once (one access entry each)")
    return arns


def _verifiers(config: Reader, admins: tuple[str, ...]) -> tuple[str, ...]:
    """A verifier is no admin: the admin's access entry exists already, and reads everything."""
    verifiers = _principal_arns(config, "verifierPrincipalArns", "pulumi-drift")
    for arn in verifiers:
        if arn in admins:
            raise SettingsError(
                config.key("verifierPrincipalArns"),
                arn,
                "principals not in adminPrincipalArns: an admin reads everything already, and EKS takes one access "
                "entry per principal",
            )
    return verifiers


def _alb(config: Reader, region: str) -> AlbSettings:
    web_acl = config.string("albWebAclArn")
    problem = edges.web_acl_problem(web_acl, region)
    if problem:
        raise SettingsError(config.key("albWebAclArn"), web_acl, problem)
    return AlbSettings(
        access_logs=config.boolean("albAccessLogs"),
        access_log_retention_days=config.integer("albAccessLogRetentionDays"),
        web_acl_arn=web_acl,
    )


def _app(config: Reader, region: str, team: str) -> AppSettings:
    namespace = config.string("appNamespace")
    config.check("appNamespace", namespace, is_dns_label, DNS_LABEL_RULE)
    config.check("appNamespace", namespace, lambda v: v != "kube-system", "a namespace of its own, not kube-system")
    image = config.string("appImage")
    config.check("appImage", image, lambda v: bool(v) and " " not in v, "a container image reference")
    # The walkthrough's image: any tag or digest of its repository, or another image appWalkthroughImage says is it.
    walkthrough = config.boolean("appWalkthroughImage") or image_repository(image) == image_repository(GAME_2048_IMAGE)
    preset = (
        Preset(
            image=image,
            keep_unset=f"left unset for the walkthrough's image {image!r}: it runs on its own hardened nginx "
            "configuration (port 8080, probe /); set it only with an image of your own",
            needs_tmp="a list that holds /tmp: the walkthrough's nginx writes its pid, temp files and access log FIFO there",
        )
        if walkthrough
        else None
    )
    section = WorkloadSection(
        name=APP_NAME,
        preset=preset,
        own_needs=lambda missing: (
            f"appImage {image!r} is not the walkthrough's image, so the app's {' and '.join(missing)} must be set "
            "(the port its container listens on and the HTTP path its readiness and liveness probes ask); "
            "or set appWalkthroughImage: true if it is the walkthrough's image under another name"
        ),
        autoscaling_key="appAutoscaling",
        cpu_target=None,
        # External Secrets Operator reads the app's secrets as its own IRSA role, so it gets one with them.
        service_account=APP_SERVICE_ACCOUNT if config.strings("appAwsSecrets") else "",
        team=team,
        region=region,
    )
    workload = read_workload(config, section)
    return AppSettings(
        enabled=config.boolean("appEnabled"),
        namespace=namespace,
        workload=workload,
        edge=read_edge(config, APP_EDGE_KEYS, region),
    )


def _external_secrets(config: Reader) -> bool:
    """The operator that copies secrets from AWS; the app's secrets need it."""
    enabled = config.boolean("externalSecrets")
    if not enabled and config.strings("appAwsSecrets"):
        raise SettingsError(
            config.key("externalSecrets"), False, "true while appAwsSecrets lists secrets: the operator copies them"
        )
    return enabled


def _logging(config: Reader, cluster_name: str) -> LoggingSettings:
    retention = config.integer("fargateLogRetentionDays")
    name = config.string("fargateLogGroupName") or default_log_group_name(cluster_name)
    config.check(
        "fargateLogGroupName",
        name,
        lambda v: bool(LOG_GROUP_NAME.match(v)) and not v.startswith("aws/"),
        f"{LOG_GROUP_NAME_RULE} (it defaults to {default_log_group_name('<clusterName>')})",
    )
    return LoggingSettings(enabled=config.boolean("fargateLogging"), retention_days=retention, log_group_name=name)


def default_log_group_name(cluster_name: str) -> str:
    """Beside the control-plane log group EKS makes, /aws/eks/<cluster>/cluster."""
    return f"/aws/eks/{cluster_name}/fargate-pods"


def _team(config: Reader) -> TeamSettings:
    name = config.string("team")
    config.check("team", name, is_dns_label, DNS_LABEL_RULE)
    cost_center, owner = config.string("costCenter"), config.string("owner")
    config.check("costCenter", cost_center, TAG_VALUE.match, TAG_VALUE_RULE)
    config.check("owner", owner, TAG_VALUE.match, TAG_VALUE_RULE)
    return TeamSettings(name=name, cost_center=cost_center, owner=owner)


def _is_ipv4_cidr(value: str) -> bool:
    if "/" not in value:
        return False
    try:
        ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        return False
    return True


def _subnet_ids(config: Reader, name: str) -> tuple[str, ...]:
    ids = config.strings(name)
    for subnet_id in ids:
        config.check(name, subnet_id, _SUBNET_ID.match, "subnet ids like subnet-0123456789abcdef0")
    if len(ids) < 2 or len(set(ids)) != len(ids):
        raise SettingsError(
            config.key(name),
            list(ids),
            "at least 2 distinct subnet ids, in different availability zones, when existingVpcId is set",
        )
    return ids
