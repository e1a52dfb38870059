"""Every Python source outside tests/ type-checks: mypy with pyproject.toml's [tool.mypy] settings.

mypy keeps its cache in .mypy_cache (it checks the cache against the sources, its version and
the settings): a fresh clone's run takes about 4.5 s (measured: 4.4 s), a warm one well under a second.
"""

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

from eksfargate.project import PLATFORM_PROJECT_DIR
from tests.repo import import_graph

MYPY = tomllib.loads((PLATFORM_PROJECT_DIR / "pyproject.toml").read_text())["tool"]["mypy"]


def test_every_source_outside_the_tests_type_checks():
    # No paths on the command line: mypy checks exactly the configured `files`.
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml"],
        cwd=PLATFORM_PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_checked_files_are_every_source_outside_the_tests():
    """A new folder of Python code is checked from its first file on: `files` names it, or this fails."""
    checked = [Path(entry) for entry in MYPY["files"]]
    unchecked = [path for path in import_graph.source_files() if not any(Path(path).is_relative_to(entry) for entry in checked)]
    assert not unchecked, f"not in [tool.mypy] files: {unchecked}"
    assert MYPY["strict"] is True


def _package_bases() -> list[Path]:
    """Where mypy finds top-level modules (explicit_package_bases): the project's folder and mypy_path."""
    roots = [entry.replace("$MYPY_CONFIG_FILE_DIR", str(PLATFORM_PROJECT_DIR)) for entry in MYPY["mypy_path"]]
    return [PLATFORM_PROJECT_DIR, *map(Path, roots)]


def test_every_exception_names_modules_that_exist():
    """An exception outlives its reason silently: once a module it names is gone, drop the exception."""
    for override in MYPY.get("overrides", []):
        for module in override["module"]:
            if module.endswith(".*"):
                assert importlib.util.find_spec(module.removesuffix(".*")), module
            else:
                relative = Path(*module.split("."))
                assert any((base / relative).with_suffix(".py").is_file() for base in _package_bases()), module
