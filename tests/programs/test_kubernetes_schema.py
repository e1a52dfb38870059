"""Every Kubernetes object the stack declares is valid for the pinned Kubernetes version."""

import copy

import jsonschema
import kubernetes_validate
import pytest

from eksfargate import settings
from offline.harness import Recording
from tests import kubernetes_schemas


def kubernetes_objects(recording: Recording) -> list[dict]:
    """The manifests as the provider would send them (helm releases and providers are not objects)."""
    objects = []
    for resource in recording.resources:
        if resource.type.startswith("kubernetes:") and resource.type != "kubernetes:helm.sh/v3:Release":
            manifest = copy.deepcopy(resource.inputs)
            group_version, kind = resource.type.split(":")[1:]
            assert manifest["kind"] == kind
            assert manifest["apiVersion"] == group_version.removeprefix("core/")
            objects.append(manifest)
    return objects


@pytest.mark.parametrize("version", settings.SUPPORTED_KUBERNETES_VERSIONS)
def test_every_object_validates_strictly_against_each_supported_version(stack, existing_vpc, version):
    objects = kubernetes_objects(stack) + kubernetes_objects(existing_vpc)
    game_on = stack.config["eks-fargate:appEnabled"] == "true"
    autoscaled = {"HorizontalPodAutoscaler"} if game_on and stack.config["eks-fargate:appAutoscaling"] == "true" else set()
    game = {"Namespace", "ConfigMap", "Deployment", "PodDisruptionBudget", "Service", "Ingress", "SecurityGroupPolicy"}
    serves = stack.config["eks-fargate:servesTenants"] == "true"
    guardrails = {"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"} if serves else set()
    reads_secrets = game_on and stack.config.get("eks-fargate:appAwsSecrets", "[]") not in ("", "[]")
    secrets = {"ServiceAccount", "SecretStore", "ExternalSecret"} if reads_secrets else set()
    metrics = stack.config["eks-fargate:containerInsights"] == "true"
    collector = {"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "StatefulSet"}
    collector |= {"PodDisruptionBudget"}
    verifiers = {"ClusterRole", "ClusterRoleBinding"} if stack.config["eks-fargate:verifierPrincipalArns"] != "[]" else set()
    expected = game | autoscaled | guardrails | secrets | (collector if metrics else set()) | verifiers
    assert {o["kind"] for o in objects} == expected
    for manifest in objects:
        kubernetes_schemas.validate(manifest, f"{version}.0")


def test_the_validator_rejects_a_broken_object(dev):
    deployment = next(o for o in kubernetes_objects(dev) if o["kind"] == "Deployment")
    broken = copy.deepcopy(deployment)
    broken["spec"]["replicas"] = "five"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_schemas.validate(broken, f"{settings.SUPPORTED_KUBERNETES_VERSIONS[0]}.0")


@pytest.mark.parametrize(
    "change",
    [
        lambda policy: policy["spec"]["securityGroups"].update(groupIds=[]),
        lambda policy: policy["spec"].update(podSelectors={}),
        lambda policy: policy["metadata"].pop("namespace"),
    ],
)
def test_a_broken_security_group_policy_is_rejected_by_its_crds_schema(dev, change):
    policy = copy.deepcopy(next(o for o in kubernetes_objects(dev) if o["kind"] == "SecurityGroupPolicy"))
    kubernetes_schemas.validate(policy, f"{settings.SUPPORTED_KUBERNETES_VERSIONS[0]}.0")
    change(policy)
    with pytest.raises(jsonschema.ValidationError):
        kubernetes_schemas.validate(policy, f"{settings.SUPPORTED_KUBERNETES_VERSIONS[0]}.0")
