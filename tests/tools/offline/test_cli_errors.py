"""Every error path of the commands ends in exit 2 and one `error:` line on stderr, never a traceback.

Each command runs through its main(argv), as `python -m ...` does: an exception escaping it
(a traceback) fails the test. One subprocess per command family checks the real process too.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cost.__main__ import main as cost_main
from offline import diff_command, plan_document
from offline import plan as offline_plan
from offline.__main__ import main as offline_main
from offline.harness import PROJECT_DIR
from offline.policy_check import main as policy_main
from teams.__main__ import main as teams_main
from tests.stackfacts import PINNED_DEV

BROKEN = {
    "yaml": ("config:\n  aws:region: [ap-northeast-2\n  x: 1\n", "Pulumi.case.yaml:3: invalid YAML: "),
    "top-level": ("- aws:region\n", "Pulumi.case.yaml:1: expected the stack file to be an object"),
    "config-list": ("config:\n  - aws:region\n", "Pulumi.case.yaml:2: config must be a mapping"),
    "key": ("config:\n  a:b:c: 1\n", "Pulumi.case.yaml:2: could not parse a:b:c as a configuration key"),
    "type": ("config:\n  aws:region: ap-northeast-2\n  appReplicas: lots\n", "key 'appReplicas' must be of type 'integer'"),
    "setting": ("config:\n  aws:region: ap-northeast-2\n  appReplicas: 500\n", "'eks-fargate:appReplicas' has invalid value 500"),
    "unknown-key": ("config:\n  aws:region: ap-northeast-2\n  appReplica: 3\n", "unknown setting 'appReplica'"),
    "region": ("config:\n  aws:region: Seoul\n", "did you mean 'ap-northeast-2'?"),
    "zones": ("config:\n  aws:region: ap-northeast-2\n  availabilityZoneCount: 5\n", "at most 4"),
}


def one_error_line(err: str, expected: str) -> None:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], err


@pytest.fixture(params=sorted(BROKEN))
def broken(request, tmp_path) -> tuple[Path, str]:
    body, expected = BROKEN[request.param]
    path = tmp_path / "Pulumi.case.yaml"
    path.write_text(body)
    return path, expected


def test_plan(broken, tmp_path, capsys):
    path, expected = broken
    assert offline_main(["plan", "--stack", "case", "--stack-file", str(path), "--out", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    one_error_line(captured.err, expected)
    assert captured.out == "" and not (tmp_path / "out").exists()


def test_cost(broken, capsys):
    path, expected = broken
    assert cost_main(["--stack", "case", "--stack-file", str(path)]) == 2
    one_error_line(capsys.readouterr().err, expected)


def test_policy_runner(broken, capsys):
    path, expected = broken
    assert policy_main(["--stack", "case", "--stack-file", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and expected in err and len(err.splitlines()) == 1


# teams reads stack files statically: the file-level errors, not the program's own checks.
@pytest.mark.parametrize("case", [case for case, (_, expected) in BROKEN.items() if expected.startswith("Pulumi.case.yaml")])
@pytest.mark.parametrize("command", [["list"], ["new", "ops"]])
def test_teams_with_a_broken_stack_file_beside_pulumi_yaml(case, command, tmp_path, capsys):
    body, expected = BROKEN[case]
    (tmp_path / "Pulumi.case.yaml").write_text(body)
    shutil.copy(PROJECT_DIR / "Pulumi.yaml", tmp_path)
    assert teams_main(["--project-dir", str(tmp_path), *command]) == 2
    one_error_line(capsys.readouterr().err, expected)


@pytest.mark.parametrize(
    "args,expected",
    [
        (["plan", "--stack", "no-such-stack"], "no stack file Pulumi.no-such-stack.yaml"),
        (["plan", "--project-dir", "/nonexistent"], "no Pulumi.yaml in /nonexistent"),
        (["diff", "/nonexistent/plan.json", "/nonexistent/other.json"], "neither a plan.json"),
        (["diff", "HEAD:*", ":dev"], "`REV:*` (every stack) needs `REV:*` on both sides"),
        (["diff", "no-such-revision:dev", ":dev"], "not a valid object name: no-such-revision"),
    ],
)
def test_offline_command_errors(args, expected, capsys):
    assert offline_main(args) == 2
    one_error_line(capsys.readouterr().err, expected)


def test_diff_of_a_file_that_is_not_a_plan(tmp_path, capsys):
    not_a_plan = tmp_path / "plan.json"
    not_a_plan.write_text("{not json")
    assert offline_main(["diff", str(not_a_plan), str(not_a_plan)]) == 2
    one_error_line(capsys.readouterr().err, f"{not_a_plan}: ")


def test_diff_against_a_working_tree_whose_stack_file_is_broken(tmp_path, monkeypatch, capsys):
    """The side is planned in a process of its own (offline/diff.py); its one-line error becomes the diff's."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(PROJECT_DIR / name, project)
    for folder in ("components", "eksfargate"):
        shutil.copytree(PROJECT_DIR / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (project / "Pulumi.dev.yaml").write_text("config:\n  aws:region: ap-northeast-2\n  eks-fargate:natMode: [single\n")
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    base = tmp_path / "plan.json"
    base.write_text(plan_document.dumps(offline_plan.build("dev", stack_file=PINNED_DEV)))
    monkeypatch.setattr(diff_command.diff_specs, "__defaults__", (project,))

    assert offline_main(["diff", str(base), ":dev"]) == 2
    err = capsys.readouterr().err
    one_error_line(err, "error: stack dev: working tree: Pulumi.dev.yaml:4: invalid YAML: ")


@pytest.mark.parametrize(
    "main,args",
    [
        (cost_main, ["--nat-gb", "lots"]),
        (policy_main, ["--set", "appReplicas"]),
        (offline_main, ["plan", "--no-such-flag"]),
        (teams_main, ["new"]),
    ],
    ids=["cost", "policy", "offline", "teams"],
)
def test_bad_arguments_are_a_usage_error_not_a_traceback(main, args, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    assert "error: " in capsys.readouterr().err.splitlines()[-1]


def test_a_broken_stack_file_in_a_real_process(tmp_path):
    path = tmp_path / "Pulumi.case.yaml"
    path.write_text(BROKEN["yaml"][0])
    done = subprocess.run(
        [sys.executable, "-m", "offline", "plan", "--stack", "case", "--stack-file", str(path)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    one_error_line(done.stderr, BROKEN["yaml"][1])
