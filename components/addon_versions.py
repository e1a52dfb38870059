"""EKS add-on versions, pinned per Kubernetes version, and how the stack resolves conflicts.

Without `addon_version` EKS installs whatever its default is on the day of the `pulumi up`,
so two runs of the same code could differ, and a control-plane upgrade would leave the
add-on where it was. With a pin per Kubernetes version a plan is reproducible and moving
`kubernetesVersion` moves every add-on with it (after the control plane: the add-on waits
for the cluster). To add an add-on, add a row to ADDON_VERSIONS with a version for every
Kubernetes version in settings.SUPPORTED_KUBERNETES_VERSIONS (a test checks), its source and
the date it was read, and create it with `addon_version()` and the two RESOLVE_CONFLICTS_* below.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AddonPins:
    """One add-on's version for each Kubernetes version, and where they were read."""

    versions: dict[str, str]
    source: str
    read_on: str


ADDON_VERSIONS: dict[str, AddonPins] = {
    "coredns": AddonPins(
        # The EKS user guide's table "CoreDNS versions" (latest EKS add-on version per
        # Kubernetes version); the stored copy read lists both 1.35 and 1.36 on v1.14.3.
        versions={"1.35": "v1.14.3-eksbuild.3", "1.36": "v1.14.3-eksbuild.3"},
        source="https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html#coredns-versions",
        read_on="2026-11-28",
    ),
    "metrics-server": AddonPins(
        # A community add-on: AWS publishes no version table, only
        # `aws eks describe-addon-versions --addon-name metrics-server --kubernetes-version X`.
        # Read second-hand from public configurations that recorded that call: 1.36 default
        # v0.9.0-eksbuild.11 (2026-10-07), 1.35 v0.9.0-eksbuild.7. Re-check before a deploy.
        versions={"1.35": "v0.9.0-eksbuild.7", "1.36": "v0.9.0-eksbuild.11"},
        source="https://docs.aws.amazon.com/eks/latest/userguide/metrics-server.html (versions: describe-addon-versions)",
        read_on="2026-11-28",
    ),
}

# Add-ons whose configuration schema (what `aws eks describe-addon-configuration --addon-name A
# --addon-version V --query configurationSchema` returns) takes `podAnnotations`, rendered on the
# pod template: the stack puts components/rollout.py's annotations there, so that a Kubernetes
# upgrade or a pod logging change rolls the add-on's pods. An add-on missing here gets none (EKS
# validates configurationValues against the schema and would fail the create or update), and its
# pods roll only when its pinned version moves. Neither fact below was read at the pinned builds:
# re-check with the command above before moving a pin or a first deploy.
POD_ANNOTATIONS_IN_SCHEMA: dict[str, str] = {
    # The schema as returned for v1.10.1-eksbuild.11 (cloudbees/terraform-aws-cloudbees-ci-eks-addon,
    # blueprints/02-at-scale README, June 2024) and v1.11.1-eksbuild.8 (terraform-aws-modules/
    # terraform-aws-eks docs/compute_resources.md) has `podAnnotations` ("The podAnnotations Schema",
    # type object) and `podLabels` beside computeType and podDisruptionBudget; AWS's CoreDNS
    # maintainer points to it for pod annotations (aws/containers-roadmap#2178, 2023-10-17). No
    # published copy of the v1.14.3-eksbuild.3 schema was found.
    "coredns": "schema of v1.10.1-eksbuild.11 and v1.11.1-eksbuild.8 (second-hand copies); v1.14.3 not read",
    # No published copy of this community add-on's schema was found. Its chart's values as EKS
    # ships them (v0.7.2-eksbuild.2, quoted in jupyter-infra/jupyter-k8s#289) are the upstream
    # chart's, which has podAnnotations on the pod template, as `replicas` and `resources` above are.
    "metrics-server": "the add-on chart's values (v0.7.2-eksbuild.2, second-hand); the v0.9.0 schema not read",
}

# The stack declares each add-on's whole configuration (configuration_values), so what EKS
# or a hand edit changed in the cluster is drift: OVERWRITE puts the declared values back on
# create (over a self-managed copy, if any) and on every update, including a version change.
# PRESERVE (update only) would keep a hand edit alive across upgrades; NONE fails the update.
RESOLVE_CONFLICTS_ON_CREATE = "OVERWRITE"
RESOLVE_CONFLICTS_ON_UPDATE = "OVERWRITE"


def addon_version(addon: str, kubernetes_version: str) -> str:
    """The pinned version of `addon` for a cluster on `kubernetes_version`."""
    pins = ADDON_VERSIONS[addon]
    if kubernetes_version not in pins.versions:
        raise KeyError(
            f"no {addon} add-on version pinned for Kubernetes {kubernetes_version} "
            f"(components/addon_versions.py has {sorted(pins.versions)})"
        )
    return pins.versions[kubernetes_version]


def accepts_pod_annotations(addon: str) -> bool:
    """Whether the add-on's configuration takes `podAnnotations` (POD_ANNOTATIONS_IN_SCHEMA)."""
    return addon in POD_ANNOTATIONS_IN_SCHEMA
