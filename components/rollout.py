"""Pods that follow the control plane's Kubernetes version.

A Fargate pod keeps the kubelet version it started with until it is replaced; only new pods
get the cluster's new version (EKS user guide, "Update existing cluster to new Kubernetes
version"). An annotation on a pod template whose value is the Kubernetes version changes the
template when `kubernetesVersion` moves, so the same `pulumi up` rolls those pods onto the
new version, in the order the resources' dependencies give.
"""

KUBERNETES_VERSION_ANNOTATION = "eks-fargate/kubernetes-version"


def pod_annotations(kubernetes_version: str) -> dict[str, str]:
    """Pod-template annotations that roll the pods when the cluster's version moves."""
    return {KUBERNETES_VERSION_ANNOTATION: kubernetes_version}
