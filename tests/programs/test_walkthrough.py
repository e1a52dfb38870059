"""The walkthrough commands in docs/operating.md ("Coming from the workshop") work as written against the dev stack."""

import re

from offline.harness import PROJECT_DIR

PROFILE = "aws:eks/fargateProfile:FargateProfile"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def workshop_section() -> str:
    text = (PROJECT_DIR / "docs" / "operating.md").read_text()
    return text.split("## Coming from the workshop\n", 1)[1].split("\n## ", 1)[0]


def test_the_walkthrough_commands_name_the_dev_stacks_namespace_profile_and_deployment(dev):
    section = workshop_section()
    namespace = dev.config["eks-fargate:appNamespace"]
    deployment = dev.one(DEPLOYMENT).inputs["metadata"]
    profiles = {p.inputs["fargateProfileName"] for p in dev.of_type(PROFILE)}

    namespaces = set(re.findall(r"kubectl -n (\S+)", section))
    assert namespaces == {namespace} == {deployment["namespace"]}
    assert set(re.findall(r"(?:deployment|rollout status deployment) (deployment-\S+?)\b", section)) == {deployment["name"]}
    assert set(re.findall(r"--fargate-profile-name (\S+)", section)) <= profiles
    assert f"--cluster-name {dev.outputs['clusterName']}" in section
    for step in ("eksctl create fargateprofile", "kubectl apply", "rollout status", "get nodes", "--replicas=3", "get ingress"):
        assert step in section, step
