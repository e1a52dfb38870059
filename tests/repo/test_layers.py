"""Programs -> library -> nothing of the tools: the import contracts (pyproject.toml
[tool.importlinter], which also forbid an import circle inside any package), and the same layers
read off the source (tests/repo/import_graph.py), each wrong import named by its arrow."""

import subprocess
import sys
from pathlib import Path

from tests.repo import import_graph
from tests.repo.import_graph import ROOT

PROGRAMS = ["__main__.py", "tenant/__main__.py"]
LIBRARY = {"components", "eksfargate"}


def test_the_import_contracts_hold():
    done = subprocess.run(
        [Path(sys.executable).with_name("lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_no_import_goes_against_the_layers():
    wrong = [found.arrow() for found in import_graph.against_the_layers()]
    assert not wrong, "imports against the layers of pyproject.toml:\n" + "\n".join(wrong)


def test_an_import_against_the_layers_is_named_by_its_arrow(tmp_path):
    # A copy of the packages' layout in which the library imports a tool that imports it back:
    # the circle that would keep the project from loading, named without importing anything.
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    for folder in import_graph.package_folders().values():
        (tmp_path / folder.relative_to(ROOT)).mkdir(parents=True)
    (tmp_path / "eksfargate" / "settings.py").write_text("import re\n\nfrom teams.stacks import DEFAULT_REGION\n")
    (tmp_path / "tools" / "teams" / "stacks.py").write_text("from eksfargate.settings import DNS_LABEL_RULE\n")
    (tmp_path / "tools" / "cost" / "tenancy.py").write_text(
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from teams import stacks\n"
    )
    arrows = [found.arrow() for found in import_graph.against_the_layers(tmp_path)]
    # One arrow: teams -> eksfargate goes down the layers, and cost's import of teams is a type's only.
    assert arrows == ["eksfargate.settings -> teams.stacks (eksfargate/settings.py:3)"]


def test_the_programs_import_only_the_library():
    for found in import_graph.imports(PROGRAMS):
        top = found.imported.partition(".")[0]
        assert top not in import_graph.package_folders() or top in LIBRARY, found.arrow()
