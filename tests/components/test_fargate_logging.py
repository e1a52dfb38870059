"""Pod logs through Fargate's built-in log router into the stack's own CloudWatch log group."""

import json

import pytest

from components import fargate_logging
from components.container_insights import NAMESPACE as METRICS_NAMESPACE
from components.fargate_logging import (
    FargateLoggingConfigError,
    config_map_manifest,
    log_permissions_policy,
    router_configuration,
    validate_router_configuration,
)
from eksfargate.settings import default_log_group_name
from offline.harness import record
from tests.stackfacts import PINNED_DEV

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
NAMESPACE = "kubernetes:core/v1:Namespace"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POD_LOG_GROUP, POD_LOGGING_POLICY = "logging-pods", "fargate-pod-logging"
ADDON = "aws:eks/addon:Addon"
RELEASE = "kubernetes:helm.sh/v3:Release"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"

# AWS's example policy for the router's CloudWatch output (aws-samples/amazon-eks-fluent-logging-examples,
# examples/fargate/cloudwatchlogs/permissions.json at a517640f), which grants them on "*".
AWS_EXAMPLE_ACTIONS = {
    "logs:CreateLogStream",
    "logs:CreateLogGroup",
    "logs:DescribeLogStreams",
    "logs:PutLogEvents",
    "logs:PutRetentionPolicy",
}


def setting(recording, key):
    return recording.config[f"eks-fargate:{key}"]


def outputs_of(config_map) -> dict[str, str]:
    """The [OUTPUT] section of output.conf as {key: value}."""
    lines = config_map.inputs["data"]["output.conf"].splitlines()
    return dict(line.split(None, 1) for line in lines[1:])


def unscoped_resources(policy: dict, log_group_arn: str) -> list[str]:
    """Resources of an Allow statement that reach beyond this log group and its streams."""
    allowed = {log_group_arn, f"{log_group_arn}:*"}
    return [
        resource
        for statement in policy["Statement"]
        if statement["Effect"] == "Allow"
        for resource in ([statement["Resource"]] if isinstance(statement["Resource"], str) else statement["Resource"])
        if resource not in allowed
    ]


# ---------------------------------------------------------------- what a stack declares


def test_the_namespace_and_configmap_are_where_eks_looks_for_them(stack):
    namespace = stack.one(NAMESPACE, "logging-namespace").inputs["metadata"]
    assert namespace == {"name": "aws-observability", "labels": {"aws-observability": "enabled"}}
    config_map = stack.one(CONFIG_MAP, "logging-config")
    assert config_map.inputs["metadata"] == {"name": "aws-logging", "namespace": "aws-observability"}
    validate_router_configuration(config_map.inputs)


def test_the_stack_creates_the_log_group_with_retention_and_tags(stack):
    group = stack.one(LOG_GROUP, POD_LOG_GROUP)
    cluster_name = stack.outputs["clusterName"]
    assert group.inputs["name"] == (setting(stack, "fargateLogGroupName") or default_log_group_name(cluster_name))
    assert group.inputs["retentionInDays"] == int(setting(stack, "fargateLogRetentionDays"))
    assert group.inputs["tags"]["team"] == setting(stack, "team")
    assert stack.outputs["podLogGroupName"] == group.inputs["name"]


def test_the_router_writes_into_that_group_and_creates_nothing(stack):
    output = outputs_of(stack.one(CONFIG_MAP, "logging-config"))
    assert output["Name"] == "cloudwatch_logs"
    assert output["log_group_name"] == stack.one(LOG_GROUP, POD_LOG_GROUP).inputs["name"]
    assert output["region"] == stack.config["aws:region"]
    assert output["auto_create_group"] == "false"
    # Retention is the group's, set by the stack; the router must not set its own.
    assert "log_retention_days" not in output
    # Fluent Bit's own logs would go to a group Fargate creates without retention.
    assert stack.one(CONFIG_MAP, "logging-config").inputs["data"]["flb_log_cw"] == "false"


def test_the_pod_execution_role_may_write_only_to_that_group(stack):
    inline = stack.one(ROLE_POLICY, POD_LOGGING_POLICY)
    role = stack.one("aws:iam/role:Role", "fargate-pod-execution")
    assert [p for p in stack.of_type(ROLE_POLICY) if p.inputs["role"] == role.id] == [inline]
    assert inline.inputs["role"] == role.id
    policy = json.loads(inline.inputs["policy"])
    (statement,) = policy["Statement"]
    assert set(statement["Action"]) <= AWS_EXAMPLE_ACTIONS
    # The stack owns the group and its retention: the router needs neither of these.
    assert not {"logs:CreateLogGroup", "logs:PutRetentionPolicy"} & set(statement["Action"])
    assert unscoped_resources(policy, stack.one(LOG_GROUP, POD_LOG_GROUP).outputs["arn"]) == []


def test_a_wider_resource_is_caught():
    arn = "arn:aws:logs:ap-northeast-2:123456789012:log-group:/aws/eks/c/fargate-pods"
    assert unscoped_resources(log_permissions_policy(arn), arn) == []
    for wider in (
        "*",
        "arn:aws:logs:ap-northeast-2:123456789012:*",
        "arn:aws:logs:ap-northeast-2:123456789012:log-group:/aws/eks/c/*",
    ):
        widened = log_permissions_policy(arn)
        widened["Statement"][0]["Resource"].append(wider)
        assert unscoped_resources(widened, arn) == [wider]


# ---------------------------------------------------------------- ordering


def test_every_pod_starts_after_the_router_config_and_its_permissions(stack):
    """A pod's router is configured once, at start: without these edges the first pods log nothing."""
    config_map, permissions = stack.one(CONFIG_MAP, "logging-config"), stack.one(ROLE_POLICY, POD_LOGGING_POLICY)
    for waiter in (*stack.of_type(ADDON), *stack.of_type(RELEASE), *stack.of_type(DEPLOYMENT)):  # no game on a platform
        assert waiter.depends_on(config_map), waiter.name
        assert waiter.depends_on(permissions), waiter.name


def test_the_configmap_waits_for_the_log_group_so_pods_never_write_to_a_missing_group(stack):
    assert stack.one(CONFIG_MAP, "logging-config").depends_on(stack.one(LOG_GROUP, POD_LOG_GROUP))
    assert stack.one(ROLE_POLICY, POD_LOGGING_POLICY).property_dependencies["policy"] == [stack.one(LOG_GROUP, POD_LOG_GROUP).urn]


def test_logging_off_declares_none_of_it(logging_off):
    assert logging_off.error is None
    # The pod metrics collector's log group and role policy are its own (tests/components/test_container_insights.py).
    for type_, name in ((LOG_GROUP, POD_LOG_GROUP), (ROLE_POLICY, POD_LOGGING_POLICY)):
        assert [r for r in logging_off.of_type(type_) if r.name == name] == [], type_
    assert all(c.inputs["metadata"].get("namespace") != "aws-observability" for c in logging_off.of_type(CONFIG_MAP))
    namespaces = [n.inputs["metadata"]["name"] for n in logging_off.of_type(NAMESPACE)]
    assert [n for n in namespaces if n != METRICS_NAMESPACE] == [setting(logging_off, "appNamespace")]
    assert logging_off.outputs["podLogGroupName"] is None


# ---------------------------------------------------------------- the ConfigMap's documented limits


def good_data() -> dict[str, str]:
    return router_configuration("/aws/eks/c/fargate-pods", "ap-northeast-2")


def rejected(data: dict[str, str], match: str) -> None:
    with pytest.raises(FargateLoggingConfigError, match=match):
        validate_router_configuration(config_map_manifest(data))


def test_the_rendered_configuration_is_within_every_limit():
    manifest = config_map_manifest(good_data())
    validate_router_configuration(manifest)
    assert len(json.dumps(manifest)) < fargate_logging.MAX_CONFIG_MAP_CHARACTERS / 2


def test_an_oversized_configmap_is_rejected():
    data = good_data()
    data["filters.conf"] += "[FILTER]\n    Name grep\n    Match *\n    Exclude log " + "x" * 5300 + "\n"
    rejected(data, "at most 5300")


@pytest.mark.parametrize(
    "key,text,match",
    [
        ("filters.conf", "[INPUT]\n    Name tail\n    Match *\n", r"\[INPUT\] is not allowed"),
        ("output.conf", "[SERVICE]\n    Flush 1\n", r"\[SERVICE\] is not allowed"),
        ("output.conf", "[FILTER]\n    Name grep\n    Match *\n", r"\[FILTER\] is not allowed there"),
        ("filters.conf", "[FILTER]\n    Name lua\n    Match *\n", "filter plugin 'lua' is not supported"),
        ("output.conf", "[OUTPUT]\n    Name stdout\n    Match *\n", "output plugin 'stdout' is not supported"),
        ("output.conf", "[OUTPUT]\n    Name cloudwatch_logs\n", "without match"),
        ("parsers.conf", "[PARSER]\n    Name p\n    Regex ^(?<log>.*)$\n", "without format"),
        ("output.conf", "[OUTPUT]\n    Name es\n    Match *\n    Host ${ES_HOST}\n", r"environment variables"),
        ("filters.conf", "[FILTER]\n    Name kubernetes\n    Match kube.*\n    Kube_URL https://x\n", "set by Fargate"),
        ("filters.conf", "[FILTER]\nName grep\nMatch *\n", "indented more"),
        ("output.conf", "", "no \\[OUTPUT\\]"),
    ],
)
def test_a_forbidden_section_plugin_or_key_is_rejected(key, text, match):
    data = good_data()
    data[key] = text
    rejected(data, match)


def test_an_unknown_data_key_is_rejected():
    data = good_data()
    data["fluent-bit.conf"] = "[SERVICE]\n    Flush 1\n"
    rejected(data, "unknown key 'fluent-bit.conf'")


def test_the_check_runs_before_the_configmap_is_declared(monkeypatch):
    oversized = good_data()
    oversized["parsers.conf"] += "# " + "x" * 6000 + "\n"
    monkeypatch.setattr(fargate_logging, "router_configuration", lambda *_: oversized)
    recording = record("dev", stack_file=PINNED_DEV)
    assert isinstance(recording.error, FargateLoggingConfigError)
    assert [c.name for c in recording.of_type(CONFIG_MAP) if c.name == "logging-config"] == []
    assert recording.of_type(LOG_GROUP) == []
