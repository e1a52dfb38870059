"""Bad configuration fails before any resource is declared, naming key, value and what is allowed."""

import pulumi
import pytest

from eksfargate.settings import SettingsError
from offline.harness import record

BAD_INPUTS = [
    # (overrides, key, value as quoted in the message, part of the allowed-values text)
    ({"vpcCidr": "10.0.0.0/33"}, "eks-fargate:vpcCidr", "'10.0.0.0/33'", "IPv4 network address in CIDR form"),
    ({"vpcCidr": "ten-dot-zero"}, "eks-fargate:vpcCidr", "'ten-dot-zero'", "IPv4 network address in CIDR form"),
    ({"vpcCidr": "10.0.0.1/16"}, "eks-fargate:vpcCidr", "'10.0.0.1/16'", "IPv4 network address in CIDR form"),
    ({"vpcCidr": "10.0.0.0/24"}, "eks-fargate:vpcCidr", "'10.0.0.0/24'", "between /16 and /20"),
    ({"vpcCidr": "10.0.0.0/8"}, "eks-fargate:vpcCidr", "'10.0.0.0/8'", "between /16 and /20"),
    ({"availabilityZoneCount": 1}, "eks-fargate:availabilityZoneCount", "1", "from 2 to 6"),
    ({"availabilityZoneCount": 7}, "eks-fargate:availabilityZoneCount", "7", "from 2 to 6"),
    ({"natMode": "double"}, "eks-fargate:natMode", "'double'", "one of ['single', 'per-az']"),
    ({"appReplicas": -1}, "eks-fargate:appReplicas", "-1", "from 0 to 100"),
    ({"appReplicas": 5000}, "eks-fargate:appReplicas", "5000", "from 0 to 100"),
    ({"appReplicas": "five"}, "eks-fargate:appReplicas", "'five'", "a whole number"),
    ({"appReplicas": 0}, "eks-fargate:appReplicas", "0", "the autoscaler's minimum: from 1 to appMaxReplicas (10)"),
    ({"appReplicas": 12, "appMaxReplicas": 11}, "eks-fargate:appReplicas", "12", "from 1 to appMaxReplicas (11)"),
    ({"appMaxReplicas": 0}, "eks-fargate:appMaxReplicas", "0", "from 1 to 100"),
    ({"appMaxReplicas": 101}, "eks-fargate:appMaxReplicas", "101", "from 1 to 100"),
    ({"appCpuTargetPercent": 5}, "eks-fargate:appCpuTargetPercent", "5", "from 10 to 100"),
    ({"appCpuTargetPercent": 150}, "eks-fargate:appCpuTargetPercent", "150", "from 10 to 100"),
    ({"appAutoscaling": "yes"}, "eks-fargate:appAutoscaling", "'yes'", "true or false"),
    ({"appNamespace": "Game_2048"}, "eks-fargate:appNamespace", "'Game_2048'", "DNS-1123 label"),
    ({"appNamespace": "kube-system"}, "eks-fargate:appNamespace", "'kube-system'", "not kube-system"),
    ({"clusterName": "Team.Cluster"}, "eks-fargate:clusterName", "'Team.Cluster'", "DNS-1123 label"),
    ({"clusterName": "c" * 64}, "eks-fargate:clusterName", "'" + "c" * 64 + "'", "at most 63"),
    ({"kubernetesVersion": "1.29"}, "eks-fargate:kubernetesVersion", "'1.29'", "one of ["),
    ({"publicAccessCidrs": ["0.0.0.0"]}, "eks-fargate:publicAccessCidrs", "'0.0.0.0'", "IPv4 CIDR blocks"),
    ({"publicAccessCidrs": "0.0.0.0/0"}, "eks-fargate:publicAccessCidrs", "'0.0.0.0/0'", "a list of strings"),
    ({"adminPrincipalArns": ["admin"]}, "eks-fargate:adminPrincipalArns", "'admin'", "IAM role or user ARNs"),
    ({"verifierPrincipalArns": ["pulumi-drift"]}, "eks-fargate:verifierPrincipalArns", "'pulumi-drift'", "IAM role or user ARNs"),
    (
        {"verifierPrincipalArns": ["arn:aws:sts::123456789012:assumed-role/pulumi-drift/nightly"]},
        "eks-fargate:verifierPrincipalArns",
        "'arn:aws:sts::123456789012:assumed-role/pulumi-drift/nightly'",
        "IAM role or user ARNs",
    ),
    (
        {"verifierPrincipalArns": ["arn:aws:iam::123456789012:role/pulumi-drift", "arn:aws:iam::123456789012:role/pulumi-drift"]},
        "eks-fargate:verifierPrincipalArns",
        "'arn:aws:iam::123456789012:role/pulumi-drift'",
        "each principal once",
    ),
    (
        {
            "adminPrincipalArns": ["arn:aws:iam::123456789012:role/pulumi-drift"],
            "verifierPrincipalArns": ["arn:aws:iam::123456789012:role/pulumi-drift"],
        },
        "eks-fargate:verifierPrincipalArns",
        "'arn:aws:iam::123456789012:role/pulumi-drift'",
        "principals not in adminPrincipalArns",
    ),
    (
        {
            "adminPrincipalArns": [
                "arn:aws:iam::123456789012:role/platform-admin",
                "arn:aws:iam::123456789012:role/platform-admin",
            ]
        },
        "eks-fargate:adminPrincipalArns",
        "'arn:aws:iam::123456789012:role/platform-admin'",
        "each principal once",
    ),
    ({"clusterLogTypes": ["api", "everything"]}, "eks-fargate:clusterLogTypes", "'everything'", "a subset of"),
    (
        {"endpointPublicAccess": False, "endpointPrivateAccess": False},
        "eks-fargate:endpointPublicAccess",
        "False",
        "at least one of",
    ),
    ({"protect": "yes"}, "eks-fargate:protect", "'yes'", "true or false"),
    (
        {
            "existingVpcId": "vpc-0a1b2c3d4e5f60718",
            "existingPrivateSubnetIds": ["subnet-0aaaaaaaaaaaaaa01"],
            "existingPublicSubnetIds": ["subnet-0bbbbbbbbbbbbbb01", "subnet-0bbbbbbbbbbbbbb02"],
        },
        "eks-fargate:existingPrivateSubnetIds",
        "['subnet-0aaaaaaaaaaaaaa01']",
        "at least 2 distinct subnet ids",
    ),
    ({"existingVpcId": "my-vpc"}, "eks-fargate:existingVpcId", "'my-vpc'", "a VPC id like"),
    ({"aws:region": ""}, "aws:region", "''", "set the AWS region"),
    # '=' would break the k=v,k=v list the load balancer controller gets its default tags in.
    ({"owner": "team=payments"}, "eks-fargate:owner", "'team=payments'", "an AWS tag value"),
    # CloudWatch Logs takes these retentions only, and log group names of its own alphabet.
    ({"fargateLogRetentionDays": 31}, "eks-fargate:fargateLogRetentionDays", "31", "one of [1, 3, 5"),
    ({"fargateLogRetentionDays": 0}, "eks-fargate:fargateLogRetentionDays", "0", "from 1 to 3653"),
    ({"fargateLogGroupName": "pod logs"}, "eks-fargate:fargateLogGroupName", "'pod logs'", "a CloudWatch log group name"),
    ({"fargateLogGroupName": "aws/pods"}, "eks-fargate:fargateLogGroupName", "'aws/pods'", "not starting with 'aws/'"),
    ({"fargateLogGroupName": "g" * 513}, "eks-fargate:fargateLogGroupName", "'" + "g" * 513 + "'", "1 to 512"),
    ({"fargateLogging": "on"}, "eks-fargate:fargateLogging", "'on'", "true or false"),
    ({"appEgressPorts": ["443"]}, "eks-fargate:appEgressPorts", "'[\"443\"]'", "a list of distinct integers from 1 to 65535"),
    ({"appEgressPorts": [443, 443]}, "eks-fargate:appEgressPorts", "'[443,443]'", "distinct integers"),
    ({"appEgressPorts": [0]}, "eks-fargate:appEgressPorts", "0", "from 1 to 65535"),
    ({"appEgressPorts": [443, 70000]}, "eks-fargate:appEgressPorts", "70000", "from 1 to 65535"),
]


@pytest.mark.parametrize(
    "overrides,key,value,allowed", BAD_INPUTS, ids=[case[1].split(":")[1] + "=" + case[2][:20] for case in BAD_INPUTS]
)
def test_bad_setting_fails_before_any_resource(overrides, key, value, allowed):
    recording = record("dev", overrides=overrides)

    assert isinstance(recording.error, SettingsError), recording.error
    message = str(recording.error)
    assert f"config key '{key}'" in message
    assert f"invalid value {value}:" in message
    assert allowed in message
    assert recording.resources == []


def test_settings_error_is_a_pulumi_run_error_so_the_cli_prints_no_traceback():
    assert issubclass(SettingsError, pulumi.RunError)


def test_valid_edge_values_are_accepted():
    recording = record(
        "dev", overrides={"vpcCidr": "172.16.0.0/20", "availabilityZoneCount": 2, "appReplicas": 0, "appAutoscaling": False}
    )

    assert recording.error is None
    assert len(recording.of_type("aws:ec2/subnet:Subnet")) == 4
