"""Programs -> library -> nothing of the tools: the import contracts (pyproject.toml
[tool.importlinter]) and the import graph between the top-level folders."""

import ast
import subprocess
import sys
from pathlib import Path

from eksfargate.project import PLATFORM_PROJECT_DIR, TENANT_PROJECT_DIR

PROGRAMS = (PLATFORM_PROJECT_DIR / "__main__.py", TENANT_PROJECT_DIR / "__main__.py")
LIBRARY = {"components", "eksfargate"}
# Top-level packages and where their source lives.
PACKAGES = {
    "components": PLATFORM_PROJECT_DIR / "components",
    "eksfargate": PLATFORM_PROJECT_DIR / "eksfargate",
    "policy": PLATFORM_PROJECT_DIR / "policy",
    **{tool.name: tool for tool in (PLATFORM_PROJECT_DIR / "tools").iterdir() if (tool / "__init__.py").is_file()},
}


def imported_packages(path: Path) -> set[str]:
    """The project's top-level packages a file imports, wherever the import statement stands but in
    an `if __name__ == "__main__":` block (a command's entry point, which no importer runs) or an
    `if TYPE_CHECKING:` block (types for the checker, never loaded)."""
    tree = ast.parse(path.read_text())
    tree.body = [node for node in tree.body if not _entry_point(node)]
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        found |= {name.split(".")[0] for name in names} & PACKAGES.keys()
    return found


def _entry_point(node: ast.stmt) -> bool:
    test = ast.unparse(node.test).replace("'", '"') if isinstance(node, ast.If) else ""
    return test in ('__name__ == "__main__"', "TYPE_CHECKING")


def test_the_import_contracts_hold():
    done = subprocess.run(
        [Path(sys.executable).with_name("lint-imports"), "--no-cache"],
        cwd=PLATFORM_PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_programs_import_only_the_library():
    for program in PROGRAMS:
        assert imported_packages(program) <= LIBRARY, program


def test_the_top_level_packages_import_each_other_in_no_circle():
    graph = {
        package: set().union(*(imported_packages(path) for path in folder.rglob("*.py"))) - {package}
        for package, folder in PACKAGES.items()
    }
    visiting, done = [], set()

    def visit(package: str) -> None:
        assert package not in visiting, " -> ".join([*visiting[visiting.index(package) :], package])
        if package in done:
            return
        visiting.append(package)
        for imported in sorted(graph[package]):
            visit(imported)
        visiting.pop()
        done.add(package)

    for package in sorted(graph):
        visit(package)
