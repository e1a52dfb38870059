"""The plan's secrets table (tools/offline/secrets_report.py): every secret with what it feeds and what grants it."""

import copy
import json

import pytest

from offline.plan import from_recording
from offline.secrets_report import report, rows
from tests.tenants import TENANT_STACKS, tenant_recording


@pytest.fixture(scope="module", params=TENANT_STACKS)
def plan(request) -> dict:
    return from_recording(tenant_recording(request.param))


def test_each_secret_feeds_a_variable_or_file_and_is_granted_by_its_roles_statement(plan):
    externals = [r for r in plan["resources"] if r["inputs"].get("kind") == "ExternalSecret"]
    found = rows(plan)
    assert len(found) == sum(len(r["inputs"]["spec"]["data"]) for r in externals)
    for row in found:
        assert ": $" in row["feeds"] or ": file /" in row["feeds"], row
        assert row["granted"].startswith(("ReadOwnSecrets", "ReadOwnParameters")), row
    assert bool(report(plan)) == bool(found)


def test_a_secret_its_role_is_not_granted_is_shown_as_denied(plan):
    if not rows(plan):
        pytest.skip("this tenant reads no secret")
    changed = copy.deepcopy(plan)
    for resource in changed["resources"]:
        if resource["type"] == "aws:iam/rolePolicy:RolePolicy":
            document = json.loads(resource["inputs"]["policy"])
            for statement in document["Statement"]:
                statement["Resource"] = [
                    r.replace(":secret:", ":secret:other/").replace(":parameter/", ":parameter/other/")
                    for r in statement["Resource"]
                ]
            resource["inputs"]["policy"] = json.dumps(document)
    assert all(row["granted"].startswith("NOTHING") for row in rows(changed))
    assert "NOTHING" in report(changed)
