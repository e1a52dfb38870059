"""Container Insights on EKS Fargate: what the ADOT collector sends to CloudWatch, under which names.

The one copy the collector's configuration (components/container_insights.py), the cost estimate,
and the alarms and dashboard read. The collector follows AWS's reference for Fargate: one pod
scraping each Fargate node's cAdvisor through the API server's proxy, exporting with the `awsemf`
exporter (aws-observability/aws-otel-collector v0.49.0 = 0771477f,
`deployment-template/eks/otel-fargate-container-insights.yaml`; the ADOT page "Container Insights
EKS Fargate", https://aws-otel.github.io/docs/getting-started/container-insights/eks-fargate).
Only the metrics below become CloudWatch metrics; every other field stays in the performance log
events ("Other data points will still be sent ... as raw CloudWatch logs but not in Metric
format", same page).

Names are stable: they are the alarms' and the dashboard's keys. Add, do not rename.

Standard library only: the pack runs this folder on its own.
"""

METRIC_NAMESPACE = "ContainerInsights"

# The awsemf exporter's default group for Container Insights (reference manifest
# `log_group_name: '/aws/containerinsights/{ClusterName}/performance'`).
PERFORMANCE_LOG_GROUP_TEMPLATE = "/aws/containerinsights/{cluster}/performance"

# Dimension names as the collector's labels name them (metricstransform in the reference).
CLUSTER_NAME = "ClusterName"
NAMESPACE = "Namespace"
# In Container Insights `PodName` is the workload's name (Deployment, StatefulSet ...), not the
# pod's (aws/amazon-cloudwatch-agent plugins/processors/awsentity/internal/entityattributes/
# entityattributes.go: "PodName in Container Insights is the workload(Deployment, Daemonset,
# etc) name"). The collector's config strips the ReplicaSet hash and pod suffix to get it, so
# that a rollout or a scale-out adds no new metric. The pod's own name is `FullPodName`, a field
# of the log events only.
POD_NAME = "PodName"
FULL_POD_NAME = "FullPodName"
LAUNCH_TYPE = "LaunchType"
# The node label eks.amazonaws.com/compute-type, renamed LaunchType by the reference config.
LAUNCH_TYPE_FARGATE = "fargate"

# Every metric below is published under each of these dimension sets (the cluster, each
# namespace, each workload); LaunchType is always `fargate`.
CLUSTER_DIMENSIONS = (CLUSTER_NAME, LAUNCH_TYPE)
NAMESPACE_DIMENSIONS = (CLUSTER_NAME, NAMESPACE, LAUNCH_TYPE)
WORKLOAD_DIMENSIONS = (CLUSTER_NAME, NAMESPACE, POD_NAME, LAUNCH_TYPE)
DIMENSION_SETS = (CLUSTER_DIMENSIONS, NAMESPACE_DIMENSIONS, WORKLOAD_DIMENSIONS)

# The metrics published, each with what its value is (from the reference's processors: cAdvisor
# counters turned into per-second rates; CPU in millicores; limits from the pod spec, which
# Fargate requires).
POD_CPU_UTILIZATION_OVER_POD_LIMIT = "pod_cpu_utilization_over_pod_limit"
POD_CPU_USAGE_TOTAL = "pod_cpu_usage_total"
POD_CPU_LIMIT = "pod_cpu_limit"
POD_MEMORY_UTILIZATION_OVER_POD_LIMIT = "pod_memory_utilization_over_pod_limit"
POD_MEMORY_WORKING_SET = "pod_memory_working_set"
POD_MEMORY_LIMIT = "pod_memory_limit"
POD_NETWORK_RX_BYTES = "pod_network_rx_bytes"
POD_NETWORK_TX_BYTES = "pod_network_tx_bytes"

METRICS: dict[str, str] = {
    POD_CPU_UTILIZATION_OVER_POD_LIMIT: "percent: CPU used over the pod's CPU limit",
    POD_CPU_USAGE_TOTAL: "millicores used",
    POD_CPU_LIMIT: "millicores: the pod's CPU limit",
    POD_MEMORY_UTILIZATION_OVER_POD_LIMIT: "percent: working set over the pod's memory limit",
    POD_MEMORY_WORKING_SET: "bytes: the pod's memory working set",
    POD_MEMORY_LIMIT: "bytes: the pod's memory limit",
    POD_NETWORK_RX_BYTES: "bytes per second received",
    POD_NETWORK_TX_BYTES: "bytes per second sent",
}

# Not sent on Fargate: the pipeline has no kube-state source, so no running-pod, replica or
# readiness counts (the EC2 receiver's namespace_number_of_running_pods is not among them).


def performance_log_group(cluster_name: str) -> str:
    """The log group the exporter writes a cluster's performance events to."""
    return PERFORMANCE_LOG_GROUP_TEMPLATE.format(cluster=cluster_name)


def published_metric_count(namespaces: int, workloads: int) -> int:
    """The CloudWatch metrics the collector publishes: each metric once per value of each dimension set."""
    return len(METRICS) * (1 + namespaces + workloads)
