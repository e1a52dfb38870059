"""A diff in shards, put together by the posting workflow's script (plan_shards.py, plan_comment.py) with the
real renderer: the same document and comment as one run over every stack; a shard that sent nothing valid is
named with its stacks, and the others' stacks are all there; and the workflows wire it so."""

import json

import pytest

from offline import diff as offline_diff
from offline import diff_data, shards
from offline.comment_scripts import markdown
from offline.comment_scripts import shards as plan_shards
from tests.github.test_plan_comment import RUN, SHA, plan_comment, rich_diff
from tests.github.test_workflows import load, steps

PLATFORMS = ["dev", "payments-dev", "prod", "search-dev", "shared-dev", "test"]
TENANTS = {"checkout-dev": "shared-dev", "ledger-dev": "shared-dev", "cart-prod": "prod", "orphan": "gone"}


def stack_diff(stack: str) -> offline_diff.StackDiff:
    """Stacks of every kind the body shows: changed, not planned, unchanged, config only."""
    if stack in ("dev", "checkout-dev", "search-dev"):
        return rich_diff(stack)
    if stack == "prod":
        return offline_diff.StackDiff(stack, "`base`", "`merge`", error="could not plan")
    if stack == "test":
        return offline_diff.StackDiff(stack, "a", "b", config=[offline_diff.Change("eks-fargate:owner", "a", "b")])
    return offline_diff.StackDiff(stack, "`base`", "`merge`", note=offline_diff.UNTOUCHED if stack != "orphan" else "")


def run_document(platforms: list[str], tenants: list[str]) -> dict:
    """What one pull-request job writes for these stacks: each project's document, merged (offline.diff_data)."""
    platform = diff_data.document([stack_diff(s) for s in sorted(platforms)])
    tenant = diff_data.document([stack_diff(s) for s in sorted(tenants)], diff_data.TENANT, TENANTS)
    return diff_data.merge([platform, tenant])


def sharded(count: int) -> tuple[bytes, dict[int, bytes | None]]:
    """The assignment and each shard's document, as the shards' jobs upload them."""
    split = shards.assign({shards.PLATFORM: set(PLATFORMS), shards.TENANT: set(TENANTS)}, TENANTS, count)
    parts: dict[int, bytes | None] = {}
    for shard in split:
        doc = run_document(list(shard.stacks[shards.PLATFORM]), list(shard.stacks[shards.TENANT]))
        parts[shard.index] = diff_data.dumps(doc).encode()
    return json.dumps(shards.document(split)).encode(), parts


def body(comment: str) -> str:
    return comment[comment.index(plan_comment.BODY_START) :]


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_the_shards_put_together_are_one_runs_document_and_comment(count):
    single = run_document(PLATFORMS, list(TENANTS))
    assignment, parts = sharded(count)
    assert plan_shards.assemble(plan_shards.load_shards(assignment), parts) == single
    together = plan_comment.shards_comment(assignment, parts, SHA, RUN, "success")
    assert together == plan_comment.diff_comment(diff_data.dumps(single), SHA, RUN, "success")
    assert "Part of the diff is missing" not in together


def summary_stacks(comment: str) -> list[str]:
    rows = [line for line in comment.splitlines() if line.startswith(("| <code>", "| ↳ <code>"))]
    return [row.split("<code>", 1)[1].split("</code>", 1)[0] for row in rows]


@pytest.mark.parametrize("broken", [None, b"{not json", b'{"format": "offline-plan-diff", "version": 3}'])
def test_a_shard_that_sent_nothing_valid_is_named_with_its_stacks_and_the_others_still_report(broken):
    assignment, parts = sharded(3)
    lost = plan_shards.load_shards(assignment)[1]
    parts[2] = broken
    comment = plan_comment.shards_comment(assignment, parts, SHA, RUN, "failure")
    warning = next(line for line in comment.splitlines() if "Part of the diff is missing" in line)
    assert "shard 2 of 3" in warning and ("sent no diff data" if broken is None else "not valid") in warning
    lost_names = [*lost["platform"], *(f"tenant/{name}" for name in lost["tenant"])]
    assert lost_names and all(name in warning for name in lost_names)
    expected = [s["stack"] for s in markdown.ordered(run_document(PLATFORMS, list(TENANTS))["stacks"])]
    gone = set(lost["platform"]) | set(lost["tenant"])
    assert summary_stacks(comment) == [name for name in expected if name not in gone]
    assert "the run concluded `failure`" in comment


def test_a_shards_own_errors_are_said_as_that_shards():
    assignment, parts = sharded(2)
    doc = json.loads(parts[1])
    doc["errors"] = ["no diff data for tenant: its `python -m offline diff` failed (see the run's log)"]
    parts[1] = json.dumps(doc).encode()
    comment = plan_comment.shards_comment(assignment, parts, SHA, RUN, "failure")
    assert "shard 1 of 2: no diff data for tenant" in comment


@pytest.mark.parametrize(
    "assignment",
    [
        b"[]",
        b'{"format": "offline-plan-shards", "count": 2, "shards": [{"index": 1, "stacks": {"platform": [], "tenant": []}}]}',
        b'{"format": "offline-plan-shards", "count": 1, "shards": [{"index": 1, "stacks": {"platform": [1], "tenant": []}}]}',
        b'{"format": "offline-plan-shards", "count": 99, "shards": []}',
    ],
)
def test_an_assignment_that_is_not_one_is_refused_not_rendered(assignment):
    _, parts = sharded(1)
    comment = plan_comment.shards_comment(assignment, parts, SHA, RUN, "success")
    assert "The diff data is not valid" in comment and plan_comment.BODY_START not in comment


def test_the_script_reads_the_shards_from_their_files(tmp_path, capsys):
    assignment, parts = sharded(2)
    (tmp_path / "plan-shards.json").write_bytes(assignment)
    folder = tmp_path / "diffs"
    folder.mkdir()
    (folder / "diff-1.json").write_bytes(parts[1])
    (folder / "diff-2.json").symlink_to(folder / "diff-1.json")  # not a plain file: not read
    args = ["diff", "--sha", SHA, "--run-url", RUN, "--shards", str(tmp_path / "plan-shards.json"), "--data-dir", str(folder)]
    assert plan_comment.main(args) == 0
    assert "shard 2 of 2" in capsys.readouterr().out


def test_the_workflow_runs_a_shard_per_matrix_job_and_the_comment_waits_for_them_all():
    jobs = load("pull-request.yml")["jobs"]
    test, diff, gate = jobs["test"], jobs["plan-diff"], jobs["plan-diff-result"]
    names = [s.get("run", s.get("uses", "")) for s in test["steps"]]
    split = next(s for s in test["steps"] if s.get("id") == "shards")
    upload = next(s for s in test["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    # After the tests (only when they pass), before the PR number goes up with the assignment beside it.
    assert names.index("python -m pytest") < test["steps"].index(split) < test["steps"].index(upload)
    assert "--out pr/plan-shards.json" in split["run"] and '"$BASE_SHA" "$MERGE_SHA"' in split["run"]
    assert upload["with"]["path"] == "pr/" and test["outputs"]["shards"] == "${{ steps.shards.outputs.matrix }}"
    checkout = next(s for s in test["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # the base revision's stack files
    assert diff["strategy"] == {"fail-fast": False, "matrix": {"shard": "${{ fromJSON(needs.test.outputs.shards) }}"}}
    assert diff["env"]["SHARD"] == "${{ matrix.shard }}/${{ needs.test.outputs.shard-count }}"
    # One check for branch protection, whatever the number of shards: failed unless every shard passed.
    assert gate["needs"] == "plan-diff" and gate["if"].startswith("always()")
    assert 'test "$RESULT" = success' in gate["steps"][0]["run"]
    assert gate["steps"][0]["env"]["RESULT"] == "${{ needs.plan-diff.result }}"
    comment = steps(load("plan-comment.yml"))
    diffs = next(s for s in comment if s.get("with", {}).get("pattern") == "plan-diff-*")
    assert diffs["with"]["merge-multiple"] is True and diffs["continue-on-error"] is True
    build = next(s["run"] for s in comment if "plan_comment.py diff" in s.get("run", ""))
    assert build.startswith("if [ -f untrusted/plan-shards.json ]; then")  # no assignment: the tests failed
