"""Stack settings: read once from Pulumi config, validated, and handed to the components.

Every key is declared with its type, description and default in Pulumi.yaml's `config:`
block; this module is the only place that calls `pulumi.Config`. A bad value raises
`SettingsError` naming the key, the value and what is allowed, before any resource exists.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import yaml
from pulumi.runtime import config as runtime_config

from eksfargate import edge as edges
from eksfargate.edge import Edge
from eksfargate.facts.kubernetes_versions import CALENDAR, SUPPORT_TYPES
from eksfargate.project import PLATFORM_PROJECT_DIR
from eksfargate.regions import Region, RegionError, eks_excluded_zone_ids, region_of_zone_id, supported_region
from eksfargate.workload import (
    PORT_RANGE,
    Autoscaling,
    WorkloadSpec,
    image_repository,
    nginx_preset,
    parse_env,
    parse_secret_env,
    problems,
)

PROJECT_FILE = PLATFORM_PROJECT_DIR / "Pulumi.yaml"

# Kubernetes versions this stack accepts: the versions of EKS's support calendar
# (eksfargate/facts/kubernetes_versions.py, with each date's source) that kubernetes-validate has
# schemas for. See docs/contributing.md "Moving the pins".
SUPPORTED_KUBERNETES_VERSIONS = tuple(CALENDAR)

# How per-zone resources (subnets, route tables, NAT) are named: after the zone's name, as every
# stack made before zone ids were pinned is (renaming would replace them), or after its zone id,
# which means the same zone in every account (what `python -m teams new` writes).
PER_ZONE_NAMES = ("zoneName", "zoneId")
_ZONE_ID = re.compile(r"^[a-z]{2,}[0-9]+-az[0-9]+$")

NAT_MODES = ("single", "per-az")
CLUSTER_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")

# Subnets are carved from the VPC by prefix arithmetic (see components/network.py): the
# VPC is cut in eighths, one eighth per private subnet and the last eighth split again for
# the public ones. /20 keeps each public subnet at /26 or larger; AWS's largest VPC is /16.
VPC_PREFIX_RANGE = (16, 20)
AZ_COUNT_RANGE = (2, 6)
REPLICAS_RANGE = (0, 100)
# An HPA's minReplicas must be at least 1 (0 needs the alpha HPAScaleToZero feature gate,
# which EKS does not turn on). CPU utilization is a percentage of the pods' requests; with
# requests equal to limits, as on Fargate, it cannot exceed 100.
AUTOSCALING_REPLICAS_RANGE = (1, 100)
CPU_TARGET_PERCENT_RANGE = (10, 100)

# What CloudWatch Logs accepts as a retention (PutRetentionPolicy "Possible values", AWS SDK
# model as in aws-sdk-cloudwatchlogs 1.135.0; pulumi-aws 7.51.1 LogGroup.retention_in_days
# lists the same, plus 0 = never expire, which this stack refuses).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
# CreateLogGroup: 1 to 512 of a-z A-Z 0-9 _ - / . #, not starting with "aws/".
LOG_GROUP_NAME = re.compile(r"^[A-Za-z0-9_\-/.#]{1,512}$")
LOG_GROUP_NAME_RULE = "1 to 512 letters, digits and _ - / . # (a CloudWatch log group name), not starting with 'aws/'"

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
MAX_LABEL_LENGTH = 63
DNS_LABEL_RULE = "a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit"
_VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")
_SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_IAM_PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+$")
# What AWS accepts as a tag value (letters, digits, spaces and _ . : / = + - @, up to 256),
# less '=': the load balancer controller receives its default tags as one k=v,k=v flag.
TAG_VALUE = re.compile(r"^[\w .:/+@-]{1,256}$")
TAG_VALUE_RULE = "1 to 256 letters, digits, spaces and _ . : / + - @ (an AWS tag value)"


class SettingsError(pulumi.RunError):
    """A stack setting has a value the stack cannot use."""

    def __init__(self, key: str, value: Any, allowed: str):
        self.key = key
        self.value = value
        self.allowed = allowed
        super().__init__(f"config key '{key}' has invalid value {value!r}: {allowed}")


class UnknownSettingError(SettingsError):
    """A key in the project's namespace that Pulumi.yaml does not declare (a typo, most likely)."""

    def __init__(self, key: str, declared: list[str]):
        name = key.partition(":")[2]
        hint = difflib.get_close_matches(name, declared, n=1)
        self.key, self.value = key, None
        self.allowed = f"did you mean '{hint[0]}'?" if hint else f"the settings are {declared}"
        pulumi.RunError.__init__(self, f"unknown setting '{name}'; {self.allowed}")


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


# The app's HorizontalPodAutoscaler (eksfargate/workload.py); the name this module has always given it.
AutoscalingSettings = Autoscaling

# The walkthrough's image: run with the walkthrough's hardened nginx configuration (any tag or
# digest of this repository, or another image `appWalkthroughImage` declares to be the same).
WALKTHROUGH_IMAGE = "public.ecr.aws/l6m2t8p7/docker-2048:latest"
# appPort and appProbePath: 0 and "" mean the walkthrough image's own (8080 and /).
APP_PORT_SETTING_RANGE = (0, PORT_RANGE[1])
# Spec fields -> the platform keys that set them (errors name the key).
APP_KEYS = {
    "image": "appImage",
    "port": "appPort",
    "probe_port": "appPort",
    "probe_path": "appProbePath",
    "cpu": "appCpu",
    "memory": "appMemory",
    "env": "appEnv",
    "secret_env": "appSecretEnv",
    "writable_paths": "appWritablePaths",
}


# Edge fields -> the platform keys that set them.
APP_EDGE_KEYS = {
    "host": "appHost",
    "certificate_arn": "appCertificateArn",
    "hosted_zone": "appHostedZone",
    "dns_record": "appDnsRecord",
}
ACCESS_LOG_RETENTION_RANGE = (1, 3650)


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
class TeamSettings:
    """Who a stack belongs to: tagged on every taggable AWS resource."""

    name: str
    cost_center: str
    owner: str


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

    @property
    def tags(self) -> dict[str, str]:
        """Tags every taggable AWS resource of the stack carries."""
        return stack_tags(self.project, self.stack, self.team)


def stack_tags(project: str, stack: str, team: TeamSettings) -> dict[str, str]:
    """The tags of a stack's taggable AWS resources: where they come from, and who owns them."""
    return {
        "pulumi:project": project,
        "pulumi:stack": stack,
        "managed-by": "pulumi",
        "team": team.name,
        "cost-center": team.cost_center,
        "owner": team.owner,
    }


def load_settings() -> Settings:
    """Reads and validates the current stack's configuration."""
    project, stack = pulumi.get_project(), pulumi.get_stack()
    _refuse_unknown_keys(project)
    config = _Reader(pulumi.Config(), project)
    region = _region(_Reader(pulumi.Config("aws"), "aws").string("region"))
    cluster = _cluster(config, default_name=f"{project}-{stack}")

    return Settings(
        project=project,
        stack=stack,
        region=region.code,
        protect=config.boolean("protect"),
        network=_network(config, region),
        cluster=cluster,
        app=_app(config, region.code),
        alb=_alb(config, region.code),
        team=_team(config),
        logging=_logging(config, cluster.name),
        serves_tenants=config.boolean("servesTenants"),
    )


def _refuse_unknown_keys(project: str) -> None:
    """A key of the project's namespace that Pulumi.yaml does not declare is a typo: refuse it.

    The program is handed every config key of the stack: the Python language host puts them
    all, as JSON, in PULUMI_CONFIG (pulumi-language-python main.go, constructConfig), which
    pulumi.runtime.config reads; mocks and inline programs set them with set_all_config.
    """
    given = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    # Only the key names matter here, so libyaml's parser (fast) reads the file where PyYAML has it.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    declared = sorted(yaml.load(PROJECT_FILE.read_text(), Loader=loader).get("config") or {})
    for key in sorted(given):
        namespace, _, name = key.partition(":")
        if namespace == project and name not in declared:
            raise UnknownSettingError(key, declared)


def _region(code: str) -> Region:
    if not code:
        raise SettingsError("aws:region", code, "set the AWS region, e.g. `pulumi config set aws:region ap-northeast-2`")
    try:
        return supported_region(code)
    except RegionError as exc:
        raise SettingsError("aws:region", code, str(exc)) from None


def _network(config: _Reader, region: Region) -> NetworkSettings:
    vpc_cidr = config.string("vpcCidr")
    try:
        network = ipaddress.IPv4Network(vpc_cidr, strict=True)
    except ValueError:
        raise SettingsError(config.key("vpcCidr"), vpc_cidr, "an IPv4 network address in CIDR form, e.g. 10.0.0.0/16") from None
    low, high = VPC_PREFIX_RANGE
    if not low <= network.prefixlen <= high:
        raise SettingsError(config.key("vpcCidr"), vpc_cidr, f"the prefix length must be between /{low} and /{high}")

    az_count = config.integer("availabilityZoneCount", AZ_COUNT_RANGE)
    zone_ids = _zone_ids(config, region)
    if zone_ids:
        if az_count not in (len(zone_ids), _default(config, "availabilityZoneCount")):
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
    nat_mode = config.choice("natMode", NAT_MODES)

    existing = None
    vpc_id = config.string("existingVpcId")
    if vpc_id:
        if not _VPC_ID.match(vpc_id):
            raise SettingsError(config.key("existingVpcId"), vpc_id, "a VPC id like vpc-0123456789abcdef0")
        existing = ExistingVpc(
            vpc_id=vpc_id,
            private_subnet_ids=config.subnet_ids("existingPrivateSubnetIds"),
            public_subnet_ids=config.subnet_ids("existingPublicSubnetIds"),
        )
    per_zone_names = config.choice("perZoneNames", PER_ZONE_NAMES)
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


def _zone_ids(config: _Reader, region: Region) -> tuple[str, ...]:
    """availabilityZoneIds, each checked against the region's zones, EKS's and Fargate's limits."""
    key = "availabilityZoneIds"
    ids = config.strings(key)
    if not ids:
        return ()
    low, high = AZ_COUNT_RANGE
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


def _default(config: _Reader, name: str) -> int | None:
    """The default Pulumi.yaml declares for an integer setting."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    declared = (yaml.load(PROJECT_FILE.read_text(), Loader=loader).get("config") or {}).get(name) or {}
    default = declared.get("default")
    return int(default) if default is not None else None


def _cluster(config: _Reader, default_name: str) -> ClusterSettings:
    name = config.string("clusterName") or default_name
    config.check("clusterName", name, is_dns_label, f"{DNS_LABEL_RULE} (it defaults to <project>-<stack>)")
    admins = config.strings("adminPrincipalArns")
    for arn in admins:
        config.check(
            "adminPrincipalArns",
            arn,
            _IAM_PRINCIPAL_ARN.match,
            "IAM role or user ARNs, e.g. arn:aws:iam::123456789012:role/platform-admin",
        )
    log_types = config.strings("clusterLogTypes")
    for log_type in log_types:
        config.check("clusterLogTypes", log_type, lambda v: v in CLUSTER_LOG_TYPES, f"a subset of {list(CLUSTER_LOG_TYPES)}")
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
        kubernetes_version=config.choice("kubernetesVersion", SUPPORTED_KUBERNETES_VERSIONS),
        admin_principal_arns=admins,
        log_types=log_types,
        endpoint_public_access=public,
        endpoint_private_access=private,
        public_access_cidrs=cidrs,
        secrets_encryption=config.boolean("secretsEncryption"),
        support_type=config.choice("supportType", SUPPORT_TYPES),
    )


def nginx_preset_keys_unset(config: _Reader, port: int, probe_path: str, why: str) -> None:
    """A workload on the hardened nginx preset takes its port, probe, command and args from the preset:
    setting any of them is an error that says `why`."""
    for key, value, unset in (
        ("appPort", port, port == 0),
        ("appProbePath", probe_path, not probe_path),
        ("appCommand", list(config.strings("appCommand")), not config.strings("appCommand")),
        ("appArgs", list(config.strings("appArgs")), not config.strings("appArgs")),
    ):
        if not unset:
            raise SettingsError(config.key(key), value, why)


def _alb(config: _Reader, region: str) -> AlbSettings:
    web_acl = config.string("albWebAclArn")
    problem = edges.web_acl_problem(web_acl, region)
    if problem:
        raise SettingsError(config.key("albWebAclArn"), web_acl, problem)
    return AlbSettings(
        access_logs=config.boolean("albAccessLogs"),
        access_log_retention_days=config.integer("albAccessLogRetentionDays", ACCESS_LOG_RETENTION_RANGE),
        web_acl_arn=web_acl,
    )


def read_edge(config: _Reader, keys: dict[str, str], region: str) -> Edge:
    """An app's edge from the keys `keys` names; its first problem as a SettingsError naming the key."""
    edge = Edge(
        host=config.string(keys["host"]),
        certificate_arn=config.string(keys["certificate_arn"]),
        hosted_zone=config.string(keys["hosted_zone"]),
        dns_record=config.boolean(keys["dns_record"]),
    )
    for problem in edges.problems(edge, region):
        raise SettingsError(config.key(keys[problem.field]), problem.value, problem.allowed)
    return edge


def _app(config: _Reader, region: str) -> AppSettings:
    namespace = config.string("appNamespace")
    config.check("appNamespace", namespace, is_dns_label, DNS_LABEL_RULE)
    config.check("appNamespace", namespace, lambda v: v != "kube-system", "a namespace of its own, not kube-system")
    image = config.string("appImage")
    config.check("appImage", image, lambda v: bool(v) and " " not in v, "a container image reference")
    replicas = config.integer("appReplicas", REPLICAS_RANGE)
    autoscaling = _autoscaling(config, replicas)
    port = config.integer("appPort", APP_PORT_SETTING_RANGE)
    probe_path = config.string("appProbePath")
    env, secret_env = app_env(config, "appEnv", "appSecretEnv")
    cpu, memory = config.string("appCpu"), config.string("appMemory")
    walkthrough = config.boolean("appWalkthroughImage") or image_repository(image) == image_repository(WALKTHROUGH_IMAGE)
    writable = config.strings("appWritablePaths")
    if walkthrough:
        nginx_preset_keys_unset(
            config,
            port,
            probe_path,
            f"left unset for the walkthrough's image {image!r}: it runs on its own hardened nginx configuration "
            "(port 8080, probe /); set it only with an image of your own",
        )
        config.check(
            "appWritablePaths",
            list(writable),
            lambda v: "/tmp" in v,
            "a list that holds /tmp: the walkthrough's nginx writes its pid, temp files and access log FIFO there",
        )
        spec = nginx_preset(
            "app-2048", image, replicas, cpu, memory, autoscaling, env=env, secret_env=secret_env, writable_paths=writable
        )
    else:
        missing = [key for key, unset in (("appPort", port == 0), ("appProbePath", not probe_path)) if unset]
        if missing:
            raise SettingsError(
                config.key(missing[0]),
                port if missing[0] == "appPort" else probe_path,
                f"appImage {image!r} is not the walkthrough's image, so the app's {' and '.join(missing)} must be set "
                "(the port its container listens on and the HTTP path its readiness and liveness probes ask); "
                "or set appWalkthroughImage: true if it is the walkthrough's image under another name",
            )
        spec = WorkloadSpec(
            name="app-2048",
            image=image,
            port=port,
            probe_path=probe_path,
            replicas=replicas,
            cpu=cpu,
            memory=memory,
            command=config.strings("appCommand"),
            args=config.strings("appArgs"),
            env=env,
            secret_env=secret_env,
            writable_paths=writable,
            autoscaling=autoscaling,
        )
    check_workload(config, spec, APP_KEYS)
    return AppSettings(
        enabled=config.boolean("appEnabled"),
        namespace=namespace,
        workload=spec,
        edge=read_edge(config, APP_EDGE_KEYS, region),
    )


def app_env(config: _Reader, env_key: str, secret_key: str) -> tuple[Any, Any]:
    """NAME=value and NAME=secret/key lists, parsed; a malformed item fails naming its key."""
    env = parse_env(config.strings(env_key))
    if isinstance(env, str):
        raise SettingsError(config.key(env_key), env, "items NAME=value, e.g. LOG_LEVEL=info")
    secret_env = parse_secret_env(config.strings(secret_key))
    if isinstance(secret_env, str):
        raise SettingsError(
            config.key(secret_key),
            secret_env,
            "items NAME=secret/key: a key of a Secret in the namespace, e.g. DB_PASSWORD=db/password",
        )
    return env, secret_env


def check_workload(config: _Reader, spec: WorkloadSpec, keys: dict[str, str]) -> None:
    """The spec's first problem, as a SettingsError naming the key that sets the field."""
    for problem in problems(spec):
        raise SettingsError(config.key(keys.get(problem.field, problem.field)), problem.value, problem.allowed)


def _autoscaling(config: _Reader, min_replicas: int) -> AutoscalingSettings | None:
    if not config.boolean("appAutoscaling"):
        return None
    low, high = AUTOSCALING_REPLICAS_RANGE
    max_replicas = config.integer("appMaxReplicas", AUTOSCALING_REPLICAS_RANGE)
    if not low <= min_replicas <= max_replicas:
        raise SettingsError(
            config.key("appReplicas"),
            min_replicas,
            f"with appAutoscaling on, appReplicas is the autoscaler's minimum: from {low} to appMaxReplicas ({max_replicas})",
        )
    return AutoscalingSettings(
        min_replicas=min_replicas,
        max_replicas=max_replicas,
        cpu_target_percent=config.integer("appCpuTargetPercent", CPU_TARGET_PERCENT_RANGE),
    )


def _logging(config: _Reader, cluster_name: str) -> LoggingSettings:
    retention = config.integer("fargateLogRetentionDays", (LOG_RETENTION_DAYS[0], LOG_RETENTION_DAYS[-1]))
    config.check("fargateLogRetentionDays", retention, lambda v: v in LOG_RETENTION_DAYS, f"one of {list(LOG_RETENTION_DAYS)}")
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


def _team(config: _Reader) -> TeamSettings:
    name = config.string("team")
    config.check("team", name, is_dns_label, DNS_LABEL_RULE)
    cost_center, owner = config.string("costCenter"), config.string("owner")
    config.check("costCenter", cost_center, TAG_VALUE.match, TAG_VALUE_RULE)
    config.check("owner", owner, TAG_VALUE.match, TAG_VALUE_RULE)
    return TeamSettings(name=name, cost_center=cost_center, owner=owner)


def is_dns_label(value: str) -> bool:
    return len(value) <= MAX_LABEL_LENGTH and bool(DNS1123_LABEL.match(value))


def _is_ipv4_cidr(value: str) -> bool:
    if "/" not in value:
        return False
    try:
        ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        return False
    return True


class _Reader:
    """Typed access to one config namespace; every error names the fully qualified key."""

    def __init__(self, config: pulumi.Config, namespace: str):
        self._config = config
        self._namespace = namespace

    def key(self, name: str) -> str:
        return f"{self._namespace}:{name}"

    def raw(self, name: str) -> str | None:
        return self._config.get(name)

    def string(self, name: str) -> str:
        return (self.raw(name) or "").strip()

    def boolean(self, name: str) -> bool:
        value = self.raw(name)
        if value not in ("true", "false"):
            raise SettingsError(self.key(name), value, "true or false")
        return value == "true"

    def integer(self, name: str, bounds: tuple[int, int]) -> int:
        value = self.raw(name)
        low, high = bounds
        try:
            number = int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise SettingsError(self.key(name), value, f"a whole number from {low} to {high}") from None
        if not low <= number <= high:
            raise SettingsError(self.key(name), number, f"a whole number from {low} to {high}")
        return number

    def choice(self, name: str, allowed: tuple[str, ...]) -> str:
        value = self.string(name)
        if value not in allowed:
            raise SettingsError(self.key(name), value, f"one of {list(allowed)}")
        return value

    def strings(self, name: str) -> tuple[str, ...]:
        value = self.raw(name)
        if value is None or value == "":
            return ()
        try:
            items = json.loads(value)
        except json.JSONDecodeError:
            items = None
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise SettingsError(self.key(name), value, "a list of strings")
        return tuple(items)

    def subnet_ids(self, name: str) -> tuple[str, ...]:
        ids = self.strings(name)
        for subnet_id in ids:
            self.check(name, subnet_id, _SUBNET_ID.match, "subnet ids like subnet-0123456789abcdef0")
        if len(ids) < 2 or len(set(ids)) != len(ids):
            raise SettingsError(
                self.key(name),
                list(ids),
                "at least 2 distinct subnet ids, in different availability zones, when existingVpcId is set",
            )
        return ids

    def check(self, name: str, value: Any, accept: Callable[[Any], Any], allowed: str) -> None:
        if not accept(value):
            raise SettingsError(self.key(name), value, allowed)
