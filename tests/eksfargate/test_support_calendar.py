"""Issue 17: the Kubernetes support calendar in the settings, the estimate and the plan's advisory."""

from datetime import date

import pytest

from eksfargate.estimate import estimate, load_prices
from eksfargate.facts.kubernetes_versions import CALENDAR, support_notice
from eksfargate.footprint import Footprint
from eksfargate.settings import SUPPORTED_KUBERNETES_VERSIONS
from offline.harness import record
from policy.offline import check
from tests.stackfacts import PINNED_DEV


def footprint(version="1.35", support_type=None):
    return Footprint("ap-northeast-2", 1, (), 0, 0, (), 0, kubernetes_version=version, support_type=support_type)


def plane(version="1.35", support_type=None, month=date(2026, 12, 1)):
    (line,) = [line for line in estimate(footprint(version, support_type), month=month).lines if line.category == "EKS"]
    return line


def test_the_supported_versions_are_the_calendars_and_every_date_has_its_source():
    assert SUPPORTED_KUBERNETES_VERSIONS == tuple(CALENDAR) == ("1.35", "1.36")
    assert CALENDAR["1.35"].end_of_standard == date(2027, 3, 27) and CALENDAR["1.35"].end_of_extended == date(2028, 3, 27)
    assert all(entry.source and entry.checked for entry in CALENDAR.values())


def test_each_version_is_fourteen_months_of_standard_support_then_twelve_of_extended_and_says_how_it_was_read():
    for entry in CALENDAR.values():
        standard, extended = entry.end_of_standard, entry.end_of_extended
        assert (extended.year, extended.month, extended.day) == (standard.year + 1, standard.month, standard.day)
    assert "docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.md" in CALENDAR["1.35"].source
    assert CALENDAR["1.36"].end_of_standard == date(2027, 8, 2) and CALENDAR["1.36"].end_of_extended == date(2028, 8, 2)
    assert "Dates second-hand" in CALENDAR["1.36"].source  # the guide's calendar row for 1.36 was not read
    # 1.37: no add-on pins could be read for it, so it is not offered (components/addon_versions.py).
    assert "1.37" not in CALENDAR


def test_1_36_warns_from_90_days_before_its_end_of_standard_support():
    assert support_notice("1.36", "EXTENDED", date(2027, 5, 3)) is None
    notice = support_notice("1.36", "EXTENDED", date(2027, 5, 4))
    assert "Kubernetes 1.36 leaves EKS standard support on 2027-08-02" in notice and "once this stack supports it" in notice


def test_the_estimate_prices_the_control_plane_at_the_months_rate():
    seoul = load_prices("ap-northeast-2")
    before = plane(month=date(2027, 3, 1))
    assert before.item == "control plane, standard support" and before.monthly_usd == seoul.eks_cluster_hour * 730
    after = plane(month=date(2027, 4, 1))
    assert after.item == "control plane, extended support" and after.monthly_usd == seoul.eks_extended_support_cluster_hour * 730
    # STANDARD: EKS upgrades the cluster at the end of standard support; no extended charge.
    assert plane(support_type="STANDARD", month=date(2027, 4, 1)).item == "control plane, standard support"


def test_the_estimate_says_when_the_rate_changes():
    notes = estimate(footprint(), month=date(2026, 12, 1)).assumptions
    assert any("from 2027-03-27 it is $0.60/h (extended support" in note for note in notes)


@pytest.mark.parametrize(
    "support_type,today,expected",
    [
        ("EXTENDED", date(2026, 12, 26), None),
        ("EXTENDED", date(2026, 12, 27), "leaves EKS standard support on 2027-03-27; upgrade to 1.36"),
        ("STANDARD", date(2027, 1, 10), "EKS then upgrades the control plane itself"),
        ("STANDARD", date(2027, 3, 27), "with supportType STANDARD, EKS will upgrade the cluster's control plane itself"),
        ("EXTENDED", date(2027, 4, 1), "the cluster is in extended support"),
        ("EXTENDED", date(2028, 4, 1), "left EKS extended support on 2028-03-27"),
        ("STANDARD", date(2028, 4, 1), "left EKS extended support on 2028-03-27"),
    ],
)
def test_the_plan_warns_from_90_days_before_the_end_of_standard_support(support_type, today, expected):
    notice = support_notice("1.35", support_type, today)
    assert notice is None if expected is None else expected in notice


def test_past_extended_support_the_notice_never_says_the_cluster_is_still_in_it():
    notice = support_notice("1.35", "EXTENDED", date(2028, 4, 1))
    assert notice is not None and "in extended support" not in notice and "until 2028-03-27" not in notice


def test_the_advisory_is_in_the_plans_policy_findings(monkeypatch):
    monkeypatch.setenv("EKSFARGATE_TODAY", "2027-01-10")
    findings = check(record("dev", stack_file=PINNED_DEV))
    assert any("kubernetes-version-in-standard-support" in str(f) and "2027-03-27" in str(f) for f in findings)
