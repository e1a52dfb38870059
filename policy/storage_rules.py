"""Rules on persistent storage: nothing a Fargate pod mounts or claims is backed by EBS, and every
claim binds a volume known to be EFS."""

from __future__ import annotations

from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs

from policy.declare import MANDATORY, resource_policy, stack_policy
from policy.reading import (
    UNKNOWN,
    display,
    get,
    get_list,
    get_map,
    kind_of,
    known_str,
    pod_specs,
    pod_template,
    present,
    volumes,
)

# The StorageClass EKS creates in every cluster, backed by EBS.
EKS_BUILTIN_EBS_CLASSES = frozenset({"gp2"})
EBS_PROVISIONERS = frozenset({"kubernetes.io/aws-ebs", "ebs.csi.aws.com"})


def _claim_class(spec: Any) -> Any:
    """The StorageClass a PersistentVolumeClaim spec asks for ('' = none, None = the cluster default)."""
    return get(spec, "storageClassName")


_EBS_ADVICE = "Fargate pods cannot mount EBS volumes: use EFS (CSI driver efs.csi.aws.com) for persistent data."


@resource_policy(
    "no-ebs-volumes",
    MANDATORY,
    "No EBS-backed volumes and no claims on EKS's EBS storage class gp2: Fargate pods cannot mount EBS.",
)
def no_ebs_volumes(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    kind = kind_of(args.resource_type)
    props = args.props
    if kind == "PersistentVolume":
        if present(get(props, "spec", "awsElasticBlockStore")) or get(props, "spec", "csi", "driver") == "ebs.csi.aws.com":
            report_violation(f"{display(kind, props, args.name)} is an EBS volume. {_EBS_ADVICE}", None)
        return
    for what, claim in _claims(args):
        if _claim_class(claim) in EKS_BUILTIN_EBS_CLASSES:
            report_violation(f"{what} asks for StorageClass gp2, which is EBS. {_EBS_ADVICE}", None)
    found = pod_specs(args)
    if found:
        what, spec = found
        for name, volume in volumes(spec):
            if present(get(volume, "awsElasticBlockStore")):
                report_violation(f"volume '{name}' of {what} is an awsElasticBlockStore volume. {_EBS_ADVICE}", None)


def _claims(resource: PolicyResource | ResourceValidationArgs) -> list[tuple[str, Any]]:
    """(what, claim spec) for every claim a resource makes: PVCs, volume claim templates, ephemeral volumes."""
    kind = kind_of(resource.resource_type)
    props = resource.props
    if kind == "PersistentVolumeClaim":
        return [(display(kind, props, resource.name), get(props, "spec"))]
    claims = []
    template = pod_template(resource.resource_type, props)
    if template is not None and template is not UNKNOWN:
        what = display(kind or "", props, resource.name)
        for name, volume in volumes(get(template, "spec")):
            spec = get(volume, "ephemeral", "volumeClaimTemplate", "spec")
            if spec is not None:
                claims.append((f"ephemeral volume '{name}' of {what}", spec))
        if kind == "StatefulSet":
            templates = get_list(props, "spec", "volumeClaimTemplates")
            for index, claim in enumerate(templates if templates is not UNKNOWN else []):
                name = known_str(get(claim, "metadata", "name")) or f"#{index}"
                claims.append((f"volume claim template '{name}' of {what}", get(claim, "spec")))
    return claims


@stack_policy(
    "no-claims-on-ebs-storage-classes",
    MANDATORY,
    "No persistent volume claims on an EBS StorageClass declared in the stack (by name, or as the default class).",
)
def no_claims_on_ebs_storage_classes(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    ebs_classes: set[str] = set()
    ebs_default: str | None = None
    for resource in args.resources:
        if kind_of(resource.resource_type) != "StorageClass" or get(resource.props, "provisioner") not in EBS_PROVISIONERS:
            continue
        name = known_str(get(resource.props, "metadata", "name"))
        if name:
            ebs_classes.add(name)
        annotations = get_map(resource.props, "metadata", "annotations")
        if annotations is not UNKNOWN and annotations.get("storageclass.kubernetes.io/is-default-class") == "true":
            ebs_default = name or resource.name
    if not ebs_classes and ebs_default is None:
        return
    for resource in args.resources:
        for what, spec in _claims(resource):
            if spec is UNKNOWN:
                continue
            wanted = _claim_class(spec)
            if wanted is UNKNOWN or wanted in EKS_BUILTIN_EBS_CLASSES:
                continue  # unknown, or already reported by no-ebs-volumes
            if wanted in ebs_classes:
                report_violation(f"{what} asks for StorageClass '{wanted}', which provisions EBS. {_EBS_ADVICE}", resource.urn)
            elif wanted is None and ebs_default is not None:
                report_violation(
                    f"{what} names no StorageClass, so it gets the default class '{ebs_default}', which provisions EBS. "
                    f"{_EBS_ADVICE}",
                    resource.urn,
                )


EFS_CSI_DRIVER = "efs.csi.aws.com"
_EFS_ADVICE = (
    "Fargate pods mount EFS only, and only statically provisioned volumes: declare a PersistentVolume with "
    f"csi.driver {EFS_CSI_DRIVER} (volumeHandle: the file system id) and bind the claim to it, by volumeName or "
    f"through a StorageClass whose provisioner is {EFS_CSI_DRIVER}."
)


@stack_policy(
    "claims-on-efs-only",
    MANDATORY,
    "Every persistent volume claim (PVC, StatefulSet volume claim template, ephemeral volume) binds a volume known "
    "to be EFS, through a StorageClass of provisioner efs.csi.aws.com or a PersistentVolume of that CSI driver, "
    "whatever they are called: Fargate pods mount EFS only, statically provisioned.",
)
def claims_on_efs_only(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    provisioners: dict[str, Any] = {}  # StorageClass name -> provisioner
    drivers: dict[str, Any] = {}  # PersistentVolume name -> CSI driver (None: not a CSI volume)
    for resource in args.resources:
        kind, name = kind_of(resource.resource_type), known_str(get(resource.props, "metadata", "name"))
        if kind == "StorageClass" and name:
            provisioners[name] = get(resource.props, "provisioner")
        elif kind == "PersistentVolume" and name:
            drivers[name] = get(resource.props, "spec", "csi", "driver")
    for resource in args.resources:
        for what, spec in _claims(resource):
            if spec is UNKNOWN:
                continue
            wanted, volume = _claim_class(spec), get(spec, "volumeName")
            if wanted is UNKNOWN or volume is UNKNOWN or UNKNOWN in (provisioners.get(wanted), drivers.get(volume)):
                continue  # known at deploy time only
            if volume:
                if drivers.get(volume) == EFS_CSI_DRIVER:
                    continue
                if volume in drivers:
                    problem = f"binds PersistentVolume '{volume}', whose CSI driver is not {EFS_CSI_DRIVER}"
                else:
                    problem = f"binds PersistentVolume '{volume}', which the stack does not declare: not known to be EFS"
            elif wanted is None:
                problem = "names no StorageClass, so it gets the cluster's default class: not known to be EFS"
            elif wanted == "":
                problem = "asks for no StorageClass and names no PersistentVolume"
            elif provisioners.get(wanted) == EFS_CSI_DRIVER:
                continue
            elif wanted in EKS_BUILTIN_EBS_CLASSES or provisioners.get(wanted) in EBS_PROVISIONERS:
                continue  # reported as EBS by no-ebs-volumes / no-claims-on-ebs-storage-classes
            elif wanted in provisioners:
                problem = f"asks for StorageClass '{wanted}', whose provisioner is not {EFS_CSI_DRIVER}"
            else:
                problem = f"asks for StorageClass '{wanted}', which the stack does not declare: not known to be EFS"
            report_violation(f"{what} {problem}. {_EFS_ADVICE}", resource.urn)
