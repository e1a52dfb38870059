"""Recordings made one after another in one process are independent of each other: the suite's test
workers record many stack files in one process, and so does a plan of several stacks. A recording whose
program fails part-way must leave nothing behind that the next recording reads."""

from pathlib import Path

import yaml

from eksfargate.config_reader import SettingsError
from eksfargate.project import TENANT_PROJECT_DIR
from offline.harness import Recording, record

TENANT_STACK = "checkout-dev"


def tenant_of(platform: str, folder: Path) -> Recording:
    """The tenant stack file with its platform stack replaced, recorded: `dev` does not serve tenants, so
    its program fails after it has read the platform's outputs, with work of its own still pending."""
    values = yaml.safe_load((TENANT_PROJECT_DIR / f"Pulumi.{TENANT_STACK}.yaml").read_text())["config"]
    values["eks-fargate-tenant:platformStack"] = platform
    values["eks-fargate-tenant:namespace"] = "tenant-moved"
    path = folder / f"Pulumi.{platform}-tenant.yaml"
    path.write_text(yaml.safe_dump({"config": values}))
    return record(f"{platform}-tenant", project_dir=TENANT_PROJECT_DIR, stack_file=path)


def test_a_recording_after_a_failed_one_reports_its_own_outcome(tmp_path):
    before = record(TENANT_STACK, project_dir=TENANT_PROJECT_DIR)
    assert before.error is None

    failed = tenant_of("dev", tmp_path)
    assert failed.error is not None and "sharedAlbGroup" in str(failed.error)

    bad_namespace = record(TENANT_STACK, overrides={"namespace": "kube-system"}, project_dir=TENANT_PROJECT_DIR)
    assert isinstance(bad_namespace.error, SettingsError), repr(bad_namespace.error)
    assert "namespace" in str(bad_namespace.error)

    after = record(TENANT_STACK, project_dir=TENANT_PROJECT_DIR)
    assert after.error is None, repr(after.error)
    # The same registrations with the same inputs (their order follows the event loop, not the program).
    assert {r.urn: r.inputs for r in after.resources} == {r.urn: r.inputs for r in before.resources}
