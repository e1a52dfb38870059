"""The AWS Load Balancer Controller: pinned chart, IRSA role, the policy it publishes, Fargate values."""

import json
from pathlib import Path

import pytest

from components import alb_controller
from tests.stackfacts import PROFILE, RELEASE, trust_policy

REFERENCE_POLICY = (
    Path(__file__).resolve().parents[3] / "shared" / "reference" / "aws-load-balancer-controller" / "iam_policy-v3.5.0.json"
)


def _actions(document: dict) -> set[str]:
    actions = set()
    for statement in document["Statement"]:
        if statement["Effect"] == "Allow":
            value = statement["Action"]
            actions.update([value] if isinstance(value, str) else value)
    return actions


def test_chart_and_controller_versions_are_pinned_together(stack):
    release = stack.one(RELEASE, "alb-controller-release")
    assert release.inputs["chart"] == "aws-load-balancer-controller"
    assert release.inputs["repositoryOpts"] == {"repo": "https://aws.github.io/eks-charts"}
    # From chart 3.0.0 on, eks-charts versions the chart like the controller it installs.
    assert release.inputs["version"] == alb_controller.CHART_VERSION
    assert release.inputs["values"]["image"]["tag"] == "v" + release.inputs["version"]
    assert alb_controller.POLICY_FILE.name.endswith(f"-v{release.inputs['version']}.json")
    assert release.inputs["namespace"] == "kube-system"


def test_chart_values_name_cluster_region_and_vpc_because_fargate_has_no_metadata_service(stack):
    values = stack.one(RELEASE, "alb-controller-release").inputs["values"]
    assert values["clusterName"] == stack.outputs["clusterName"]
    assert values["region"] == stack.config["aws:region"]
    assert values["vpcId"] == stack.outputs["vpcId"]


def test_webhook_certificate_is_kept_so_previews_stay_clean(stack):
    assert stack.one(RELEASE, "alb-controller-release").inputs["values"]["keepTLSSecret"] is True


def test_controller_pods_request_what_they_limit(stack):
    resources = stack.one(RELEASE, "alb-controller-release").inputs["values"]["resources"]
    assert resources["requests"] == resources["limits"]


def test_helm_waits_long_enough_for_fargate_pods(stack):
    assert stack.one(RELEASE, "alb-controller-release").inputs["timeout"] >= 600


def test_service_account_role_is_trusted_only_by_the_controllers_service_account(stack):
    values = stack.one(RELEASE, "alb-controller-release").inputs["values"]
    role = stack.one("aws:iam/role:Role", "alb-controller-irsa")
    assert values["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"] == role.outputs["arn"]
    assert stack.outputs["albControllerRoleArn"] == role.outputs["arn"]

    cluster = stack.one("eks:index:Cluster").outputs
    (statement,) = trust_policy(role)["Statement"]
    assert statement["Principal"] == {"Federated": cluster["oidcProviderArn"]}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    issuer = cluster["oidcIssuer"]
    assert statement["Condition"] == {
        "StringEquals": {
            f"{issuer}:sub": f"system:serviceaccount:kube-system:{values['serviceAccount']['name']}",
            f"{issuer}:aud": "sts.amazonaws.com",
        }
    }


def test_controller_policy_is_attached_to_the_role(stack):
    attachment = stack.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "alb-controller-policy")
    assert attachment.inputs["role"] == stack.one("aws:iam/role:Role", "alb-controller-irsa").outputs["name"]
    assert attachment.inputs["policyArn"] == stack.one("aws:iam/policy:Policy").outputs["arn"]


@pytest.mark.skipif(
    not REFERENCE_POLICY.exists(), reason="the shared reference copy of the published policy is not beside this checkout"
)
def test_controller_policy_grants_every_action_of_the_published_policy(stack):
    declared = json.loads(stack.one("aws:iam/policy:Policy").inputs["policy"])
    published = json.loads(REFERENCE_POLICY.read_text())
    assert _actions(published) <= _actions(declared)
    assert declared == published


def test_release_waits_for_its_permissions_a_fargate_profile_and_dns(stack):
    release = stack.one(RELEASE, "alb-controller-release")
    kube_system = next(p for p in stack.of_type(PROFILE) if {"namespace": "kube-system"} in p.inputs["selectors"])
    assert release.depends_on(kube_system)
    assert release.depends_on(stack.one("aws:eks/addon:Addon", "fargate-coredns"))
    assert release.depends_on(stack.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "alb-controller-policy"))


def test_fargate_evicts_one_controller_pod_at_a_time_and_targets_default_to_ip(stack):
    values = stack.one(RELEASE, "alb-controller-release").inputs["values"]
    # The chart renders its budget only with more than one replica (templates/pdb.yaml, 3.5.0).
    assert values["replicaCount"] > 1
    assert values["podDisruptionBudget"] == {"maxUnavailable": 1}
    assert values["defaultTargetType"] == "ip"


def test_no_ingress_names_its_class_by_the_legacy_annotation_which_would_skip_the_class_parameters(stack):
    assert stack.one(RELEASE, "alb-controller-release").inputs["values"]["disableIngressClassAnnotation"] is True


def test_the_web_acl_is_pinned_by_arn_as_the_published_policy_cannot_look_a_name_up(stack):
    """The controller resolves wafv2AclName with wafv2:ListWebACLs (pkg/ingress/model_builder.go)."""
    assert "wafv2:ListWebACLs" not in _actions(json.loads(alb_controller.POLICY_FILE.read_text()))
    assert "wafv2AclName" not in stack.one(RELEASE, "alb-controller-release").inputs["values"]["ingressClassParams"]["spec"]
