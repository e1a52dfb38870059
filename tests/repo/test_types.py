"""The library, both programs and the policy pack type-check: mypy with pyproject.toml's [tool.mypy] settings.

mypy keeps its cache in .mypy_cache (it checks the cache against the sources, its version and
the settings): a fresh clone's run takes about 3 s, a warm one well under a second.
"""

import importlib.util
import subprocess
import sys
import tomllib

from eksfargate.project import PLATFORM_PROJECT_DIR

MYPY = tomllib.loads((PLATFORM_PROJECT_DIR / "pyproject.toml").read_text())["tool"]["mypy"]


def test_library_programs_and_pack_type_check():
    # No paths on the command line: mypy checks exactly the configured `files`.
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml"],
        cwd=PLATFORM_PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_checked_files_are_the_library_both_programs_and_the_pack():
    assert MYPY["files"] == ["components", "eksfargate", "__main__.py", "tenant/__main__.py", "policy"]
    assert MYPY["strict"] is True


def test_every_exception_names_modules_that_exist():
    """An exception outlives its reason silently: once a module it names is gone, drop the exception."""
    for override in MYPY.get("overrides", []):
        for module in override["module"]:
            if module.endswith(".*"):
                assert importlib.util.find_spec(module.removesuffix(".*")), module
            else:
                assert (PLATFORM_PROJECT_DIR / (module.replace(".", "/") + ".py")).is_file(), module
