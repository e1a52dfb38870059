"""The VPC's types: the VPC, subnets, gateways, Elastic IPs, route tables and their associations.

Replace-on rules: the ForceNew attributes of the Terraform AWS provider resources that pulumi-aws
bridges, read in hashicorp/terraform-provider-aws internal/service/ec2/vpc_.go (cidr_block,
ipv4_ipam_pool_id, ipv4_netmask_length), vpc_subnet.go, vpc_route_table.go (vpc_id),
vpc_route_table_association.go (subnet_id, gateway_id), vpc_nat_gateway.go and ec2_eip.go. Not
ForceNew there, so left out: a subnet's or an EIP's customer-owned pool.
"""

from __future__ import annotations

from typing import Any

from eksfargate.facts.resource_types import (
    ELASTIC_IP,
    INTERNET_GATEWAY,
    NAT_GATEWAY,
    ROUTE_TABLE,
    ROUTE_TABLE_ASSOCIATION,
    SECURITY_GROUP,
    SECURITY_GROUP_EGRESS_RULE,
    SECURITY_GROUP_INGRESS_RULE,
    SUBNET,
    VPC,
)
from offline.registry.entry import ResourceType, prefixed_id
from offline.unknowns import KNOWN_AFTER_DEPLOY


def _vpc(res: dict[str, Any]) -> list[str]:
    i = res["inputs"]
    dns = "DNS hostnames+support" if i.get("enableDnsHostnames") and i.get("enableDnsSupport") else "DNS hostnames/support OFF"
    return [f"cidr {i.get('cidrBlock', KNOWN_AFTER_DEPLOY)}", dns]


def _subnet(res: dict[str, Any]) -> list[str]:
    i = res["inputs"]
    roles = [f"{key}={value}" for key, value in sorted((i.get("tags") or {}).items()) if key.startswith("kubernetes.io/role/")]
    zone = i.get("availabilityZone") or i.get("availabilityZoneId") or KNOWN_AFTER_DEPLOY
    return ["public" if i.get("mapPublicIpOnLaunch") else "private", f"cidr {i.get('cidrBlock')}", f"zone {zone}", *roles]


def _route_table(res: dict[str, Any]) -> list[str]:
    return [
        f"{route.get('cidrBlock') or route.get('ipv6CidrBlock')} → {_route_target(route)}"
        for route in res["inputs"].get("routes") or []
    ]


def _route_target(route: dict[str, Any]) -> str:
    for key in ("natGatewayId", "gatewayId", "transitGatewayId", "vpcPeeringConnectionId", "networkInterfaceId"):
        if route.get(key):
            return f"{key.removesuffix('Id')} {route[key]}"
    return "?"


def _rule(res: dict[str, Any]) -> list[str]:
    i = res["inputs"]
    ports = "all" if i.get("ipProtocol") == "-1" else f"{i.get('ipProtocol')} {i.get('fromPort')}-{i.get('toPort')}"
    peer = i.get("referencedSecurityGroupId") or i.get("cidrIpv4") or i.get("cidrIpv6") or i.get("prefixListId")
    return [f"{ports} {'from' if 'Ingress' in res['type'] else 'to'} {peer}", f"on {i.get('securityGroupId')}"]


def _association(res: dict[str, Any]) -> list[str]:
    i = res["inputs"]
    return [f"{i.get('subnetId') or i.get('gatewayId')} → {i.get('routeTableId')}"]


TYPES = (
    ResourceType(
        VPC,
        id_of=prefixed_id("vpc-"),
        replace_on=("cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"),
        summary=_vpc,
    ),
    ResourceType(
        SUBNET,
        id_of=prefixed_id("subnet-"),
        replace_on=(
            "availabilityZone",
            "availabilityZoneId",
            "cidrBlock",
            "ipv4IpamPoolId",
            "ipv4NetmaskLength",
            "ipv6IpamPoolId",
            "ipv6Native",
            "ipv6NetmaskLength",
            "outpostArn",
            "vpcId",
        ),
        summary=_subnet,
    ),
    ResourceType(INTERNET_GATEWAY, id_of=prefixed_id("igw-")),
    ResourceType(
        NAT_GATEWAY,
        id_of=prefixed_id("nat-"),
        replace_on=("allocationId", "connectivityType", "privateIp", "secondaryPrivateIpAddressCount", "subnetId"),
        summary=lambda res: [f"in subnet {res['inputs'].get('subnetId')}"],
    ),
    ResourceType(
        ELASTIC_IP,
        id_of=prefixed_id("eipalloc-"),
        replace_on=("address", "domain", "ipamPoolId", "networkBorderGroup", "publicIpv4Pool"),
    ),
    ResourceType(ROUTE_TABLE, id_of=prefixed_id("rtb-"), replace_on=("vpcId",), summary=_route_table),
    ResourceType(ROUTE_TABLE_ASSOCIATION, replace_on=("subnetId", "gatewayId"), summary=_association),
    # name, description, name_prefix and vpc_id cannot change (pulumi_aws ec2.SecurityGroup's docs).
    ResourceType(
        SECURITY_GROUP,
        id_of=prefixed_id("sg-"),
        replace_on=("description", "name", "namePrefix", "vpcId"),
        summary=lambda res: [f"in VPC {res['inputs'].get('vpcId')}", "no inline rules"],
    ),
    # A rule belongs to one group for good: EC2 modifies a rule's ports and peer, never its group.
    ResourceType(SECURITY_GROUP_INGRESS_RULE, id_of=prefixed_id("sgr-"), replace_on=("securityGroupId",), summary=_rule),
    ResourceType(SECURITY_GROUP_EGRESS_RULE, id_of=prefixed_id("sgr-"), replace_on=("securityGroupId",), summary=_rule),
)
