"""`make security`: checkov's findings on the plan's manifests against the documented waivers.

checkov itself lives in its own venv (requirements-security.txt); these tests feed the
comparison canned reports in checkov's JSON shape, so the suite needs no checkov.
"""

import re

import yaml

from offline.harness import PROJECT_DIR
from security import check


def report(*failed: tuple[str, str]) -> dict:
    return {
        "check_type": "kubernetes",
        "results": {"failed_checks": [{"check_id": c, "check_name": f"name of {c}", "resource": r} for c, r in failed]},
        "summary": {"failed": len(failed)},
    }


WAIVED = [
    ("CKV_K8S_14", "Deployment.game-2048.deployment-2048"),
    ("CKV_K8S_43", "Deployment.game-2048.deployment-2048"),
    ("CKV2_K8S_6", "Pod.game-2048.deployment-2048.app.kubernetes.io/name-app-2048"),
]


def test_the_documented_findings_pass(monkeypatch, capsys):
    monkeypatch.setattr(check, "run_checkov", lambda manifests: report(*WAIVED))
    assert check.main(["out/dev/manifests.yaml"]) == 0
    assert "3 failed check(s)" in capsys.readouterr().out


def test_a_finding_not_waived_fails_and_is_named(monkeypatch, capsys):
    # e.g. a container that lost `allowPrivilegeEscalation: false`
    monkeypatch.setattr(check, "run_checkov", lambda manifests: report(*WAIVED, ("CKV_K8S_20", "Deployment.x.deployment-2048")))
    assert check.main(["out/dev/manifests.yaml"]) == 1
    assert "NOT WAIVED CKV_K8S_20 Deployment.x.deployment-2048" in capsys.readouterr().out


def test_a_waiver_that_no_longer_matches_fails_so_the_list_stays_true(monkeypatch, capsys):
    monkeypatch.setattr(check, "run_checkov", lambda manifests: report(*WAIVED[:2]))
    assert check.main(["out/dev/manifests.yaml"]) == 1
    assert "STALE WAIVER CKV2_K8S_6" in capsys.readouterr().out


def test_a_waiver_covers_its_check_on_matching_resources_only():
    (waiver,) = [w for w in check.load_waivers() if w.check == "CKV_K8S_14"]
    assert waiver.covers(check.Finding("CKV_K8S_14", "", "Deployment.any-namespace.deployment-2048"))
    assert not waiver.covers(check.Finding("CKV_K8S_14", "", "Deployment.game-2048.another-app"))
    assert not waiver.covers(check.Finding("CKV_K8S_43", "", "Deployment.game-2048.deployment-2048"))


def test_reports_of_several_frameworks_are_read_too():
    findings = check.findings_of([report(WAIVED[0]), report(WAIVED[1])])
    assert [f.check for f in findings] == ["CKV_K8S_14", "CKV_K8S_43"]


def test_checkov_that_cannot_run_is_an_error_not_a_pass(monkeypatch, capsys):
    def broken(manifests):
        raise RuntimeError("checkov exited 2")

    monkeypatch.setattr(check, "run_checkov", broken)
    assert check.main(["out/dev/manifests.yaml"]) == 2
    assert "checkov did not run" in capsys.readouterr().err


def test_at_most_three_waivers_each_with_a_reason_and_in_the_security_posture():
    waivers = check.load_waivers()
    assert 1 <= len(waivers) <= 3
    reference = (PROJECT_DIR / "docs" / "reference.md").read_text()
    posture = reference.split("## Security posture", 1)[1].split("\n## ", 1)[0]
    for waiver in waivers:
        assert len(waiver.reason) > 40, waiver.check
        row = next(line for line in posture.splitlines() if line.startswith(f"| `{waiver.check}`"))
        assert "waived" in row, waiver.check


def test_checkov_is_pinned_in_its_own_requirements_not_in_the_tests():
    pins = dict(
        line.split("==")
        for line in (PROJECT_DIR / "requirements-security.txt").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert re.fullmatch(r"\d+\.\d+\.\d+", pins["checkov"])
    for requirements in ("requirements.txt", "requirements-dev.txt"):
        assert "checkov" not in (PROJECT_DIR / requirements).read_text()


def test_ci_runs_the_security_check_before_the_tests():
    commands = [line for line in (PROJECT_DIR / ".ci" / "run").read_text().splitlines() if line.startswith("make ")]
    assert commands == ["make security", "make test"]


def test_pull_requests_run_the_security_check():
    jobs = yaml.safe_load((PROJECT_DIR / ".github" / "workflows" / "pull-request.yml").read_text())["jobs"]
    assert any(step.get("run") == "make security" for job in jobs.values() for step in job.get("steps", []))
