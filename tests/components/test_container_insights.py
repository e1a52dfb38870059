"""Pod metrics on Fargate: the ADOT collector's configuration, pod, identity and Fargate profile.

And that turning it off (tests/data/stacks/Pulumi.metrics-off.yaml) removes every piece.
"""

import hashlib
import json
import re

import pytest
import yaml

from components.container_insights import NAME, NAMESPACE, TOKEN_DIR, collector_config, collector_config_yaml
from eksfargate import regions
from eksfargate.contract import ObservabilityOutput
from eksfargate.facts import container_insights as facts
from eksfargate.facts.pod_security import RESTRICTED_NAMESPACE_LABELS
from tests.components.test_game_2048 import hardening_gaps
from tests.conftest import recording_of
from tests.programs.test_pod_security import restricted_violations
from tests.stackfacts import PROFILE, STACKS_DIR, cluster_name, setting

COMPONENT = "eksfargate:observability:ContainerInsights"
STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"
CLUSTER_ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"
NAMESPACE_TYPE = "kubernetes:core/v1:Namespace"
READ_VERBS = {"get", "list", "watch"}


def enabled(recording) -> bool:
    return setting(recording, "containerInsights") == "true"


def collector(recording):
    (stateful_set,) = [s for s in recording.of_type(STATEFUL_SET) if s.inputs["metadata"]["namespace"] == NAMESPACE]
    return stateful_set


def collector_pod(recording) -> dict:
    return collector(recording).inputs["spec"]["template"]["spec"]


def config_map(recording):
    (found,) = [c for c in recording.of_type(CONFIG_MAP) if c.inputs["metadata"].get("namespace") == NAMESPACE]
    return found


def config(recording) -> dict:
    (text,) = config_map(recording).inputs["data"].values()
    return yaml.load(text, Loader=yaml.CSafeLoader)  # yaml.safe_load's reading, parsed by libyaml


@pytest.fixture(scope="module")
def metrics_off():
    return recording_of("metrics-off", STACKS_DIR / "Pulumi.metrics-off.yaml")


@pytest.fixture
def on(stack):
    if not enabled(stack):
        pytest.skip("containerInsights is off in this stack file")
    return stack


# ---------------------------------------------------------------- the configuration


def test_every_pipeline_names_only_defined_components_and_every_defined_one_is_used(on):
    parsed = config(on)
    service = parsed["service"]
    used: dict[str, set[str]] = {"receivers": set(), "processors": set(), "exporters": set()}
    for pipeline in service["pipelines"].values():
        for kind, names in used.items():
            assert pipeline[kind], kind
            assert set(pipeline[kind]) <= set(parsed[kind]), (kind, pipeline[kind])
            names.update(pipeline[kind])
    for kind, names in used.items():
        assert names == set(parsed[kind]), f"{kind} defined but in no pipeline: {set(parsed[kind]) - names}"
    assert set(service["extensions"]) == set(parsed["extensions"])


# Two cases stand for every stack: the region and the log group are plain scalars of one shape in any
# region and for any cluster name (the shortest and the longest EKS allows); the rest is fixed text.
@pytest.mark.parametrize(
    "region,cluster", [("us-east-1", "dev"), (regions.supported_codes()[-1], "a-100-character-cluster-name-" + "x" * 71)]
)
def test_the_configuration_is_the_text_pyyamls_own_emitter_writes(region, cluster):
    """collector_config_yaml emits with libyaml; PyYAML's emitter in Python must write the same text."""
    group = facts.performance_log_group(cluster)
    python_emitter = yaml.safe_dump(collector_config(region, group), sort_keys=False, width=200)
    assert collector_config_yaml(region, group) == python_emitter


def test_region_cluster_and_log_group_are_the_stacks(on):
    exporter = config(on)["exporters"]["awsemf"]
    assert exporter["region"] == on.config["aws:region"]
    group = on.one(LOG_GROUP, "container-insights-performance").inputs
    assert exporter["log_group_name"] == group["name"] == facts.performance_log_group(cluster_name(on))
    assert group["retentionInDays"] == int(setting(on, "containerInsightsLogRetentionDays"))
    (container,) = collector_pod(on)["containers"]
    environment = {e["name"]: e["value"] for e in container["env"]}
    assert environment["OTEL_RESOURCE_ATTRIBUTES"] == f"{facts.CLUSTER_NAME}={cluster_name(on)}"
    assert "resourcedetection" in config(on)["service"]["pipelines"]["metrics"]["processors"]


def test_the_published_metrics_and_dimensions_are_the_facts_and_the_pipeline_makes_each(dev):
    parsed = config(dev)
    (declaration,) = parsed["exporters"]["awsemf"]["metric_declarations"]
    assert parsed["exporters"]["awsemf"]["namespace"] == facts.METRIC_NAMESPACE
    assert {tuple(d) for d in declaration["dimensions"]} == set(facts.DIMENSION_SETS)
    assert set(declaration["metric_name_selectors"]) == set(facts.METRICS)
    processors = parsed["processors"]
    renamed = {t["new_name"] for t in processors["metricstransform/rename"]["transforms"]}
    generated = {r["name"] for key in ("metricsgeneration/1", "metricsgeneration/2") for r in processors[key]["rules"]}
    assert set(facts.METRICS) <= renamed | generated
    # Each generated metric's inputs are made before it, in pipeline order.
    order = parsed["service"]["pipelines"]["metrics"]["processors"]
    made_by = {name: "metricstransform/rename" for name in renamed}
    for key in ("metricsgeneration/1", "metricsgeneration/2"):
        for rule in processors[key]["rules"]:
            for source in (rule["metric1"], rule.get("metric2")):
                if source:
                    assert order.index(made_by[source]) < order.index(key), (rule["name"], source)
            made_by[rule["name"]] = key
    # Every dimension is a label the pipeline sets (or the environment's resource attribute).
    labels = {
        operation["new_label"]
        for key in ("metricstransform/label_1", "metricstransform/label_2")
        for transform in processors[key]["transforms"]
        for operation in transform["operations"]
    }
    assert {d for dims in facts.DIMENSION_SETS for d in dims} <= labels | {facts.CLUSTER_NAME}


def relabel(rules: list[dict], labels: dict[str, str]) -> dict[str, str]:
    """Prometheus's `replace` relabelling (the default action): the source labels joined with ';' against a
    fully anchored regex (default (.*)), the target set to the replacement (default $1) where it matches.
    `$$` is the collector's escape for a literal `$`."""
    labels = dict(labels)
    for rule in rules:
        if rule.get("action", "replace") != "replace":
            continue
        value = ";".join(labels.get(name, "") for name in rule.get("source_labels", []))
        match = re.fullmatch(rule.get("regex", "(.*)"), value)
        if match:
            replacement = rule.get("replacement", "$1").replace("$$", "$")
            labels[rule["target_label"]] = match.expand(re.sub(r"\$\{?(\d+)\}?", r"\\g<\1>", replacement))
    return labels


@pytest.mark.parametrize(
    "pod,workload",
    [
        ("deployment-2048-7d9f8b6c5d-x2x4k", "deployment-2048"),
        ("coredns-5b9dfbf96-bdcfg", "coredns"),
        ("aws-load-balancer-controller-6c58f7b4d9-2lq7z", "aws-load-balancer-controller"),
        ("adot-collector-0", "adot-collector"),
        ("debug", "debug"),
    ],
)
def test_the_workload_dimension_is_the_pods_controller(dev, pod, workload):
    (job,) = config(dev)["receivers"]["prometheus"]["config"]["scrape_configs"]
    assert relabel(job["metric_relabel_configs"], {"pod": pod})["workload"] == workload


def test_nodes_are_scraped_through_the_api_server_with_the_projected_token(dev):
    (job,) = config(dev)["receivers"]["prometheus"]["config"]["scrape_configs"]
    assert job["kubernetes_sd_configs"] == [{"role": "node"}]
    addresses = relabel(job["relabel_configs"], {"__meta_kubernetes_node_name": "fargate-ip-10-10-1-2.ec2.internal"})
    assert addresses["__address__"] == "kubernetes.default.svc:443"
    # $$ is the collector's escape for a literal $.
    assert (
        addresses["__metrics_path__"].replace("$$", "$")
        == "/api/v1/nodes/fargate-ip-10-10-1-2.ec2.internal/proxy/metrics/cadvisor"
    )
    pod = collector_pod(dev)
    (token_volume,) = [v for v in pod["volumes"] if "projected" in v]
    (container,) = pod["containers"]
    (mount,) = [m for m in container["volumeMounts"] if m["name"] == token_volume["name"]]
    assert mount["mountPath"] == TOKEN_DIR and mount["readOnly"] is True
    projected = set()
    for source in token_volume["projected"]["sources"]:
        if "serviceAccountToken" in source:
            projected.add(source["serviceAccountToken"]["path"])
        projected.update(item["path"] for item in (source.get("configMap") or {}).get("items", []))
    assert {f"{TOKEN_DIR}/{path}" for path in projected} >= {job["bearer_token_file"], job["tls_config"]["ca_file"]}


# ---------------------------------------------------------------- the pod


def test_the_collector_pod_is_hardened_and_meets_restricted(on):
    pod = collector_pod(on)
    assert hardening_gaps(pod) == []
    assert restricted_violations(pod) == []
    namespace = next(n for n in on.of_type(NAMESPACE_TYPE) if n.inputs["metadata"]["name"] == NAMESPACE)
    assert RESTRICTED_NAMESPACE_LABELS.items() <= namespace.inputs["metadata"]["labels"].items()


def test_one_pod_with_requests_equal_to_limits_and_probes_on_the_health_check(on):
    spec = collector(on).inputs["spec"]
    assert spec["replicas"] == 1
    (container,) = spec["template"]["spec"]["containers"]
    assert container["resources"]["requests"] == container["resources"]["limits"]
    # A release tag for the reader, and the digest that decides what is pulled.
    assert re.fullmatch(
        r"public\.ecr\.aws/aws-observability/aws-otel-collector:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}", container["image"]
    )
    endpoint = config(on)["extensions"]["health_check"]["endpoint"]
    port = int(endpoint.rsplit(":", 1)[1])
    assert not endpoint.startswith(("localhost", "127."))  # the kubelet probes the pod's address
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["port"] == port


def test_the_pod_runs_on_its_own_fargate_profile_after_its_permissions_and_the_log_router(on):
    stateful_set = collector(on)
    (profile,) = [p for p in on.of_type(PROFILE) if {"namespace": NAMESPACE} in p.inputs["selectors"]]
    assert profile.delete_before_replace
    assert stateful_set.depends_on(profile)
    assert stateful_set.depends_on(on.one(ROLE_POLICY, "container-insights-logs"))
    assert stateful_set.depends_on(on.one(CLUSTER_ROLE_BINDING, "container-insights-reader"))
    if setting(on, "fargateLogging") == "true":
        router = next(c for c in on.of_type(CONFIG_MAP) if c.inputs["metadata"].get("name") == "aws-logging")
        assert stateful_set.depends_on(router)
    assert profile.inputs["fargateProfileName"] in on.outputs["fargateProfileNames"]


def test_a_config_change_rolls_the_pod(on):
    (text,) = config_map(on).inputs["data"].values()
    annotations = collector(on).inputs["spec"]["template"]["metadata"]["annotations"]
    assert annotations["checksum/config"] == hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------- identity


def test_the_role_may_only_write_the_performance_log_group(on):
    document = json.loads(on.one(ROLE_POLICY, "container-insights-logs").inputs["policy"])
    group_arn = on.one(LOG_GROUP, "container-insights-performance").outputs.get("arn")
    (statement,) = document["Statement"]
    assert statement["Effect"] == "Allow"
    assert set(statement["Action"]) == {"logs:CreateLogStream", "logs:PutLogEvents"}
    assert all(resource.startswith(group_arn) for resource in statement["Resource"])


def test_the_role_is_the_collectors_service_accounts_alone(on):
    trust = json.loads(on.one(ROLE, "container-insights-irsa").inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    subjects = [v for k, v in statement["Condition"]["StringEquals"].items() if k.endswith(":sub")]
    assert subjects == [f"system:serviceaccount:{NAMESPACE}:{NAME}"]
    account = on.one(SERVICE_ACCOUNT, "container-insights-account").inputs
    assert (account["metadata"]["namespace"], account["metadata"]["name"]) == (NAMESPACE, NAME)
    assert collector_pod(on)["serviceAccountName"] == NAME


def test_the_cluster_role_only_reads_and_is_bound_to_the_collector_alone(on):
    rules = on.one(CLUSTER_ROLE, "container-insights-reader").inputs["rules"]
    assert all(set(rule["verbs"]) <= READ_VERBS for rule in rules)
    assert all("*" not in rule["resources"] for rule in rules)
    binding = on.one(CLUSTER_ROLE_BINDING, "container-insights-reader").inputs
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": NAME, "namespace": NAMESPACE}]


# ---------------------------------------------------------------- off


def test_turning_it_off_removes_every_piece(dev, metrics_off):
    assert enabled(dev) and not enabled(metrics_off)
    (component,) = dev.of_type(COMPONENT)
    pieces = {(r.type, r.name) for r in dev.resources if r.parent == component.urn} | {(component.type, component.name)}
    (profile,) = [p for p in dev.of_type(PROFILE) if {"namespace": NAMESPACE} in p.inputs["selectors"]]
    pieces.add((profile.type, profile.name))
    left = {(r.type, r.name) for r in dev.resources} - {(r.type, r.name) for r in metrics_off.resources}
    assert left == pieces
    output = ObservabilityOutput.POD_METRICS_LOG_GROUP
    assert output in dev.outputs and output not in metrics_off.outputs
    assert NAMESPACE not in json.dumps([r.inputs for r in metrics_off.resources])
