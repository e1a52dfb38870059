"""Small readers over a Recording, shared by the component tests."""

import json
from pathlib import Path

from offline.harness import RecordedResource, Recording

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
NAT = "aws:ec2/natGateway:NatGateway"
ROLE = "aws:iam/role:Role"
PROFILE = "aws:eks/fargateProfile:FargateProfile"
EKS_CLUSTER = "eks:index:Cluster"
RELEASE = "kubernetes:helm.sh/v3:Release"
K8S_PROVIDER = "pulumi:providers:kubernetes"

# dev's values, pinned: tests that need fixed values record this file, never Pulumi.dev.yaml.
DATA_DIR = Path(__file__).parent / "data"
STACKS_DIR = DATA_DIR / "stacks"
PINNED_DEV = STACKS_DIR / "Pulumi.dev.yaml"


def setting(recording: Recording, key: str) -> str:
    """A project setting as the program received it (the stack file's value or Pulumi.yaml's default)."""
    return recording.config[f"{recording.project}:{key}"]


def cluster_name(recording: Recording) -> str:
    return setting(recording, "clusterName") or f"{recording.project}-{recording.stack}"


def subnets(recording: Recording, public: bool) -> list[RecordedResource]:
    return [s for s in recording.of_type(SUBNET) if s.inputs["mapPublicIpOnLaunch"] is public]


def route_table_of(recording: Recording, subnet: RecordedResource) -> RecordedResource:
    (association,) = [a for a in recording.of_type(ASSOCIATION) if a.inputs["subnetId"] == subnet.id]
    return next(t for t in recording.of_type(ROUTE_TABLE) if t.id == association.inputs["routeTableId"])


def by_id(recording: Recording, type_: str, resource_id: str) -> RecordedResource:
    return next(r for r in recording.of_type(type_) if r.id == resource_id)


def trust_policy(role: RecordedResource) -> dict:
    return json.loads(role.inputs["assumeRolePolicy"])


def role_named(recording: Recording, name: str) -> RecordedResource:
    return recording.one(ROLE, name)
