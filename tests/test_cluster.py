"""The EKS cluster: Fargate-only, OIDC for IRSA, API authentication, and the Kubernetes provider."""

from components.cluster import CLUSTER_ADMIN_POLICY_ARN
from offline.harness import record
from tests.stackfacts import EKS_CLUSTER, K8S_PROVIDER, subnets


def test_cluster_is_fargate_only_with_no_node_group_and_no_node_daemonsets(dev):
    inputs = dev.one(EKS_CLUSTER).inputs
    assert inputs["skipDefaultNodeGroup"] is True
    assert "fargate" not in inputs and "nodeGroupOptions" not in inputs
    assert inputs["bootstrapSelfManagedAddons"] is False
    assert inputs["kubeProxyAddonOptions"]["enabled"] is False
    # CoreDNS is ours (the Fargate component), so pulumi-eks must not install its own.
    assert inputs["corednsAddonOptions"]["enabled"] is False


def test_cluster_name_version_and_subnets_come_from_settings_and_network(dev):
    inputs = dev.one(EKS_CLUSTER).inputs
    assert inputs["name"] == "eks-fargate-dev" == dev.outputs["clusterName"]
    assert inputs["version"] == dev.config["eks-fargate:kubernetesVersion"]
    assert inputs["vpcId"] == dev.outputs["vpcId"]
    assert sorted(inputs["privateSubnetIds"]) == sorted(s.id for s in subnets(dev, public=False))
    assert sorted(inputs["publicSubnetIds"]) == sorted(s.id for s in subnets(dev, public=True))


def test_cluster_has_oidc_api_authentication_logging_and_secrets_encryption(dev):
    inputs = dev.one(EKS_CLUSTER).inputs
    assert inputs["createOidcProvider"] is True
    assert inputs["authenticationMode"] == "API"
    assert set(inputs["enabledClusterLogTypes"]) == {"api", "audit", "authenticator"}
    assert inputs["encryptionConfigKeyArn"] == dev.one("aws:kms/key:Key").outputs["arn"]
    assert dev.one("aws:kms/key:Key").inputs["enableKeyRotation"] is True


def test_admin_principals_get_cluster_admin_access_entries():
    arns = ["arn:aws:iam::111122223333:role/platform-admin", "arn:aws:iam::111122223333:user/alice"]
    recording = record("dev", overrides={"adminPrincipalArns": arns})
    entries = recording.one(EKS_CLUSTER).inputs["accessEntries"]
    assert sorted(entry["principalArn"] for entry in entries.values()) == sorted(arns)
    for entry in entries.values():
        (association,) = entry["accessPolicies"].values()
        assert association["policyArn"] == CLUSTER_ADMIN_POLICY_ARN
        assert association["accessScope"] == {"type": "cluster"}


def test_endpoint_access_follows_settings():
    recording = record(
        "dev",
        overrides={"endpointPublicAccess": False, "publicAccessCidrs": ["203.0.113.0/24"], "secretsEncryption": False},
    )
    inputs = recording.one(EKS_CLUSTER).inputs
    assert inputs["endpointPublicAccess"] is False and inputs["endpointPrivateAccess"] is True
    assert "publicAccessCidrs" not in inputs
    assert "encryptionConfigKeyArn" not in inputs and not recording.of_type("aws:kms/key:Key")


def test_protect_setting_protects_vpc_and_cluster():
    recording = record("dev", overrides={"protect": True})
    assert recording.one("aws:ec2/vpc:Vpc").protect is True
    assert recording.one(EKS_CLUSTER).protect is True
    assert recording.one(EKS_CLUSTER).inputs["deletionProtection"] is True


def test_dev_stack_protects_nothing(dev):
    assert not [r.name for r in dev.resources if r.protect]


def test_every_kubernetes_object_goes_through_the_clusters_provider(dev):
    provider = dev.one(K8S_PROVIDER)
    kubernetes_objects = [r for r in dev.resources if r.type.startswith("kubernetes:")]
    assert kubernetes_objects
    for resource in kubernetes_objects:
        assert resource.provider and resource.provider.startswith(provider.urn + "::"), resource.name
    assert provider.depends_on(dev.one(EKS_CLUSTER))


def test_kubeconfig_is_a_secret_output(dev):
    assert "kubeconfig" in dev.secret_outputs
    assert dev.secret_outputs == {"kubeconfig"}
