"""The EKS cluster: Fargate-only, OIDC for IRSA, API authentication, and the Kubernetes provider."""

import json

from components.cluster import CLUSTER_ADMIN_POLICY_ARN
from offline.harness import record
from tests.stackfacts import EKS_CLUSTER, K8S_PROVIDER, PINNED_DEV, cluster_name, setting, subnets


def test_cluster_is_fargate_only_with_no_node_group_and_no_node_daemonsets(stack):
    inputs = stack.one(EKS_CLUSTER).inputs
    assert inputs["skipDefaultNodeGroup"] is True
    assert "fargate" not in inputs and "nodeGroupOptions" not in inputs
    assert inputs["bootstrapSelfManagedAddons"] is False
    assert inputs["kubeProxyAddonOptions"]["enabled"] is False
    # CoreDNS is ours (the Fargate component), so pulumi-eks must not install its own.
    assert inputs["corednsAddonOptions"]["enabled"] is False


def test_cluster_name_version_and_subnets_come_from_settings_and_network(stack):
    inputs = stack.one(EKS_CLUSTER).inputs
    assert inputs["name"] == cluster_name(stack) == stack.outputs["clusterName"]
    assert inputs["version"] == stack.config["eks-fargate:kubernetesVersion"]
    assert inputs["vpcId"] == stack.outputs["vpcId"]
    assert sorted(inputs["privateSubnetIds"]) == sorted(s.id for s in subnets(stack, public=False))
    assert sorted(inputs["publicSubnetIds"]) == sorted(s.id for s in subnets(stack, public=True))


def test_cluster_has_oidc_api_authentication_logging_and_secrets_encryption(stack):
    inputs = stack.one(EKS_CLUSTER).inputs
    assert inputs["createOidcProvider"] is True
    assert inputs["authenticationMode"] == "API"
    assert set(inputs["enabledClusterLogTypes"]) == set(json.loads(setting(stack, "clusterLogTypes")))
    if setting(stack, "secretsEncryption") == "true":
        assert inputs["encryptionConfigKeyArn"] == stack.one("aws:kms/key:Key").outputs["arn"]
        assert stack.one("aws:kms/key:Key").inputs["enableKeyRotation"] is True
    else:
        assert "encryptionConfigKeyArn" not in inputs


def test_admin_principals_get_cluster_admin_access_entries():
    arns = ["arn:aws:iam::111122223333:role/platform-admin", "arn:aws:iam::111122223333:user/alice"]
    recording = record("dev", overrides={"adminPrincipalArns": arns}, stack_file=PINNED_DEV)
    entries = recording.one(EKS_CLUSTER).inputs["accessEntries"]
    assert sorted(entry["principalArn"] for entry in entries.values()) == sorted(arns)
    for entry in entries.values():
        (association,) = entry["accessPolicies"].values()
        assert association["policyArn"] == CLUSTER_ADMIN_POLICY_ARN
        assert association["accessScope"] == {"type": "cluster"}


def test_admins_of_one_name_in_other_accounts_or_paths_each_get_an_entry():
    alone = "arn:aws:iam::111122223333:user/alice"
    namesakes = ["arn:aws:iam::111122223333:role/platform-admin", "arn:aws:iam::444455556666:role/ops/platform-admin"]
    entries = record("dev", overrides={"adminPrincipalArns": [alone, *namesakes]}, stack_file=PINNED_DEV).one(EKS_CLUSTER)
    assert sorted(entry["principalArn"] for entry in entries.inputs["accessEntries"].values()) == sorted([alone, *namesakes])
    # A principal no other shares a name with keeps the key it has alone: its entry is not replaced.
    (alone_key,) = (
        record("dev", overrides={"adminPrincipalArns": [alone]}, stack_file=PINNED_DEV).one(EKS_CLUSTER).inputs["accessEntries"]
    )
    assert entries.inputs["accessEntries"][alone_key]["principalArn"] == alone


def test_endpoint_access_follows_settings():
    recording = record(
        "dev",
        stack_file=PINNED_DEV,
        overrides={"endpointPublicAccess": False, "publicAccessCidrs": ["203.0.113.0/24"], "secretsEncryption": False},
    )
    inputs = recording.one(EKS_CLUSTER).inputs
    assert inputs["endpointPublicAccess"] is False and inputs["endpointPrivateAccess"] is True
    assert "publicAccessCidrs" not in inputs
    assert "encryptionConfigKeyArn" not in inputs and not recording.of_type("aws:kms/key:Key")


def test_protect_setting_protects_vpc_and_cluster():
    recording = record("dev", overrides={"protect": True}, stack_file=PINNED_DEV)
    assert recording.one("aws:ec2/vpc:Vpc").protect is True
    assert recording.one(EKS_CLUSTER).protect is True
    assert recording.one(EKS_CLUSTER).inputs["deletionProtection"] is True


def test_only_the_vpc_and_cluster_are_protected_and_only_when_protect_is_on(stack):
    protected = {r.type for r in stack.resources if r.protect}
    assert protected == ({"aws:ec2/vpc:Vpc", EKS_CLUSTER} if setting(stack, "protect") == "true" else set())


def test_every_kubernetes_object_goes_through_the_clusters_provider(stack):
    provider = stack.one(K8S_PROVIDER)
    kubernetes_objects = [r for r in stack.resources if r.type.startswith("kubernetes:")]
    assert kubernetes_objects
    for resource in kubernetes_objects:
        assert resource.provider and resource.provider.startswith(provider.urn + "::"), resource.name
    assert provider.depends_on(stack.one(EKS_CLUSTER))


def test_kubeconfig_is_a_secret_output(stack):
    assert "kubeconfig" in stack.secret_outputs
    assert stack.secret_outputs == {"kubeconfig"}
