"""Where Fargate's log router looks for its configuration: the one copy the policy pack, the
logging component (components/fargate_logging.py) and the cost estimate read.

EKS user guide, fargate-logging.adoc: a namespace named `aws-observability` with the label
`aws-observability: enabled`, and in it a ConfigMap named `aws-logging`.

Standard library only: the pack runs this folder on its own.
"""

LOGGING_NAMESPACE = "aws-observability"
LOGGING_NAMESPACE_LABELS = {"aws-observability": "enabled"}
LOGGING_CONFIG_MAP = "aws-logging"
