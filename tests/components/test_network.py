"""The VPC: subnets per zone, NAT routing, the tags the load balancer controller discovers."""

import ipaddress

import pytest

from components.network import subnet_cidrs
from offline.harness import record, zone_placeholder
from tests.stackfacts import NAT, PINNED_DEV, SUBNET, by_id, route_table_of, setting, subnets


def test_vpc_has_dns_support_and_hostnames(stack):
    vpc = stack.one("aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == stack.config["eks-fargate:vpcCidr"]
    assert vpc.inputs["enableDnsSupport"] is True
    assert vpc.inputs["enableDnsHostnames"] is True


def test_one_public_and_one_private_subnet_in_each_zone_asked_for(stack):
    private, public = subnets(stack, public=False), subnets(stack, public=True)
    zones = int(setting(stack, "availabilityZoneCount"))
    assert len(private) == len(public) == zones
    assert len({s.inputs["availabilityZone"] for s in private}) == zones
    assert {s.inputs["availabilityZone"] for s in private} == {s.inputs["availabilityZone"] for s in public}


def test_subnets_lie_inside_the_vpc_and_do_not_overlap(stack):
    vpc = ipaddress.ip_network(stack.config["eks-fargate:vpcCidr"])
    networks = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in stack.of_type(SUBNET)]
    assert all(net.subnet_of(vpc) for net in networks)
    assert not any(a.overlaps(b) for i, a in enumerate(networks) for b in networks[i + 1 :])


def test_private_subnets_are_larger_than_public_ones(stack):
    # Every Fargate pod takes an address from a private subnet.
    smallest_private = min(ipaddress.ip_network(s.inputs["cidrBlock"]).num_addresses for s in subnets(stack, public=False))
    largest_public = max(ipaddress.ip_network(s.inputs["cidrBlock"]).num_addresses for s in subnets(stack, public=True))
    assert smallest_private > largest_public


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "192.168.0.0/18", "172.31.240.0/20"])
@pytest.mark.parametrize("zones", [2, 3, 6])
def test_subnet_plan_fits_every_allowed_vpc_size(cidr, zones):
    private, public = subnet_cidrs(cidr, zones)
    networks = [ipaddress.ip_network(c) for c in private + public]
    assert len(private) == len(public) == zones
    assert all(net.subnet_of(ipaddress.ip_network(cidr)) for net in networks)
    assert not any(a.overlaps(b) for i, a in enumerate(networks) for b in networks[i + 1 :])
    # AWS's smallest subnet is a /28; the ALB wants at least 8 free addresses per subnet.
    assert all(net.prefixlen <= 26 for net in networks)


def test_private_subnets_get_no_public_ips_and_route_to_a_nat_gateway(stack):
    for subnet in subnets(stack, public=False):
        routes = route_table_of(stack, subnet).inputs["routes"]
        default = [r for r in routes if r["cidrBlock"] == "0.0.0.0/0"]
        assert len(default) == 1
        assert "gatewayId" not in default[0]
        by_id(stack, NAT, default[0]["natGatewayId"])


def test_public_subnets_route_to_the_internet_gateway(stack):
    gateway = stack.one("aws:ec2/internetGateway:InternetGateway")
    for subnet in subnets(stack, public=True):
        routes = route_table_of(stack, subnet).inputs["routes"]
        assert {"cidrBlock": "0.0.0.0/0", "gatewayId": gateway.id} in routes


def test_load_balancer_controller_discovery_tags(stack):
    for subnet in subnets(stack, public=True):
        assert subnet.inputs["tags"]["kubernetes.io/role/elb"] == "1"
        assert "kubernetes.io/role/internal-elb" not in subnet.inputs["tags"]
    for subnet in subnets(stack, public=False):
        assert subnet.inputs["tags"]["kubernetes.io/role/internal-elb"] == "1"
        assert "kubernetes.io/role/elb" not in subnet.inputs["tags"]


def test_nat_gateways_sit_in_public_subnets_one_shared_or_one_per_zone(stack):
    gateways = stack.of_type(NAT)
    per_az = setting(stack, "natMode") == "per-az"
    assert len(gateways) == (int(setting(stack, "availabilityZoneCount")) if per_az else 1)
    for nat in gateways:
        assert nat.inputs["subnetId"] in {s.id for s in subnets(stack, public=True)}
        assert nat.depends_on(stack.one("aws:ec2/internetGateway:InternetGateway"))
    for subnet in subnets(stack, public=False):
        nat_id = route_table_of(stack, subnet).inputs["routes"][0]["natGatewayId"]
        nat_subnet = by_id(stack, SUBNET, by_id(stack, NAT, nat_id).inputs["subnetId"])
        # per-az: each zone's pods leave through their own zone's gateway, so one zone's outage spares the rest.
        assert (nat_subnet.inputs["availabilityZone"] == subnet.inputs["availabilityZone"]) or not per_az


def test_existing_vpc_mode_creates_no_network_and_passes_ids_through(existing_vpc):
    # The app's namespace security group goes in the given VPC; nothing of the network is made.
    made = [r for r in existing_vpc.resources if r.type.startswith("aws:ec2/")]
    assert {r.type for r in made} == {"aws:ec2/securityGroup:SecurityGroup"}
    assert all(r.inputs["vpcId"] == existing_vpc.config["eks-fargate:existingVpcId"] for r in made)
    assert existing_vpc.outputs["vpcId"] == existing_vpc.config["eks-fargate:existingVpcId"]
    assert existing_vpc.outputs["privateSubnetIds"] == ["subnet-0aaaaaaaaaaaaaa01", "subnet-0aaaaaaaaaaaaaa02"]
    assert existing_vpc.outputs["publicSubnetIds"] == ["subnet-0bbbbbbbbbbbbbb01", "subnet-0bbbbbbbbbbbbbb02"]


def test_zones_eks_cannot_use_are_skipped():
    # use1-az3 is a zone EKS places no control plane in; us-east-1 names zones per account, so
    # the offline answer names them by id.
    recording = record("dev", overrides={"aws:region": "us-east-1"}, stack_file=PINNED_DEV)
    zones = {s.inputs["availabilityZone"] for s in recording.of_type(SUBNET)}
    assert zones == {zone_placeholder(z) for z in ("use1-az1", "use1-az2", "use1-az4")}
