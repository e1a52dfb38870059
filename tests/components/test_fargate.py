"""Fargate profiles, the pod execution role, and CoreDNS on Fargate."""

import json

import pytest

from components.fargate import KUBE_SYSTEM_PROFILE
from eksfargate.contract import TENANT_NAMESPACE_SELECTOR, TENANT_PROFILE
from offline.harness import MOCK_ACCOUNT_ID
from tests.stackfacts import PROFILE, cluster_name, setting, subnets, trust_policy

ADDON = "aws:eks/addon:Addon"


def profile(recording, name):
    return next(p for p in recording.of_type(PROFILE) if p.inputs["fargateProfileName"] == name)


def app_profile(recording):
    return profile(recording, recording.config["eks-fargate:appNamespace"])


def test_pod_execution_role_trusts_only_this_clusters_fargate_profiles(stack):
    role = stack.one("aws:iam/role:Role", "fargate-pod-execution")
    (statement,) = trust_policy(role)["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "eks-fargate-pods.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {
        "ArnLike": {
            "aws:SourceArn": f"arn:aws:eks:{stack.config['aws:region']}:{MOCK_ACCOUNT_ID}:fargateprofile/{cluster_name(stack)}/*"
        }
    }


def test_pod_execution_role_has_the_managed_fargate_policy(stack):
    role = stack.one("aws:iam/role:Role", "fargate-pod-execution")
    attachment = stack.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "fargate-pod-execution")
    assert attachment.inputs["role"] == role.outputs["name"]
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy"
    assert stack.outputs["podExecutionRoleArn"] == role.outputs["arn"]


def test_profiles_use_the_private_subnets_only_and_the_pod_execution_role(stack):
    private = sorted(s.id for s in subnets(stack, public=False))
    for fargate_profile in stack.of_type(PROFILE):
        assert sorted(fargate_profile.inputs["subnetIds"]) == private
        assert fargate_profile.inputs["podExecutionRoleArn"] == stack.outputs["podExecutionRoleArn"]
        assert fargate_profile.inputs["clusterName"] == stack.outputs["clusterName"]


def with_game(stack):
    if setting(stack, "appEnabled") == "false":
        pytest.skip("no game in this stack (appEnabled false)")
    return stack


def test_kube_system_and_the_app_namespace_are_covered(stack):
    covered = {s["namespace"] for p in stack.of_type(PROFILE) for s in p.inputs["selectors"]}
    assert "kube-system" in covered
    assert (stack.config["eks-fargate:appNamespace"] in covered) == (setting(stack, "appEnabled") == "true")
    assert sorted(stack.outputs["fargateProfileNames"]) == sorted(p.inputs["fargateProfileName"] for p in stack.of_type(PROFILE))


def test_the_app_namespace_has_a_profile_named_after_it_as_in_the_walkthrough(stack):
    with_game(stack)
    namespace = stack.config["eks-fargate:appNamespace"]
    assert [s["namespace"] for s in app_profile(stack).inputs["selectors"]] == [namespace]


def test_profiles_are_chained_so_eks_never_changes_two_at_once(stack):
    chain, rest = [profile(stack, KUBE_SYSTEM_PROFILE)], [p for p in stack.of_type(PROFILE)]
    rest.remove(chain[0])
    while rest:
        (following,) = [p for p in rest if p.depends_on(chain[-1])]
        chain.append(following)
        rest.remove(following)
    assert not any(earlier.depends_on(later) for index, earlier in enumerate(chain) for later in chain[index + 1 :])
    expected = 1 + sum(
        setting(stack, key) == "true" for key in ("appEnabled", "servesTenants", "externalSecrets", "containerInsights")
    )
    assert len(chain) == expected
    # Fixed profile names: a replacement must delete the old profile first.
    assert all(p.delete_before_replace for p in chain)


def test_a_platform_has_one_profile_for_every_tenant_namespace_by_wildcard(stack):
    tenants = [p for p in stack.of_type(PROFILE) if p.inputs["fargateProfileName"] == TENANT_PROFILE]
    if setting(stack, "servesTenants") == "false":
        assert tenants == [] and "tenantNamespaceSelector" not in stack.outputs
        return
    (tenant_profile,) = tenants
    assert tenant_profile.inputs["selectors"] == [{"namespace": TENANT_NAMESPACE_SELECTOR}]
    assert stack.outputs["tenantNamespaceSelector"] == TENANT_NAMESPACE_SELECTOR
    assert stack.outputs["tenantFargateProfile"] == TENANT_PROFILE


def test_profiles_wait_for_the_pod_execution_policy(stack):
    attachment = stack.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "fargate-pod-execution")
    assert all(p.depends_on(attachment) for p in stack.of_type(PROFILE))


def test_coredns_addon_runs_on_fargate_after_the_kube_system_profile(stack):
    addon = stack.one(ADDON, "fargate-coredns")
    assert addon.inputs["addonName"] == "coredns"
    assert addon.inputs["clusterName"] == stack.outputs["clusterName"]
    assert addon.depends_on(profile(stack, KUBE_SYSTEM_PROFILE))
    configuration = json.loads(addon.inputs["configurationValues"])
    assert configuration["computeType"] == "Fargate"
    # Guaranteed QoS, and small enough for the smallest Fargate size once 256 MiB are added.
    assert configuration["resources"]["requests"] == configuration["resources"]["limits"]
    assert configuration["resources"]["requests"]["memory"] == "256Mi"
    # Fargate's patch evictions may take one of the two pods at a time, never both and not none.
    assert configuration["podDisruptionBudget"] == {"enabled": True, "maxUnavailable": 1}


def test_fargate_resources_wait_for_the_cluster(stack):
    cluster = stack.one("eks:index:Cluster")
    for resource in [*stack.of_type(PROFILE), *stack.of_type(ADDON)]:
        assert resource.depends_on(cluster), resource.name


def test_existing_vpc_profiles_use_the_given_private_subnets(existing_vpc):
    given = existing_vpc.outputs["privateSubnetIds"]
    for fargate_profile in existing_vpc.of_type(PROFILE):
        assert fargate_profile.inputs["subnetIds"] == given
