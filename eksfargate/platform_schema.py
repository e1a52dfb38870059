"""The platform project's settings (Pulumi.yaml, docs/reference.md "Settings"), each declared once.

eksfargate/settings.py reads them; the shared workload keys (app*) are read by
eksfargate/workload_settings.py. See eksfargate/settings_schema.py for what a declaration holds.
"""

from __future__ import annotations

from eksfargate.alarm_schema import ALARM_SETTINGS
from eksfargate.facts.kubernetes_versions import CALENDAR, SUPPORT_TYPES
from eksfargate.secrets_schema import EXTERNAL_SECRETS_SETTING, WORKLOAD_SECRET_SETTINGS
from eksfargate.settings_schema import Setting, declare
from eksfargate.workload import EGRESS_PORT_RANGE, GAME_2048_IMAGE, HPA_MIN_REPLICAS, PORT_SETTING_RANGE

# Subnets are carved from the VPC by prefix arithmetic (see components/network.py): the
# VPC is cut in eighths, one eighth per private subnet and the last eighth split again for
# the public ones. /20 keeps each public subnet at /26 or larger; AWS's largest VPC is /16.
VPC_PREFIX_RANGE = (16, 20)
AZ_COUNT_RANGE = (2, 6)
# Kubernetes versions this stack accepts: the versions of EKS's support calendar
# (eksfargate/facts/kubernetes_versions.py, with each date's source) that kubernetes-validate has
# schemas for. See docs/contributing.md "Moving the pins".
SUPPORTED_KUBERNETES_VERSIONS = tuple(CALENDAR)
# How per-zone resources (subnets, route tables, NAT) are named: after the zone's name, as every
# stack made before zone ids were pinned is (renaming would replace them), or after its zone id,
# which means the same zone in every account (what `python -m teams new` writes).
PER_ZONE_NAMES = ("zoneName", "zoneId")
NAT_MODES = ("single", "per-az")
CLUSTER_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
# An HPA's minReplicas must be at least 1 (eksfargate/workload.py). CPU utilization is a
# percentage of the pods' requests; with requests equal to limits, as on Fargate, it cannot exceed 100.
AUTOSCALING_REPLICAS_RANGE = (HPA_MIN_REPLICAS, 100)
CPU_TARGET_PERCENT_RANGE = (10, 100)
# What CloudWatch Logs accepts as a retention (PutRetentionPolicy "Possible values", AWS SDK
# model as in aws-sdk-cloudwatchlogs 1.135.0; pulumi-aws 7.51.1 LogGroup.retention_in_days
# lists the same, plus 0 = never expire, which this stack refuses).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)

PLATFORM = declare(
    Setting(
        "team",
        "string",
        "platform",
        "Team that owns the stack, a DNS-1123 label; tagged `team` on every taggable AWS resource. Team stacks are "
        "Pulumi.<team>-<env>.yaml (`python -m teams new <team>`).",
        doc="the team that owns the stack, a DNS-1123 label; tagged `team` on every taggable AWS resource, and on what "
        "the load balancer controller creates",
    ),
    Setting(
        "costCenter",
        "string",
        "platform",
        "Cost center billed for the stack; tagged `cost-center` on every taggable AWS resource (an AWS tag value, 1 to "
        "256 characters).",
        doc="the cost center billed for the stack (an AWS tag value); tagged `cost-center`, where `team` is",
    ),
    Setting(
        "owner",
        "string",
        "platform",
        "Who to ask about the stack (a person, a team alias or an e-mail address); tagged `owner` on every taggable AWS "
        "resource.",
        doc="who to ask about the stack (a person, a team alias, an e-mail address); tagged `owner`, where `team` is",
    ),
    Setting(
        "protect",
        "boolean",
        False,
        "Protect the VPC and the cluster from deletion (Pulumi protect and EKS deletion protection). Turn on for "
        "production stacks.",
        doc="protect the VPC and cluster (Pulumi `protect`, EKS deletion protection); for production",
    ),
    Setting(
        "vpcCidr",
        "string",
        "10.0.0.0/16",
        "IPv4 CIDR of the VPC this stack creates, /{low} to /{high}. Each private subnet gets an eighth of it (every "
        "Fargate pod takes one address there).",
        bounds=VPC_PREFIX_RANGE,
        doc="VPC CIDR, its prefix length /{low} to /{high}; private subnet *i* is eighth *i* of it, public subnets "
        "share the last eighth",
    ),
    Setting(
        "availabilityZoneCount",
        "integer",
        3,
        "Availability zones to spread subnets over, {low} to {high} (EKS needs subnets in at least 2). With "
        "availabilityZoneIds set, the zones are those.",
        bounds=AZ_COUNT_RANGE,
        doc="zones, {low} to {high} and no more than the region's usable zones, each with one public and one private "
        "subnet; with `availabilityZoneIds` set, the zones are those",
    ),
    Setting(
        "availabilityZoneIds",
        "array",
        [],
        "The zone ids (e.g. apne2-az1; ids mean the same zone in every account) the stack's subnets are in, {low} to "
        "{high}, in order. Empty means the first availabilityZoneCount available zones of a live lookup, as stacks "
        "made before this setting do.",
        bounds=AZ_COUNT_RANGE,
        doc="the zone ids (`apne2-az1`, the same zone in every account) of the stack's subnets, in order, {low} to "
        "{high} of them; `[]`: the first `availabilityZoneCount` zones a live lookup returns, as stacks made before "
        "the setting do ([Zones pinned by id](#zones-pinned-by-id))",
    ),
    Setting(
        "perZoneNames",
        "string",
        "zoneName",
        "Per-zone resources (subnets, route tables, NAT) are named after the zone's 'zoneName' (every stack made "
        "before zone ids, renaming replaces them) or its 'zoneId' (what `teams new` writes; needs availabilityZoneIds).",
        allowed=PER_ZONE_NAMES,
        doc="per-zone resources are named after the zone's name (`network-private-ap-northeast-2a`, every stack made "
        "before zone ids) or, with `zoneId`, after its id (`network-private-apne2-az1`, what `teams new` writes; "
        "needs `availabilityZoneIds`)",
    ),
    Setting(
        "natMode",
        "string",
        "single",
        "'single' shares one NAT gateway (cheaper, dev); 'per-az' puts one in every zone (survives a zone outage, prod).",
        allowed=NAT_MODES,
        doc="`single` NAT gateway (cheap, dev) or `per-az` (one per zone, survives a zone outage)",
    ),
    Setting(
        "existingVpcId",
        "string",
        "",
        "Use this existing VPC instead of creating one (existing-VPC mode); then existingPrivateSubnetIds and "
        "existingPublicSubnetIds are required.",
        doc="bring your own VPC instead of creating one (then the two lists below are required)",
    ),
    Setting(
        "existingPrivateSubnetIds",
        "array",
        [],
        "Existing-VPC mode only. At least 2 private subnets (no public IPs, routed to a NAT) in different zones, for "
        "the cluster and every Fargate pod.",
        doc="≥ 2 private subnets routed to NAT, for the cluster and every pod",
    ),
    Setting(
        "existingPublicSubnetIds",
        "array",
        [],
        "Existing-VPC mode only. At least 2 public subnets in different zones, for the internet-facing ALB.",
        doc="≥ 2 public subnets for the ALB (named on the Ingress, so they need no discovery tags)",
    ),
    Setting(
        "clusterName",
        "string",
        "",
        "Physical name of the EKS cluster, a DNS-1123 label. Empty means <project>-<stack>, unique per stack.",
        doc='EKS cluster name, a DNS-1123 label, unique per stack; `""`: `<project>-<stack>`',
    ),
    Setting(
        "kubernetesVersion",
        "string",
        "1.35",
        "Kubernetes version of the EKS control plane; one of SUPPORTED_KUBERNETES_VERSIONS in eksfargate/settings.py.",
        allowed=SUPPORTED_KUBERNETES_VERSIONS,
        doc="one of `SUPPORTED_KUBERNETES_VERSIONS`, the versions of EKS's support calendar in "
        "`eksfargate/facts/kubernetes_versions.py` ([Kubernetes support calendar](#kubernetes-support-calendar)); "
        "upgrading: [operating.md](operating.md#upgrading-kubernetes)",
    ),
    Setting(
        "supportType",
        "string",
        "EXTENDED",
        "EKS upgrade policy at the end of the version's standard support: 'EXTENDED' (EKS's default) stays on the "
        "version at the extended-support price, six times the standard one; 'STANDARD' lets EKS upgrade the control "
        "plane itself then.",
        allowed=SUPPORT_TYPES,
        doc="the cluster's EKS upgrade policy (`SUPPORT_TYPES`): `EXTENDED` stays on its version past the end of "
        "standard support at six times the control-plane price; `STANDARD` lets EKS upgrade the control plane itself "
        "then ([Kubernetes support calendar](#kubernetes-support-calendar))",
    ),
    Setting(
        "adminPrincipalArns",
        "array",
        [],
        "IAM role or user ARNs given cluster-admin through EKS access entries (authentication mode API).",
        doc="IAM roles/users given cluster-admin via access entries (only the principal that created the cluster is "
        "admin otherwise: see [Who is cluster admin](operating.md#who-is-cluster-admin))",
    ),
    Setting(
        "verifierPrincipalArns",
        "array",
        [],
        "IAM role or user ARNs that may list what `python -m verify` reads (nodes, pods, deployments, ingresses, "
        "autoscalers) and nothing else, no Secret: an access entry each in a Kubernetes group a read-only "
        "ClusterRole is bound to. Name the drift role (AWS_DRIFT_ROLE_ARN) of this stack and of its tenants.",
        doc="IAM roles/users that may list only what `python -m verify` reads, no Secret (the drift role, "
        "`AWS_DRIFT_ROLE_ARN`, of the stack and its tenants; none of `adminPrincipalArns`): see "
        "[What it needs](verify.md#what-it-needs)",
    ),
    Setting(
        "clusterLogTypes",
        "array",
        ["api", "audit", "authenticator"],
        "Control-plane log types sent to CloudWatch, from {allowed}.",
        allowed=CLUSTER_LOG_TYPES,
        doc="control-plane logs to CloudWatch, from {allowed}",
    ),
    Setting(
        "endpointPublicAccess",
        "boolean",
        True,
        "Whether the Kubernetes API endpoint is reachable from the internet (limited by publicAccessCidrs).",
        doc="the Kubernetes API is reachable from the internet (from `publicAccessCidrs`)",
    ),
    Setting(
        "endpointPrivateAccess",
        "boolean",
        True,
        "Whether the Kubernetes API endpoint is reachable from inside the VPC.",
        doc="the Kubernetes API is reachable from inside the VPC; one of the two endpoints at least",
    ),
    Setting(
        "publicAccessCidrs",
        "array",
        ["0.0.0.0/0"],
        "CIDR blocks allowed to reach the public API endpoint.",
        doc="who may reach the public API endpoint; narrow it for production",
    ),
    Setting(
        "secretsEncryption",
        "boolean",
        True,
        "Envelope-encrypt Kubernetes secrets with a KMS key this stack creates.",
        doc="envelope-encrypt Kubernetes secrets with a KMS key of the stack",
    ),
    Setting(
        "servesTenants",
        "boolean",
        False,
        "Serve as a platform for tenant stacks (tenant/). Adds a Fargate profile covering every tenant-* namespace and "
        "the outputs tenants read.",
        doc="serve as a platform for tenant stacks (`tenant/`): a Fargate profile `tenants` covering every `tenant-*` "
        "namespace, and the outputs tenants read (see [Teams as tenants of one shared "
        "cluster](teams.md#teams-as-tenants-of-one-shared-cluster))",
    ),
    Setting(
        "appEnabled",
        "boolean",
        True,
        "Deploy the 2048 game (and its Fargate profile). A platform stack may turn it off.",
        doc="deploy the 2048 game and its Fargate profile; a platform stack may leave it out",
    ),
    Setting(
        "appNamespace",
        "string",
        "fargate-game-2048",
        "Namespace of the 2048 game; a Fargate profile of the same name covers it (the walkthrough's "
        "fargate-game-2048). A new name replaces the profile and every object in the namespace.",
        doc="namespace of the game, as in the walkthrough; a Fargate profile of the same name covers it (a new name "
        "replaces the profile and everything in the namespace)",
    ),
    Setting(
        "appReplicas",
        "integer",
        5,
        "Replicas of the 2048 Deployment, {low} to {high}; each is one Fargate pod. With appAutoscaling on, the "
        "autoscaler's minimum (1 to appMaxReplicas).",
        bounds=(0, 100),
        doc="game pods, {low} to {high}; with `appAutoscaling` on, the autoscaler's minimum (1 to `appMaxReplicas`)",
    ),
    Setting(
        "appAutoscaling",
        "boolean",
        True,
        "Scale the 2048 game with a HorizontalPodAutoscaler on CPU (metrics-server add-on), between appReplicas and "
        "appMaxReplicas; off means exactly appReplicas pods.",
        doc="a HorizontalPodAutoscaler on CPU scales the game between `appReplicas` and `appMaxReplicas` (and the "
        "metrics-server add-on is installed); `false`: exactly `appReplicas` pods",
    ),
    Setting(
        "appMaxReplicas",
        "integer",
        10,
        "With appAutoscaling on, the most 2048 pods the autoscaler may run, {low} to {high} and at least appReplicas.",
        bounds=AUTOSCALING_REPLICAS_RANGE,
        doc="with `appAutoscaling` on, the most game pods, {low} to {high}",
    ),
    Setting(
        "appCpuTargetPercent",
        "integer",
        70,
        "With appAutoscaling on, the average CPU use (percent of the pods' requests, {low} to {high}) the autoscaler "
        "keeps the game at.",
        bounds=CPU_TARGET_PERCENT_RANGE,
        doc="with `appAutoscaling` on, the average CPU use (percent of requests, {low} to {high}) the autoscaler aims for",
    ),
    Setting(
        "appImage",
        "string",
        GAME_2048_IMAGE,
        "Container image of the app. The walkthrough's 2048 image (any tag or digest) runs on its own hardened nginx "
        "configuration; any other image needs appPort and appProbePath.",
        doc="the app's image. The walkthrough's (AWS's own 2048 example; it has no other published tag), any tag or "
        "digest of it, runs on the walkthrough's hardened nginx configuration; any other image is a workload of your "
        "own and needs `appPort` and `appProbePath` ([One workload shape](#one-workload-shape))",
    ),
    Setting(
        "appWalkthroughImage",
        "boolean",
        False,
        "appImage is the walkthrough's 2048 image under another name (e.g. mirrored to a registry of your own), run "
        "like it on the hardened nginx configuration.",
        doc="`appImage` is the walkthrough's image under another name (a mirror): run it like the walkthrough's",
    ),
    Setting(
        "appPort",
        "integer",
        0,
        "Port the app's container listens on, {low} to {high}. 0 means the walkthrough image's 8080; any other image "
        "needs one from 1024 up (the container runs as a non-root user with no capabilities).",
        bounds=PORT_SETTING_RANGE,
        doc="the port the app's container listens on, {low} to {high}; `0`: the walkthrough's 8080. An image of your "
        "own needs one within `PORT_RANGE` (`eksfargate/workload.py`): a non-root user with no capabilities cannot "
        "bind below 1024",
    ),
    Setting(
        "appProbePath",
        "string",
        "",
        "HTTP path (starting with /) the app's readiness and liveness probes and the ALB ask on appPort. Empty means "
        "the walkthrough image's /; any other image needs one.",
        doc="the HTTP path, starting with `/`, of the readiness and liveness probes (and so of the ALB's readiness "
        'gate); `""`: the walkthrough\'s `/`',
    ),
    Setting(
        "appCommand",
        "array",
        [],
        "The app container's command (its image's entrypoint if empty). Not for the walkthrough's image.",
        doc="the container's command (the image's entrypoint if empty); not for the walkthrough's image",
    ),
    Setting(
        "appArgs",
        "array",
        [],
        "The app container's arguments (its image's if empty). Not for the walkthrough's image.",
        doc="the container's arguments (the image's if empty); not for the walkthrough's image",
    ),
    Setting(
        "appEnv",
        "array",
        [],
        "Environment variables of the app container, NAME=value each.",
        doc="environment variables of the container, `NAME=value` each",
    ),
    Setting(
        "appSecretEnv",
        "array",
        [],
        "Environment variables of the app container read from Kubernetes Secrets in its namespace, NAME=secret/key each.",
        doc="environment variables of the container from Secrets in the app's namespace, `NAME=secret/key` each",
    ),
    *WORKLOAD_SECRET_SETTINGS,
    Setting(
        "appCpu",
        "string",
        "250m",
        "CPU of each app pod's container, request equal to limit; a Fargate vCPU size (250m, 500m, 1, 2, 4, 8, 16).",
        doc="the container's CPU, request equal to limit: a Fargate vCPU size",
    ),
    Setting(
        "appMemory",
        "string",
        "256Mi",
        "Memory of each app pod's container, request equal to limit; with the 256Mi Fargate adds, a Fargate size for "
        "appCpu (with 250m, 256Mi, 768Mi or 1792Mi).",
        doc="the container's memory, request equal to limit: with the 256Mi Fargate adds, a Fargate size for `appCpu` "
        "(nothing billed goes unused)",
    ),
    Setting(
        "appWritablePaths",
        "array",
        ["/tmp"],
        "The only paths the app can write, each an emptyDir (the root filesystem is read-only); none may overlap a "
        "read-only mount. The walkthrough's image needs /tmp.",
        doc="the only paths the app can write, each an `emptyDir` (the root filesystem is read-only); none may overlap "
        "a read-only mount (the nginx configuration, the service account token paths). The walkthrough's image needs "
        "`/tmp`",
    ),
    Setting(
        "appEgressPorts",
        "array",
        [443],
        "The only TCP ports the app's pods may open on the internet, through the NAT gateway ({low} to {high}); "
        "its namespace's security group admits nothing else out but DNS and the Kubernetes API.",
        bounds=EGRESS_PORT_RANGE,
        items="integer",
        doc="the only TCP ports the app's pods may open on the internet (through the NAT gateway), {low} to "
        "{high}; its namespace's security group lets nothing else out but DNS and the Kubernetes API",
    ),
    Setting(
        "appHost",
        "string",
        "",
        "The host name the app answers on (its Ingress rule matches only it). Empty: any host, on the ALB's own DNS "
        "name. Required with TLS.",
        doc='the host the app answers on (its Ingress rule matches only it); `""`: any host, on the ALB\'s own DNS '
        "name. Required with TLS ([HTTPS at the edge](#https-at-the-edge))",
    ),
    Setting(
        "appCertificateArn",
        "string",
        "",
        "An ACM certificate for appHost, in the stack's region. With it the app's ALB listens on HTTPS (443) and "
        "redirects HTTP to it. Empty with appHostedZone set means a new certificate.",
        doc="an ACM certificate for `appHost` in the stack's region: the app's ALB listens on HTTPS and redirects HTTP to it",
    ),
    Setting(
        "appHostedZone",
        "string",
        "",
        "A Route 53 public hosted zone holding appHost (e.g. example.com). Without appCertificateArn the stack requests "
        "a certificate for appHost and validates it through DNS in this zone; appDnsRecord writes the app's record "
        "there.",
        doc="a Route 53 public hosted zone holding `appHost`; without `appCertificateArn` the stack requests a "
        "certificate for `appHost`, DNS-validated there",
    ),
    Setting(
        "appDnsRecord",
        "boolean",
        False,
        "Write an alias record from appHost to the app's ALB in appHostedZone.",
        doc="an alias record from `appHost` to the app's ALB, in `appHostedZone`",
    ),
    Setting(
        "albAccessLogs",
        "boolean",
        False,
        "Every ALB of the cluster (the app's, tenants' own and the shared one) writes access logs to an S3 bucket this "
        "stack creates (SSE-S3, public access blocked, objects expired after albAccessLogRetentionDays).",
        doc="every ALB of the cluster (the app's, tenants' own and the shared one) logs to an S3 bucket of the stack",
    ),
    Setting(
        "albAccessLogRetentionDays",
        "integer",
        90,
        "Days an ALB access log object is kept, {low} to {high}.",
        bounds=(1, 3650),
        doc="days a log object is kept, {low} to {high}",
    ),
    Setting(
        "albWebAclArn",
        "string",
        "",
        "A regional WAFv2 web ACL (ARN, in the stack's region) every ALB of the cluster is associated with. Empty: the "
        "ALBs' web ACL is left as it is; 'none': detached.",
        doc="a regional WAFv2 web ACL of the stack's region for every ALB of the cluster; `\"\"` leaves each ALB's "
        "web ACL as it is, `none` detaches it",
    ),
    Setting(
        "fargateLogging",
        "boolean",
        True,
        "Ship every pod's stdout/stderr through Fargate's built-in log router (the aws-observability namespace and its "
        "aws-logging ConfigMap) to a CloudWatch log group this stack creates.",
        doc="every pod's stdout/stderr to CloudWatch Logs through Fargate's log router (see [Pod logs](operating.md#pod-logs))",
    ),
    Setting(
        "fargateLogRetentionDays",
        "integer",
        30,
        "Days CloudWatch Logs keeps the pod logs; one of the values CloudWatch accepts ({allowed}).",
        allowed=LOG_RETENTION_DAYS,
        doc="days the pod logs are kept; one of the values CloudWatch Logs accepts: {allowed}",
    ),
    Setting(
        "fargateLogGroupName",
        "string",
        "",
        "Name of the CloudWatch log group for pod logs. Empty means /aws/eks/<clusterName>/fargate-pods.",
        doc='the log group the stack creates for them; `""`: `/aws/eks/<clusterName>/fargate-pods`',
    ),
    *ALARM_SETTINGS,
    EXTERNAL_SECRETS_SETTING,
    Setting(
        "containerInsights",
        "boolean",
        True,
        "Pod CPU, memory and network in CloudWatch Container Insights (per cluster, namespace and workload), sent by "
        "one ADOT collector pod on Fargate that scrapes each Fargate node's cAdvisor through the API server.",
        doc="pod CPU, memory and network metrics in CloudWatch Container Insights, from one ADOT collector pod (see "
        "[Pod metrics](observability.md#pod-metrics))",
    ),
    Setting(
        "containerInsightsLogRetentionDays",
        "integer",
        7,
        "Days CloudWatch Logs keeps the collector's performance log events (the metrics are extracted when they "
        "arrive, whatever this says); one of the values CloudWatch accepts ({allowed}).",
        allowed=LOG_RETENTION_DAYS,
        doc="days the collector's performance log events are kept (the metrics do not depend on it); one of: {allowed}",
    ),
)
