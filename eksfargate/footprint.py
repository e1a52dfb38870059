"""What a stack runs, read from the resources its program registered: the footprint.

`footprint_from_resources` reads every Deployment and StatefulSet with its replicas and
container requests (an HPA's range where one scales it), the CoreDNS and metrics-server add-ons'
configuration, the load balancer controller's Helm values, NAT gateways, Elastic IPs, ALBs
(Ingresses of class alb, one per IngressGroup), public zones, KMS keys, clusters, the pod log
group, the ALBs' access-log bucket (its lifecycle expiry), the pod metrics' log group, and what HTTPS at the edge brings
that others pay or that is free (Route 53 records, ACM certificates, web ACLs). The offline plan
records the footprint (plan.json `footprint`); eksfargate/estimate/ prices it and the plan's subnet
capacity check counts its pods, so cost, capacity, tenant shares and the diff all read one model.
Every pod is a Fargate pod, sized by fargate_pods.py.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from eksfargate.facts.container_insights import PERFORMANCE_LOG_GROUP_TEMPLATE
from eksfargate.facts.external_secrets import (
    CHART_NAME as ESO_CHART,
)
from eksfargate.facts.external_secrets import (
    DEFAULT_REPLICAS,
    DEPLOYMENT_VALUES,
    OPERATOR_NAMESPACE,
    PARAMETER_STORE,
    SECRETS_MANAGER,
)
from eksfargate.facts.fargate_logging import LOGGING_CONFIG_MAP, LOGGING_NAMESPACE
from eksfargate.facts.resource_types import (
    ACM_CERTIFICATE,
    CONFIG_MAP,
    DASHBOARD,
    DEPLOYMENT,
    EKS_ADDON,
    EKS_CLUSTER,
    EKS_CLUSTER_COMPONENT,
    ELASTIC_IP,
    EXTERNAL_SECRET,
    HELM_RELEASE,
    HPA,
    INGRESS,
    KMS_KEY,
    LOG_GROUP,
    METRIC_ALARM,
    NAT_GATEWAY,
    ROUTE53_RECORD,
    S3_BUCKET_LIFECYCLE,
    SECRET_STORE,
    SERVICE,
    SNS_TOPIC_SUBSCRIPTION,
    STATEFUL_SET,
    SUBNET,
)
from eksfargate.fargate_pods import PodSize, pod_size
from eksfargate.secrets import refresh_seconds

# An ALB has one node, and one public IPv4 address, in each zone it is enabled in; it may add
# addresses as it scales. Without a subnet list or subnets to count, the minimum, 2 zones.
DEFAULT_ALB_ZONES = 2

# Chart defaults, for Helm values that leave the replica count out (eks-charts 3.5.0 and the
# EKS CoreDNS add-on both run 2; prices.json `chartDefaults`).
ALB_CONTROLLER_CHART = "aws-load-balancer-controller"
ALB_CONTROLLER_DEFAULT_REPLICAS = 2
COREDNS_DEFAULT_REPLICAS = 2
# The metrics-server chart's default `replicas`, which its EKS add-on takes over.
METRICS_SERVER_DEFAULT_REPLICAS = 1

# The month the reads of a refreshed secret are counted over: 730 hours, as the estimate's prices
# (prices.json hoursPerMonth).
HOURS_PER_MONTH = 730

DEPLOYMENT_TYPES = (DEPLOYMENT, STATEFUL_SET)
AUTOSCALER = HPA
ADDON = EKS_ADDON
CLUSTER_TYPES = (EKS_CLUSTER_COMPONENT, EKS_CLUSTER)
NAT = NAT_GATEWAY
EIP = ELASTIC_IP


@dataclass(frozen=True)
class Workload:
    """Pods of one controller (Deployment, StatefulSet, add-on, chart), all of one Fargate size.

    With a HorizontalPodAutoscaler, `replicas` is its minimum and `max_replicas` its maximum.
    """

    name: str
    replicas: int
    size: PodSize
    max_replicas: int | None = None

    @property
    def most_pods(self) -> int:
        """The most pods it may run at once (each takes one private subnet address)."""
        return max(self.replicas, self.max_replicas or 0)


@dataclass(frozen=True)
class LoadBalancer:
    name: str
    zones: int
    internet_facing: bool = True
    # The part of it this stack pays: 1, or 1/n for n tenants sharing one ALB (IngressGroup).
    share: Decimal = Decimal(1)


@dataclass(frozen=True)
class Footprint:
    """The billable things one stack declares."""

    region: str
    clusters: int
    workloads: tuple[Workload, ...]
    nat_gateways: int
    elastic_ips: int
    load_balancers: tuple[LoadBalancer, ...]
    kms_keys: int
    notes: tuple[str, ...] = ()
    # The cluster's Kubernetes version and EKS upgrade policy, for the control plane's rate.
    kubernetes_version: str | None = None
    support_type: str | None = None
    # Retention of the log group Fargate's log router writes every pod's logs to; None: no router.
    pod_log_retention_days: int | None = None
    tenant_of: str = ""  # a tenant stack's platform stack (tools/offline/footprints.py)
    public_zones: int = 0  # zones of the stack's public subnets (0: none of its own, an existing VPC's)
    # Days the ALBs' access logs are kept in the stack's S3 bucket (its lifecycle expiry); None: the
    # ALBs write no access logs (or, for a tenant, its platform's ALBs do not).
    access_log_retention_days: int | None = None
    # What HTTPS at the edge adds that the estimate names but does not price: Route 53 records the
    # stack writes (to an existing hosted zone), ACM certificates it requests, web ACLs on its ALBs.
    route53_records: int = 0
    certificates: int = 0
    web_acls: int = 0
    # Retention of the Container Insights performance log group the metrics collector writes to
    # (components/container_insights.py); None: no collector, no pod metrics.
    pod_metrics_log_retention_days: int | None = None
    # CloudWatch alarms, by the metrics they watch (a metric-math alarm is billed per metric in it), the
    # stack's dashboards, and the e-mail addresses subscribed to its alarm topic.
    alarm_metrics: int = 0
    dashboards: int = 0
    email_subscriptions: int = 0
    # What the apps read from AWS through External Secrets Operator: secrets and parameters named, and
    # the reads a month at their refresh intervals (one per item per refresh).
    secrets_manager_secrets: int = 0
    secrets_manager_reads: int = 0
    parameters: int = 0
    parameter_reads: int = 0

    def to_json(self) -> dict[str, Any]:
        """The footprint as plan.json records it: plain JSON, decimals as strings."""
        recorded: dict[str, Any] = _jsonable(dataclasses.asdict(self))
        return recorded

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Footprint:
        workloads = tuple(
            Workload(w["name"], w["replicas"], PodSize(Decimal(w["size"]["vcpu"]), w["size"]["memory_mib"]), w["max_replicas"])
            for w in data["workloads"]
        )
        balancers = tuple(
            LoadBalancer(b["name"], b["zones"], b["internet_facing"], Decimal(b["share"])) for b in data["load_balancers"]
        )
        fields = {key: value for key, value in data.items() if key not in ("workloads", "load_balancers", "notes")}
        return cls(**fields, workloads=workloads, load_balancers=balancers, notes=tuple(data["notes"]))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return value


def coredns_workload(configuration: Mapping[str, Any]) -> Workload:
    """CoreDNS pods from the add-on's configuration values (replicaCount, resources)."""
    replicas = int(configuration.get("replicaCount", COREDNS_DEFAULT_REPLICAS))
    return Workload("kube-system/coredns (EKS add-on)", replicas, pod_size([{"resources": configuration.get("resources") or {}}]))


def metrics_server_workload(configuration: Mapping[str, Any]) -> Workload:
    """metrics-server pods from its add-on's configuration values (replicas, resources)."""
    replicas = int(configuration.get("replicas", METRICS_SERVER_DEFAULT_REPLICAS))
    size = pod_size([{"resources": configuration.get("resources") or {}}])
    return Workload("kube-system/metrics-server (EKS add-on)", replicas, size)


def alb_controller_workload(values: Mapping[str, Any]) -> Workload:
    """The load balancer controller's pods from its Helm values (replicaCount, resources)."""
    replicas = int(values.get("replicaCount", ALB_CONTROLLER_DEFAULT_REPLICAS))
    size = pod_size([{"resources": values.get("resources") or {}}])
    return Workload(f"kube-system/{ALB_CONTROLLER_CHART} (Helm)", replicas, size)


def external_secrets_workloads(values: Mapping[str, Any]) -> list[Workload]:
    """External Secrets Operator's three Deployments from its Helm values (replicaCount, resources of each)."""
    found = []
    for deployment, key in DEPLOYMENT_VALUES.items():
        part = (values.get(key) or {}) if key else values
        replicas = int(part.get("replicaCount", DEFAULT_REPLICAS))
        found.append(
            Workload(
                f"{OPERATOR_NAMESPACE}/{deployment} (Helm)", replicas, pod_size([{"resources": part.get("resources") or {}}])
            )
        )
    return found


def secret_reads(externals: list[Mapping[str, Any]], stores: Mapping[tuple[str, str], str]) -> dict[str, tuple[int, int]]:
    """Per AWS service, (items named, reads a month): each item is read once per refresh interval."""
    found: dict[str, tuple[int, int]] = {}
    for inputs in externals:
        spec, meta = inputs.get("spec") or {}, inputs.get("metadata") or {}
        service = stores.get((str(meta.get("namespace")), str((spec.get("secretStoreRef") or {}).get("name"))), "")
        seconds = refresh_seconds(str(spec.get("refreshInterval", "1h"))) or 0
        items = len(spec.get("data") or [])
        reads = items * (int(HOURS_PER_MONTH * 3600) // seconds if seconds else 1)
        count, total = found.get(service, (0, 0))
        found[service] = (count + items, total + reads)
    return found


def footprint_from_resources(region: str, resources: Iterable[tuple[str, str, Mapping[str, Any]]]) -> Footprint:
    """The footprint of declared resources, each as (type token, resource name, inputs)."""
    resources = list(resources)
    workloads: list[Workload] = []
    notes: list[str] = []
    ingresses: list[tuple[str, Mapping[str, Any]]] = []
    autoscalers: dict[str, tuple[int, int]] = {}
    counts = {NAT: 0, EIP: 0, KMS_KEY: 0, ROUTE53_RECORD: 0, ACM_CERTIFICATE: 0, DASHBOARD: 0, SNS_TOPIC_SUBSCRIPTION: 0}
    alarm_metrics = 0
    router_outputs = ""
    log_groups: dict[str, Any] = {}
    clusters = 0
    cluster_version: str | None = None
    support_type: str | None = None
    public_zones: set[str] = set()
    private_zones: set[str] = set()
    access_log_bucket: str | None = None  # the bucket the controller's IngressClassParams name, "" unknown
    expiries: dict[str, int] = {}  # bucket -> days of its lifecycle rule expiring the access logs
    web_acls: set[str] = set()
    externals: list[Mapping[str, Any]] = []
    stores: dict[tuple[str, str], str] = {}

    for type_, name, inputs in resources:
        if type_ in counts:
            counts[type_] += 1
        elif type_ == METRIC_ALARM:
            queries = inputs.get("metricQueries") or []
            alarm_metrics += sum(1 for query in queries if query.get("metric")) if queries else 1
        elif type_ in CLUSTER_TYPES:
            clusters += 1
            version, policy = inputs.get("version"), inputs.get("upgradePolicy")
            cluster_version = version if isinstance(version, str) else cluster_version
            if isinstance(policy, Mapping) and isinstance(policy.get("supportType"), str):
                support_type = policy["supportType"]
        elif type_ in DEPLOYMENT_TYPES:
            workloads.append(_deployment_workload(name, inputs))
        elif type_ == ADDON:
            addon = inputs.get("addonName")
            if addon == "coredns":
                workloads.append(coredns_workload(_json_object(inputs.get("configurationValues"))))
            elif addon == "metrics-server":
                workloads.append(metrics_server_workload(_json_object(inputs.get("configurationValues"))))
            elif addon not in ("kube-proxy", "vpc-cni"):  # DaemonSets: Fargate nodes bring their own
                notes.append(f"EKS add-on {addon!r} ({name}): its pods are not estimated")
        elif type_ == HELM_RELEASE:
            if inputs.get("chart") == ALB_CONTROLLER_CHART:
                workloads.append(alb_controller_workload(inputs.get("values") or {}))
                access_log_bucket = _access_log_bucket(inputs.get("values") or {})
                class_params = ((inputs.get("values") or {}).get("ingressClassParams") or {}).get("spec") or {}
                if class_params.get("wafv2AclArn"):
                    web_acls.add(str(class_params["wafv2AclArn"]))
            elif inputs.get("chart") == ESO_CHART:
                workloads += external_secrets_workloads(inputs.get("values") or {})
            else:
                notes.append(f"Helm release {name} (chart {inputs.get('chart')!r}): its pods are not estimated")
        elif type_ == EXTERNAL_SECRET:
            externals.append(inputs)
        elif type_ == SECRET_STORE:
            meta = inputs.get("metadata") or {}
            service = (((inputs.get("spec") or {}).get("provider") or {}).get("aws") or {}).get("service", "")
            stores[str(meta.get("namespace")), str(meta.get("name"))] = str(service)
        elif type_ == INGRESS:
            ingresses.append((name, inputs))
            annotations = (inputs.get("metadata") or {}).get("annotations") or {}
            if annotations.get("alb.ingress.kubernetes.io/wafv2-acl-arn"):
                web_acls.add(str(annotations["alb.ingress.kubernetes.io/wafv2-acl-arn"]))
        elif type_ == AUTOSCALER:
            spec, metadata = inputs.get("spec") or {}, inputs.get("metadata") or {}
            target = f"{metadata.get('namespace')}/{(spec.get('scaleTargetRef') or {}).get('name')}"
            autoscalers[target] = (int(spec.get("minReplicas", 1)), int(spec["maxReplicas"]))
        elif type_ == SERVICE and (inputs.get("spec") or {}).get("type") == "LoadBalancer":
            notes.append(f"Service {name} of type LoadBalancer (a Network Load Balancer): not estimated")
        elif type_ == CONFIG_MAP and inputs.get("metadata") == {"name": LOGGING_CONFIG_MAP, "namespace": LOGGING_NAMESPACE}:
            router_outputs = str((inputs.get("data") or {}).get("output.conf", ""))
        elif type_ == LOG_GROUP:
            log_groups[str(inputs.get("name"))] = inputs.get("retentionInDays")
        elif type_ == S3_BUCKET_LIFECYCLE and (days := _expiry_days(inputs)) is not None:
            expiries[str(inputs.get("bucket"))] = days
        elif type_ == SUBNET and isinstance(inputs.get("availabilityZone"), str):
            zones = public_zones if inputs.get("mapPublicIpOnLaunch") is True else private_zones
            zones.add(inputs["availabilityZone"])

    load_balancers = _load_balancers(ingresses, public_zones, private_zones, notes)
    # The router's log group: the stack's group its output names (Fargate's own logs are off here).
    targets = {line.split()[1] for line in router_outputs.splitlines() if line.split()[:1] == ["log_group_name"]}
    named = [days for group, days in log_groups.items() if group in targets]
    # A Deployment an HPA scales runs between the HPA's minimum and maximum, whatever its spec says.
    workloads = [
        Workload(w.name, autoscalers[w.name][0], w.size, autoscalers[w.name][1]) if w.name in autoscalers else w
        for w in workloads
    ]
    access_log_days = _access_log_retention(access_log_bucket, expiries, notes)
    reads = secret_reads(externals, stores)
    return Footprint(
        region=region,
        clusters=clusters,
        workloads=tuple(workloads),
        nat_gateways=counts[NAT],
        elastic_ips=counts[EIP],
        load_balancers=load_balancers,
        kms_keys=counts[KMS_KEY],
        notes=tuple(notes),
        kubernetes_version=cluster_version,
        support_type=support_type,
        pod_log_retention_days=int(named[0]) if named else None,
        public_zones=len(public_zones),
        access_log_retention_days=access_log_days,
        route53_records=counts[ROUTE53_RECORD],
        certificates=counts[ACM_CERTIFICATE],
        web_acls=len(web_acls),
        pod_metrics_log_retention_days=_pod_metrics_retention(log_groups),
        alarm_metrics=alarm_metrics,
        dashboards=counts[DASHBOARD],
        email_subscriptions=counts[SNS_TOPIC_SUBSCRIPTION],
        secrets_manager_secrets=reads.get(SECRETS_MANAGER, (0, 0))[0],
        secrets_manager_reads=reads.get(SECRETS_MANAGER, (0, 0))[1],
        parameters=reads.get(PARAMETER_STORE, (0, 0))[0],
        parameter_reads=reads.get(PARAMETER_STORE, (0, 0))[1],
    )


def _pod_metrics_retention(log_groups: Mapping[str, Any]) -> int | None:
    """The retention of the performance log group, the collector's: the metrics come with it."""
    (prefix, suffix) = PERFORMANCE_LOG_GROUP_TEMPLATE.split("{cluster}")
    days = [value for name, value in log_groups.items() if name.startswith(prefix) and name.endswith(suffix)]
    return int(days[0]) if days and days[0] is not None else None


def _access_log_bucket(values: Mapping[str, Any]) -> str | None:
    """The bucket every ALB of the controller's IngressClass writes its access logs to (its
    IngressClassParams' loadBalancerAttributes): its name, "" where only known after deploy, None: no logs."""
    spec = ((values.get("ingressClassParams") or {}).get("spec")) or {}
    attributes = {a.get("key"): a.get("value") for a in spec.get("loadBalancerAttributes") or () if isinstance(a, Mapping)}
    if str(attributes.get("access_logs.s3.enabled")).lower() != "true":
        return None
    bucket = attributes.get("access_logs.s3.bucket")
    return bucket if isinstance(bucket, str) and "known after deploy" not in bucket and "{{" not in bucket else ""


def _expiry_days(inputs: Mapping[str, Any]) -> int | None:
    """The fewest days after which an enabled rule of a bucket lifecycle configuration expires objects."""
    days = [
        int(rule["expiration"]["days"])
        for rule in inputs.get("rules") or ()
        if isinstance(rule, Mapping)
        and rule.get("status") == "Enabled"
        and isinstance(rule.get("expiration"), Mapping)
        and isinstance(rule["expiration"].get("days"), (int, float))
    ]
    return min(days) if days else None


def _access_log_retention(bucket: str | None, expiries: dict[str, int], notes: list[str]) -> int | None:
    """Days the ALBs' access logs are kept: the expiry of the bucket they are written to (where its
    name is only known after deploy, the stack's one bucket with an expiry)."""
    if bucket is None:
        return None
    if bucket in expiries:
        return expiries[bucket]
    if not bucket and len(expiries) == 1:
        return next(iter(expiries.values()))
    notes.append("ALB access logs: the bucket they go to has no expiry the plan shows; their storage is not estimated")
    return None


def _deployment_workload(name: str, inputs: Mapping[str, Any]) -> Workload:
    spec = inputs.get("spec") or {}
    pod = (spec.get("template") or {}).get("spec") or {}
    metadata = inputs.get("metadata") or {}
    namespace, object_name = metadata.get("namespace"), metadata.get("name")
    label = f"{namespace}/{object_name}" if isinstance(namespace, str) and isinstance(object_name, str) else name
    replicas = spec.get("replicas", 1)  # Kubernetes' default
    return Workload(label, int(replicas), pod_size(pod.get("containers") or [], pod.get("initContainers") or []))


def _load_balancers(
    ingresses: list[tuple[str, Mapping[str, Any]]], public_zones: set[str], private_zones: set[str], notes: list[str]
) -> tuple[LoadBalancer, ...]:
    """One ALB per Ingress of class alb, or per `group.name` shared by several."""
    groups: dict[str, LoadBalancer] = {}
    for name, inputs in ingresses:
        metadata = inputs.get("metadata") or {}
        annotations = metadata.get("annotations") or {}
        ingress_class = (inputs.get("spec") or {}).get("ingressClassName") or annotations.get("kubernetes.io/ingress.class")
        if ingress_class != "alb":
            continue
        key = annotations.get("alb.ingress.kubernetes.io/group.name") or name
        internet_facing = annotations.get("alb.ingress.kubernetes.io/scheme") == "internet-facing"
        subnets = annotations.get("alb.ingress.kubernetes.io/subnets")
        if isinstance(subnets, str) and "known after deploy" not in subnets:
            zones = len([s for s in subnets.split(",") if s.strip()])
        else:
            zones = len(public_zones if internet_facing else private_zones)
        if zones < DEFAULT_ALB_ZONES:
            notes.append(f"ALB of Ingress {name}: its subnets are discovered at deploy time; assumed {DEFAULT_ALB_ZONES} zones")
            zones = DEFAULT_ALB_ZONES
        groups.setdefault(key, LoadBalancer(f"ALB of Ingress {key}", zones, internet_facing))
    return tuple(groups.values())


def _json_object(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str) and value.strip():
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def footprint_of_plan(plan: Mapping[str, Any]) -> Footprint:
    """The footprint a plan (plan.json) recorded; for a plan written before plans recorded one
    (an older revision in a diff), read from its resources."""
    if plan.get("footprint") is not None:
        return Footprint.from_json(plan["footprint"])
    region = plan["config"].get("aws:region", "")
    return footprint_from_resources(region, ((r["type"], r["name"], r["inputs"]) for r in plan["resources"]))
