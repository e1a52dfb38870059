"""Rules on how traffic reaches Fargate pods and how they reach out: load balancers target pod
IPs, and Fargate profiles use private subnets only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs

from eksfargate.facts.resource_types import FARGATE_PROFILE, INTERNET_GATEWAY, ROUTE_TABLE, ROUTE_TABLE_ASSOCIATION, SUBNET
from policy.declare import ADVISORY, MANDATORY, resource_policy, stack_policy
from policy.reading import UNKNOWN, display, get, get_list, get_map, kind_of, known_str, present

# AWS Load Balancer Controller annotations and classes.
ALB_TARGET_TYPE = "alb.ingress.kubernetes.io/target-type"
LEGACY_INGRESS_CLASS = "kubernetes.io/ingress.class"
NLB_TYPE = "service.beta.kubernetes.io/aws-load-balancer-type"
NLB_TARGET_TYPE = "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"
NLB_CLASS = "service.k8s.aws/nlb"
ALB_SCHEME = "alb.ingress.kubernetes.io/scheme"
ALB_CERTIFICATE_ARN = "alb.ingress.kubernetes.io/certificate-arn"
ALB_LISTEN_PORTS = "alb.ingress.kubernetes.io/listen-ports"

ROUTE = "aws:ec2/route:Route"
ASSOCIATION = ROUTE_TABLE_ASSOCIATION

# --- load balancers --------------------------------------------------------------------------


@resource_policy(
    "alb-ingress-ip-targets",
    MANDATORY,
    "ALB Ingresses use target type ip: Fargate has no nodes for instance (NodePort) targets.",
)
def alb_ingress_ip_targets(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if kind_of(args.resource_type) != "Ingress":
        return
    annotations = get_map(args.props, "metadata", "annotations")
    ingress_class = get(args.props, "spec", "ingressClassName")
    if annotations is UNKNOWN or ingress_class is UNKNOWN:
        return
    if ingress_class != "alb" and annotations.get(LEGACY_INGRESS_CLASS) != "alb":
        return
    target_type = annotations.get(ALB_TARGET_TYPE)
    if target_type != "ip":
        shown = f"'{target_type}'" if target_type else "'instance' (the default)"
        report_violation(
            f"{display('Ingress', args.props, args.name)} asks the ALB for target type {shown}, whose NodePort targets "
            f"never turn healthy on Fargate. Set the annotation {ALB_TARGET_TYPE}: ip.",
            None,
        )


def _is_alb_ingress(args: ResourceValidationArgs) -> bool:
    ingress_class: object = get(args.props, "spec", "ingressClassName")
    return ingress_class == "alb" or get(args.props, "metadata", "annotations", LEGACY_INGRESS_CLASS) == "alb"


@resource_policy(
    "ingress-has-tls",
    ADVISORY,
    "An internet-facing ALB Ingress serves HTTPS: a certificate, with HTTP redirected to it.",
)
def ingress_has_tls(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if kind_of(args.resource_type) != "Ingress" or not _is_alb_ingress(args):
        return
    scheme, certificate, ports = (
        get(args.props, "metadata", "annotations", key) for key in (ALB_SCHEME, ALB_CERTIFICATE_ARN, ALB_LISTEN_PORTS)
    )
    if scheme != "internet-facing":
        return
    # A certificate by ARN, or one the controller discovers from the hosts once HTTPS is listened on.
    https = ports is UNKNOWN or "HTTPS" in (known_str(ports) or "")
    if not (present(certificate) or https):
        report_violation(
            f"{display('Ingress', args.props, args.name)} is internet-facing on plain HTTP: traffic and any credentials "
            "cross the internet unencrypted. Give the app a certificate (appCertificateArn or appHostedZone with appHost; "
            "a tenant's certificateArn or hostedZone with host): HTTPS on 443, HTTP redirected to it.",
            None,
        )


@resource_policy(
    "load-balancer-service-nlb-ip-targets",
    MANDATORY,
    "Services of type LoadBalancer use the AWS Load Balancer Controller's NLB with IP targets.",
)
def load_balancer_service_nlb_ip(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if kind_of(args.resource_type) != "Service" or get(args.props, "spec", "type") != "LoadBalancer":
        return
    annotations = get_map(args.props, "metadata", "annotations")
    lb_class = get(args.props, "spec", "loadBalancerClass")
    if annotations is UNKNOWN or lb_class is UNKNOWN:
        return
    lb_type = annotations.get(NLB_TYPE)
    if lb_type == "nlb-ip":
        return  # the controller's older spelling of an NLB with IP targets
    by_controller = lb_class == NLB_CLASS or lb_type == "external"
    if by_controller and annotations.get(NLB_TARGET_TYPE) == "ip":
        return
    problem = (
        "gets an NLB with instance targets" if by_controller else "is left to the in-tree cloud provider, which targets nodes"
    )
    report_violation(
        f"{display('Service', args.props, args.name)} of type LoadBalancer {problem}; Fargate has no nodes, so the "
        f"targets never turn healthy. Set spec.loadBalancerClass: {NLB_CLASS} (or the annotation {NLB_TYPE}: external) "
        f"and the annotation {NLB_TARGET_TYPE}: ip.",
        None,
    )


# --- Fargate profiles use private subnets only -------------------------------------------------


class _Stack:
    """Links between the stack's resources, by property dependency first and by id second."""

    def __init__(self, resources: Sequence[PolicyResource]):
        self.resources = resources
        self.by_type: dict[str, list[PolicyResource]] = {}
        for resource in resources:
            self.by_type.setdefault(resource.resource_type, []).append(resource)

    @staticmethod
    def id_of(resource: PolicyResource) -> str | None:
        return known_str(get(resource.props, "id"))

    def referenced(self, holder: PolicyResource, prop: str, type_: str, values: Iterable[Any]) -> list[PolicyResource]:
        """Resources of `type_` that `holder.prop` names: through its dependencies or by id."""
        found = [r for r in holder.property_dependencies.get(prop, []) if r.resource_type == type_]
        ids = {v for v in values if known_str(v)}
        for resource in self.by_type.get(type_, []):
            if resource not in found and self.id_of(resource) in ids:
                found.append(resource)
        return found

    def names(self, holder: PolicyResource, prop: str, target: PolicyResource, value: Any) -> bool:
        """Whether `holder.prop` (value `value`) refers to `target`."""
        if target in holder.property_dependencies.get(prop, []):
            return True
        target_id = self.id_of(target)
        return target_id is not None and known_str(value) == target_id


@dataclass
class _Route:
    destination: Any
    gateway: Any  # gatewayId
    nat: Any  # natGatewayId
    to_igw: bool


def _routes(stack: _Stack, table: PolicyResource) -> tuple[list[_Route], bool]:
    """The table's routes (inline and separate `Route` resources), and whether some are unknown until deploy."""
    igws = stack.by_type.get(INTERNET_GATEWAY, [])
    igw_ids = {stack.id_of(g) for g in igws} - {None}

    def depends_on_igw(holder: PolicyResource, prop: str) -> bool:
        return any(d.resource_type == INTERNET_GATEWAY for d in holder.property_dependencies.get(prop, []))

    def is_igw(gateway: Any, holder: PolicyResource, prop: str) -> bool:
        gateway_id = known_str(gateway)
        if gateway_id:
            return gateway_id.startswith("igw-") or gateway_id in igw_ids
        # Unknown until deploy: the property's dependencies tell what it will be.
        return gateway is UNKNOWN and depends_on_igw(holder, prop)

    routes = []
    inline = get_list(table.props, "routes")
    undecided = inline is UNKNOWN
    if undecided and depends_on_igw(table, "routes"):
        routes.append(_Route(UNKNOWN, UNKNOWN, None, True))
    for route in inline if inline is not UNKNOWN else []:
        if route is UNKNOWN:
            undecided = True
            continue
        gateway = get(route, "gatewayId")
        destination = get(route, "cidrBlock")
        undecided = undecided or destination is UNKNOWN
        routes.append(_Route(destination, gateway, get(route, "natGatewayId"), is_igw(gateway, table, "routes")))
    for route in stack.by_type.get(ROUTE, []):
        if stack.names(route, "routeTableId", table, get(route.props, "routeTableId")):
            gateway = get(route.props, "gatewayId")
            destination = get(route.props, "destinationCidrBlock")
            undecided = undecided or destination is UNKNOWN
            routes.append(_Route(destination, gateway, get(route.props, "natGatewayId"), is_igw(gateway, route, "gatewayId")))
    return routes, undecided


@stack_policy(
    "fargate-profile-private-subnets",
    MANDATORY,
    "Fargate profiles use only private subnets: no public IP on launch, 0.0.0.0/0 routed to a NAT gateway, no route to an "
    "internet gateway.",
)
def fargate_profile_private_subnets(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = _Stack(args.resources)
    for profile in stack.by_type.get(FARGATE_PROFILE, []):
        profile_name = known_str(get(profile.props, "fargateProfileName")) or profile.name
        subnet_ids = get_list(profile.props, "subnetIds")
        subnets = stack.referenced(profile, "subnetIds", SUBNET, subnet_ids if subnet_ids is not UNKNOWN else [])
        # Subnets the stack does not declare (an existing VPC) cannot be checked from here.
        for subnet in subnets:
            where = f"Fargate profile '{profile_name}' uses subnet '{subnet.name}'"
            if get(subnet.props, "mapPublicIpOnLaunch") is True:
                report_violation(
                    f"{where}, which gives instances a public IP on launch (mapPublicIpOnLaunch: true), i.e. a public "
                    "subnet. Fargate pods run in private subnets only: give the profile the private subnets.",
                    profile.urn,
                )
                continue
            associations = [
                a for a in stack.by_type.get(ASSOCIATION, []) if stack.names(a, "subnetId", subnet, get(a.props, "subnetId"))
            ]
            if not associations:
                report_violation(
                    f"{where}, which has no route table association in this stack, so it uses the VPC's main route "
                    "table. Associate a route table that sends 0.0.0.0/0 to a NAT gateway.",
                    profile.urn,
                )
                continue
            for association in associations:
                tables = stack.referenced(association, "routeTableId", ROUTE_TABLE, [get(association.props, "routeTableId")])
                for table in tables:
                    routes, undecided = _routes(stack, table)
                    has_nat = any(route.destination == "0.0.0.0/0" and present(route.nat) for route in routes)
                    if any(route.to_igw for route in routes):
                        report_violation(
                            f"{where}, whose route table '{table.name}' routes to an internet gateway, i.e. a public "
                            "subnet. Fargate pods run in private subnets only: use subnets whose route table sends "
                            "0.0.0.0/0 to a NAT gateway.",
                            profile.urn,
                        )
                    elif not has_nat and not undecided:
                        report_violation(
                            f"{where}, whose route table '{table.name}' has no 0.0.0.0/0 route to a NAT gateway: pods "
                            "could not pull images from public registries. Route 0.0.0.0/0 to a NAT gateway.",
                            profile.urn,
                        )
