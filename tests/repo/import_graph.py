"""The project's imports, read off its source with `ast`: nothing of the project is imported, so this
works even when an import circle keeps the project from loading (tests/__init__.py).

An import is module level when it stands directly in the module's body or in a module-level
`if TYPE_CHECKING:` block (a type for the checker, never loaded at run time); any other is inside a
function, a class or a block such as `if __name__ == "__main__":`, and `scope` names where.
"""

import ast
import functools
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

# The checkout, found from this file rather than from eksfargate.project: see the module docstring.
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Import:
    path: str  # the importing file, relative to the root
    line: int
    importer: str | None  # the importing module; None for a file outside the packages (a program, a script)
    imported: str  # the module named: `from a import b` is a.b when that is a module of the project, else a
    scope: str | None  # None at module level; else the function or class it stands in, or the block
    type_checking: bool

    def arrow(self) -> str:
        return f"{self.importer or self.path} -> {self.imported} ({self.path}:{self.line})"


@functools.cache
def pyproject(root: Path = ROOT) -> dict:
    return tomllib.loads((root / "pyproject.toml").read_text())


def package_folders(root: Path = ROOT) -> dict[str, Path]:
    """The top-level packages import-linter checks, each with its folder (the tools' live under tools/)."""
    tool = pyproject(root)["tool"]
    folders = tool.get("setuptools", {}).get("package-dir", {})
    return {name: root / folders.get(name, name) for name in tool["importlinter"]["root_packages"]}


def layers(root: Path = ROOT) -> list[list[str]]:
    """The layers contract's layers, top first, each a list of packages that are independent of one another."""
    (contract,) = [c for c in pyproject(root)["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return [[name.strip() for name in layer.split("|")] for layer in contract["layers"]]


def source_files(root: Path = ROOT) -> list[str]:
    """Every Python file of the checkout but the tests, tracked or new (not those git ignores: the venvs, out/)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.py"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted(path for path in set(listed.split("\0")) if path and not path.startswith("tests/") and (root / path).is_file())


@functools.cache
def package_modules(root: Path = ROOT) -> dict[str, str]:
    """The modules of the packages, by name, each with its file relative to the root."""
    modules = {}
    for package, folder in package_folders(root).items():
        for path in folder.rglob("*.py"):
            parts = path.relative_to(folder).with_suffix("").parts
            name = ".".join((package, *parts[:-1])) if parts[-1] == "__init__" else ".".join((package, *parts))
            modules[name] = path.relative_to(root).as_posix()
    return modules


def imports(paths: list[str], root: Path = ROOT) -> list[Import]:
    """The import statements of the files `paths` (relative to the root), in file and line order."""
    modules = package_modules(root)
    names = {path: name for name, path in modules.items()}
    found = []
    for path in paths:
        importer = names.get(path)
        package = importer if path.endswith("__init__.py") else (importer or "").rpartition(".")[0]
        tree = ast.parse((root / path).read_text(), path)
        for node, scope, type_checking in _statements(tree.body, None, False):
            for imported in _imported(node, package, modules):
                found.append(Import(path, node.lineno, importer, imported, scope, type_checking))
    return found


def against_the_layers(root: Path = ROOT) -> list[Import]:
    """The packages' imports that the layers contract forbids: one from a package to another in a layer
    above it, or to another package of its own layer. Those the type checker alone reads are left out,
    as import-linter leaves them (exclude_type_checking_imports)."""
    order = layers(root)
    rank = {package: index for index, layer in enumerate(order) for package in layer}
    above = {
        package: {other for layer in order[:index] for other in layer} | (set(order[index]) - {package})
        for package, index in rank.items()
    }
    # Only a file with an import line naming such a package is parsed (every pytest process runs this).
    suspects = []
    for name, path in package_modules(root).items():
        words = "|".join(sorted(above[name.partition(".")[0]]))
        if words and re.search(rf"^\s*(?:from|import)\b.*\b(?:{words})\b", (root / path).read_text(), flags=re.M):
            suspects.append(path)
    return [
        found
        for found in imports(sorted(suspects), root)
        if not found.type_checking and found.imported.partition(".")[0] in above[(found.importer or "").partition(".")[0]]
    ]


def _statements(body: list[ast.stmt], scope: str | None, type_checking: bool):
    """Every import statement under `body`, with its scope and whether it is under `if TYPE_CHECKING:`."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, scope, type_checking
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield from _statements(node.body, f"{scope}.{node.name}" if scope else node.name, type_checking)
        elif isinstance(node, ast.If) and _names_type_checking(node.test):
            yield from _statements(node.body, scope, True)
            yield from _statements(node.orelse, scope or _block(node), type_checking)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.ExceptHandler | ast.match_case):
                    yield from _statements(child.body, scope or _block(node), type_checking)
                elif isinstance(child, ast.stmt):
                    yield from _statements([child], scope or _block(node), type_checking)


def _names_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _block(node: ast.stmt) -> str:
    return f"the {type(node).__name__.lower()} block at line {node.lineno}"


def _imported(node: ast.Import | ast.ImportFrom, package: str, modules: dict[str, str]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: from the importer's package
        anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        base = ".".join([*anchor, *([base] if base else [])])
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]


def print_imports_against_the_layers(root: Path = ROOT) -> None:
    """Prints, on standard error, each import that goes against the layers (tests/__init__.py)."""
    wrong = against_the_layers(root)
    if wrong:
        lines = [f"  {found.arrow()}" for found in wrong]
        print("Imports against the layers (pyproject.toml [tool.importlinter]):", *lines, sep="\n", file=sys.stderr)
