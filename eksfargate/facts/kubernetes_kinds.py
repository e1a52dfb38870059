"""The Kubernetes kinds that live outside any namespace: the one list the offline diff (pulumi-kubernetes
compares no namespace for them) and the policy pack (a tenant may declare none of them) read.

Every built-in kind the Kubernetes API serves cluster-scoped (its REST path has no
/namespaces/{namespace}/ part; `kubectl api-resources --namespaced=false`), by API group, as the
Kubernetes API reference lists them for 1.25 to 1.37, GA or beta in one of those versions. Left
out: kinds that were only ever alpha (StorageVersion, ResourcePoolStatusRequest), which EKS never
serves, PodSecurityPolicy (removed in 1.25), and kinds a CustomResourceDefinition adds, whose scope
is the definition's. The review kinds (TokenReview, SubjectAccessReview, ...) are only ever created,
never stored, but they have no namespace either.

Standard library only: the pack reads this folder on its own.
"""

from __future__ import annotations

NAMESPACE = "Namespace"

CLUSTER_SCOPED_BY_GROUP: dict[str, tuple[str, ...]] = {
    "core": ("ComponentStatus", NAMESPACE, "Node", "PersistentVolume"),
    "admissionregistration.k8s.io": (
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
        "MutatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
    ),
    "apiextensions.k8s.io": ("CustomResourceDefinition",),
    "apiregistration.k8s.io": ("APIService",),
    "authentication.k8s.io": ("SelfSubjectReview", "TokenReview"),
    "authorization.k8s.io": ("SelfSubjectAccessReview", "SelfSubjectRulesReview", "SubjectAccessReview"),
    "certificates.k8s.io": ("CertificateSigningRequest", "ClusterTrustBundle"),
    "flowcontrol.apiserver.k8s.io": ("FlowSchema", "PriorityLevelConfiguration"),
    "networking.k8s.io": ("IPAddress", "IngressClass", "ServiceCIDR"),
    "node.k8s.io": ("RuntimeClass",),
    "rbac.authorization.k8s.io": ("ClusterRole", "ClusterRoleBinding"),
    "resource.k8s.io": ("DeviceClass", "DeviceTaintRule", "ResourceSlice"),
    "scheduling.k8s.io": ("PriorityClass",),
    "storage.k8s.io": ("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment", "VolumeAttributesClass"),
    "storagemigration.k8s.io": ("StorageVersionMigration",),
}

CLUSTER_SCOPED_KINDS = frozenset(kind for kinds in CLUSTER_SCOPED_BY_GROUP.values() for kind in kinds)
