"""Where Fargate's log router looks for its configuration: the one copy the policy pack, the
logging component (components/fargate_logging.py) and the cost estimate read.

EKS user guide, fargate-logging.adoc: a namespace named `aws-observability` with the label
`aws-observability: enabled`, and in it a ConfigMap named `aws-logging`.

Standard library only: the pack runs this folder on its own.
"""

LOGGING_NAMESPACE = "aws-observability"
LOGGING_NAMESPACE_LABELS = {"aws-observability": "enabled"}
LOGGING_CONFIG_MAP = "aws-logging"

# The router's CloudWatch streams are named this prefix + its tag for a container's log file,
# kube.var.log.containers.<pod>_<namespace>_<container>-<id>.log (components/fargate_logging.py sets
# the prefix; `python -m verify` finds a pod's streams by it).
LOG_STREAM_PREFIX = "fargate-"
CONTAINER_LOG_TAG_PREFIX = "kube.var.log.containers."


def pod_log_stream_prefix(pod: str, namespace: str) -> str:
    """The start of the name of every CloudWatch stream the router writes for one pod's containers."""
    return f"{LOG_STREAM_PREFIX}{CONTAINER_LOG_TAG_PREFIX}{pod}_{namespace}_"
