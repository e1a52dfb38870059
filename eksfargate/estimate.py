"""The footprint and price model: what a stack runs, and what that costs a month at the list
prices in data/prices.json.

`footprint_from_resources` reads the resources a program registered (the recorded plan):
every Deployment and StatefulSet with its replicas and container requests (an HPA's range where
one scales it), the CoreDNS and metrics-server add-ons' configuration, the load balancer
controller's Helm values, NAT gateways, Elastic IPs, ALBs (Ingresses of class alb, one per
IngressGroup), public zones, KMS keys, clusters and the pod log group. The offline plan records
that footprint (plan.json `footprint`); `estimate` prices it. The plan's cost.txt, `python -m
cost`, the diff's cost lines and the subnet capacity check all start from the plan's footprint,
so they cannot disagree.

Every pod is a Fargate pod (the cluster has no nodes), sized by fargate_pods.py. What is
assumed rather than declared is listed in `Estimate.assumptions` and printed with the table.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from eksfargate.facts.fargate_logging import LOGGING_CONFIG_MAP, LOGGING_NAMESPACE
from eksfargate.facts.resource_types import (
    CONFIG_MAP,
    DEPLOYMENT,
    EKS_ADDON,
    EKS_CLUSTER,
    EKS_CLUSTER_COMPONENT,
    ELASTIC_IP,
    HELM_RELEASE,
    HPA,
    INGRESS,
    KMS_KEY,
    LOG_GROUP,
    NAT_GATEWAY,
    SERVICE,
    STATEFUL_SET,
    SUBNET,
)
from eksfargate.fargate_pods import PodSize, pod_size

PRICES_FILE = Path(__file__).parent / "data" / "prices.json"
CENT = Decimal("0.01")

# What a month of traffic is assumed to be (override with `python -m cost --nat-gb/--lcu`).
# NAT: every Fargate pod pulls its image through NAT each time it starts (no node cache), plus
# AWS API calls; 20 GB a month covers a small stack's pods, restarts and rollouts.
DEFAULT_NAT_GB_PER_MONTH = Decimal(20)
# ALB: 1 LCU every hour, on average (25 new connections/s or 1 GB/h): far above a demo's traffic,
# so an upper bound for light use; there is no minimum LCU charge.
DEFAULT_ALB_LCU = Decimal(1)
# An ALB has one node, and one public IPv4 address, in each zone it is enabled in; it may add
# addresses as it scales. Without a subnet list or subnets to count, the minimum, 2 zones.
DEFAULT_ALB_ZONES = 2
# Pod logs through Fargate's log router, per pod and month, as ingested (an assumption, not a
# measurement): the 2048 game's nginx logs one line per readiness probe (every 10 s) and per
# ALB health check (assumed every 15 s from each of 3 zones), about 0.8 million lines a month,
# at roughly 600 bytes once the router's kubernetes filter adds the pod's metadata. CoreDNS and
# the controller log far less; 0.5 GB a pod covers them with room.
DEFAULT_LOG_GB_PER_POD_MONTH = Decimal("0.5")

# Chart defaults, for Helm values that leave the replica count out (eks-charts 3.5.0 and the
# EKS CoreDNS add-on both run 2; prices.json `chartDefaults`).
ALB_CONTROLLER_CHART = "aws-load-balancer-controller"
ALB_CONTROLLER_DEFAULT_REPLICAS = 2
COREDNS_DEFAULT_REPLICAS = 2
# The metrics-server chart's default `replicas`, which its EKS add-on takes over.
METRICS_SERVER_DEFAULT_REPLICAS = 1

DEPLOYMENT_TYPES = (DEPLOYMENT, STATEFUL_SET)
AUTOSCALER = HPA
ADDON = EKS_ADDON
CLUSTER_TYPES = (EKS_CLUSTER_COMPONENT, EKS_CLUSTER)
NAT = NAT_GATEWAY
EIP = ELASTIC_IP


NO_NAT_NOTE = "No NAT gateway in the stack (existing VPC): the VPC owner pays for its NAT."
TENANT_NOTE = (
    "Tenant of platform stack {platform}: its control plane, NAT, CoreDNS and load balancer controller are the "
    "platform's fixed cost (`python -m cost --all` shows each team's share of it)."
)


class UnknownRegionError(LookupError):
    """prices.json has no prices for the stack's region."""


@dataclass(frozen=True)
class Prices:
    """One region's prices from prices.json (USD)."""

    region: str
    name: str
    hours_per_month: Decimal
    fargate_vcpu_hour: Decimal
    fargate_gb_hour: Decimal
    eks_cluster_hour: Decimal
    eks_extended_support_cluster_hour: Decimal
    nat_gateway_hour: Decimal
    nat_gateway_gb: Decimal
    alb_hour: Decimal
    alb_lcu_hour: Decimal
    public_ipv4_hour: Decimal
    kms_key_month: Decimal
    logs_ingestion_gb: Decimal
    logs_storage_gb_month: Decimal

    def pod_hour(self, size: PodSize) -> Decimal:
        return compute_cost(size.vcpu, size.memory_gb, Decimal(1), self.fargate_vcpu_hour, self.fargate_gb_hour)


def load_prices(region: str, path: Path = PRICES_FILE) -> Prices:
    data = json.loads(path.read_text())
    regions = data["regions"]
    if region not in regions:
        raise UnknownRegionError(f"eksfargate/data/prices.json has no prices for region {region!r}; it has {sorted(regions)}")
    figures = regions[region]

    def usd(key: str) -> Decimal:
        return Decimal(figures[key]["usd"])

    return Prices(
        region=region,
        name=figures["name"],
        hours_per_month=Decimal(data["hoursPerMonth"]["value"]),
        fargate_vcpu_hour=usd("fargateVcpuHour"),
        fargate_gb_hour=usd("fargateGbHour"),
        eks_cluster_hour=usd("eksClusterHour"),
        eks_extended_support_cluster_hour=usd("eksExtendedSupportClusterHour"),
        nat_gateway_hour=usd("natGatewayHour"),
        nat_gateway_gb=usd("natGatewayGb"),
        alb_hour=usd("albHour"),
        alb_lcu_hour=usd("albLcuHour"),
        public_ipv4_hour=usd("publicIpv4Hour"),
        kms_key_month=usd("kmsKeyMonth"),
        logs_ingestion_gb=usd("cloudwatchLogsIngestionGb"),
        logs_storage_gb_month=usd("cloudwatchLogsStorageGbMonth"),
    )


def compute_cost(vcpu: Decimal, memory_gb: Decimal, hours: Decimal, vcpu_hour: Decimal, gb_hour: Decimal) -> Decimal:
    """Fargate compute: vCPU × hours × price + GB × hours × price, unrounded."""
    return vcpu * hours * vcpu_hour + memory_gb * hours * gb_hour


@dataclass(frozen=True)
class Usage:
    """What the estimate assumes about traffic."""

    nat_gb_per_month: Decimal = DEFAULT_NAT_GB_PER_MONTH
    alb_lcu: Decimal = DEFAULT_ALB_LCU
    log_gb_per_pod_month: Decimal = DEFAULT_LOG_GB_PER_POD_MONTH


# ---------------------------------------------------------------- what a stack runs


@dataclass(frozen=True)
class Workload:
    """Pods of one controller (Deployment, StatefulSet, add-on, chart), all of one Fargate size.

    With a HorizontalPodAutoscaler, `replicas` is its minimum and `max_replicas` its maximum.
    """

    name: str
    replicas: int
    size: PodSize
    max_replicas: int | None = None


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
    # Retention of the log group Fargate's log router writes every pod's logs to; None: no router.
    pod_log_retention_days: int | None = None
    tenant_of: str = ""  # a tenant stack's platform stack (tools/offline/footprints.py)
    public_zones: int = 0  # zones of the stack's public subnets (0: none of its own, an existing VPC's)

    def to_json(self) -> dict[str, Any]:
        """The footprint as plan.json records it: plain JSON, decimals as strings."""
        return _jsonable(dataclasses.asdict(self))

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


def footprint_from_resources(region: str, resources: Iterable[tuple[str, str, Mapping[str, Any]]]) -> Footprint:
    """The footprint of declared resources, each as (type token, resource name, inputs)."""
    resources = list(resources)
    workloads: list[Workload] = []
    notes: list[str] = []
    ingresses: list[tuple[str, Mapping[str, Any]]] = []
    autoscalers: dict[str, tuple[int, int]] = {}
    counts = {NAT: 0, EIP: 0, KMS_KEY: 0}
    router_outputs = ""
    log_groups: dict[str, Any] = {}
    clusters = 0
    public_zones: set[str] = set()
    private_zones: set[str] = set()

    for type_, name, inputs in resources:
        if type_ in counts:
            counts[type_] += 1
        elif type_ in CLUSTER_TYPES:
            clusters += 1
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
            else:
                notes.append(f"Helm release {name} (chart {inputs.get('chart')!r}): its pods are not estimated")
        elif type_ == INGRESS:
            ingresses.append((name, inputs))
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
    return Footprint(
        region=region,
        clusters=clusters,
        workloads=tuple(workloads),
        nat_gateways=counts[NAT],
        elastic_ips=counts[EIP],
        load_balancers=load_balancers,
        kms_keys=counts[KMS_KEY],
        notes=tuple(notes),
        pod_log_retention_days=int(named[0]) if named else None,
        public_zones=len(public_zones),
    )


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


# ---------------------------------------------------------------- the estimate


@dataclass(frozen=True)
class Line:
    """One row of the breakdown; `monthly_usd` is rounded to the cent."""

    category: str
    item: str
    quantity: str
    unit_price: str
    monthly_usd: Decimal
    # The same line with every autoscaled workload at its maximum replicas, where that differs.
    max_monthly_usd: Decimal | None = None


@dataclass(frozen=True)
class Estimate:
    stack: str
    region: str
    region_name: str
    hours_per_month: Decimal
    lines: tuple[Line, ...]
    assumptions: tuple[str, ...] = field(default=())

    @property
    def total_usd(self) -> Decimal:
        """The sum of the rounded lines, so that the table adds up to the cent."""
        return sum((line.monthly_usd for line in self.lines), Decimal(0)).quantize(CENT)

    @property
    def max_total_usd(self) -> Decimal:
        """The total with every autoscaled workload at its maximum replicas."""
        return sum((line.max_monthly_usd or line.monthly_usd for line in self.lines), Decimal(0)).quantize(CENT)

    def by_category(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for line in self.lines:
            totals[line.category] = totals.get(line.category, Decimal(0)) + line.monthly_usd
        return totals

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (amounts as numbers), e.g. for plan.json."""
        return {
            "stack": self.stack,
            "region": self.region,
            "currency": "USD",
            "hoursPerMonth": float(self.hours_per_month),
            "totalMonthlyUsd": float(self.total_usd),
            "maxTotalMonthlyUsd": float(self.max_total_usd),
            "lines": [
                {
                    "category": line.category,
                    "item": line.item,
                    "quantity": line.quantity,
                    "unitPrice": line.unit_price,
                    "monthlyUsd": float(line.monthly_usd),
                }
                for line in self.lines
            ],
            "assumptions": list(self.assumptions),
        }


def estimate(footprint: Footprint, stack: str = "", usage: Usage = Usage(), prices: Prices | None = None) -> Estimate:
    """Prices a footprint: one line per workload, then control plane, NAT, ALB, public IPv4, KMS."""
    p = prices or load_prices(footprint.region)
    hours = p.hours_per_month
    lines: list[Line] = []

    for workload in sorted(footprint.workloads, key=lambda w: w.name):
        hourly = p.pod_hour(workload.size)
        autoscaled = workload.max_replicas is not None and workload.max_replicas != workload.replicas
        replicas = f"{workload.replicas} (max {workload.max_replicas})" if autoscaled else str(workload.replicas)
        lines.append(
            Line(
                "Fargate",
                workload.name,
                f"{replicas} × {workload.size}",
                f"${_usd(hourly)}/pod-hour",
                _cents(hourly * workload.replicas * hours),
                _cents(hourly * workload.max_replicas * hours) if autoscaled else None,
            )
        )
    if footprint.clusters:
        lines.append(
            Line(
                "EKS",
                "control plane, standard support",
                f"{footprint.clusters} cluster × {_num(hours)} h",
                f"${_usd(p.eks_cluster_hour)}/h",
                _cents(p.eks_cluster_hour * footprint.clusters * hours),
            )
        )
    if footprint.nat_gateways:
        lines.append(
            Line(
                "NAT",
                "NAT gateways",
                f"{footprint.nat_gateways} × {_num(hours)} h",
                f"${_usd(p.nat_gateway_hour)}/h",
                _cents(p.nat_gateway_hour * footprint.nat_gateways * hours),
            )
        )
        lines.append(
            Line(
                "NAT",
                "data processed (assumed)",
                f"{_num(usage.nat_gb_per_month)} GB",
                f"${_usd(p.nat_gateway_gb)}/GB",
                _cents(p.nat_gateway_gb * usage.nat_gb_per_month),
            )
        )
    albs = sum((lb.share for lb in footprint.load_balancers), Decimal(0))
    if albs:
        lines.append(
            Line(
                "ALB",
                "Application Load Balancers",
                f"{_num(albs.quantize(CENT))} × {_num(hours)} h",
                f"${_usd(p.alb_hour)}/h",
                _cents(p.alb_hour * albs * hours),
            )
        )
        lcu_hours = usage.alb_lcu * albs * hours
        lines.append(
            Line(
                "ALB",
                f"LCUs (assumed {_num(usage.alb_lcu)} per ALB-hour)",
                f"{_num(lcu_hours.quantize(CENT))} LCU-h",
                f"${_usd(p.alb_lcu_hour)}/LCU-h",
                _cents(p.alb_lcu_hour * lcu_hours),
            )
        )
    alb_addresses = sum((lb.zones * lb.share for lb in footprint.load_balancers if lb.internet_facing), Decimal(0))
    addresses = footprint.elastic_ips + alb_addresses
    if addresses:
        lines.append(
            Line(
                "IPv4",
                f"public addresses: {footprint.elastic_ips} Elastic IP (NAT), "
                f"{_num(alb_addresses.quantize(CENT))} ALB (1 per zone)",
                f"{_num(addresses.quantize(CENT))} × {_num(hours)} h",
                f"${_usd(p.public_ipv4_hour)}/h",
                _cents(p.public_ipv4_hour * addresses * hours),
            )
        )
    if footprint.kms_keys:
        lines.append(
            Line(
                "KMS",
                "customer managed key (secrets encryption)",
                f"{footprint.kms_keys} key",
                f"${_usd(p.kms_key_month)}/month",
                _cents(p.kms_key_month * footprint.kms_keys),
            )
        )

    if footprint.pod_log_retention_days is not None:
        # Steady state: the group holds the last `retention` days of logs.
        kept_months = Decimal(footprint.pod_log_retention_days) / (hours / 24)
        pods = sum(workload.replicas for workload in footprint.workloads)
        most_pods = sum(workload.max_replicas or workload.replicas for workload in footprint.workloads)
        ingested = usage.log_gb_per_pod_month * pods

        def at_most(price: Decimal, per_pod: Decimal) -> Decimal | None:
            return _cents(price * per_pod * most_pods) if most_pods != pods else None

        lines.append(
            Line(
                "Logs",
                f"pod logs ingested (assumed {_num(usage.log_gb_per_pod_month)} GB per pod)",
                f"{_num(ingested)} GB",
                f"${_usd(p.logs_ingestion_gb)}/GB",
                _cents(p.logs_ingestion_gb * ingested),
                at_most(p.logs_ingestion_gb, usage.log_gb_per_pod_month),
            )
        )
        lines.append(
            Line(
                "Logs",
                f"pod logs stored ({footprint.pod_log_retention_days} days kept)",
                f"{_num((ingested * kept_months).quantize(CENT))} GB-month",
                f"${_usd(p.logs_storage_gb_month)}/GB-month",
                _cents(p.logs_storage_gb_month * ingested * kept_months),
                at_most(p.logs_storage_gb_month, usage.log_gb_per_pod_month * kept_months),
            )
        )

    assumptions = (
        f"{_num(hours)} hours a month; on-demand list prices of {p.region} from eksfargate/data/prices.json; no free tier, "
        "Savings Plans or tax.",
        "Pods: Fargate's size (requests + 256 MiB, rounded up to a supported vCPU/memory pair), running all month; "
        "an autoscaled workload at its minimum replicas (the total at its maximum is shown below the total).",
        f"NAT data processed: {_num(usage.nat_gb_per_month)} GB a month in all (image pulls at each pod start, API calls).",
        f"ALB: {_num(usage.alb_lcu)} LCU on average every hour; one public IPv4 address per zone it is enabled in.",
        f"EKS at the standard-support price; past standard support it is ${_usd(p.eks_extended_support_cluster_hour)}/h "
        f"(${_usd(_cents(p.eks_extended_support_cluster_hour * hours))}/month).",
        *(
            (
                f"Pod logs: {_num(usage.log_gb_per_pod_month)} GB a month per pod (every pod, all month) through "
                "Fargate's log router, stored at the ingested size for the log group's retention.",
            )
            if footprint.pod_log_retention_days is not None
            else ()
        ),
        "Not included: data transfer out and across zones, CloudWatch Logs of the control plane, ECR, KMS requests, "
        "the KMS key's rotated versions (+$1/month each, from the second year).",
        *(() if footprint.nat_gateways or footprint.tenant_of else (NO_NAT_NOTE,)),
        *((TENANT_NOTE.format(platform=footprint.tenant_of),) if footprint.tenant_of else ()),
        *footprint.notes,
    )
    return Estimate(stack, p.region, p.name, hours, tuple(lines), assumptions)


# ---------------------------------------------------------------- entry points


def from_plan(plan: Mapping[str, Any], usage: Usage = Usage(), prices: Prices | None = None) -> Estimate:
    """The estimate of an offline plan (plan.json): the footprint it recorded.

    A plan written before plans recorded their footprint (an older revision in a diff) is read
    from its resources."""
    if plan.get("footprint") is not None:
        footprint = Footprint.from_json(plan["footprint"])
    else:
        region = plan["config"].get("aws:region", "")
        footprint = footprint_from_resources(region, ((r["type"], r["name"], r["inputs"]) for r in plan["resources"]))
    return estimate(footprint, plan.get("stack", ""), usage, prices)


def render(estimate: Estimate) -> str:
    """The breakdown as a fixed-width table, then the assumptions."""
    header = ("", "item", "quantity", "unit price", "per month")
    rows = [(line.category, line.item, line.quantity, line.unit_price, f"${line.monthly_usd:,.2f}") for line in estimate.lines]
    total = ("", "total", "", "", f"${estimate.total_usd:,.2f}")
    if estimate.max_total_usd != estimate.total_usd:
        totals = (total, ("", "total, autoscaled workloads at their maximum replicas", "", "", f"${estimate.max_total_usd:,.2f}"))
    else:
        totals = (total,)
    widths = [max(len(row[i]) for row in (header, *rows, *totals)) for i in range(5)]

    def fmt(row: tuple[str, ...]) -> str:
        return "  ".join(
            cell.ljust(width) if i < 4 else cell.rjust(width) for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    title = (
        f"Estimated monthly cost of stack {estimate.stack or '?'}: {estimate.region} ({estimate.region_name}), "
        f"USD, {_num(estimate.hours_per_month)} h/month"
    )
    body = [title, "", fmt(header), rule, *(fmt(row) for row in rows), rule, *(fmt(row) for row in totals), "", "Assumptions:"]
    body += [f"  - {text}" for text in estimate.assumptions]
    return "\n".join(body) + "\n"


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _usd(amount: Decimal) -> str:
    """A price as printed: at least two decimals, and as many more as it has (0.0225, 0.10)."""
    return f"{amount.quantize(CENT):f}" if amount == amount.quantize(CENT) else _num(amount)


def _num(number: Decimal | int) -> str:
    text = f"{Decimal(number):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
