"""The pre-commit hooks (.pre-commit-config.yaml) run what CI runs, with the venv's own tools."""

import re
import shlex
import sys
from pathlib import Path

import yaml

from eksfargate.project import PLATFORM_PROJECT_DIR

CONFIG = yaml.safe_load((PLATFORM_PROJECT_DIR / ".pre-commit-config.yaml").read_text())
HOOKS = [hook for repo in CONFIG["repos"] for hook in repo["hooks"]]
MAKEFILE = (PLATFORM_PROJECT_DIR / "Makefile").read_text()
# The venv the Makefile builds, whose tools the hooks run (`VENV := venv`).
VENV = re.search(r"^VENV := (\S+)$", MAKEFILE, flags=re.M).group(1)
# The checks the test suite runs as commands (tests/repo/test_lint.py, test_layers.py, test_types.py):
# each has a hook on every commit, with the same arguments.
SUITE_CHECKS = [
    ["ruff", "check", "--no-cache", "."],
    ["ruff", "format", "--check", "--no-cache", "."],
    ["lint-imports", "--no-cache"],
    ["python", "-m", "mypy", "--config-file", "pyproject.toml"],
]


def argv(hook: dict) -> list[str]:
    """A hook's command, its venv path cut to the tool's name: venv/bin/ruff check -> ruff check."""
    words = shlex.split(hook["entry"])
    return [words[0].removeprefix(f"{VENV}/bin/"), *words[1:]]


def stages(hook: dict) -> list[str]:
    return hook.get("stages", CONFIG.get("default_stages", ["pre-commit"]))


def test_every_hook_is_local_and_runs_the_projects_own_tools():
    assert {repo["repo"] for repo in CONFIG["repos"]} == {"local"}
    for hook in HOOKS:
        assert hook["language"] == "system", hook["id"]
        assert hook.get("pass_filenames") is False, hook["id"]  # whole-tree checks, as CI's
        program = shlex.split(hook["entry"])[0]
        if program == "make":
            target = shlex.split(hook["entry"])[1]
            assert re.search(rf"^{re.escape(target)}:", MAKEFILE, flags=re.M), f"{hook['id']}: no make target {target}"
        else:
            # venv/bin/<tool>: the tool this test suite's venv has (CI builds ./venv with `make venv`).
            assert program.startswith(f"{VENV}/bin/"), f"{hook['id']}: {program} is not a tool of ./{VENV}"
            tool = Path(sys.executable).parent / program.removeprefix(f"{VENV}/bin/")
            assert tool.is_file(), f"{hook['id']}: {tool} is not installed (requirements-dev.txt)"


def test_every_check_of_the_suite_has_a_hook_on_every_commit():
    on_commit = [argv(hook) for hook in HOOKS if "pre-commit" in stages(hook)]
    for check in SUITE_CHECKS:
        assert check in on_commit, shlex.join(check)


def test_every_command_of_ci_has_a_hook_on_every_push():
    ci = (PLATFORM_PROJECT_DIR / ".ci" / "run").read_text()
    commands = re.findall(r"^(make \w+)\s*$", ci, flags=re.M)
    assert "make test" in commands and "make security" in commands
    on_push = {hook["entry"] for hook in HOOKS if "pre-push" in stages(hook)}
    for command in commands:
        assert command in on_push, command
    assert "pre-push" in CONFIG["default_install_hook_types"]  # `pre-commit install` sets them up
