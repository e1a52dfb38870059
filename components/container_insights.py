"""Pod metrics on Fargate: one ADOT collector pod sending pod CPU, memory and network to CloudWatch Container Insights.

As AWS documents it for EKS Fargate (aws-observability/aws-otel-collector v0.49.0,
deployment-template/eks/otel-fargate-container-insights.yaml; ADOT "Container Insights EKS
Fargate"): a Fargate pod cannot reach a kubelet, so the collector's Prometheus receiver finds every
node through the API server and scrapes each kubelet's cAdvisor through the API server's node proxy;
the awsemf exporter writes the results as embedded-metric-format log events, from which CloudWatch
extracts the metrics of eksfargate/facts/container_insights.py. No DaemonSet, no host access.

What differs from the reference, and why:
- `PodName` is the workload's name (the ReplicaSet hash and pod suffix stripped), as Container
  Insights means it elsewhere: a rollout or a scale-out adds no new metric, and alarms keep their
  dimensions. The pod's own name stays in the log events as `FullPodName`.
- Only the pod-level series the published metrics need are kept (the reference also renames
  container-level series that stay log fields only): fewer bytes ingested.
- The log group is the stack's, with a retention, and the collector's role may write to it only;
  the reference attaches CloudWatchAgentServerPolicy. With the group existing, the exporter calls
  PutLogEvents, and CreateLogStream for a new stream (open-telemetry/opentelemetry-collector-contrib
  internal/aws/cwlogs/cwlog_client.go: CreateLogGroup only when the group is missing).
- The RBAC is what this configuration reads: list/watch nodes (discovery), get nodes/proxy (the scrape).
- The API token is projected explicitly, not automounted, and the pod is hardened like the apps'.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import yaml

from components.alb_controller import ROLE_ARN_ANNOTATION, service_account_trust
from components.cluster_context import PodContext
from eksfargate.facts import container_insights as facts
from eksfargate.facts.pod_security import RESTRICTED_NAMESPACE_LABELS
from eksfargate.workload import RUN_AS_ID

# The pin: a release tag of aws-observability/aws-otel-collector, which its CD workflow
# (.github/workflows/CD.yml, on a tag v*.*.*) pushes to public.ecr.aws/aws-observability/aws-otel-collector:<tag>,
# and that tag's digest: the OCI index (amd64 and arm64), as three public stacks pin v0.49.0 alike (two
# from public.ecr.aws, one from Docker Hub's amazon/aws-otel-collector; second-hand). The tag is for
# the reader; with both, the kubelet pulls by the digest. To move it: read the release's notes and
# deployment-template/eks/otel-fargate-container-insights.yaml at the new tag for changed processors,
# bump both here (the digest from `crane digest <repo>:<tag>` or `docker buildx imagetools inspect`),
# `make plan`, `make diff` (the pod rolls). A wrong digest leaves the pod in ImagePullBackOff.
COLLECTOR_VERSION = "v0.49.0"
COLLECTOR_DIGEST = "sha256:d2bdfff2c377c3d71d78bd5d9ce9862fd535b12134a5739d87a07801297cf9fd"
IMAGE = f"public.ecr.aws/aws-observability/aws-otel-collector:{COLLECTOR_VERSION}@{COLLECTOR_DIGEST}"
# The stack's pods' UID, not the image's own user (aoc, 4317, in cmd/awscollector/Dockerfile): a
# high UID, as checkov's CKV_K8S_40 asks. The image is FROM scratch, its binary world-readable and
# -executable, and the collector writes no file.
RUN_AS = RUN_AS_ID

NAMESPACE = "fargate-container-insights"
NAME = "adot-collector"
CONFIG_KEY = "collector.yaml"
CONFIG_DIR = "/conf"
# Where client-go's in-cluster config, and so the receiver's Kubernetes discovery, reads the token and CA.
TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
TOKEN_SECONDS = 3600
HEALTH_PORT = 13133

# Requests equal limits, the smallest Fargate size that holds them with the 256 MiB Fargate adds
# (0.25 vCPU / 1 GB): one scrape a minute of one node per pod is light for a cluster of tens of pods
# (an assumption, not a measurement; the reference gives 1 vCPU / 2 GiB, for large clusters). The
# memory limiter refuses data before the container reaches its limit.
RESOURCES = {"cpu": "250m", "memory": "512Mi"}

SCRAPE_INTERVAL = "1m"
# Kubernetes' generated names: a ReplicaSet's pod-template-hash and a pod's suffix draw from this
# alphabet (k8s.io/apimachinery pkg/util/rand/rand.go), a StatefulSet's pods end in an ordinal.
_GENERATED = "[bcdfghjklmnpqrstvwxz2456789]"
DEPLOYMENT_POD = f"(.+)-{_GENERATED}{{1,10}}-{_GENERATED}{{5}}"
STATEFUL_SET_POD = "(.+)-[0-9]+"
WORKLOAD_LABEL = "workload"

# cAdvisor's pod-level series (no container, no image) kept, under the names the reference gives them.
POD_SERIES = {
    "container_spec_cpu_quota": "pod_cpu_limit_raw",
    "container_spec_cpu_shares": "pod_cpu_request",
    "container_cpu_usage_seconds_total": "pod_cpu_usage_seconds_total",
    "container_spec_memory_limit_bytes": facts.POD_MEMORY_LIMIT,
    "container_memory_working_set_bytes": facts.POD_MEMORY_WORKING_SET,
    "container_memory_usage_bytes": "pod_memory_usage",
    "container_memory_rss": "pod_memory_rss",
    "container_memory_cache": "pod_memory_cache",
}
NETWORK_SERIES = {
    "container_network_receive_bytes_total": facts.POD_NETWORK_RX_BYTES,
    "container_network_transmit_bytes_total": facts.POD_NETWORK_TX_BYTES,
    "container_network_receive_packets_dropped_total": "pod_network_rx_dropped",
    "container_network_transmit_packets_dropped_total": "pod_network_tx_dropped",
}
# Counters, sent as per-second rates.
RATES = ("pod_cpu_usage_seconds_total", *NETWORK_SERIES.values())


@dataclass
class ContainerInsightsArgs:
    """Inputs of `ContainerInsights`.

    cluster: the cluster and what its pods start after (its name and region go in the collector's
        configuration; its OIDC provider trusts the collector's role).
    log_group_name: the performance log group (facts.performance_log_group of the cluster's name); created here.
    log_retention_days: how long CloudWatch Logs keeps the performance log events.
    profile: the Fargate profile that covers NAMESPACE; the pod starts after it.
    """

    cluster: PodContext
    log_group_name: str
    log_retention_days: int
    profile: pulumi.Resource


class ContainerInsights(pulumi.ComponentResource):
    """The collector's namespace, log group, IRSA role, RBAC, configuration and StatefulSet."""

    log_group: aws.cloudwatch.LogGroup
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ContainerInsightsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:observability:ContainerInsights", name, None, opts)
        cluster = args.cluster
        child = pulumi.ResourceOptions(parent=self)
        on_cluster = pulumi.ResourceOptions(parent=self, provider=cluster.provider)
        tags = dict(cluster.tags)

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-performance",
            name=args.log_group_name,
            retention_in_days=args.log_retention_days,
            tags=tags,
            opts=child,
        )
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata={"name": NAMESPACE, "labels": {**RESTRICTED_NAMESPACE_LABELS}},
            opts=on_cluster,
        )
        role = aws.iam.Role(
            f"{name}-irsa",
            description=f"Assumed by service account {NAME} of {NAMESPACE} through IRSA: writes the performance log group",
            assume_role_policy=pulumi.Output.all(cluster.oidc_provider_arn, cluster.oidc_issuer).apply(
                lambda values: json.dumps(service_account_trust(values[0], values[1], NAMESPACE, NAME))
            ),
            tags=tags,
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{name}-logs",
            role=role.id,
            policy=self.log_group.arn.apply(lambda arn: json.dumps(log_permissions_policy(arn))),
            opts=child,
        )
        account = k8s.core.v1.ServiceAccount(
            f"{name}-account",
            metadata={"name": NAME, "namespace": namespace.metadata.name, "annotations": {ROLE_ARN_ANNOTATION: role.arn}},
            automount_service_account_token=False,
            opts=on_cluster,
        )
        cluster_role = k8s.rbac.v1.ClusterRole(f"{name}-reader", metadata={"name": NAME}, rules=RBAC_RULES, opts=on_cluster)
        binding = k8s.rbac.v1.ClusterRoleBinding(
            f"{name}-reader",
            metadata={"name": NAME},
            role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_role.metadata.name},
            subjects=[{"kind": "ServiceAccount", "name": account.metadata.name, "namespace": NAMESPACE}],
            opts=on_cluster,
        )
        config = self.log_group.name.apply(lambda group: collector_config_yaml(cluster.region, group))
        config_map = k8s.core.v1.ConfigMap(
            f"{name}-config",
            metadata={"name": f"{NAME}-config", "namespace": namespace.metadata.name},
            data={CONFIG_KEY: config},
            opts=on_cluster,
        )
        k8s.apps.v1.StatefulSet(
            f"{name}-collector",
            metadata={"name": NAME, "namespace": namespace.metadata.name, "labels": LABELS},
            spec=pulumi.Output.all(cluster.name, config_map.metadata.name, config).apply(
                lambda values: stateful_set_spec(
                    values[0], cluster.pod_annotations(), values[1], hashlib.sha256(values[2].encode()).hexdigest()
                )
            ),
            # Without its profile the pod stays Pending; it writes from its first scrape (the role's
            # permissions, the log group) and reads the API from its first (the binding); its own
            # logs reach the router's group only if it starts after the router's setup.
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=cluster.provider,
                depends_on=cluster.pods_after(args.profile, policy, binding, config_map),
            ),
        )
        # Fargate patches a node by evicting its pod; the budget lets it (one pod: the metrics pause
        # until the new one starts) instead of failing until EKS deletes the pod anyway.
        k8s.policy.v1.PodDisruptionBudget(
            f"{name}-budget",
            metadata={"name": NAME, "namespace": namespace.metadata.name},
            spec={"maxUnavailable": 1, "selector": {"matchLabels": LABELS}},
            opts=on_cluster,
        )
        self.role_arn = role.arn
        self.register_outputs({"logGroupName": self.log_group.name, "roleArn": self.role_arn})


LABELS = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/component": "metrics-collector"}

RBAC_RULES = [
    {"apiGroups": [""], "resources": ["nodes"], "verbs": ["list", "watch"]},
    {"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]},
]


def log_permissions_policy(log_group_arn: str) -> dict[str, Any]:
    """What the awsemf exporter calls on an existing log group (its streams are <arn>:log-stream:<name>)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [log_group_arn, f"{log_group_arn}:log-stream:*"],
            }
        ],
    }


def collector_config(region: str, log_group_name: str) -> dict[str, Any]:
    """The collector's configuration: receivers, processors, exporter, pipeline. The cluster's name
    comes from the pod's environment (resourcedetection env: OTEL_RESOURCE_ATTRIBUTES)."""
    fargate_pod = {"image": "^$", "container": "^$", "pod": "\\S", facts.LAUNCH_TYPE: facts.LAUNCH_TYPE_FARGATE}
    fargate_pod_network = {"pod": "\\S", facts.LAUNCH_TYPE: facts.LAUNCH_TYPE_FARGATE}

    def rename(series: dict[str, str], labels: dict[str, str]) -> list[dict[str, Any]]:
        return [
            {"include": name, "new_name": new, "action": "insert", "match_type": "regexp", "experimental_match_labels": labels}
            for name, new in series.items()
        ]

    return {
        "receivers": {
            "prometheus": {
                "config": {
                    "global": {"scrape_interval": SCRAPE_INTERVAL, "scrape_timeout": "40s"},
                    "scrape_configs": [
                        {
                            "job_name": "kubelets-cadvisor-metrics",
                            "sample_limit": 10000,
                            "scheme": "https",
                            "kubernetes_sd_configs": [{"role": "node"}],
                            "tls_config": {"ca_file": f"{TOKEN_DIR}/ca.crt"},
                            "bearer_token_file": f"{TOKEN_DIR}/token",
                            "relabel_configs": [
                                {"action": "labelmap", "regex": "__meta_kubernetes_node_label_(.+)"},
                                # Every node through the API server's proxy: a Fargate pod cannot reach a kubelet.
                                {"target_label": "__address__", "replacement": "kubernetes.default.svc:443"},
                                {
                                    "source_labels": ["__meta_kubernetes_node_name"],
                                    "regex": "(.+)",
                                    "target_label": "__metrics_path__",
                                    # $$ is a literal $ to the collector's configuration.
                                    "replacement": "/api/v1/nodes/$${1}/proxy/metrics/cadvisor",
                                },
                            ],
                            # The workload's name from the pod's: the pod's own by default, then a
                            # StatefulSet's ordinal or a Deployment's hash and suffix stripped (the
                            # last rule that matches wins; the default replacement is the group).
                            "metric_relabel_configs": [
                                {"source_labels": ["pod"], "target_label": WORKLOAD_LABEL},
                                {"source_labels": ["pod"], "regex": STATEFUL_SET_POD, "target_label": WORKLOAD_LABEL},
                                {"source_labels": ["pod"], "regex": DEPLOYMENT_POD, "target_label": WORKLOAD_LABEL},
                            ],
                        }
                    ],
                }
            }
        },
        "processors": {
            "memory_limiter": {"check_interval": "1s", "limit_percentage": 80, "spike_limit_percentage": 20},
            "metricstransform/label_1": {
                "transforms": [
                    {
                        "include": ".*",
                        "match_type": "regexp",
                        "action": "update",
                        "operations": [
                            {"action": "update_label", "label": "name", "new_label": "container_id"},
                            {"action": "update_label", "label": "kubernetes_io_hostname", "new_label": "NodeName"},
                            {"action": "update_label", "label": "eks_amazonaws_com_compute_type", "new_label": facts.LAUNCH_TYPE},
                        ],
                    }
                ]
            },
            "resourcedetection": {"detectors": ["env"]},
            "metricstransform/rename": {
                "transforms": rename(POD_SERIES, fargate_pod) + rename(NETWORK_SERIES, fargate_pod_network)
            },
            "filter": {"metrics": {"include": {"match_type": "regexp", "metric_names": ["pod_.*"]}}},
            "cumulativetodelta": {"include": {"metrics": list(RATES), "match_type": "strict"}},
            "deltatorate": {"metrics": list(RATES)},
            "metricsgeneration/1": {
                "rules": [
                    {
                        "name": facts.POD_MEMORY_UTILIZATION_OVER_POD_LIMIT,
                        "unit": "Percent",
                        "type": "calculate",
                        "metric1": facts.POD_MEMORY_WORKING_SET,
                        "metric2": facts.POD_MEMORY_LIMIT,
                        "operation": "percent",
                    },
                    # cores to millicores
                    {
                        "name": facts.POD_CPU_USAGE_TOTAL,
                        "unit": "Millicore",
                        "type": "scale",
                        "metric1": "pod_cpu_usage_seconds_total",
                        "operation": "multiply",
                        "scale_by": 1000,
                    },
                    # CFS quota (100,000 = 1 CPU per 100 ms period) to millicores
                    {
                        "name": facts.POD_CPU_LIMIT,
                        "unit": "Millicore",
                        "type": "scale",
                        "metric1": "pod_cpu_limit_raw",
                        "operation": "divide",
                        "scale_by": 100,
                    },
                ]
            },
            "metricsgeneration/2": {
                "rules": [
                    {
                        "name": facts.POD_CPU_UTILIZATION_OVER_POD_LIMIT,
                        "unit": "Percent",
                        "type": "calculate",
                        "metric1": facts.POD_CPU_USAGE_TOTAL,
                        "metric2": facts.POD_CPU_LIMIT,
                        "operation": "percent",
                    }
                ]
            },
            "metricstransform/label_2": {
                "transforms": [
                    {
                        "include": "pod_.*",
                        "match_type": "regexp",
                        "action": "update",
                        "operations": [{"action": "add_label", "new_label": "Type", "new_value": "Pod"}],
                    },
                    {
                        "include": ".*",
                        "match_type": "regexp",
                        "action": "update",
                        "operations": [
                            {"action": "update_label", "label": "namespace", "new_label": facts.NAMESPACE},
                            {"action": "update_label", "label": "pod", "new_label": facts.FULL_POD_NAME},
                            {"action": "update_label", "label": WORKLOAD_LABEL, "new_label": facts.POD_NAME},
                        ],
                    },
                ]
            },
            "batch": {"timeout": "60s"},
        },
        "exporters": {
            "awsemf": {
                "log_group_name": log_group_name,
                "log_stream_name": f"{{{facts.POD_NAME}}}",
                "namespace": facts.METRIC_NAMESPACE,
                "region": region,
                "resource_to_telemetry_conversion": {"enabled": True},
                "eks_fargate_container_insights_enabled": True,
                "parse_json_encoded_attr_values": ["kubernetes"],
                "dimension_rollup_option": "NoDimensionRollup",
                "metric_declarations": [
                    {"dimensions": [list(dims) for dims in facts.DIMENSION_SETS], "metric_name_selectors": list(facts.METRICS)}
                ],
            }
        },
        # The kubelet probes the pod's address: listen on every interface (the default is localhost).
        "extensions": {"health_check": {"endpoint": f"0.0.0.0:{HEALTH_PORT}"}},
        "service": {
            "extensions": ["health_check"],
            "pipelines": {
                "metrics": {
                    "receivers": ["prometheus"],
                    "processors": [
                        "memory_limiter",
                        "metricstransform/label_1",
                        "resourcedetection",
                        "metricstransform/rename",
                        "filter",
                        "cumulativetodelta",
                        "deltatorate",
                        "metricsgeneration/1",
                        "metricsgeneration/2",
                        "metricstransform/label_2",
                        "batch",
                    ],
                    "exporters": ["awsemf"],
                }
            },
        },
    }


# Cached, and emitted by libyaml (the same text as PyYAML's emitter in Python, which took a fifth of a
# recording): the tests and a worker's plans run the program hundreds of times in one process.
@functools.lru_cache(maxsize=64)
def collector_config_yaml(region: str, log_group_name: str) -> str:
    return yaml.dump(collector_config(region, log_group_name), Dumper=yaml.CSafeDumper, sort_keys=False, width=200)


def stateful_set_spec(
    cluster_name: str, pod_annotations: dict[str, str], config_map_name: str, config_checksum: str
) -> dict[str, Any]:
    """One pod: a second would scrape every node again and double every metric; a StatefulSet never
    runs two at once, not even while it rolls (a Deployment's rolling update would)."""
    probe = {"httpGet": {"path": "/", "port": HEALTH_PORT}, "periodSeconds": 10}
    container = {
        "name": NAME,
        "image": IMAGE,
        # As every pod of the stack (components/workload.py): a Fargate pod has no image cache anyway.
        "imagePullPolicy": "Always",
        "args": [f"--config={CONFIG_DIR}/{CONFIG_KEY}"],
        "env": [{"name": "OTEL_RESOURCE_ATTRIBUTES", "value": f"{facts.CLUSTER_NAME}={cluster_name}"}],
        "ports": [{"name": "health", "containerPort": HEALTH_PORT}],
        "resources": {"requests": RESOURCES, "limits": RESOURCES},
        "readinessProbe": probe,
        "livenessProbe": {**probe, "failureThreshold": 3},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": RUN_AS,
            "runAsGroup": RUN_AS,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [
            {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True},
            {"name": "api-token", "mountPath": TOKEN_DIR, "readOnly": True},
        ],
    }
    return {
        "replicas": 1,
        "selector": {"matchLabels": LABELS},
        "template": {
            "metadata": {"labels": LABELS, "annotations": {**pod_annotations, "checksum/config": config_checksum}},
            "spec": {
                "serviceAccountName": NAME,
                # The one token the receiver needs, for the API server, projected below; not automounted.
                "automountServiceAccountToken": False,
                "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [container],
                "volumes": [
                    {"name": "config", "configMap": {"name": config_map_name}},
                    {
                        "name": "api-token",
                        "projected": {
                            "sources": [
                                {"serviceAccountToken": {"path": "token", "expirationSeconds": TOKEN_SECONDS}},
                                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                            ]
                        },
                    },
                ],
            },
        },
    }
