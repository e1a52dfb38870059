"""`make security`: checkov's findings on every stack's manifests against the documented waivers.

checkov itself lives in its own venv (requirements-security.txt); these tests feed the
comparison canned reports in checkov's JSON shape, so the suite needs no checkov.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from offline.harness import PROJECT_DIR
from security import check

DEV = "out/dev/manifests.yaml"
CHECKOUT = "tenant/out/checkout-dev/manifests.yaml"
LEDGER = "tenant/out/ledger-dev/manifests.yaml"


def report(*failed: tuple[str, str], file: str = DEV) -> dict:
    """checkov's report on one file: its failed checks, and a passed one (checkov read the file)."""
    path = str(Path(file).resolve())

    def result(check_id: str, resource: str) -> dict:
        return {"check_id": check_id, "check_name": f"name of {check_id}", "resource": resource, "file_abs_path": path}

    return {
        "check_type": "kubernetes",
        "results": {
            "passed_checks": [result("CKV_K8S_21", "Namespace.x")],
            "failed_checks": [result(c, r) for c, r in failed],
        },
        "summary": {"failed": len(failed)},
    }


def merged(*reports: dict) -> dict:
    """One run of checkov over several files: one report with every file's results."""
    return {
        "check_type": "kubernetes",
        "results": {kind: [r for one in reports for r in one["results"][kind]] for kind in ("passed_checks", "failed_checks")},
    }


WAIVED = [
    ("CKV_K8S_14", "Deployment.game-2048.deployment-2048"),
    ("CKV_K8S_43", "Deployment.game-2048.deployment-2048"),
    ("CKV2_K8S_6", "Pod.game-2048.deployment-2048.app.kubernetes.io/name-app-2048"),
]
# What checkov finds in the tenant stacks' manifests (the walkthrough's presets, with IRSA off).
TENANT_PROFILE = "eks.amazonaws.com/fargate-profile-tenants"
WAIVED_CHECKOUT = [
    ("CKV_K8S_43", "Deployment.tenant-checkout.hello"),
    ("CKV2_K8S_6", f"Pod.tenant-checkout.hello.app.kubernetes.io/name-hello.{TENANT_PROFILE}"),
]
WAIVED_LEDGER = [
    ("CKV_K8S_14", "Deployment.tenant-ledger.game"),
    ("CKV_K8S_43", "Deployment.tenant-ledger.game"),
    ("CKV2_K8S_6", f"Pod.tenant-ledger.game.app.kubernetes.io/name-game.{TENANT_PROFILE}"),
]


def every_stack(checkout=WAIVED_CHECKOUT) -> dict:
    return merged(report(*WAIVED), report(*checkout, file=CHECKOUT), report(*WAIVED_LEDGER, file=LEDGER))


def test_the_documented_findings_pass(monkeypatch, capsys):
    monkeypatch.setattr(check, "run_checkov", lambda manifests: every_stack())
    assert check.main([DEV, CHECKOUT, LEDGER]) == 0
    out = capsys.readouterr().out
    assert f"3 failed check(s) in {DEV}, 3 waived" in out
    assert f"2 failed check(s) in {CHECKOUT}, 2 waived" in out


def test_a_finding_not_waived_fails_and_is_named(monkeypatch, capsys):
    # e.g. a container that lost `allowPrivilegeEscalation: false`
    finding = ("CKV_K8S_20", "Deployment.x.deployment-2048")
    monkeypatch.setattr(check, "run_checkov", lambda manifests: report(*WAIVED, finding))
    assert check.main([DEV, "--partial"]) == 1
    assert f"NOT WAIVED CKV_K8S_20 Deployment.x.deployment-2048 in {DEV}" in capsys.readouterr().out


def test_an_unwaived_finding_in_a_tenant_stack_fails_and_names_its_file(monkeypatch, capsys):
    # the platform's app passes CKV_K8S_38; a tenant's pod that mounts the token it does not need fails
    token = ("CKV_K8S_38", "Deployment.tenant-checkout.hello")
    monkeypatch.setattr(check, "run_checkov", lambda manifests: every_stack(checkout=[*WAIVED_CHECKOUT, token]))
    assert check.main([DEV, CHECKOUT, LEDGER]) == 1
    out = capsys.readouterr().out
    assert f"NOT WAIVED CKV_K8S_38 Deployment.tenant-checkout.hello in {CHECKOUT}" in out
    assert f"3 failed check(s) in {CHECKOUT}, 2 waived" in out


def test_a_waiver_that_no_longer_matches_fails_so_the_list_stays_true(monkeypatch, capsys):
    monkeypatch.setattr(check, "run_checkov", lambda manifests: merged(report(*WAIVED[:2]), report(file=CHECKOUT)))
    assert check.main([DEV, CHECKOUT]) == 1
    assert "STALE WAIVER CKV2_K8S_6" in capsys.readouterr().out


def test_a_waiver_one_stack_needs_is_not_stale_for_the_others(monkeypatch, capsys):
    # The tenant preset waivers match nothing in the platform's manifests, the platform's app's
    # nothing in the tenants': over every stack at once, each matches something.
    monkeypatch.setattr(check, "run_checkov", lambda manifests: every_stack())
    assert check.main([DEV, CHECKOUT, LEDGER]) == 0
    assert "STALE" not in capsys.readouterr().out
    # one stack alone, as if it were every stack: the others' waivers look stale
    monkeypatch.setattr(check, "run_checkov", lambda manifests: report(*WAIVED))
    assert check.main([DEV]) == 1
    assert "STALE WAIVER CKV_K8S_14 Deployment.tenant-*.game" in capsys.readouterr().out


def test_some_stacks_only_judge_no_waiver_stale(monkeypatch, capsys):
    # `make security STACK=dev`: a waiver for tenants' pods is not stale for dev alone
    monkeypatch.setattr(check, "run_checkov", lambda manifests: report(*WAIVED))
    assert check.main(["--partial", DEV]) == 0
    out = capsys.readouterr().out
    assert "STALE" not in out
    assert "match nothing in these stacks" in out


def test_a_file_checkov_read_nothing_from_is_an_error_not_a_pass(monkeypatch, capsys):
    # e.g. a plan that wrote no manifests: checkov reports nothing for the file, not a failure
    monkeypatch.setattr(check, "run_checkov", lambda manifests: report(*WAIVED))
    assert check.main([DEV, CHECKOUT]) == 2
    assert f"checked nothing in {CHECKOUT}" in capsys.readouterr().err


def test_checkov_runs_once_over_every_file(monkeypatch):
    commands = []

    def run(command, **kwargs):
        commands.append(command)
        return subprocess.CompletedProcess(command, 1, stdout='{"results": {}}', stderr="")

    monkeypatch.setattr(check.subprocess, "run", run)
    check.run_checkov([Path(DEV), Path(CHECKOUT)])
    (command,) = commands
    assert command[command.index("--file") + 1 : command.index("--file") + 3] == [DEV, CHECKOUT]
    assert "--quiet" not in command  # passed checks show which files checkov read


def test_a_waiver_covers_its_check_on_matching_resources_only():
    (waiver,) = [w for w in check.load_waivers() if w.check == "CKV_K8S_14" and w.resource == "Deployment.*.deployment-2048"]
    assert waiver.covers(check.Finding("CKV_K8S_14", "", "Deployment.any-namespace.deployment-2048"))
    assert not waiver.covers(check.Finding("CKV_K8S_14", "", "Deployment.game-2048.another-app"))
    assert not waiver.covers(check.Finding("CKV_K8S_43", "", "Deployment.game-2048.deployment-2048"))


def test_reports_of_several_frameworks_are_read_too():
    findings = check.findings_of([report(WAIVED[0]), report(WAIVED[1], file=CHECKOUT)])
    assert [f.check for f in findings] == ["CKV_K8S_14", "CKV_K8S_43"]
    assert check.checked_files([report(WAIVED[0]), report(file=CHECKOUT)]) == {str(Path(p).resolve()) for p in (DEV, CHECKOUT)}


def test_checkov_that_cannot_run_is_an_error_not_a_pass(monkeypatch, capsys):
    def broken(manifests):
        raise RuntimeError("checkov exited 2")

    monkeypatch.setattr(check, "run_checkov", broken)
    assert check.main([DEV, CHECKOUT]) == 2
    assert "checkov did not run" in capsys.readouterr().err


def test_at_most_three_checks_waived_each_with_a_reason_and_in_the_security_posture():
    waivers = check.load_waivers()
    assert 1 <= len({waiver.check for waiver in waivers}) <= 3
    assert len({(waiver.check, waiver.resource) for waiver in waivers}) == len(waivers)
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


def make_security_dry_run(*variables: str) -> tuple[list[str], str]:
    """(the stack files `make security` plans, the commands it runs), from make's dry run."""
    if shutil.which("make") is None:
        pytest.skip("no make on this machine")
    done = subprocess.run(
        ["make", "--dry-run", "--no-print-directory", "-C", str(PROJECT_DIR), "security", *variables],
        capture_output=True,
        text=True,
        check=True,
    )
    loop = next(line for line in done.stdout.splitlines() if "for file in" in line)
    return loop.split("for file in", 1)[1].split(";", 1)[0].split(), done.stdout


def test_make_security_checks_every_platform_and_tenant_stack_file_at_once():
    listed, commands = make_security_dry_run()
    stack_files = sorted(PROJECT_DIR.glob("Pulumi.*.yaml")) + sorted((PROJECT_DIR / "tenant").glob("Pulumi.*.yaml"))
    assert any(path.parent.name == "tenant" for path in stack_files)
    assert listed == [str(path.relative_to(PROJECT_DIR)) for path in stack_files]
    assert "-m security.check $manifests" in commands  # every plan's manifests to one check
    assert "--partial" not in commands


def test_make_security_with_a_stack_checks_that_one_without_judging_stale_waivers():
    listed, commands = make_security_dry_run("STACK=checkout-dev", "PROJECT=tenant")
    assert listed == ["tenant/Pulumi.checkout-dev.yaml"]
    assert "-m security.check --partial $manifests" in commands
