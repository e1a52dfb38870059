"""EKS's Kubernetes support calendar: the one copy the settings (which versions a stack may run),
the cost estimate (which control-plane rate applies in a month) and the policy pack (the advisory
as a version's end of standard support nears) read.

A minor version is in standard support for 14 months after EKS releases it, then in extended
support for 12 more. What happens at the end of standard support is the cluster's upgrade policy
(`upgradePolicy.supportType`, the stack's `supportType` setting):

- EXTENDED (EKS's default for new and existing clusters): the cluster stays on its version and is
  billed the extended-support rate ($0.60 instead of $0.10 a cluster-hour, data/prices.json) until
  the end of extended support, when EKS upgrades its control plane itself.
- STANDARD: EKS upgrades the control plane itself at the end of standard support; no extended
  charge. The Fargate pods keep the old kubelet until they restart, and the stack's
  `kubernetesVersion` no longer matches the cluster (set it to the new version before the next
  `pulumi up`: a lower version would ask EKS for a rollback, below).

EKS rolls a control plane back to the previous minor version within 7 days of an in-place upgrade
(ROLLBACK_WINDOW), never two minors, and not the add-ons: 'With Amazon EKS version rollback, you can
revert your cluster's Kubernetes control plane to the previous minor version after performing an
in-place upgrade'; 'What does NOT get rolled back ... EKS add-ons' (EKS user guide, 'Roll back a
cluster to a previous Kubernetes version', https://docs.aws.amazon.com/eks/latest/userguide/rollback-cluster.md);
'to the previous minor version within 7 days of an in-place upgrade'; 'You are responsible for the
data plane, add-ons, and application compatibility' (EKS best practices guide, 'Best Practices for
Cluster Version Rollback', https://docs.aws.amazon.com/eks/latest/best-practices/rollback-cluster-upgrades.md;
both read in stored copies 2026-12-06). It is asked for as an upgrade is, UpdateClusterVersion with
the lower version, which is what the AWS provider sends when `version` changes
(hashicorp/terraform-provider-aws internal/service/eks/cluster.go, resourceClusterUpdate, read at
00555dc5); UpdateClusterVersion's optional RollbackConfig only sets how long EKS waits before it
cancels a version update it cannot finish (timeoutMinutes, 120 to 10080, default 720: EKS API
reference, RollbackConfig), and eksctl v0.229.0 added both ('Add cluster version rollback support
with rollbackConfig', eksctl-io/eksctl #8780: 'permits a single-version downgrade (N->N-1), and
rejects multi-version downgrades').

Source of the lifecycle and both policies: EKS user guide, 'Understand the Kubernetes version
lifecycle on EKS' (latest/ug/versioning/kubernetes-versions.adoc, awsdocs/amazon-eks-user-guide
at 8596db85 and 01385604, read 2026-12-03): 'A minor version is under standard support in Amazon
EKS for the first 14 months after it's released ... it enters extended support for the next 12
months'; 'By default, for all new and existing clusters, the upgrade policy is set to EXTENDED';
'If you disable extended support, your cluster will be auto upgraded at the end of standard
support'; 'Billing for extended support starts at the beginning of the day that the version
reaches end of standard support, in the UTC+0 timezone'.

Standard library only: the pack runs this folder on its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

SUPPORT_TYPES = ("EXTENDED", "STANDARD")
# How long before the end of standard support the plan starts to warn.
WARN_BEFORE = timedelta(days=90)
# How long after an in-place upgrade EKS still rolls the control plane back one minor (module docstring).
ROLLBACK_WINDOW = timedelta(days=7)

STANDARD, EXTENDED, ENDED = "standard", "extended", "ended"


@dataclass(frozen=True)
class VersionSupport:
    """One Kubernetes version on EKS; a date is None where no source could be read."""

    version: str
    end_of_standard: date | None
    end_of_extended: date | None
    source: str
    checked: str

    def phase(self, day: date) -> str | None:
        """standard, extended or ended on `day` (dates are UTC; each end date is the first day past it)."""
        if self.end_of_standard is None:
            return None
        if day < self.end_of_standard:
            return STANDARD
        if self.end_of_extended is None or day < self.end_of_extended:
            return EXTENDED
        return ENDED


# The versions this stack supports, oldest first. A version is added once EKS offers it, the
# add-ons have pins for it (components/addon_versions.py) and kubernetes-validate has its schemas
# (docs/contributing.md "Moving the pins").
#
# Where the calendar was read (checked 2026-12-03): the EKS user guide's 'Amazon EKS Kubernetes
# release calendar' (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.md, the
# page AWS publishes from latest/ug/versioning/kubernetes-versions.adoc), in a stored copy of that
# markdown whose standard-support list is 1.35, 1.34, 1.33, 1.32. The guide's GitHub repository
# (awsdocs/amazon-eks-user-guide) is no help past 1.34: its newest snapshot here is 4d52b4d
# (2024-12-18) and the stored copies of the .adoc (8596db85, 01385604) end at 1.34.
#
# 1.37 is not here (checked 2026-12-03). Upstream released it on 2026-08-26 and kubernetes-validate
# 1.37.0 has its schemas; that EKS offers it is only second-hand (a public write-up of `aws eks
# describe-cluster-versions` listing 1.37 in standard support; EKS Distro, aws/eks-distro release
# v1-36-eks-10 of 2026-10-28, builds '1-33 to 1-37'). No copy of the EKS user guide read here lists
# it, its dates were not found, and no CoreDNS or metrics-server add-on version for 1.37 was found,
# so it could not be pinned (components/addon_versions.py): it cannot be offered yet.
CALENDAR: dict[str, VersionSupport] = {
    "1.35": VersionSupport(
        version="1.35",
        end_of_standard=date(2027, 3, 27),
        end_of_extended=date(2028, 3, 27),
        source=(
            "EKS user guide, 'Amazon EKS Kubernetes release calendar' "
            "(https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.md), read in a stored copy of "
            "the page's markdown: '`1.35` | December 17, 2025 | January 27, 2026 | March 27, 2027 | March 27, "
            "2028' (upstream release, Amazon EKS release, end of standard support, end of extended support; "
            "'The dates in the following table use the UTC+0 timezone'). Matches the earlier second-hand "
            "copies (endoflife.date/amazon-eks; aws-samples sample-apex-skills cluster-lifecycle)"
        ),
        checked="2026-12-03",
    ),
    "1.36": VersionSupport(
        version="1.36",
        end_of_standard=date(2027, 8, 2),
        end_of_extended=date(2028, 8, 2),
        source=(
            "offered on EKS, first-hand: EKS user guide, 'Review release notes for Kubernetes versions on "
            "standard support' (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html, "
            "stored copy): 'Kubernetes 1.36 is now available in Amazon EKS'. Dates second-hand, not read in "
            "a copy of the guide's calendar: EKS release 2026-06-02 and standard support 'through August 2, "
            "2027' (devopsdreams.blogspot.com, 'Kubernetes 1.36 on Amazon EKS', 2026-08-16), and '1.36 | August "
            "2, 2027 | August 2, 2028' in a public EKS upgrade-assessment skill's calendar table; both agree "
            "with the guide's rule (14 months of standard support from the EKS release, then 12 of extended). "
            "Confirm with `aws eks describe-cluster-versions --cluster-versions 1.36` (endOfStandardSupportDate)"
        ),
        checked="2026-12-03",
    ),
}


def support_of(version: str) -> VersionSupport:
    return CALENDAR[version]


def upgrade_step(version: str) -> str | None:
    """The next version of the calendar, the one step EKS upgrades a cluster by; None for the newest."""
    versions = list(CALENDAR)
    index = versions.index(version)
    return versions[index + 1] if index + 1 < len(versions) else None


def support_notice(version: str, support_type: str, today: date) -> str | None:
    """What the plan says about `version`'s support on `today`: None until 90 days before the end
    of standard support (or where the calendar has no date for the version)."""
    support = CALENDAR.get(version)
    if support is None or support.end_of_standard is None:
        return None
    end = support.end_of_standard
    step = upgrade_step(version)
    upgrade = (
        f"upgrade to {step} (stack setting kubernetesVersion; docs/operating.md, Upgrading Kubernetes)"
        if step
        else "upgrade to the next version once this stack supports it (docs/contributing.md, Moving the pins)"
    )
    if today < end - WARN_BEFORE:
        return None
    if today < end:
        after = (
            "the cluster then moves to extended support at six times the control-plane price (supportType EXTENDED)"
            if support_type == "EXTENDED"
            else "EKS then upgrades the control plane itself (supportType STANDARD)"
        )
        return f"Kubernetes {version} leaves EKS standard support on {end.isoformat()}; {upgrade} before then: {after}."
    if support.end_of_extended is not None and today >= support.end_of_extended:
        # Past both periods: whatever the upgrade policy, EKS moves the control plane on itself.
        return (
            f"Kubernetes {version} left EKS extended support on {support.end_of_extended.isoformat()}: EKS upgrades "
            f"the cluster's control plane itself; {upgrade} so that the stack matches the cluster."
        )
    if support_type == "STANDARD":
        return (
            f"Kubernetes {version} left EKS standard support on {end.isoformat()}: with supportType STANDARD, EKS will "
            f"upgrade the cluster's control plane itself; {upgrade} so that the stack matches the cluster."
        )
    ends = support.end_of_extended.isoformat() if support.end_of_extended else "a date not recorded"
    return (
        f"Kubernetes {version} left EKS standard support on {end.isoformat()}: the cluster is in extended support, "
        f"billed six times the standard control-plane price, until {ends}, when EKS upgrades it itself; {upgrade}."
    )


def today_utc() -> date:
    """The date the plan and the estimate are for: today in UTC, or EKSFARGATE_TODAY (YYYY-MM-DD)."""
    fixed = os.environ.get("EKSFARGATE_TODAY")
    return date.fromisoformat(fixed) if fixed else datetime.now(UTC).date()
