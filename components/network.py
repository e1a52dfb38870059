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


class Network(pulumi.ComponentResource):
    """A VPC with one public and one private subnet per zone and NAT for the private ones."""

    vpc_id: pulumi.Output[str]
    private_subnet_ids: list[pulumi.Output[str]]
    public_subnet_ids: list[pulumi.Output[str]]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:network:Network", name, None, opts)
        zones = self._zones(args.az_count)
        private_cidrs, public_cidrs = subnet_cidrs(args.cidr, args.az_count)

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
        public_subnets = []
        for zone, cidr in zip(zones, public_cidrs, strict=True):
            subnet = aws.ec2.Subnet(
                f"{name}-public-{zone}",
                vpc_id=vpc.id,
                cidr_block=cidr,
                availability_zone=zone,
                map_public_ip_on_launch=True,
                tags=tagged(f"public-{zone}", {ELB_ROLE_TAG: "1"}),
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{zone}", subnet_id=subnet.id, route_table_id=public_routes.id, opts=child
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
                availability_zone=zone,
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
            aws.ec2.RouteTableAssociation(f"{name}-private-{zone}", subnet_id=subnet.id, route_table_id=routes.id, opts=child)
            private_subnets.append(subnet)

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
        return NetworkIds(self.vpc_id, self.private_subnet_ids, self.public_subnet_ids)

    def _zones(self, count: int) -> list[str]:
        available = aws.get_availability_zones(
            state="available",
            # Zones EKS places no control plane in (eksfargate/data/regions.json, from the EKS user guide).
            exclude_zone_ids=eks_excluded_zone_ids(),
            # Local Zones and Wavelength Zones are opt-in; EKS control planes cannot use them.
            filters=[aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])],
            opts=pulumi.InvokeOptions(parent=self),
        )
        names = sorted(available.names)
        if len(names) < count:
            raise pulumi.RunError(
                f"{count} availability zones were asked for, but the region has only {len(names)} available: {names}"
            )
        return names[:count]
