"""`make security`: checkov's findings on every stack's manifests against the documented waivers.

checkov itself lives in its own venv (requirements-security.txt); these tests feed the
comparison canned reports in checkov's JSON shape, so the suite needs no checkov.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from components.container_insights import IMAGE as COLLECTOR_IMAGE
from eksfargate.stack_files import read_project
from eksfargate.tenant_settings import PRESET_IMAGES
from eksfargate.workload import GAME_2048_IMAGE as WALKTHROUGH_IMAGE
from offline.harness import PROJECT_DIR
from security import check

HELLO_IMAGE = PRESET_IMAGES["hello"]
GAME = "Deployment.game-2048.deployment-2048"
HELLO = "Deployment.tenant-checkout.hello"
LEDGER_GAME = "Deployment.tenant-ledger.game"
COLLECTOR = "StatefulSet.fargate-container-insights.adot-collector"
TENANT_PROFILE = "eks.amazonaws.com/fargate-profile-tenants"


def deployment(resource: str, image: str, **container: object) -> dict:
    """A Deployment with checkov's resource id `resource` (Kind.namespace.name), its one container running `image`."""
    _, namespace, name = resource.split(".", 2)
    pod = {"containers": [{"name": name, "image": image, **container}]}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"template": {"spec": pod}},
    }


def manifests(path: Path, *objects: dict) -> Path:
    path.write_text("# as the offline plan writes them\n---\n" + yaml.safe_dump_all(objects))
    return path


@pytest.fixture
def stacks(tmp_path) -> dict[str, Path]:
    """Manifests as the committed stacks' are: the platform's walkthrough app, a tenant's hello and game presets."""
    return {
        "dev": manifests(
            tmp_path / "dev.yaml",
            deployment(GAME, WALKTHROUGH_IMAGE),
            {**deployment(COLLECTOR, COLLECTOR_IMAGE), "kind": "StatefulSet"},
        ),
        "checkout": manifests(tmp_path / "checkout.yaml", deployment(HELLO, HELLO_IMAGE)),
        "ledger": manifests(tmp_path / "ledger.yaml", deployment(LEDGER_GAME, WALKTHROUGH_IMAGE)),
    }


def report(file: Path, *failed: tuple[str, str], passed: tuple[tuple[str, str], ...] = ()) -> dict:
    """checkov's report on one file: its failed checks, and passed ones (checkov read the file)."""

    def result(check_id: str, resource: str) -> dict:
        return {"check_id": check_id, "check_name": f"name of {check_id}", "resource": resource, "file_abs_path": str(file)}

    return {
        "check_type": "kubernetes",
        "results": {
            "passed_checks": [result(c, r) for c, r in (("CKV_K8S_21", "Namespace.x"), *passed)],
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


# What checkov finds in the committed stacks' manifests: the walkthrough's image, the hello preset by tag.
WAIVED = [
    ("CKV_K8S_14", GAME),
    ("CKV_K8S_43", GAME),
    ("CKV2_K8S_6", "Pod.game-2048.deployment-2048.app.kubernetes.io/name-app-2048"),
]
PASSED_DEV = (("CKV_K8S_14", COLLECTOR),)
WAIVED_CHECKOUT = [
    ("CKV_K8S_43", HELLO),
    ("CKV2_K8S_6", f"Pod.tenant-checkout.hello.app.kubernetes.io/name-hello.{TENANT_PROFILE}"),
]
PASSED_CHECKOUT = (("CKV_K8S_14", HELLO),)
WAIVED_LEDGER = [
    ("CKV_K8S_14", LEDGER_GAME),
    ("CKV_K8S_43", LEDGER_GAME),
    ("CKV2_K8S_6", f"Pod.tenant-ledger.game.app.kubernetes.io/name-game.{TENANT_PROFILE}"),
]


def every_stack(stacks: dict[str, Path], checkout=WAIVED_CHECKOUT) -> dict:
    return merged(
        report(stacks["dev"], *WAIVED, passed=PASSED_DEV),
        report(stacks["checkout"], *checkout, passed=PASSED_CHECKOUT),
        report(stacks["ledger"], *WAIVED_LEDGER),
    )


def files(stacks: dict[str, Path]) -> list[str]:
    return [str(stacks[name]) for name in ("dev", "checkout", "ledger")]


def test_the_documented_findings_pass(monkeypatch, capsys, stacks):
    monkeypatch.setattr(check, "run_checkov", lambda manifests: every_stack(stacks))
    assert check.main(files(stacks)) == 0
    out = capsys.readouterr().out
    assert f"3 failed check(s) in {stacks['dev']}, 3 waived" in out
    assert f"2 failed check(s) in {stacks['checkout']}, 2 waived" in out


def test_a_finding_not_waived_fails_and_is_named(monkeypatch, capsys, stacks):
    # e.g. a container that lost `allowPrivilegeEscalation: false`
    finding = ("CKV_K8S_20", GAME)
    monkeypatch.setattr(check, "run_checkov", lambda manifests: report(stacks["dev"], *WAIVED, finding))
    assert check.main([str(stacks["dev"]), "--partial"]) == 1
    assert f"NOT WAIVED CKV_K8S_20 {GAME} in {stacks['dev']}" in capsys.readouterr().out


def test_an_unwaived_finding_in_a_tenant_stack_fails_and_names_its_file(monkeypatch, capsys, stacks):
    # the platform's app passes CKV_K8S_38; a tenant's pod that mounts the token it does not need fails
    token = ("CKV_K8S_38", HELLO)
    monkeypatch.setattr(check, "run_checkov", lambda manifests: every_stack(stacks, checkout=[*WAIVED_CHECKOUT, token]))
    assert check.main(files(stacks)) == 1
    out = capsys.readouterr().out
    assert f"NOT WAIVED CKV_K8S_38 {HELLO} in {stacks['checkout']}" in out
    assert f"3 failed check(s) in {stacks['checkout']}, 2 waived" in out


def test_a_waiver_that_no_longer_matches_fails_so_the_list_stays_true(monkeypatch, capsys, stacks):
    run = merged(report(stacks["dev"], *WAIVED[:2]), report(stacks["checkout"]))
    monkeypatch.setattr(check, "run_checkov", lambda manifests: run)
    assert check.main([str(stacks["dev"]), str(stacks["checkout"])]) == 1
    assert "STALE WAIVER CKV2_K8S_6" in capsys.readouterr().out


def test_a_waiver_one_stack_needs_is_not_stale_for_the_others(monkeypatch, capsys, stacks):
    # The walkthrough image's waivers match nothing in checkout's manifests, the version tag's
    # nothing in dev's: over every stack at once, each matches something.
    monkeypatch.setattr(check, "run_checkov", lambda manifests: every_stack(stacks))
    assert check.main(files(stacks)) == 0
    assert "STALE" not in capsys.readouterr().out
    # one stack alone, as if it were every stack: the others' waivers look stale
    monkeypatch.setattr(
        check, "run_checkov", lambda manifests: report(stacks["checkout"], *WAIVED_CHECKOUT, passed=PASSED_CHECKOUT)
    )
    assert check.main([str(stacks["checkout"])]) == 1
    assert "STALE WAIVER CKV_K8S_14 Deployment.*" in capsys.readouterr().out


def test_a_waiver_for_a_setting_no_stack_sets_is_not_stale_and_says_so(monkeypatch, capsys, stacks):
    # dev alone, as if it were every stack: no image by tag, no secret env. Those waivers are for
    # settings (appImage, appSecretEnv), judged on fixtures that set them (test_stack_fixtures.py).
    monkeypatch.setattr(check, "run_checkov", lambda manifests: report(stacks["dev"], *WAIVED, passed=PASSED_DEV))
    assert check.main([str(stacks["dev"])]) == 0
    out = capsys.readouterr().out
    assert "STALE" not in out
    assert "waiver CKV_K8S_35 for appSecretEnv: no stack file here needs it" in out
    assert "waiver CKV_K8S_43 for appImage: no stack file here needs it" in out


def test_some_stacks_only_judge_no_waiver_stale(monkeypatch, capsys, stacks):
    # `make security PROJECT=tenant STACK=checkout-dev`: the walkthrough image's waivers are not stale for it alone
    monkeypatch.setattr(
        check, "run_checkov", lambda manifests: report(stacks["checkout"], *WAIVED_CHECKOUT, passed=PASSED_CHECKOUT)
    )
    assert check.main(["--partial", str(stacks["checkout"])]) == 0
    out = capsys.readouterr().out
    assert "STALE" not in out and "no stack file here needs it" not in out
    assert "2 waiver(s) match nothing in these stacks" in out  # the walkthrough image's two


def test_a_file_checkov_read_nothing_from_is_an_error_not_a_pass(monkeypatch, capsys, stacks):
    # e.g. a plan that wrote no manifests: checkov reports nothing for the file, not a failure
    monkeypatch.setattr(check, "run_checkov", lambda manifests: report(stacks["dev"], *WAIVED))
    assert check.main([str(stacks["dev"]), str(stacks["checkout"])]) == 2
    assert f"checked nothing in {stacks['checkout']}" in capsys.readouterr().err


def test_checkov_runs_once_over_every_file(monkeypatch):
    commands = []

    def run(command, **kwargs):
        commands.append(command)
        return subprocess.CompletedProcess(command, 1, stdout='{"results": {}}', stderr="")

    monkeypatch.setattr(check.subprocess, "run", run)
    check.run_checkov([Path("a.yaml"), Path("b.yaml")])
    (command,) = commands
    assert command[0] == str(check.CHECKOV)  # from the same environment as the check
    assert command[command.index("--file") + 1 : command.index("--file") + 3] == ["a.yaml", "b.yaml"]
    assert "--quiet" not in command  # passed checks show which files checkov read, and what `passing` reads


def waiver(check_id: str, **conditions: str) -> check.Waiver:
    (found,) = [w for w in check.load_waivers() if w.check == check_id and all(getattr(w, k) == v for k, v in conditions.items())]
    return found


def judged(tmp_path: Path, finding: tuple[str, str], *objects: dict, passed: tuple[tuple[str, str], ...] = ()) -> check.Verdict:
    """The verdict on one finding about the objects of one manifests file."""
    path = manifests(tmp_path / "manifests.yaml", *objects)
    run = report(path, finding, passed=passed)
    return check.judge(check.findings_of(run), check.load_waivers(), check.Checked(run, check.objects_of([path])))


def test_the_walkthrough_image_waivers_are_for_that_image_whatever_the_deployment_is_called(tmp_path):
    for check_id in ("CKV_K8S_14", "CKV_K8S_43"):
        walkthrough = waiver(check_id, image=WALKTHROUGH_IMAGE)
        run = report(tmp_path / "m.yaml", (check_id, GAME))
        (finding,) = check.findings_of(run)
        for image, covered in (
            (WALKTHROUGH_IMAGE, True),
            ("ghcr.io/example/shop:latest", False),
            ("ghcr.io/example/shop", False),
        ):
            path = manifests(tmp_path / "m.yaml", deployment(GAME, image))
            assert walkthrough.covers(finding, check.Checked(run, check.objects_of([path]))) is covered, (check_id, image)
        # its own name and image, but a sidecar of another image: not the walkthrough's pod
        sidecar = {"name": "proxy", "image": "ghcr.io/example/proxy:latest"}
        pod = deployment(GAME, WALKTHROUGH_IMAGE)
        pod["spec"]["template"]["spec"]["initContainers"] = [sidecar]
        assert judged(tmp_path, (check_id, GAME), pod).unwaived
        # an object the manifests do not hold: no image to hold the condition for
        assert judged(tmp_path, (check_id, "Deployment.game-2048.elsewhere"), deployment(GAME, WALKTHROUGH_IMAGE)).unwaived


def test_the_walkthrough_image_waived_is_the_one_the_settings_run():
    assert {w.image for w in check.load_waivers() if w.image} == {WALKTHROUGH_IMAGE}
    assert PRESET_IMAGES["game"] == WALKTHROUGH_IMAGE


def test_an_image_by_version_tag_needs_no_digest_where_checkov_finds_its_tag_fixed(tmp_path):
    tagged = deployment(HELLO, HELLO_IMAGE)
    assert not judged(tmp_path, ("CKV_K8S_43", HELLO), tagged, passed=(("CKV_K8S_14", HELLO),)).unwaived
    # :latest or no tag: CKV_K8S_14 fails, so the digest is not waived either
    assert judged(tmp_path, ("CKV_K8S_43", HELLO), deployment(HELLO, "ghcr.io/example/orders:latest")).unwaived
    # CKV_K8S_14 passed on another object, or in another file: not this one's tag
    assert judged(tmp_path, ("CKV_K8S_43", HELLO), tagged, passed=(("CKV_K8S_14", GAME),)).unwaived
    other = report(tmp_path / "other.yaml", passed=(("CKV_K8S_14", HELLO),))
    path = manifests(tmp_path / "manifests.yaml", tagged)
    run = merged(report(path, ("CKV_K8S_43", HELLO)), other)
    verdict = check.judge(check.findings_of(run), check.load_waivers(), check.Checked(run, check.objects_of([path])))
    assert verdict.unwaived


def test_secrets_as_environment_variables_are_waived_one_key_at_a_time_only(tmp_path):
    by_key = {"env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "orders-db", "key": "password"}}}]}
    image = "ghcr.io/example/orders:1.4.2"
    assert not judged(tmp_path, ("CKV_K8S_35", HELLO), deployment(HELLO, image, **by_key)).unwaived
    whole = {"envFrom": [{"secretRef": {"name": "orders-db"}}]}
    assert judged(tmp_path, ("CKV_K8S_35", HELLO), deployment(HELLO, image, **by_key, **whole)).unwaived
    assert judged(tmp_path, ("CKV_K8S_35", HELLO), deployment(HELLO, image, **whole)).unwaived


def test_a_waiver_covers_its_check_only(tmp_path):
    for check_id in ("CKV_K8S_20", "CKV_K8S_38"):
        assert judged(tmp_path, (check_id, GAME), deployment(GAME, WALKTHROUGH_IMAGE)).unwaived


def test_a_waiver_with_a_key_the_check_does_not_know_is_refused(tmp_path):
    # a misspelt condition must not leave a waiver wider than it was written
    path = tmp_path / "waivers.json"
    entry = {"check": "CKV_K8S_14", "resource": "Deployment.*", "imgae": WALKTHROUGH_IMAGE, "reason": "walkthrough"}
    path.write_text(json.dumps({"waivers": [entry]}))
    with pytest.raises(ValueError, match="imgae"):
        check.load_waivers(path)
    path.write_text(json.dumps({"waivers": [{"check": "CKV_K8S_35", "resource": "*", "secrets": "files", "reason": "x"}]}))
    with pytest.raises(ValueError, match="secrets"):
        check.load_waivers(path)


def test_a_waiver_for_a_setting_names_one_the_projects_declare():
    declared = {key for project in (PROJECT_DIR, PROJECT_DIR / "tenant") for key in read_project(project).declarations}
    settings = {w.setting for w in check.load_waivers() if w.setting}
    assert settings and settings <= declared


def test_reports_of_several_frameworks_are_read_too():
    findings = check.findings_of([report(Path("a.yaml"), WAIVED[0]), report(Path("b.yaml"), WAIVED[1])])
    assert [f.check for f in findings] == ["CKV_K8S_14", "CKV_K8S_43"]
    assert check.checked_files([report(Path("a.yaml"), WAIVED[0]), report(Path("b.yaml"))]) == {"a.yaml", "b.yaml"}


def test_checkov_that_cannot_run_is_an_error_not_a_pass(monkeypatch, capsys, stacks):
    def broken(manifests):
        raise RuntimeError("checkov exited 2")

    monkeypatch.setattr(check, "run_checkov", broken)
    assert check.main([str(stacks["dev"]), str(stacks["checkout"])]) == 2
    assert "checkov did not run" in capsys.readouterr().err


def test_at_most_four_checks_waived_each_with_a_reason_and_in_the_security_posture():
    waivers = check.load_waivers()
    assert 1 <= len({waiver.check for waiver in waivers}) <= 4
    assert len(set(waivers)) == len(waivers)
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


def test_pull_requests_run_the_security_check_then_the_waiver_tests_with_checkov():
    jobs = yaml.safe_load((PROJECT_DIR / ".github" / "workflows" / "pull-request.yml").read_text())["jobs"]
    runs = [step.get("run") for step in jobs["security"]["steps"]]
    # after make security, which installs venv-security: test_stack_fixtures.py runs checkov, not skips it
    assert runs[-2:] == ["make security", "venv/bin/python -m pytest tests/tools/security"]


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


def test_checkov_asks_nothing_of_the_network(monkeypatch):
    """checkov downloads guidelines and policy metadata from Prisma Cloud unless told not to: the check runs offline."""
    commands = []

    def run(command, **kwargs):
        commands.append((command, kwargs.get("env") or {}))
        return subprocess.CompletedProcess(command, 1, stdout='{"results": {}}', stderr="")

    monkeypatch.setattr(check.subprocess, "run", run)
    check.run_checkov([Path("a.yaml")])
    ((command, env),) = commands
    assert "--skip-download" in command
    assert "BC_API_KEY" not in env and "PRISMA_API_URL" not in env
