"""CloudWatch's names for an Application Load Balancer's metrics, and what alarms on them may say.

From the ELB user guide, "CloudWatch metrics for your Application Load Balancer"
(awsdocs/elb-application-load-balancers-user-guide@8600c69,
doc_source/load-balancer-cloudwatch-metrics.md), and the CloudWatch user guide, "Using Amazon
CloudWatch alarms" (awsdocs/amazon-cloudwatch-user-guide@fbd27d4, doc_source/AlarmThatSendsEmail.md):

- Namespace `AWS/ApplicationELB`; dimension `LoadBalancer` = `app/<name>/<id>` and `TargetGroup` =
  `targetgroup/<name>/<id>`, "the final portion" of each ARN.
- "Reporting criteria": HTTPCode_ELB_5XX_Count, HTTPCode_Target_5XX_Count and TargetResponseTime
  only when there is a nonzero value; RequestCount always; HealthyHostCount and UnHealthyHostCount
  when health checks are enabled (the controller always sets one).
- UnHealthyHostCount: "monitor for non-zero UnHealthyHostCount in the Minimum statistic, and alarm
  on non-zero value for more than one data point" (Minimum: every node of the ALB sees it).
- treat_missing_data is `missing` unless set; "for a metric that generates data points only when an
  error occurs ... treat missing data points as notBreaching".
- A metric-math alarm holds at most 10 metrics, all with one period; a percentile alarm with
  fewer than 10/(1-p) samples (1000 for p99) evaluates or ignores, as
  evaluate_low_sample_count_percentiles says.

Standard library only.
"""

from __future__ import annotations

ALB_NAMESPACE = "AWS/ApplicationELB"
LOAD_BALANCER = "LoadBalancer"
TARGET_GROUP = "TargetGroup"

REQUEST_COUNT = "RequestCount"
ELB_5XX = "HTTPCode_ELB_5XX_Count"
TARGET_5XX = "HTTPCode_Target_5XX_Count"
TARGET_RESPONSE_TIME = "TargetResponseTime"  # seconds
HEALTHY_HOSTS = "HealthyHostCount"
UNHEALTHY_HOSTS = "UnHealthyHostCount"

# What CloudWatch alarms accept.
TREAT_MISSING_DATA = ("breaching", "notBreaching", "ignore", "missing")
MAX_METRICS_PER_EXPRESSION = 10
# Standard resolution: a period is a multiple of 60 seconds.
STANDARD_PERIOD_STEP = 60
