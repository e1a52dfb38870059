"""The deploy job's upgrade-insights step reads the cluster and the Kubernetes version a stack file asks for."""

import yaml

from eksfargate.project import PLATFORM_PROJECT_DIR
from eksfargate.settings import SUPPORTED_KUBERNETES_VERSIONS
from verify.upgrade_target import main, target


def test_each_platform_stack_files_target_is_its_cluster_and_a_supported_version():
    for path in sorted(PLATFORM_PROJECT_DIR.glob("Pulumi.*.yaml")):
        stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        config = yaml.safe_load(path.read_text())["config"]
        cluster, version = target(stack)
        assert version in SUPPORTED_KUBERNETES_VERSIONS
        assert cluster == config.get("eks-fargate:clusterName", f"eks-fargate-{stack}")
        if "eks-fargate:kubernetesVersion" in config:
            assert version == str(config["eks-fargate:kubernetesVersion"])


def test_a_stack_without_a_file_is_an_error(capsys):
    assert target("no-such-stack") is None
    assert main(["--stack", "no-such-stack"]) == 2
    assert "Pulumi.no-such-stack.yaml" in capsys.readouterr().err
