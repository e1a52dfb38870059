"""The tenant project's settings (tenant/Pulumi.yaml, docs/reference.md "Tenant settings"), each declared once.

eksfargate/tenant_settings.py reads them; the shared workload keys (app*) are read by
eksfargate/workload_settings.py. See eksfargate/settings_schema.py for what a declaration holds.
"""

from __future__ import annotations

from eksfargate.alarm_schema import ALARM_SETTINGS
from eksfargate.facts.eks_access import TENANT_ACCESS_POLICIES
from eksfargate.secrets_schema import WORKLOAD_SECRET_SETTINGS
from eksfargate.settings_schema import Setting, declare
from eksfargate.workload import EGRESS_PORT_RANGE, PORT_SETTING_RANGE

ALB_MODES = ("own", "shared")
GROUP_ORDER_RANGE = (-1000, 1000)  # the controller's group.order bounds

TENANT = declare(
    Setting(
        "platformStack",
        "string",
        "",
        "The platform stack of the eks-fargate project (servesTenants true) this tenant runs on, read through a "
        "StackReference; its name, or <organization>/<project>/<stack>.",
    ),
    Setting(
        "team",
        "string",
        "",
        "Team that owns the tenant, a DNS-1123 label; tagged `team` on its AWS resources and labelled on its namespace.",
    ),
    Setting(
        "costCenter",
        "string",
        "",
        "Cost center billed for the tenant (an AWS tag value that is also a Kubernetes label value); empty means the team name.",
    ),
    Setting(
        "owner",
        "string",
        "",
        "Who to ask about the tenant; tagged `owner`, annotated on the namespace. Empty means the team name.",
    ),
    Setting(
        "namespace",
        "string",
        "",
        "The tenant's namespace; it must match the platform's tenant rule `tenant-*`. Empty means tenant-<team>.",
    ),
    Setting(
        "teamRoleArn",
        "string",
        "",
        "IAM role of the team, given an EKS access entry scoped to the tenant's namespace. Empty means no access entry.",
    ),
    Setting(
        "accessLevel",
        "string",
        "edit",
        "'edit' (AmazonEKSEditPolicy) or 'view' (AmazonEKSViewPolicy), in the tenant's namespace only.",
        allowed=tuple(TENANT_ACCESS_POLICIES),
    ),
    Setting(
        "serviceAccount",
        "string",
        "",
        "A service account of the tenant given an IAM role of its own (IRSA), trusted only from that namespace and "
        "account. Empty means none.",
    ),
    Setting(
        "serviceAccountPolicyArns",
        "array",
        [],
        "IAM managed policies attached to the service account's role.",
    ),
    Setting(
        "quotaPods",
        "integer",
        10,
        "ResourceQuota pods, {low} to {high}; every Fargate pod takes one private subnet address of the platform.",
        bounds=(1, 500),
    ),
    Setting(
        "quotaCpu",
        "string",
        "4",
        "ResourceQuota requests.cpu and limits.cpu of the namespace (e.g. 4 or 2500m).",
    ),
    Setting(
        "quotaMemory",
        "string",
        "8Gi",
        "ResourceQuota requests.memory and limits.memory of the namespace (e.g. 8Gi).",
    ),
    Setting(
        "defaultCpuRequest",
        "string",
        "250m",
        "LimitRange default CPU request and limit of a container that states none.",
    ),
    Setting(
        "defaultMemoryRequest",
        "string",
        "256Mi",
        "LimitRange default memory request and limit of a container that states none.",
    ),
    Setting(
        "app",
        "string",
        "hello",
        "The workload's name: 'hello' (nginx, the walkthrough's simple API server) or 'game' (2048), both on the "
        "hardened nginx configuration; any other DNS-1123 label is a workload of the team's own, which needs appImage, "
        "appPort and appProbePath.",
    ),
    Setting(
        "appReplicas",
        "integer",
        2,
        "Replicas of the workload, {low} to {high}; each is one Fargate pod. With appMaxReplicas set, the autoscaler's "
        "minimum (1 to appMaxReplicas).",
        bounds=(0, 50),
    ),
    Setting(
        "appMaxReplicas",
        "integer",
        0,
        "The most pods a HorizontalPodAutoscaler (CPU, needs the platform's metrics-server) may run, {low} to {high}; "
        "0 means no autoscaler, exactly appReplicas pods. The quota must hold this many plus one.",
        bounds=(0, 50),
    ),
    Setting(
        "appImage",
        "string",
        "",
        "Container image of the workload. Required for a workload of the team's own; with hello or game, the preset's "
        "image under another name (a mirror). Empty means the preset's.",
    ),
    Setting(
        "appPort",
        "integer",
        0,
        "Port the workload's container listens on, {low} to {high}. 0 means the preset's 8080; a workload of the "
        "team's own needs one from 1024 up (the container runs as a non-root user with no capabilities).",
        bounds=PORT_SETTING_RANGE,
    ),
    Setting(
        "appProbePath",
        "string",
        "",
        "HTTP path (starting with /) the workload's readiness and liveness probes and the ALB ask on appPort. Empty "
        "means the preset's /; a workload of the team's own needs one.",
    ),
    Setting(
        "appCommand",
        "array",
        [],
        "The container's command (its image's entrypoint if empty). Not for hello or game.",
    ),
    Setting(
        "appArgs",
        "array",
        [],
        "The container's arguments (its image's if empty). Not for hello or game.",
    ),
    Setting(
        "appEnv",
        "array",
        [],
        "Environment variables of the container, NAME=value each.",
    ),
    Setting(
        "appSecretEnv",
        "array",
        [],
        "Environment variables read from Kubernetes Secrets in the tenant's namespace, NAME=secret/key each.",
    ),
    *WORKLOAD_SECRET_SETTINGS,
    Setting(
        "appCpu",
        "string",
        "250m",
        "CPU of each pod's container, request equal to limit; a Fargate vCPU size (250m, 500m, 1, 2, 4, 8, 16). The "
        "quota must hold it for every pod.",
    ),
    Setting(
        "appMemory",
        "string",
        "256Mi",
        "Memory of each pod's container, request equal to limit; with the 256Mi Fargate adds, a Fargate size for appCpu "
        "(with 250m, 256Mi, 768Mi or 1792Mi). The quota must hold it for every pod.",
    ),
    Setting(
        "appWritablePaths",
        "array",
        ["/tmp"],
        "The only paths the workload can write, each an emptyDir (the root filesystem is read-only); none may overlap "
        "a read-only mount. hello and game need /tmp.",
    ),
    Setting(
        "appEgressPorts",
        "array",
        [443],
        "The only TCP ports the workload's pods may open on the internet, through the NAT gateway ({low} to {high}); "
        "its namespace's security group admits nothing else out but DNS and the Kubernetes API.",
        bounds=EGRESS_PORT_RANGE,
        items="integer",
        doc="the only TCP ports the workload's pods may open on the internet (through the NAT gateway), {low} to "
        "{high}; its namespace's security group lets nothing else out but DNS and the Kubernetes API",
    ),
    Setting(
        "albMode",
        "string",
        "own",
        "'own': an ALB for this tenant; 'shared': join the platform's IngressGroup, one ALB for every shared tenant "
        "(then host is required).",
        allowed=ALB_MODES,
    ),
    Setting(
        "host",
        "string",
        "",
        "Host name the tenant's Ingress rules match; required with albMode shared, so that a tenant's rules never match "
        "another's traffic.",
    ),
    Setting(
        "certificateArn",
        "string",
        "",
        "An ACM certificate for host, in the platform's region. With it the tenant's Ingress listens on HTTPS (443) and "
        "redirects HTTP to it; on the shared ALB the certificate joins the group's HTTPS listener (SNI), and every "
        "tenant of that ALB must have TLS. Empty with hostedZone set means a new certificate.",
    ),
    Setting(
        "hostedZone",
        "string",
        "",
        "A Route 53 public hosted zone holding host. Without certificateArn the stack requests a certificate for host "
        "and validates it through DNS in this zone; dnsRecord writes the tenant's record there.",
    ),
    Setting(
        "dnsRecord",
        "boolean",
        False,
        "Write an alias record from host to the tenant's ALB (its own, or the shared one) in hostedZone.",
    ),
    Setting(
        "albGroupOrder",
        "integer",
        0,
        "The tenant's alb.ingress.kubernetes.io/group.order in the shared IngressGroup, {low} to {high} (lower is "
        "evaluated first).",
        bounds=GROUP_ORDER_RANGE,
    ),
    *ALARM_SETTINGS,
)
