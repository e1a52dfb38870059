"""Kubernetes types: Helm releases, and the API's objects the programs declare or the diff has rules for.

Replace-on rules of objects: pulumi-kubernetes provider/pkg/provider/diff.go forceNewProperties,
the `forceNew` table per group/version/kind on top of every object's metadata.name and
metadata.namespace (offline/replacements.py); container fields under spec.containers[*] /
spec.initContainers[*] for Pods; label-selector subfields fall under their selector. Secrets and
ConfigMaps: data is force-new unless enableSecretMutable / enableConfigMapMutable is set (both
default false in provider.go). Helm releases: provider/pkg/provider/helm_release.go forceNewFields
".name", ".namespace".
"""

from __future__ import annotations

from typing import Any

from eksfargate.facts.resource_types import (
    CONFIG_MAP,
    DEPLOYMENT,
    EXTERNAL_SECRET,
    HELM_RELEASE,
    HPA,
    INGRESS,
    SECRET_STORE,
    SECURITY_GROUP_POLICY,
    SERVICE,
    STATEFUL_SET,
)
from offline.registry.entry import NewResource, ResourceType

_POD_CONTAINER_FIELDS = tuple(
    f"spec.{containers}.{field}"
    for containers in ("containers", "initContainers")
    for field in (
        "args", "command", "env", "image", "imagePullPolicy", "lifecycle", "livenessProbe", "ports", "readinessProbe",
        "resources", "securityContext", "stdin", "stdinOnce", "terminationMessagePath", "terminationMessagePolicy",
        "tty", "volumeDevices", "volumeMounts", "workingDir",
    )
)  # fmt: skip
_POD_FIELDS = tuple(
    f"spec.{field}"
    for field in (
        "affinity", "automountServiceAccountToken", "dnsConfig", "dnsPolicy", "enableServiceLinks", "hostAliases",
        "hostIPC", "hostNetwork", "hostPID", "hostname", "imagePullSecrets", "nodeName", "nodeSelector", "overhead",
        "preemptionPolicy", "priority", "priorityClassName", "readinessGates", "restartPolicy", "runtimeClassName",
        "schedulerName", "securityContext", "serviceAccount", "serviceAccountName", "shareProcessNamespace",
        "subdomain", "terminationGracePeriodSeconds", "volumes",
    )
)  # fmt: skip
_PERSISTENT_VOLUME_SOURCES = tuple(
    f"spec.{source}"
    for source in (
        "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "csi", "fc", "flexVolume", "flocker",
        "gcePersistentDisk", "glusterfs", "hostPath", "iscsi", "local", "nfs", "photonPersistentDisk",
        "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "vsphereVolume",
    )
)  # fmt: skip


def _ingress_status(resource: NewResource, _id: str) -> dict[str, Any]:
    """The hostname the load balancer controller writes into the Ingress's status."""
    namespace = resource.inputs.get("metadata", {}).get("namespace", "default")
    hostname = f"k8s-{namespace}-{resource.suffix[:10]}.{resource.region}.elb.amazonaws.com"
    return {"status": {"loadBalancer": {"ingress": [{"hostname": hostname}]}}}


def _release(res: dict[str, Any]) -> list[str]:
    i = res["inputs"]
    values = i.get("values") or {}
    parts = [
        f"chart {i.get('chart')} {i.get('version', '(unpinned)')}",
        f"repo {(i.get('repositoryOpts') or {}).get('repo', '(local)')}",
        f"release {i.get('namespace', 'default')}/{i.get('name', res['name'])}",
    ]
    image = values.get("image") if isinstance(values, dict) else None
    if isinstance(image, dict) and image.get("tag"):
        parts.append(f"image tag {image['tag']}")
    return parts


def object_summary(res: dict[str, Any]) -> list[str]:
    """What the tree shows of any Kubernetes object: its kind and name, and for the kinds a reviewer
    checks most, their replicas and images, ports, Ingress annotations, autoscaling and budget, and
    what an admission policy sees and does."""
    i = res["inputs"]
    meta = i.get("metadata") or {}
    spec = i.get("spec") or {}
    kind = i.get("kind", "")
    where = f"{meta.get('namespace')}/{meta.get('name')}" if meta.get("namespace") else str(meta.get("name"))
    parts = [f"{kind} {where}"]
    if kind in ("Deployment", "StatefulSet", "ReplicaSet"):
        parts.append(f"replicas {spec['replicas']}" if "replicas" in spec else "replicas unset (an autoscaler's, else 1)")
        pod = (spec.get("template") or {}).get("spec") or {}
        for container in pod.get("containers") or []:
            requests = (container.get("resources") or {}).get("requests") or {}
            sized = ", ".join(f"{k} {v}" for k, v in sorted(requests.items()))
            parts.append(f"image {container.get('image')}" + (f" (requests {sized})" if sized else ""))
    elif kind == "Service":
        ports = ", ".join(f"{p.get('port')}→{p.get('targetPort', p.get('port'))}" for p in spec.get("ports") or [])
        parts.append(f"{spec.get('type', 'ClusterIP')} {ports}")
    elif kind == "Ingress":
        annotations = meta.get("annotations") or {}
        parts.append(f"class {spec.get('ingressClassName')}")
        parts += [f"{key.rsplit('/', 1)[-1]} {value}" for key, value in sorted(annotations.items())]
    elif kind == "HorizontalPodAutoscaler":
        target = spec.get("scaleTargetRef") or {}
        parts.append(
            f"scales {target.get('kind')} {target.get('name')} from {spec.get('minReplicas', 1)} to {spec.get('maxReplicas')}"
        )
        for metric in spec.get("metrics") or []:
            resource = metric.get("resource") or {}
            parts.append(f"{resource.get('name')} {(resource.get('target') or {}).get('averageUtilization')}%")
    elif kind == "PodDisruptionBudget":
        parts += [f"{key} {spec[key]}" for key in ("maxUnavailable", "minAvailable") if key in spec]
    elif kind == "ValidatingAdmissionPolicy":
        for rule in (spec.get("matchConstraints") or {}).get("resourceRules") or []:
            parts.append(f"{'/'.join(rule.get('operations') or [])} {'/'.join(rule.get('resources') or [])}")
        parts += [f"when {condition.get('name')}" for condition in spec.get("matchConditions") or []]
        parts.append(f"{len(spec.get('validations') or [])} validations, failure policy {spec.get('failurePolicy', 'Fail')}")
    elif kind == "SecretStore":
        aws = (spec.get("provider") or {}).get("aws") or {}
        account = ((aws.get("auth") or {}).get("jwt") or {}).get("serviceAccountRef") or {}
        parts.append(f"{aws.get('service')} in {aws.get('region')} as service account {account.get('name', '(none)')}")
    elif kind == "ExternalSecret":
        target = (spec.get("target") or {}).get("name")
        parts.append(f"every {spec.get('refreshInterval', '1h')} into Secret {target}")
        for item in spec.get("data") or []:
            remote = item.get("remoteRef") or {}
            prop = f"#{remote['property']}" if remote.get("property") else ""
            parts.append(f"{remote.get('key')}{prop} → {item.get('secretKey')}")
    elif kind == "ClusterRole":
        for rule in i.get("rules") or []:
            what = "/".join(rule.get("resources") or rule.get("nonResourceURLs") or [])
            parts.append(f"{'/'.join(rule.get('verbs') or [])} {what}")
    elif kind == "ValidatingAdmissionPolicyBinding":
        parts.append(f"policy {spec.get('policyName')}: {'/'.join(spec.get('validationActions') or [])}")
    return parts


TYPES = (
    ResourceType(
        HELM_RELEASE,
        outputs=lambda resource, _id: {"status": {"status": "deployed", "version": 1, "chart": resource.inputs.get("chart")}},
        preview_outputs=lambda resource: {"status": {"status": resource.placeholder("status")}},
        replace_on=("name", "namespace"),
        summary=_release,
    ),
    # Any change to the pod template replaces every pod (a rolling update, maxSurge at a time).
    ResourceType(DEPLOYMENT, replace_on=("spec.selector",), warn_on={"spec.template": "the pods roll: each is replaced"}),
    ResourceType("kubernetes:apps/v1:DaemonSet", replace_on=("spec.selector",)),
    ResourceType(
        STATEFUL_SET,
        warn_on={"spec.template": "the pods roll: each is replaced"},
        replace_on=(
            "spec.podManagementPolicy",
            "spec.revisionHistoryLimit",
            "spec.selector",
            "spec.serviceName",
            "spec.volumeClaimTemplates",
        ),
    ),
    ResourceType(
        "kubernetes:batch/v1:Job",
        replace_on=("spec.completions", "spec.parallelism", "spec.selector", "spec.template"),
    ),
    ResourceType(HPA),
    ResourceType(SERVICE, replace_on=("spec.clusterIP",)),
    ResourceType(CONFIG_MAP, replace_on=("binaryData", "data")),
    ResourceType("kubernetes:core/v1:Secret", replace_on=("type", "stringData", "data")),
    ResourceType("kubernetes:core/v1:Namespace"),
    ResourceType(SECURITY_GROUP_POLICY),
    ResourceType(SECRET_STORE),
    ResourceType(EXTERNAL_SECRET),
    ResourceType("kubernetes:core/v1:ServiceAccount"),
    ResourceType("kubernetes:core/v1:LimitRange"),
    ResourceType("kubernetes:core/v1:ResourceQuota", replace_on=("spec.scopes",)),
    ResourceType(
        "kubernetes:core/v1:PersistentVolumeClaim",
        replace_on=("spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"),
    ),
    ResourceType("kubernetes:core/v1:PersistentVolume", replace_on=_PERSISTENT_VOLUME_SOURCES),
    ResourceType("kubernetes:core/v1:Pod", replace_on=(*_POD_FIELDS, *_POD_CONTAINER_FIELDS)),
    ResourceType(
        INGRESS,
        outputs=_ingress_status,
        preview_outputs=lambda resource: {
            "status": {"loadBalancer": {"ingress": [{"hostname": resource.placeholder("hostname")}]}}
        },
    ),
    ResourceType("kubernetes:policy/v1:PodDisruptionBudget"),  # its spec updates in place, unlike v1beta1's
    ResourceType("kubernetes:policy/v1beta1:PodDisruptionBudget", replace_on=("spec",)),
    ResourceType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy"),
    ResourceType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding"),
    ResourceType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", replace_on=("roleRef",)),
    ResourceType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", replace_on=("roleRef",)),
    ResourceType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"),
    ResourceType("kubernetes:storage.k8s.io/v1:StorageClass", replace_on=("parameters", "provisioner")),
)
