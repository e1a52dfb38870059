"""The plan diff as data: `offline diff --json` → one document for both projects → the trusted renderer's comment."""

import copy
import json
import subprocess
import sys

from eksfargate.project import TENANT_PROJECT_DIR
from eksfargate.stack_catalog import tenants
from offline import diff as offline_diff
from offline import diff_data, plan_document
from offline.harness import PROJECT_DIR
from tests.github.test_plan_comment import plan_comment, rich_diff, schema
from tests.tools.offline.test_diff import AUTOSCALER, resource
from tests.tools.offline.test_plan import dev_plan

SHA = "0123456789abcdef0123456789abcdef01234567"
RUN = "https://github.com/o/r/actions/runs/1"


def test_a_real_change_goes_from_the_cli_through_json_to_a_rendered_table_row(tmp_path):
    base, scaled, data = tmp_path / "base.json", tmp_path / "scaled.json", tmp_path / "diff" / "platform.json"
    base.write_text(plan_document.dumps(dev_plan()))
    new = copy.deepcopy(dev_plan())
    resource(new, AUTOSCALER, "game-2048-autoscaler")["inputs"]["spec"]["minReplicas"] = 2
    scaled.write_text(json.dumps(new))
    done = subprocess.run(
        [sys.executable, "-m", "offline", "diff", str(base), str(scaled), "--json", str(data)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # changes
    doc = json.loads(data.read_text())
    schema.check(doc)  # what the PR side writes is what the trusted side reads
    (stack,) = doc["stacks"]
    assert (stack["stack"], stack["project"], stack["platform"], stack["changed"]) == ("dev", "platform", None, True)
    (res,) = stack["resources"]
    assert (res["op"], res["name"], res["type"]) == ("update", "game-2048-autoscaler", AUTOSCALER)
    assert res["changes"] == [
        {"path": "spec.minReplicas", "old": "5", "new": "2", "replaces": False, "note": "", "after_deploy": False}
    ]
    comment = plan_comment.diff_comment(data.read_bytes(), SHA, RUN, "success")
    rows = [line for line in comment.splitlines() if line.startswith("| ✏️ update |")]
    assert rows == [
        f"| ✏️ update | <code>game-2048-autoscaler</code> | <code>{AUTOSCALER}</code> | <code>spec.minReplicas</code> |"
    ]
    assert "- <code>spec.minReplicas</code>: <code>5</code> → <code>2</code>" in comment
    assert "| <code>dev</code> | changes | 0 | 1 | 0 | 0 |" in comment


def test_every_field_of_a_stack_diff_is_serialised_json_safe():
    doc = diff_data.document([rich_diff()])
    assert json.loads(json.dumps(doc)) == doc
    schema.check(doc)
    (stack,) = doc["stacks"]
    assert stack["counts"] == {"create": 1, "update": 1, "replace": 1, "delete": 0, "same": 1}
    replaced = next(r for r in stack["resources"] if r["op"] == "replace")
    assert replaced["protected"] and replaced["grave"].startswith("the EKS cluster") and stack["cluster_steps"]
    updated = next(r for r in stack["resources"] if r["op"] == "update")
    assert updated["changes"][0]["old"] is None and updated["changes"][0]["new"] == '{"x": [1]}'
    assert updated["changes"][0]["after_deploy"] and updated["warnings"] == ["w"]
    assert stack["cost"] == {
        "before": "100.5",
        "after": "98",
        "lines": [
            {"category": "Fargate", "item": "pods", "old": "10.50", "new": "7"},
            {"category": "Logs", "item": "ingest", "old": None, "new": "1"},
        ],
    }
    assert [u["refused"] for u in stack["upgrade"]] == [True, False]
    assert stack["tenant_reads"] == [{"output": "clusterName", "stacks": ["checkout-dev"], "effect": "what follows"}]


def test_a_long_value_is_cut_in_the_data():
    text = diff_data.value("x" * 10_000)
    assert len(text) == diff_data.VALUE_LIMIT and text.endswith("…")
    assert diff_data.value(offline_diff.ABSENT) is None and diff_data.value(None) == "null"


def test_the_tenant_project_is_told_and_each_tenant_names_its_platform():
    assert diff_data.project_of(PROJECT_DIR) == (diff_data.PLATFORM, {})
    project, platforms = diff_data.project_of(TENANT_PROJECT_DIR)
    assert project == diff_data.TENANT and platforms == {t.stack: t.platform for t in tenants()} and platforms


def test_platform_and_tenant_documents_merge_into_one_comment_tenants_after_their_platform(tmp_path):
    platform = tmp_path / "platform.json"
    tenant = tmp_path / "tenant.json"
    platform.write_text(
        diff_data.dumps(
            diff_data.document([offline_diff.StackDiff("prod", "a", "b"), offline_diff.StackDiff("dev", "a", "b", error="boom")])
        )
    )
    tenant.write_text(
        diff_data.dumps(
            diff_data.document(
                [offline_diff.StackDiff("ledger-dev", "a", "b", error="x"), offline_diff.StackDiff("checkout-prod", "a", "b")],
                diff_data.TENANT,
                {"ledger-dev": "dev", "checkout-prod": "prod"},
            )
        )
    )
    merged = tmp_path / "out" / "diff.json"
    done = subprocess.run(
        [sys.executable, "-m", "offline.diff_data", "merge", *map(str, (merged, platform, tenant, tmp_path / "late.json"))],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(merged.read_text())
    assert [(s["project"], s["stack"]) for s in doc["stacks"]] == [
        ("platform", "dev"),
        ("platform", "prod"),
        ("tenant", "checkout-prod"),
        ("tenant", "ledger-dev"),
    ]
    assert doc["errors"] == ["no diff data for late: its `python -m offline diff` failed (see the run's log)"]
    comment = plan_comment.diff_comment(merged.read_bytes(), SHA, RUN, "success")
    assert comment.count(plan_comment.MARKER) == 1 and comment.count("## Offline plan diff") == 1
    rows = [line.split(" | ")[0] for line in comment.splitlines() if line.startswith(("| <code>", "| ↳"))]
    assert rows == [
        "| <code>dev</code>",
        "| ↳ <code>ledger-dev</code> (tenant of <code>dev</code>)",
        "| <code>prod</code>",
        "| ↳ <code>checkout-prod</code> (tenant of <code>prod</code>)",
    ]
    sections = [line for line in comment.splitlines() if line.startswith("### Stack ")]
    assert [s.split(":")[0] for s in sections] == [
        "### Stack <code>dev</code>",
        "### Stack <code>ledger-dev</code> (tenant of <code>dev</code>)",
    ]
    assert "**Part of the diff is missing:** no diff data for late" in comment
