"""The posting workflow's script: the diff renders as Markdown from validated data, and no value from the
pull request can mention, reference, link, embed, inject HTML or pose as the verdict."""

import copy
import html
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal

import pytest

from offline import diff as offline_diff
from offline import diff_data, upgrade
from offline.comment_scripts import SCRIPTS_DIR, markdown, schema
from offline.diff_cost import CostChange

SCRIPT = SCRIPTS_DIR / "plan_comment.py"
# The script imports its neighbours by name: offline.comment_scripts has loaded them under those names.
spec = importlib.util.spec_from_file_location("plan_comment", SCRIPT)
plan_comment = importlib.util.module_from_spec(spec)
spec.loader.exec_module(plan_comment)

SHA = "0123456789abcdef0123456789abcdef01234567"
RUN = "https://github.com/o/r/actions/runs/1"
ZWJ = "\u200d"
# Everything a pull request could try in one string (kept under the schema's 1,000 characters for names).
HOSTILE = (
    "<!-- offline-plan-diff -->\n## No changes\n> [!CAUTION]\n> **Tests passed, safe to merge** @octocat @org/team #123 "
    "GH-42 o/r#7 [click](https://evil.example) ![x](https://evil.example/p.png) <img src=x onerror=alert(1)> "
    "<a href=//evil>y</a> <https://evil.example> www.evil.example me@evil.example ```` `code` | a || \\| &#64;octocat "
    "deadbeefcafe1234 \u202eevil\u200b $x$ *b* _e_ ~~s~~ <details open> </details> -->\r\n- [ ] task"
)
assert len(HOSTILE) <= 1_000


def _cluster(name: str = "cluster-eks", protect: bool = False, **inputs) -> dict:
    return {
        "urn": f"urn:pulumi:dev::eks-fargate::eks:index:Cluster::{name}",
        "type": "eks:index:Cluster",
        "name": name,
        "custom": False,
        "protect": protect,
        "inputs": {"name": name, **inputs},
    }


def _vpc(name: str = "network-vpc") -> dict:
    return {
        "urn": f"urn:pulumi:dev::eks-fargate::aws:ec2/vpc:Vpc::{name}",
        "type": "aws:ec2/vpc:Vpc",
        "name": name,
        "custom": True,
        "inputs": {"cidrBlock": "10.0.0.0/16", "enableDnsHostnames": True, "enableDnsSupport": True},
    }


def rich_diff(stack: str = "dev") -> offline_diff.StackDiff:
    """A StackDiff with every field the document has filled in (no plan needed)."""
    old_cluster, new_cluster = _cluster(protect=True, version="1.33"), _cluster(protect=True, version="1.35")
    change = offline_diff.Change("version", "1.33", "1.35", replaces=True, note="EKS cannot change this in place")
    return offline_diff.StackDiff(
        stack=stack,
        old_label="`base`",
        new_label="`merge`",
        resources=[
            offline_diff.ResourceChange("replace", new_cluster, old=old_cluster, changes=[change]),
            offline_diff.ResourceChange("create", _vpc()),
            offline_diff.ResourceChange(
                "update",
                _vpc("other-vpc"),
                old=_vpc("other-vpc"),
                changes=[
                    offline_diff.Change("tags.team", offline_diff.ABSENT, {"x": [1]}, note="new value (known after deploy): a; w")
                ],
            ),
            offline_diff.ResourceChange("same", _vpc("same-vpc"), old=_vpc("same-vpc")),
        ],
        outputs=[offline_diff.Change("clusterName", "a", "b"), offline_diff.Change("kubeconfig", "x", "x", note="new value")],
        config=[offline_diff.Change("eks-fargate:appReplicas", "5", "3")],
        cost=[CostChange("Fargate", "pods", Decimal("10.50"), Decimal("7")), CostChange("Logs", "ingest", None, Decimal("1"))],
        cost_totals=(Decimal("100.5"), Decimal("98")),
        cost_unpriced=("an item the region has no price for",),
        findings_added=["finding added"],
        findings_removed=["finding removed"],
        note="a note",
        upgrade=[upgrade.Finding(True, "refused"), upgrade.Finding(False, "a note on the upgrade")],
        tenant_reads=[("clusterName", ["checkout-dev"], "what follows")],
    )


def rich_document() -> dict:
    platform = diff_data.document([rich_diff("dev"), offline_diff.StackDiff("prod", "`base`", "`merge`", error="could not plan")])
    tenants = diff_data.document(
        [rich_diff("checkout-dev"), offline_diff.StackDiff("ledger-prod", "`base`", "`merge`", note=offline_diff.UNTOUCHED)],
        diff_data.TENANT,
        {"checkout-dev": "dev", "ledger-prod": "prod"},
    )
    return diff_data.merge([platform, tenants], errors=["the tenant part was late"])


# Strings that are not free text: enumerations and amounts (the schema holds them to their forms).
_NOT_TEXT = {"format", "project", "op"}


def hostile(value, key: str = "", in_cost: bool = False):
    """Every free-text string of a document replaced by HOSTILE."""
    if isinstance(value, dict):
        return {k: hostile(v, k, in_cost or k == "cost") for k, v in value.items()}
    if isinstance(value, list):
        return [hostile(item, key, in_cost) for item in value]
    if isinstance(value, str) and key not in _NOT_TEXT and not (in_cost and key in ("before", "after", "old", "new")):
        return HOSTILE
    return value


def body(comment: str) -> str:
    start, end = comment.index(plan_comment.BODY_START), comment.index(plan_comment.BODY_END)
    return comment[start + len(plan_comment.BODY_START) : end]


# ---------------------------------------------------------------------------------------


def test_the_comment_renders_the_table_outside_any_code_fence():
    """Red before the change: the diff was posted verbatim in a ```markdown fence, so its tables never rendered."""
    doc = rich_document()
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "diff", "--sha", SHA, "--run-url", RUN],
        input=json.dumps(doc),
        capture_output=True,
        text=True,
        check=True,
    )
    comment = done.stdout
    assert not re.search(r"^\s*`{3,}", comment, flags=re.M), comment
    assert "| stack | plan | create | update | replace | delete | unchanged | monthly cost |" in comment
    assert any(line.startswith("| 🔁 replace **PROTECTED** | <code>cluster-eks</code> |") for line in comment.splitlines())
    assert "<details><summary>Property changes</summary>" in comment
    assert comment.startswith(plan_comment.MARKER + "\n") and comment.count(plan_comment.MARKER) == 1


def test_the_script_runs_from_its_folder_alone_on_the_standard_library(tmp_path):
    """What the posting workflow checks out (.github/scripts, nothing else) runs with no site-packages: no venv, no project."""
    scripts = tmp_path / ".github" / "scripts"
    shutil.copytree(SCRIPTS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run(
        [sys.executable, "-S", "-E", ".github/scripts/plan_comment.py", "diff", "--sha", SHA, "--run-url", RUN],
        input=json.dumps(rich_document()),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == plan_comment.diff_comment(json.dumps(rich_document()), SHA, RUN, "success")


def test_alerts_come_from_the_datas_flags_only():
    comment = plan_comment.diff_comment(json.dumps(rich_document()), SHA, RUN, "success")
    alerts = re.findall(r"^> \[!(\w+)\]$", comment, flags=re.M)
    # Protected (1), per changed stack: grave (1) + refused upgrade (1) + upgrade note, the missing part, prod's error.
    assert alerts.count("CAUTION") == 1 + 2 * 2 and alerts.count("NOTE") == 2 and alerts.count("WARNING") == 2
    flagless = rich_document()
    for stack in flagless["stacks"]:
        stack.update(error="", upgrade=[], cluster_steps="")
        for res in stack["resources"]:
            res.update(protected=False, grave="")
    flagless["errors"] = []
    assert "[!" not in plan_comment.diff_comment(json.dumps(flagless), SHA, RUN, "success")


def test_hostile_values_in_every_field_survive_only_as_text():
    doc = hostile(rich_document())
    schema.check(doc)  # still a valid document: only its text is hostile
    comment = plan_comment.diff_comment(json.dumps(doc), SHA, RUN, "success")
    inside = body(comment)
    assert inside.count("&lt;img src=x onerror=alert\\(1\\)&gt;") > 10  # the values are there, as text
    decoded = html.unescape(comment)  # what a reader sees (entities once decoded), before GitHub's filters
    # No mention, issue/PR reference, autolink or commit link: each is broken by a zero-width joiner.
    assert not re.search(r"(?<![\w\u200d])@[A-Za-z0-9]", decoded)
    assert not re.search(r"#[0-9]", decoded) and not re.search(r"(?i)\bGH-[0-9]", decoded)
    assert "://" not in inside and not re.search(r"(?i)\bwww\.", inside)
    # A hex run is whole, for copying, and inside a <code> element, where GitHub links no commit.
    outside_code = re.sub(r"<code>.*?</code>", "", inside)
    assert not re.search(r"(?<![0-9A-Za-z_])[0-9a-fA-F]{7,}(?![0-9A-Za-z_])", outside_code)
    # No link, image, HTML from the data: the only tags are the renderer's, the only comments its markers.
    assert "](" not in inside and "![" not in inside
    tags = set(re.findall(r"<(/?[A-Za-z!][^\s>]*)", comment))
    assert tags <= {"code", "/code", "details", "/details", "summary", "/summary", "sub", "/sub", "!--"}, tags
    assert re.findall(r"<!--.*?-->", comment) == [plan_comment.MARKER, plan_comment.BODY_START, plan_comment.BODY_END]
    assert "<details open>" not in comment and "\u202e" not in comment and "\u200b" not in comment
    # Structure: every line that starts a block is the renderer's.
    for line in comment.splitlines():
        if line.startswith(">"):
            assert re.fullmatch(r">( \[!(CAUTION|WARNING|NOTE)\]| \*\*[A-Z].*| - (replace|delete) <code>.*| [^>#\[].*)?", line), (
                line
            )
        if line.startswith("#"):
            assert line == "## Offline plan diff" or line.startswith("### Stack <code>"), line
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) in (6, 7, 10), line  # the resource, cost and summary tables' column counts, + 2
    assert not re.search(r"^> \[!", HOSTILE.replace("\n", " "), flags=re.M)
    # A value may say "No changes", inline; only the renderer starts a line with its verdict, and not here.
    assert not any(line.lstrip("#> ").startswith("No changes") for line in comment.splitlines())
    assert not re.search(r"^\s*(`{3,}|~{3,})", comment, flags=re.M)  # no fence opened by a value
    # Backticks outside the renderer's own phrases are escaped.
    own = [
        "`.github/scripts/plan_comment.py`",
        "`pulumi up`",
        "`{{Kind:name.property}}`",
        "`offline/diff.py`",
        "`pulumi preview`",
        "`plan-diff`",
        f"`{SHA[:12]}`",
    ]
    rest = comment
    for phrase in own:
        rest = rest.replace(phrase, "")
    assert not re.search(r"(?<!\\)`", rest)


@pytest.mark.parametrize(
    "value",
    [HOSTILE, "plain-name", "a\\b", "&amp; &#64;x", "1 < 2 > 0", "cost $3 and $4", "x" * 50],
)
def test_escaped_text_reads_as_the_value(value):
    """What GitHub shows is the value itself (newlines as spaces, invisible characters as their code points)."""
    shown = markdown.text(value, limit=1_000).replace("<code>", "").replace("</code>", "")
    unescaped = html.unescape(re.sub(r"\\(.)", r"\1", shown)).replace(ZWJ, "")
    expected = re.sub(r"[\t\r\n]+", " ", value.replace("\u202e", "[U+202E]").replace("\u200b", "[U+200B]")).strip()
    assert unescaped == expected


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(extra=1),
        lambda d: d.update(version=schema.VERSION + 1),
        lambda d: d["stacks"][0].update(changed="yes"),
        lambda d: d["stacks"][0]["counts"].update(create=True),
        lambda d: d["stacks"][0]["resources"][0].update(op="explode"),
        lambda d: d["stacks"][0]["resources"][0].update(protected=1),
        lambda d: d["stacks"][0].update(stack="x" * 1_001),
        lambda d: d["stacks"][0]["cost"].update(before="1e9"),
        lambda d: d["stacks"][0]["resources"][0]["changes"][0].update(old=["a"]),
        lambda d: d["stacks"][0].pop("note"),
        lambda d: d["stacks"].append("<img src=x>"),
    ],
)
def test_a_document_that_is_not_exactly_the_schema_is_refused(mutate):
    doc = copy.deepcopy(rich_document())
    mutate(doc)
    comment = plan_comment.diff_comment(json.dumps(doc), SHA, RUN, "success")
    assert "> **The diff data is not valid**, so it is not shown:" in comment
    assert plan_comment.BODY_START not in comment and "<code>cluster-eks</code>" not in comment and "<img" not in comment


@pytest.mark.parametrize(
    "raw", [b"not json", b'{"format": "offline-plan-diff", "version": 1, "stacks": NaN}', b"\xff\xfe", b"[]", b"null"]
)
def test_data_that_is_not_a_document_is_refused(raw):
    assert "**The diff data is not valid**" in plan_comment.diff_comment(raw, SHA, RUN, "success")


def test_a_missing_data_file_is_refused_not_a_crash(tmp_path, capsys):
    assert plan_comment.main(["diff", "--sha", SHA, "--run-url", RUN, "--data", str(tmp_path / "nope.json")]) == 0
    assert "**The diff data is not valid**" in capsys.readouterr().out


def test_tenants_render_after_their_platform_in_one_comment():
    comment = plan_comment.diff_comment(json.dumps(rich_document()), SHA, RUN, "success")
    summary = [line for line in comment.splitlines() if line.startswith("| <code>") or line.startswith("| ↳")]
    assert [re.search(r"<code>([^<]+)</code>", line).group(1) for line in summary] == [
        "dev",
        "checkout-dev",
        "prod",
        "ledger-prod",
    ]
    assert summary[1].startswith("| ↳ <code>checkout-dev</code> (tenant of <code>dev</code>) | changes |")
    headings = [line for line in comment.splitlines() if line.startswith("### ")]
    assert [re.search(r"<code>([^<]+)</code>", h).group(1) for h in headings] == [
        "dev",
        "checkout-dev",
        "prod",
    ]  # ledger-prod: no change
    # A tenant whose platform is not in the document still shows, last.
    doc = rich_document()
    doc["stacks"][2]["platform"] = "gone"
    order = [s["stack"] for s in markdown.ordered(doc["stacks"])]
    assert order[-1] == "checkout-dev"


def test_no_changes_is_said_only_when_no_stack_changed():
    doc = diff_data.document([offline_diff.StackDiff("dev", "a", "b"), offline_diff.StackDiff("prod", "a", "b")])
    comment = plan_comment.diff_comment(json.dumps(doc), SHA, RUN, "success")
    assert "No changes to stacks <code>dev</code>, <code>prod</code>: the offline plans are identical." in comment
    assert "No changes to stacks" not in plan_comment.diff_comment(json.dumps(rich_document()), SHA, RUN, "success")


def test_a_diff_too_large_for_a_comment_drops_details_then_sections():
    doc = rich_document()
    many = doc["stacks"][0]["resources"][2]
    doc["stacks"][0]["resources"] += [dict(many, name=f"vpc-{i}") for i in range(3_000)]
    comment = plan_comment.diff_comment(json.dumps(doc), SHA, RUN, "success")
    assert len(comment) < 65_536 and comment.count("<details>") + comment.count("<details><summary>") >= 0
    assert "more: the run's `plan-diff` artifact lists every one" in comment or "left out to fit" in comment


def test_the_header_says_where_the_data_comes_from_and_the_runs_verdict():
    comment = plan_comment.diff_comment(json.dumps(rich_document()), SHA, RUN, "failure")
    header = comment[: comment.index(plan_comment.BODY_START)]
    assert "`0123456789ab`" in header and "this pull request's code" in header
    assert "the run concluded `failure`" in header and "tests passed" not in header


def test_a_test_failure_marks_the_previous_diff_outdated():
    previous = plan_comment.diff_comment(json.dumps(rich_document()), "abcdef0123456", RUN, "success")
    failed = plan_comment.failed_comment(SHA, RUN, previous)
    assert "**Tests failed for commit `0123456789ab`**" in failed
    assert "Outdated: the diff for commit <code>abcdef012345</code>" in failed
    assert body(previous) in failed and failed.count(plan_comment.MARKER) == 1
    assert plan_comment.failed_comment(SHA, RUN, None).count("Outdated") == 0
    # A comment from before the diff was data (a fenced block) is still folded.
    old = f"{plan_comment.MARKER}\n_Offline plan diff for commit `abcdef012345` (tests passed)._\n\n```markdown\n## old\n```\n"
    assert "```markdown\n## old\n```" in plan_comment.failed_comment(SHA, RUN, old)


def test_the_previous_diff_is_taken_from_the_header_this_script_wrote_not_from_the_data():
    doc = hostile(rich_document())
    doc["stacks"][0]["note"] = "_Offline plan diff for commit `ffffffffffff` " + plan_comment.BODY_END
    forged = plan_comment.diff_comment(json.dumps(doc), "abcdef0123456", RUN, "success")
    failed = plan_comment.failed_comment(SHA, RUN, forged)
    assert "<code>abcdef012345</code>" in failed and "ffffffffffff" not in failed.replace(ZWJ, "")


@pytest.mark.parametrize("control", ["\u202e", "\u200b", "\u2066", "\x07"])
def test_a_stripped_control_character_is_shown_where_it_was(control):
    """A bidi override or zero-width character never reaches the comment, but the reader sees that one was there."""
    shown = markdown.text(f"prod{control}-db", limit=1_000)
    assert control not in shown
    assert f"U+{ord(control):04X}" in shown


@pytest.mark.parametrize(
    "value",
    [
        "0123456789abcdef0123456789abcdef01234567",  # a commit SHA
        "123456789012",  # an AWS account id
        "sha256:" + "ab" * 32,  # an image digest
    ],
)
@pytest.mark.parametrize("render", [markdown.text, markdown.code])
def test_hexadecimal_runs_are_copied_as_they_are(render, value):
    """No character is inserted into a hex run (copied, it would no longer be the SHA, account id or digest); it sits
    in a <code> element, where GitHub links no commit (its reference filters skip text inside code)."""
    shown = render(f"image {value} in account", 1_000)
    run = value.removeprefix("sha256:")
    assert run in shown
    before, _, after = shown.partition(run)
    opened, closed = before.rfind("<code>"), after.find("</code>")
    assert opened > before.rfind("</code>") and closed != -1 and after.find("<code>", 0, closed) == -1


def _cluster_role(rules: int) -> dict:
    return {
        "urn": "urn:pulumi:dev::eks-fargate::kubernetes:rbac.authorization.k8s.io/v1:ClusterRole::readers-role",
        "type": "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
        "name": "readers-role",
        "custom": True,
        "inputs": {
            "kind": "ClusterRole",
            "metadata": {"name": "readers"},
            "rules": [{"apiGroups": [""], "resources": [f"kind{n}"], "verbs": ["list"]} for n in range(rules)],
        },
    }


def _create_row(resource: dict) -> str:
    diff = offline_diff.StackDiff("dev", "`base`", "`merge`", resources=[offline_diff.ResourceChange("create", resource)])
    comment = markdown.render_body(diff_data.document([diff]))
    (row,) = [line for line in comment.splitlines() if "➕ create" in line]
    return row


def test_a_new_roles_rules_are_each_shown_or_counted_in_its_row():
    # A reviewer reads what a new ClusterRole grants from its row: a rule left out unsaid would hide a grant.
    assert all(f"list kind{n}" in _create_row(_cluster_role(4)) for n in range(4))
    many = _create_row(_cluster_role(12))
    shown = set(re.findall(r"list kind(\d+)\b", many))
    assert shown and f"+{12 - len(shown)} more" in many
