"""`make security` on the manifests of the stack files in tests/data/security/: each waiver holds for
what it was written for, on a stack that needs it, and for nothing else.

- orders-dev: the tenant docs/teams.md shows (its own image by version tag, a password from a
  Secret as an environment variable): it must pass.
- orders-latest: the same tenant with its image at `:latest`: it must fail.
- shop-latest: a platform app of another image at `:latest`, still named deployment-2048: the
  walkthrough image's waivers must not cover it.

The cases run on the findings checkov reports for these manifests, as written in REPORTED below, and
again on checkov's own report (one run over every fixture, when venv-security is installed:
`make security` installs it, and CI's security job runs these tests).
"""

import json
from pathlib import Path
from typing import NamedTuple

import pytest

from eksfargate.project import TENANT_PROJECT_DIR
from offline.harness import PROJECT_DIR
from offline.projects import project_name
from security import check

CHECKOV = PROJECT_DIR / "venv-security" / "bin" / "checkov"

ORDERS = "Deployment.tenant-orders.orders"
ORDERS_POD = "Pod.tenant-orders.orders.app.kubernetes.io/name-orders.eks.amazonaws.com/fargate-profile-tenants"
SHOP = "Deployment.shop.deployment-2048"
SHOP_POD = "Pod.shop.deployment-2048.app.kubernetes.io/name-app-2048"
# The pod metrics collector every platform stack runs by default (containerInsights), its image by digest.
COLLECTOR = "StatefulSet.fargate-container-insights.adot-collector"
COLLECTOR_POD = (
    "Pod.fargate-container-insights.adot-collector."
    "app.kubernetes.io/component-metrics-collector.app.kubernetes.io/name-adot-collector"
)


class Reported(NamedTuple):
    """What checkov reports on a fixture's manifests: its failed checks, and the passed ones a waiver reads."""

    project: Path
    failed: set[tuple[str, str]]
    passed: set[tuple[str, str]]


REPORTED = {
    "orders-dev": Reported(
        TENANT_PROJECT_DIR,
        failed={("CKV_K8S_43", ORDERS), ("CKV_K8S_35", ORDERS), ("CKV2_K8S_6", ORDERS_POD)},
        passed={("CKV_K8S_14", ORDERS)},
    ),
    "orders-latest": Reported(
        TENANT_PROJECT_DIR,
        failed={("CKV_K8S_14", ORDERS), ("CKV_K8S_43", ORDERS), ("CKV2_K8S_6", ORDERS_POD)},
        passed=set(),
    ),
    "shop-latest": Reported(
        PROJECT_DIR,
        failed={("CKV_K8S_14", SHOP), ("CKV_K8S_43", SHOP), ("CKV2_K8S_6", SHOP_POD), ("CKV2_K8S_6", COLLECTOR_POD)},
        passed={("CKV_K8S_14", COLLECTOR), ("CKV_K8S_43", COLLECTOR)},
    ),
}


@pytest.fixture(scope="session")
def manifests(shared, worker_plans) -> dict[str, Path]:
    """Each fixture's manifests.yaml, as the plan command wrote it, in the workers that plan every stack
    file once per test session (tests/worker_plans.py: tests/data/security/ is among them)."""

    def make(folder: Path) -> None:
        for stack, reported in REPORTED.items():
            status, message, written = worker_plans[f"fixture-{stack}"]
            assert status in (0, 1), message
            assert json.loads(written["plan.json"])["project"] == project_name(reported.project), stack
            (folder / f"{stack}.yaml").write_bytes(written["manifests.yaml"])

    folder = shared("security-fixtures", make)
    return {stack: folder / f"{stack}.yaml" for stack in REPORTED}


def canned_report(manifests: dict[str, Path]) -> dict:
    def result(check_id: str, resource: str, path: Path) -> dict:
        return {"check_id": check_id, "check_name": f"name of {check_id}", "resource": resource, "file_abs_path": str(path)}

    def results(kind: str) -> list[dict]:
        return [
            result(check_id, resource, manifests[stack])
            for stack, reported in REPORTED.items()
            for check_id, resource in getattr(reported, kind)
        ]

    # checkov reports a passed check on every file it read
    passed = results("passed") + [result("CKV_K8S_21", "Namespace.x", path) for path in manifests.values()]
    return {"check_type": "kubernetes", "results": {"passed_checks": passed, "failed_checks": results("failed")}}


@pytest.fixture(scope="session")
def checkov_report(shared, manifests) -> dict:
    """checkov's own report on every fixture's manifests, one run per test session."""
    if not CHECKOV.exists():
        pytest.skip(f"no {CHECKOV.relative_to(PROJECT_DIR)} (`make security` installs it)")

    def make(folder: Path) -> None:
        report = check.run_checkov(list(manifests.values()), checkov=CHECKOV)
        (folder / "report.json").write_text(json.dumps(report))

    return json.loads((shared("security-checkov", make) / "report.json").read_text())


@pytest.fixture(params=["as reported", "by checkov"])
def report(request, manifests) -> dict:
    if request.param == "by checkov":
        return request.getfixturevalue("checkov_report")
    return canned_report(manifests)


def run_check(monkeypatch, capsys, manifests: dict[str, Path], report: dict) -> tuple[int, str]:
    """`make security --partial` over every fixture's manifests at once, on `report`."""
    monkeypatch.setattr(check, "run_checkov", lambda files, **_: report)
    status = check.main(["--partial", *map(str, manifests.values())])
    return status, capsys.readouterr().out


def unwaived(out: str, path: Path) -> set[tuple[str, str]]:
    return {
        (line.split()[2], line.split()[3])
        for line in out.splitlines()
        if line.strip().startswith("NOT WAIVED") and f" in {path}:" in line
    }


def test_the_docs_tenant_with_secret_env_and_an_image_by_version_tag_passes(monkeypatch, capsys, manifests, report):
    status, out = run_check(monkeypatch, capsys, manifests, report)
    assert unwaived(out, manifests["orders-dev"]) == set()
    assert f"checkov: 3 failed check(s) in {manifests['orders-dev']}, 3 waived" in out
    assert status == 1  # the other fixtures fail


def test_a_tenant_image_at_latest_fails(monkeypatch, capsys, manifests, report):
    status, out = run_check(monkeypatch, capsys, manifests, report)
    assert status == 1
    assert unwaived(out, manifests["orders-latest"]) == {("CKV_K8S_14", ORDERS), ("CKV_K8S_43", ORDERS)}


def test_the_walkthrough_image_waivers_do_not_cover_another_image_named_deployment_2048(monkeypatch, capsys, manifests, report):
    status, out = run_check(monkeypatch, capsys, manifests, report)
    assert status == 1
    assert unwaived(out, manifests["shop-latest"]) == {("CKV_K8S_14", SHOP), ("CKV_K8S_43", SHOP)}


def test_checkov_reports_what_these_tests_assume(manifests, checkov_report):
    findings = check.findings_of(checkov_report)
    for stack, reported in REPORTED.items():
        path = str(manifests[stack].resolve())
        assert {(f.check, f.resource) for f in findings if f.file == path} == reported.failed, stack
        passed = {
            (r["check_id"], r["resource"]) for r in checkov_report["results"]["passed_checks"] if r["file_abs_path"] == path
        }
        assert reported.passed <= passed, stack


def test_the_manifests_hold_what_the_cases_say(manifests):
    orders = manifests["orders-dev"].read_text()
    assert "image: ghcr.io/example/orders:1.4.2" in orders and "secretKeyRef:" in orders
    assert "image: ghcr.io/example/orders:latest" in manifests["orders-latest"].read_text()
    shop = manifests["shop-latest"].read_text()
    assert "image: ghcr.io/example/shop:latest" in shop and "name: deployment-2048" in shop
    assert "docker-2048" not in shop


def test_every_waiver_for_a_setting_is_needed_by_a_fixture_that_sets_it(manifests, report):
    # their stale check: no committed stack file need set appImage by tag or appSecretEnv
    verdict = check.judge(
        check.findings_of(report), check.load_waivers(), check.Checked(report, check.objects_of(list(manifests.values())))
    )
    assert [w.setting for w in check.load_waivers() if w.setting]
    assert verdict.unused == []
