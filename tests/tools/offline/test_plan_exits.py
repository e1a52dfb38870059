"""Exit codes that cannot mislead: a crash has a code of its own, and no command reads an earlier plan's files
as a failed plan's (issue 24, section 5)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from offline import __main__ as offline_cli
from offline import diff_command, exit_codes, plan_folder
from offline import plan as offline_plan
from offline.harness import PROJECT_DIR
from tests.stackfacts import PINNED_DEV

EARLIER_PLAN = {"plan.json": "{}\n", "manifests.yaml": "# an earlier run's\n", "policy.txt": "no violations\n"}


def earlier_plan(out: Path) -> Path:
    """`out` holding the files of an earlier run's plan."""
    out.mkdir(parents=True)
    for name, text in EARLIER_PLAN.items():
        (out / name).write_text(text)
    (out / "iam").mkdir()
    (out / "iam" / "role-gone.trust.json").write_text("{}\n")
    return out


def crash(*args, **kwargs):
    raise RuntimeError("a bug in the plan")


def test_a_crash_has_its_own_exit_code():
    codes = {exit_codes.EXIT_OK, exit_codes.EXIT_POLICY, exit_codes.EXIT_CHANGES, exit_codes.EXIT_ERROR, exit_codes.EXIT_REFUSED}
    assert exit_codes.EXIT_CRASH not in codes
    # argparse exits 2 on a wrong argument; the shell's own codes start at 126.
    assert 2 < exit_codes.EXIT_CRASH < 126


def test_a_plan_that_crashes_exits_with_the_crash_code_and_leaves_no_earlier_plan(tmp_path, monkeypatch, capsys):
    out = earlier_plan(tmp_path / "out")
    monkeypatch.setattr(offline_plan, "record_stack", crash)

    code = offline_cli.main(["plan", "--stack", "dev", "--stack-file", str(PINNED_DEV), "--out", str(out)])

    assert code == exit_codes.EXIT_CRASH
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: a bug in the plan" in err
    assert not out.exists()


def test_a_plan_that_fails_leaves_no_earlier_plan_to_be_read_as_its_own(tmp_path, capsys):
    out = earlier_plan(tmp_path / "out")
    stack_file = tmp_path / "Pulumi.broken.yaml"
    stack_file.write_text("config:\n  aws:region: ap-northeast-2\n  eks-fargate:appReplicas: 500\n")

    code = offline_cli.main(["plan", "--stack", "broken", "--stack-file", str(stack_file), "--out", str(out)])

    assert code == exit_codes.EXIT_ERROR
    assert "appReplicas" in capsys.readouterr().err
    assert not out.exists()


def test_a_plan_replaces_its_folder_whole(tmp_path, monkeypatch, dev):
    """An earlier run's policy report and IAM documents do not outlive it: the folder holds this plan's files only."""
    out = earlier_plan(tmp_path / "out")
    monkeypatch.setattr(offline_plan, "record_stack", lambda *args, **kwargs: dev)

    args = ["plan", "--stack", "dev", "--stack-file", str(PINNED_DEV), "--out", str(out), "--quiet", "--no-checks"]
    assert offline_cli.main(args) == exit_codes.EXIT_OK

    found = {path.relative_to(out).as_posix(): path.read_text() for path in out.rglob("*") if path.is_file()}
    assert "policy.txt" not in found and "iam/role-gone.trust.json" not in found
    assert found == offline_plan.files(offline_plan.from_recording(dev))
    assert [path.name for path in tmp_path.iterdir()] == ["out"], "no folder left beside it"


def test_a_plan_refuses_a_folder_that_holds_something_else_and_leaves_it(tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")

    code = offline_cli.main(["plan", "--stack", "dev", "--stack-file", str(PINNED_DEV), "--out", str(tmp_path)])

    assert code == exit_codes.EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("error: ") and str(tmp_path) in err and "plan.json" in err
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"] and notes.read_text() == "mine\n"


def test_a_plan_that_cannot_be_written_whole_leaves_the_earlier_one_as_it_was(tmp_path):
    out = earlier_plan(tmp_path / "out")
    before = {path: path.read_text() for path in out.rglob("*") if path.is_file()}

    with pytest.raises(TypeError):
        plan_folder.put(out, {"plan.json": "{}\n", "manifests.yaml": None})

    assert {path: path.read_text() for path in out.rglob("*") if path.is_file()} == before
    assert [path.name for path in tmp_path.iterdir()] == ["out"], "no folder left beside it"


def test_a_diff_that_crashes_exits_with_the_crash_code_not_that_of_changes(monkeypatch, capsys):
    monkeypatch.setattr(diff_command, "diff_specs", crash)

    assert offline_cli.main(["diff", "HEAD:dev", ":dev"]) == exit_codes.EXIT_CRASH
    assert "RuntimeError: a bug in the plan" in capsys.readouterr().err


# `$(PY)` as `make security` runs it (`$(PY) -m offline plan ...`): the real command line with a plan that
# crashes (the SDK is never loaded), or a Python that fails before the command runs, with Python's own exit 1.
CRASHING_PYTHONS = {
    "in the command": """\
#!/bin/sh
shift 2  # -m offline
exec {python} -c '
import sys, types
from offline import __main__ as cli
def make_plan(*args):
    raise RuntimeError("a bug in the plan")
cli.load_commands = lambda: types.SimpleNamespace(make_plan=make_plan)
sys.exit(cli.main(sys.argv[1:]))
' "$@"
""",
    "before the command": """\
#!/bin/sh
exec {python} -c 'raise RuntimeError("a bug in the plan")'
""",
}
# checkov's python as `make security` runs it: it writes down which manifests it was given.
CHECKOV_PYTHON = """\
#!/bin/sh
echo "$@" >> {calls}
"""


def executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(text)
    path.chmod(0o755)
    (path.parent.parent / ".installed").touch()  # newer than the requirements: make installs nothing


@pytest.mark.parametrize("where", sorted(CRASHING_PYTHONS))
def test_make_security_fails_when_a_plan_crashes_and_never_reads_an_earlier_runs_manifests(tmp_path, where):
    if shutil.which("make") is None:
        pytest.skip("no make on this machine")
    project = tmp_path / "project"
    earlier_plan(project / "out" / "dev")
    (project / "Pulumi.dev.yaml").write_text(PINNED_DEV.read_text())
    calls = tmp_path / "checkov-calls"
    executable(tmp_path / "venv" / "bin" / "python", CRASHING_PYTHONS[where].format(python=sys.executable))
    executable(tmp_path / "venv-security" / "bin" / "python", CHECKOV_PYTHON.format(calls=calls))

    done = subprocess.run(
        ["make", "--no-print-directory", "-C", str(PROJECT_DIR), "security", "STACK=dev", f"PROJECT={project}"]
        + [f"VENV={tmp_path / 'venv'}", f"SECURITY_VENV={tmp_path / 'venv-security'}"],
        env=dict(os.environ, OFFLINE_PLAN_CACHE="off"),
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode != 0, done.stdout + done.stderr
    assert "RuntimeError: a bug in the plan" in done.stderr
    assert not calls.exists(), "checkov ran on manifests no plan of this run wrote"
    assert not (project / "out" / "dev" / "manifests.yaml").exists()
