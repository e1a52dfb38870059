"""metrics-server: the EKS add-on, pinned per Kubernetes version, on Fargate, only with the autoscaler."""

import json
from decimal import Decimal

from components.addon_versions import ADDON_VERSIONS
from eksfargate.fargate_pods import pod_size
from tests.stackfacts import PROFILE

ADDON = "aws:eks/addon:Addon"


def metrics_server(recording):
    return recording.one(ADDON, "metrics-server-addon")


def test_the_addon_is_pinned_for_the_clusters_version_and_waits_for_the_kube_system_profile(dev):
    addon = metrics_server(dev).inputs
    assert addon["addonName"] == "metrics-server"
    assert addon["clusterName"] == dev.outputs["clusterName"]
    assert addon["addonVersion"] == ADDON_VERSIONS["metrics-server"].versions[dev.config["eks-fargate:kubernetesVersion"]]
    kube_system = next(p for p in dev.of_type(PROFILE) if {"namespace": "kube-system"} in p.inputs["selectors"])
    assert metrics_server(dev).depends_on(kube_system)


def test_the_addon_pods_are_guaranteed_qos_at_the_smallest_fargate_size(dev):
    configuration = json.loads(metrics_server(dev).inputs["configurationValues"])
    resources = configuration["resources"]
    assert resources["requests"] == resources["limits"]
    size = pod_size([{"resources": resources}])
    assert (size.vcpu, size.memory_gb) == (Decimal("0.25"), Decimal("0.5"))


def test_no_metrics_server_without_the_autoscaler(existing_vpc):
    assert existing_vpc.config["eks-fargate:appAutoscaling"] == "false"
    assert [a.inputs["addonName"] for a in existing_vpc.of_type(ADDON)] == ["coredns"]
