"""Pod logs through Fargate's built-in log router (Fluent Bit) into a CloudWatch log group.

Fargate runs the router beside every pod and configures it from the `aws-logging` ConfigMap
in the `aws-observability` namespace, read when the pod starts (EKS user guide,
fargate-logging.adoc). The router writes with the pod execution role: `log_permissions_policy`
is what that role needs for this log group, attached by the Fargate component, which owns the role.
A running pod keeps the configuration it started with: `pod_logging` names it, for the pod-template
annotations (components/rollout.py) that roll the stack's pods when it changes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.cluster_context import ClusterContext
from components.rollout import pod_logging
from eksfargate.facts.fargate_logging import LOG_STREAM_PREFIX
from eksfargate.facts.fargate_logging import LOGGING_CONFIG_MAP as CONFIG_MAP
from eksfargate.facts.fargate_logging import LOGGING_NAMESPACE as NAMESPACE
from eksfargate.facts.fargate_logging import LOGGING_NAMESPACE_LABELS as NAMESPACE_LABELS

# The `cloudwatch_logs` plugin (Fluent Bit's C plugin) calls CreateLogStream and PutLogEvents;
# it calls CreateLogGroup only with auto_create_group and PutRetentionPolicy only with
# log_retention_days, both off here since the stack owns the group and its retention.
# AWS's example policy (aws-samples/amazon-eks-fluent-logging-examples, fargate/cloudwatchlogs)
# also grants those two and DescribeLogStreams (used by the older Go `cloudwatch` plugin), on "*".
LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")

# ---------------------------------------------------------------- the ConfigMap's documented limits
# fargate-logging.adoc: at most 5,300 characters; only [FILTER] under filters.conf, [OUTPUT]
# under output.conf, [PARSER] under parsers.conf; Name and Match required in FILTER and OUTPUT,
# Name and Format in PARSER (keys case-insensitive); no ${ENV}; directives equally indented
# and keys indented more; these filters and outputs only; at least one output.
MAX_CONFIG_MAP_CHARACTERS = 5300
SECTION_OF_KEY = {"filters.conf": "FILTER", "output.conf": "OUTPUT", "parsers.conf": "PARSER"}
FLUENT_BIT_PROCESS_LOGS_KEY = "flb_log_cw"
REQUIRED_KEYS = {"FILTER": ("name", "match"), "OUTPUT": ("name", "match"), "PARSER": ("name", "format")}
SUPPORTED_FILTERS = ("grep", "parser", "record_modifier", "rewrite_tag", "throttle", "nest", "modify", "kubernetes")
SUPPORTED_OUTPUTS = ("es", "firehose", "kinesis_firehose", "cloudwatch", "cloudwatch_logs", "kinesis")
# Set by Fargate for the kubernetes filter; the guide says they must not be given.
SERVICE_OWNED_KUBERNETES_KEYS = ("kube_url", "kube_ca_file", "kube_token_command", "kube_token_file")
_SECTION = re.compile(r"^\[(?P<name>[^\]]*)\]$")


class FargateLoggingConfigError(ValueError):
    """An aws-logging ConfigMap that Fargate's log router would reject."""


@dataclass
class FargateLoggingArgs:
    """Inputs of `FargateLogging`.

    cluster: the cluster (its region: the router writes to the log group there).
    log_group_name: the CloudWatch log group the pods' logs go to; created here.
    retention_days: how long CloudWatch Logs keeps them (a value CloudWatch accepts).
    """

    cluster: ClusterContext
    log_group_name: str
    retention_days: int


class FargateLogging(pulumi.ComponentResource):
    """The log group, the aws-observability namespace and the aws-logging ConfigMap."""

    log_group: aws.cloudwatch.LogGroup
    config_map: k8s.core.v1.ConfigMap
    log_permissions_policy: pulumi.Output[str]
    # What a pod's log router starts with (rollout.pod_logging of the ConfigMap's data): known at
    # plan time, so the pod templates that carry it show the change in the plan diff.
    pod_logging: str

    def __init__(self, name: str, args: FargateLoggingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:logging:FargateLogging", name, None, opts)
        data = router_configuration(args.log_group_name, args.cluster.region)
        validate_router_configuration(config_map_manifest(data))
        self.pod_logging = pod_logging(data)

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-pods",
            name=args.log_group_name,
            retention_in_days=args.retention_days,
            tags=dict(args.cluster.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        on_cluster = pulumi.ResourceOptions(parent=self, provider=args.cluster.provider)
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace", metadata={"name": NAMESPACE, "labels": NAMESPACE_LABELS}, opts=on_cluster
        )
        self.config_map = k8s.core.v1.ConfigMap(
            f"{name}-config",
            metadata={"name": CONFIG_MAP, "namespace": namespace.metadata.name},
            data=data,
            # The router writes to the group from a pod's first line (it may not create it),
            # and on destroy the group must outlive the pods that write to it.
            opts=pulumi.ResourceOptions.merge(on_cluster, pulumi.ResourceOptions(depends_on=[self.log_group])),
        )
        self.log_permissions_policy = self.log_group.arn.apply(lambda arn: json.dumps(log_permissions_policy(arn)))
        self.register_outputs({"logGroupName": self.log_group.name, "logGroupArn": self.log_group.arn})


def router_configuration(log_group_name: str, region: str) -> dict[str, str]:
    """The ConfigMap's data: CRI lines parsed, Kubernetes metadata added, sent to the log group."""
    return {
        # Fluent Bit's own logs would go to a group Fargate creates, <cluster>-fluent-bit-logs,
        # which this stack could not give a retention to: off.
        FLUENT_BIT_PROCESS_LOGS_KEY: "false",
        "filters.conf": _sections(
            "FILTER",
            {"Name": "parser", "Match": "*", "Key_name": "log", "Parser": "cri"},
            # Kube_Meta_Cache_TTL: Fargate's default is 30 minutes; 5 keeps new labels visible sooner.
            {"Name": "kubernetes", "Match": "kube.*", "Merge_Log": "On", "Keep_Log": "Off", "Kube_Meta_Cache_TTL": "300s"},
        ),
        "output.conf": _sections(
            "OUTPUT",
            {
                "Name": "cloudwatch_logs",
                "Match": "kube.*",
                "region": region,
                "log_group_name": log_group_name,
                "log_stream_prefix": LOG_STREAM_PREFIX,
                "auto_create_group": "false",
            },
        ),
        "parsers.conf": _sections(
            "PARSER",
            # A CRI log line: <time> <stdout|stderr> <P(artial)|F(ull)> <message>.
            {
                "Name": "cri",
                "Format": "regex",
                "Regex": r"^(?<time>[^ ]+) (?<stream>stdout|stderr) (?<logtag>[PF]) (?<log>.*)$",
                "Time_Key": "time",
                "Time_Format": "%Y-%m-%dT%H:%M:%S.%L%z",
            },
        ),
    }


def _sections(kind: str, *sections: Mapping[str, str]) -> str:
    width = max(len(key) for section in sections for key in section)
    return "".join(
        f"[{kind}]\n" + "".join(f"    {key.ljust(width)} {value}\n" for key, value in section.items()) for section in sections
    )


def config_map_manifest(data: Mapping[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": CONFIG_MAP, "namespace": NAMESPACE}, "data": dict(data)}


def validate_router_configuration(manifest: Mapping[str, Any]) -> None:
    """Raises FargateLoggingConfigError where Fargate's documented checks would reject the ConfigMap."""
    data: Mapping[str, str] = manifest.get("data") or {}
    # The guide does not say what the 5,300 characters count; the whole object, as JSON, is the widest reading.
    size = len(json.dumps(manifest, separators=(",", ":")))
    if size > MAX_CONFIG_MAP_CHARACTERS:
        raise FargateLoggingConfigError(f"{CONFIG_MAP}: {size} characters, Fargate takes at most {MAX_CONFIG_MAP_CHARACTERS}")
    for key in data:
        if key not in SECTION_OF_KEY and key != FLUENT_BIT_PROCESS_LOGS_KEY:
            raise FargateLoggingConfigError(
                f"{CONFIG_MAP}: unknown key {key!r}; allowed: {[*SECTION_OF_KEY, FLUENT_BIT_PROCESS_LOGS_KEY]}"
            )
    if data.get(FLUENT_BIT_PROCESS_LOGS_KEY, "false") not in ("true", "false"):
        raise FargateLoggingConfigError(f'{CONFIG_MAP}: {FLUENT_BIT_PROCESS_LOGS_KEY} must be "true" or "false"')
    outputs = 0
    for key, kind in SECTION_OF_KEY.items():
        for section in _parse(key, data.get(key, "")):
            _check_section(key, kind, section)
            outputs += kind == "OUTPUT"
    if not outputs:
        raise FargateLoggingConfigError(f"{CONFIG_MAP}: no [OUTPUT] in output.conf; Fargate enables logging only with one")


def _parse(key: str, text: str) -> list[tuple[str, dict[str, str]]]:
    """[(section name, {lower-cased key: value})], checking indentation and ${...} on the way."""
    if "${" in text:
        raise FargateLoggingConfigError(f"{CONFIG_MAP} {key}: environment variables (${{...}}) are not allowed")
    sections: list[tuple[str, dict[str, str]]] = []
    directive_indent: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        header = _SECTION.match(line.strip())
        if header:
            if directive_indent is not None and indent != directive_indent:
                raise FargateLoggingConfigError(f"{CONFIG_MAP} {key} line {number}: sections must be indented alike")
            directive_indent = indent
            sections.append((header["name"].strip().upper(), {}))
            continue
        if not sections:
            raise FargateLoggingConfigError(f"{CONFIG_MAP} {key} line {number}: a key before any section")
        if indent <= (directive_indent or 0):
            raise FargateLoggingConfigError(
                f"{CONFIG_MAP} {key} line {number}: keys must be indented more than [{sections[-1][0]}]"
            )
        name, _, value = line.strip().partition(" ")
        sections[-1][1][name.lower()] = value.strip()
    return sections


def _check_section(key: str, kind: str, section: tuple[str, dict[str, str]]) -> None:
    name, entries = section
    where = f"{CONFIG_MAP} {key}"
    if name != kind:
        raise FargateLoggingConfigError(f"{where}: [{name}] is not allowed there; {key} takes [{kind}] sections only")
    missing = [required for required in REQUIRED_KEYS[kind] if not entries.get(required)]
    if missing:
        raise FargateLoggingConfigError(f"{where}: a [{kind}] without {' and '.join(missing)}")
    plugin = entries["name"]
    supported = {"FILTER": SUPPORTED_FILTERS, "OUTPUT": SUPPORTED_OUTPUTS}.get(kind)
    if supported and plugin not in supported:
        raise FargateLoggingConfigError(
            f"{where}: {kind.lower()} plugin {plugin!r} is not supported by Fargate; it takes {list(supported)}"
        )
    if kind == "FILTER" and plugin == "kubernetes":
        given = [k for k in SERVICE_OWNED_KUBERNETES_KEYS if k in entries]
        if given:
            raise FargateLoggingConfigError(f"{where}: {given} are set by Fargate and must not be given")


def log_permissions_policy(log_group_arn: str) -> dict[str, Any]:
    """What the router needs on this log group (its streams are <arn>:log-stream:<name>), and nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": list(LOG_ACTIONS),
                "Resource": [log_group_arn, f"{log_group_arn}:*"],
            }
        ],
    }
