"""The VPC: public subnets for the ALB, private subnets for Fargate pods, NAT for image pulls."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from eksfargate.regions import eks_excluded_zone_ids
from eksfargate.settings import ExistingVpc

# The VPC is cut in eighths: private subnet i takes eighth i (Fargate gives every pod an
# address of its own there, so private subnets get the room), and the last eighth is cut
# in eighths again for the public subnets, which only hold ALB and NAT interfaces.
_EIGHTH = 3
_PUBLIC_SLICE = 7

# Tags the AWS Load Balancer Controller discovers subnets by: public subnets for
# internet-facing load balancers, private ones for internal load balancers.
ELB_ROLE_TAG = "kubernetes.io/role/elb"
INTERNAL_ELB_ROLE_TAG = "kubernetes.io/role/internal-elb"


@dataclass(frozen=True)
class NetworkIds:
    """What the rest of the stack needs of a network, whoever made it."""

    vpc_id: pulumi.Input[str]
    private_subnet_ids: Sequence[pulumi.Input[str]]
    public_subnet_ids: Sequence[pulumi.Input[str]]
    # The path from the private subnets to AWS's regional APIs: NAT gateways, route tables and
    # their associations. What calls those APIs from a pod (the load balancer controller deleting
    # its ALBs) depends on them, so that a destroy removes it first. Empty for an existing VPC,
    # whose routes the stack neither makes nor deletes.
    egress: Sequence[pulumi.Resource] = ()

    @staticmethod
    def existing(vpc: ExistingVpc) -> NetworkIds:
        return NetworkIds(vpc.vpc_id, list(vpc.private_subnet_ids), list(vpc.public_subnet_ids))


def subnet_cidrs(vpc_cidr: str, az_count: int) -> tuple[list[str], list[str]]:
    """Private and public subnet CIDRs for `az_count` zones, derived from the VPC CIDR alone."""
    vpc = ipaddress.IPv4Network(vpc_cidr)
    eighths = list(vpc.subnets(prefixlen_diff=_EIGHTH))
    public_pool = list(eighths[_PUBLIC_SLICE].subnets(prefixlen_diff=_EIGHTH))
    return [str(net) for net in eighths[:az_count]], [str(net) for net in public_pool[:az_count]]


@dataclass
class NetworkArgs:
    """Inputs of `Network`.

    cidr: the VPC's IPv4 CIDR.
    az_count: how many availability zones get one public and one private subnet.
    zone_ids: the zone ids the subnets are in, in order (pinned); empty: the first az_count
        available zones of a live lookup (stacks made before zone ids were pinned).
    fargate_zone_ids: where Fargate runs pods only in some zones, those ids (unpinned lookups keep to them).
    names_by_zone_id: per-zone resources are named after the zone id, not the zone name.
    nat_mode: "single" (one NAT gateway for all zones) or "per-az" (one per zone).
    name_prefix: prefix of every Name tag, e.g. the cluster name.
    protect: protect the VPC against deletion.
    tags: tags for every resource.
    """

    cidr: str
    az_count: int
    nat_mode: str
    name_prefix: str
    protect: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    zone_ids: Sequence[str] = ()
    fargate_zone_ids: Sequence[str] | None = None
    names_by_zone_id: bool = False


class Network(pulumi.ComponentResource):
    """A VPC with one public and one private subnet per zone and NAT for the private ones."""

    vpc_id: pulumi.Output[str]
    private_subnet_ids: list[pulumi.Output[str]]
    public_subnet_ids: list[pulumi.Output[str]]
    egress: list[pulumi.Resource]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:network:Network", name, None, opts)
        if args.zone_ids:
            zone_names = self._pinned_zones(args.zone_ids)
            labels = list(args.zone_ids) if args.names_by_zone_id else zone_names
        else:
            zone_names = self._zones(args.az_count, args.fargate_zone_ids)
            labels = zone_names
        # Resource names and Name tags carry `label`; the subnets are placed by zone name.
        zones = labels
        placed = dict(zip(labels, zone_names, strict=True))
        private_cidrs, public_cidrs = subnet_cidrs(args.cidr, len(zones))

        def tagged(suffix: str, extra: dict[str, str] | None = None) -> dict[str, str]:
            return {**args.tags, "Name": f"{args.name_prefix}-{suffix}", **(extra or {})}

        child = pulumi.ResourceOptions(parent=self)
        # Fargate and EKS need DNS hostnames and resolution in the VPC.
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=tagged("vpc"),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        gateway = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=tagged("igw"), opts=child)

        public_routes = aws.ec2.RouteTable(
            f"{name}-public",
            vpc_id=vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=gateway.id)],
            tags=tagged("public"),
            opts=child,
        )
        egress: list[pulumi.Resource] = [public_routes]
        public_subnets = []
        for zone, cidr in zip(zones, public_cidrs, strict=True):
            subnet = aws.ec2.Subnet(
                f"{name}-public-{zone}",
                vpc_id=vpc.id,
                cidr_block=cidr,
                availability_zone=placed[zone],
                map_public_ip_on_launch=True,
                tags=tagged(f"public-{zone}", {ELB_ROLE_TAG: "1"}),
                opts=child,
            )
            egress.append(
                aws.ec2.RouteTableAssociation(
                    f"{name}-public-{zone}", subnet_id=subnet.id, route_table_id=public_routes.id, opts=child
                )
            )
            public_subnets.append(subnet)

        nat_count = len(zones) if args.nat_mode == "per-az" else 1
        nat_gateways = []
        for zone, subnet in list(zip(zones, public_subnets, strict=True))[:nat_count]:
            address = aws.ec2.Eip(f"{name}-nat-{zone}", domain="vpc", tags=tagged(f"nat-{zone}"), opts=child)
            nat_gateways.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{zone}",
                    subnet_id=subnet.id,
                    allocation_id=address.id,
                    tags=tagged(f"nat-{zone}"),
                    # A NAT gateway only forwards once the VPC's internet gateway is attached.
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[gateway]),
                )
            )

        private_subnets = []
        for index, (zone, cidr) in enumerate(zip(zones, private_cidrs, strict=True)):
            subnet = aws.ec2.Subnet(
                f"{name}-private-{zone}",
                vpc_id=vpc.id,
                cidr_block=cidr,
                availability_zone=placed[zone],
                map_public_ip_on_launch=False,
                tags=tagged(f"private-{zone}", {INTERNAL_ELB_ROLE_TAG: "1"}),
                opts=child,
            )
            routes = aws.ec2.RouteTable(
                f"{name}-private-{zone}",
                vpc_id=vpc.id,
                routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat_gateways[index % nat_count].id)],
                tags=tagged(f"private-{zone}"),
                opts=child,
            )
            association = aws.ec2.RouteTableAssociation(
                f"{name}-private-{zone}", subnet_id=subnet.id, route_table_id=routes.id, opts=child
            )
            egress += [routes, association]
            private_subnets.append(subnet)

        self.egress = [*nat_gateways, *egress]
        self.vpc_id = vpc.id
        self.private_subnet_ids = [subnet.id for subnet in private_subnets]
        self.public_subnet_ids = [subnet.id for subnet in public_subnets]
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "privateSubnetIds": self.private_subnet_ids,
                "publicSubnetIds": self.public_subnet_ids,
            }
        )

    @property
    def ids(self) -> NetworkIds:
        return NetworkIds(self.vpc_id, self.private_subnet_ids, self.public_subnet_ids, self.egress)

    def _zones(self, count: int, fargate_zone_ids: Sequence[str] | None) -> list[str]:
        """The first `count` available zone names: what stacks without pinned zone ids use."""
        filters = [
            # Local Zones and Wavelength Zones are opt-in; EKS control planes cannot use them.
            aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])
        ]
        if fargate_zone_ids is not None:
            # Fargate runs pods only in these zones of the region (eksfargate/data/regions.json).
            filters.append(aws.GetAvailabilityZonesFilterArgs(name="zone-id", values=list(fargate_zone_ids)))
        available = aws.get_availability_zones(
            state="available",
            # Zones EKS places no control plane in (eksfargate/data/regions.json, from the EKS user guide).
            exclude_zone_ids=eks_excluded_zone_ids(),
            filters=filters,
            opts=pulumi.InvokeOptions(parent=self),
        )
        names = sorted(available.names)
        if len(names) < count:
            raise pulumi.RunError(
                f"{count} availability zones were asked for, but the region has only {len(names)} available: {names}"
            )
        return names[:count]

    def _pinned_zones(self, zone_ids: Sequence[str]) -> list[str]:
        """The names of the pinned zone ids in this account, in the ids' order.

        The lookup is filtered by exactly those ids (and by no state), so nothing it returns can
        move the stack's zones: a pinned zone that is missing is an error, never a substitute.
        """
        found = aws.get_availability_zones(
            filters=[aws.GetAvailabilityZonesFilterArgs(name="zone-id", values=list(zone_ids))],
            opts=pulumi.InvokeOptions(parent=self),
        )
        by_id = dict(zip(found.zone_ids, found.names, strict=True))
        missing = [zone_id for zone_id in zone_ids if zone_id not in by_id]
        if missing:
            raise pulumi.RunError(
                f"availabilityZoneIds {missing} are not zones of this region for this account: it has {sorted(by_id)}"
            )
        return [by_id[zone_id] for zone_id in zone_ids]
