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

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AddonPins:
    """One add-on's version for each Kubernetes version, and where they were read.

    source: the page that documents the add-on's versions; read_on: when the pins were last checked;
    read_from: for each Kubernetes version, where its pin was read (first- or second-hand, as said).
    """

    versions: dict[str, str]
    source: str
    read_on: str
    read_from: dict[str, str] = field(default_factory=dict)


# Checked again 2026-12-03 (issue 17, section 5).
ADDON_VERSIONS: dict[str, AddonPins] = {
    "coredns": AddonPins(
        # Moved from v1.14.3-eksbuild.3 for the CVE fixes of CoreDNS v1.14.7. The newest copy of the
        # EKS user guide's table "CoreDNS versions" read here (managing-coredns.md, stored copy of the
        # page AWS publishes) still lists 1.36 and 1.35 on v1.14.3-eksbuild.3; the v1.14.7 builds are
        # later than it. First-hand only the upstream build: EKS Distro, aws/eks-distro releases
        # v1-35-eks-16 and v1-36-eks-10 (2026-10-28), 'Update CoreDNS to v1.14.7 for 1-33 to 1-37 with
        # CVE patches (5006)'. The add-on build number is second-hand (read_from). Re-check with
        # `aws eks describe-addon-versions --addon-name coredns --kubernetes-version 1.35` before a deploy:
        # EKS refuses a version it does not list for the cluster's Kubernetes version, before any change.
        versions={"1.35": "v1.14.7-eksbuild.11", "1.36": "v1.14.7-eksbuild.11"},
        source="https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html#coredns-versions",
        read_on="2026-12-03",
        read_from={
            "1.36": (
                "second-hand: EKS's own default at the creation of a 1.36 cluster, as a public configuration "
                "recorded it ('What each EKS add-on resolved to when it was first created': coredns "
                "v1.14.7-eksbuild.11 beside kube-proxy v1.36.0-eksbuild.45); the same pin in a second public "
                "1.36 configuration; v1.14.7-eksbuild.10 was the answer of `describe-addon-versions "
                "--kubernetes-version 1.36` on 2026-10-07 in a third"
            ),
            "1.35": (
                "inferred, not read for 1.35: every copy of the guide's table read here gives 1.35 the same "
                "newest build as 1.36 (v1.14.3-eksbuild.3 in the newest), and the 1.14 builds are listed for "
                "1.35 too (v1.14.6-eksbuild.4 for 1.35 in `describe-addon-versions`, 2026-10-02, second-hand); "
                "previously v1.14.3-eksbuild.3, read in the guide's table (stored copy)"
            ),
        },
    ),
    "metrics-server": AddonPins(
        # A community add-on: AWS publishes no version table, only
        # `aws eks describe-addon-versions --addon-name metrics-server --kubernetes-version X`.
        # 1.35 moved from v0.9.0-eksbuild.7 to the build 1.36 already had: the same metrics-server
        # v0.9.0, a later EKS build, pinned for a 1.35 cluster in a public configuration.
        versions={"1.35": "v0.9.0-eksbuild.11", "1.36": "v0.9.0-eksbuild.11"},
        source="https://docs.aws.amazon.com/eks/latest/userguide/metrics-server.html (versions: describe-addon-versions)",
        read_on="2026-12-03",
        read_from={
            "1.36": (
                "second-hand: EKS's default at the creation of a 1.36 cluster (the public configuration "
                "cited for CoreDNS), and `describe-addon-versions --kubernetes-version 1.36` on 2026-10-07 in "
                "another; no newer build was found"
            ),
            "1.35": (
                "second-hand: pinned beside Kubernetes 1.35 and kube-proxy v1.35.3-eksbuild.2 in a public "
                "configuration (terraform/variables.tf of an EKS 1.35 project); previously v0.9.0-eksbuild.7, "
                "also second-hand"
            ),
        },
    ),
}

# Add-ons whose configuration schema (what `aws eks describe-addon-configuration --addon-name A
# --addon-version V --query configurationSchema` returns) takes `podAnnotations`, rendered on the
# pod template: the stack puts components/rollout.py's annotations there, so that a Kubernetes
# upgrade or a pod logging change rolls the add-on's pods. An add-on missing here gets none (EKS
# validates configurationValues against the schema and would fail the create or update), and its
# pods roll only when its pinned version moves. No published copy of either pinned build's schema
# was found: re-check with the command above before moving a pin or a first deploy.
POD_ANNOTATIONS_IN_SCHEMA: dict[str, str] = {
    # The schema as returned for v1.10.1-eksbuild.11 (cloudbees/terraform-aws-cloudbees-ci-eks-addon,
    # blueprints/02-at-scale README, June 2024) and v1.11.1-eksbuild.8 (terraform-aws-modules/
    # terraform-aws-eks docs/compute_resources.md) has `podAnnotations` ("The podAnnotations Schema",
    # type object) and `podLabels` beside computeType and podDisruptionBudget; AWS's CoreDNS
    # maintainer points to it for pod annotations (aws/containers-roadmap#2178, 2023-10-17).
    "coredns": "schema of v1.10.1-eksbuild.11 and v1.11.1-eksbuild.8 (second-hand copies); v1.14.7 not read",
    # No published copy of this community add-on's schema was found. Its chart's values as EKS
    # ships them (v0.7.2-eksbuild.2, quoted in jupyter-infra/jupyter-k8s#289) are the upstream
    # chart's, which has podAnnotations on the pod template (kubernetes-sigs/metrics-server, chart
    # metrics-server-helm-chart-3.13.1 at 842dcc8c: values.yaml podAnnotations, replicas, resources).
    "metrics-server": "the add-on chart's values (v0.7.2-eksbuild.2, second-hand); the v0.9.0 schema not read",
}

# Each configuration key the stack passes (components/fargate.py COREDNS_CONFIGURATION and the pod
# annotations; components/metrics_server.py CONFIGURATION), and how far it is confirmed for the
# pinned build. None of them was read in the pinned build's own schema: say so in a deploy review.
CONFIGURATION_KEYS_CHECKED: dict[str, dict[str, str]] = {
    "coredns": {
        "computeType": (
            "in the v1.11.1-eksbuild.8 schema (second-hand copy, terraform-aws-modules); not confirmed for v1.14.7-eksbuild.11"
        ),
        "resources.requests/limits.cpu/memory": (
            "in the v1.11.1-eksbuild.8 schema (Resources: limits, requests; cpu, memory strings); passed to "
            "v1.14.7-eksbuild.10 by a public 1.36 configuration (second-hand); not confirmed for eksbuild.11"
        ),
        "podDisruptionBudget.enabled/maxUnavailable": (
            "first-hand for the add-on line: EKS user guide, managing-coredns.adoc ('In EKS add-on versions "
            "v1.9.3-eksbuild.7 and later and v1.10.1-eksbuild.4 and later, you can change the "
            'PodDisruptionBudget\', example {"podDisruptionBudget": {"enabled": true, "maxUnavailable": 1}}); '
            "in the v1.11.1-eksbuild.8 schema; the v1.14.7 schema not read"
        ),
        "podAnnotations": "see POD_ANNOTATIONS_IN_SCHEMA: v1.11.1-eksbuild.8 and earlier; not confirmed for v1.14.7",
    },
    "metrics-server": {
        "replicas": (
            "upstream chart values (3.13.1); passed to v0.9.0-eksbuild.11 by a public configuration "
            "(second-hand); the add-on schema not read"
        ),
        "resources.requests/limits.cpu/memory": "upstream chart values (3.13.1) only; the add-on schema not read",
        "podAnnotations": "upstream chart values (3.13.1) and v0.7.2-eksbuild.2's values (second-hand); not confirmed for v0.9.0",
    },
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
