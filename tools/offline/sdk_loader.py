"""The provider SDKs, loaded for the offline commands with only what the program uses.

pulumi_aws, pulumi_kubernetes and pulumi_eks are generated code, and importing them is most of
an offline plan's time. Two things make them slow, and this loader changes both, for the
command-line tools only (`python -m offline`, `python -m cost`):

- Annotations. A module such as `pulumi_kubernetes.core.v1._inputs` defines over a thousand
  argument classes, and Python evaluates every annotation in them
  (`Optional[pulumi.Input[Sequence[...]]]`, built by `typing`) as it creates each class. Compiled
  as if the module began with `from __future__ import annotations` (PEP 563), they stay strings
  until asked for. The SDK asks only for the classes a program uses, and resolves the strings
  with `typing.get_type_hints` against the class's module (pulumi/_types.py,
  `_raw_return_hints` and `_types_from_annotations`: how it serves programs written with that
  import).
- Package members. `pulumi_aws` already loads its subpackages on first use, but a subpackage's
  `__init__` star-imports every module in it: `pulumi_aws.ec2` loads over 180 modules for the seven
  resource kinds the network uses. Here each `from .module import *` becomes an entry in a
  module `__getattr__` (PEP 562) that imports the module when one of its names is first read:
  the names of its literal `__all__`, or without one, the public names its statements bind.
  Modules whose names begin with `_` (`_inputs`, `_enums`) and every other statement stay as
  they are, and so does a whole package where laziness could change what a name means (a name
  two statements bind, a module whose names cannot be read off its source).

Neither changes what the program declares. The tests import the SDKs as Pulumi's language host
does; tests/tools/offline/test_sdk_loader.py plans every committed and fixture stack file through
this loader, compares the plans of those that between them declare every resource type and input
property any of them declares with theirs, and checks the loader itself;
tests/tools/offline/test_plan.py compares the files the command writes for dev byte for byte.
docs/contributing.md "Plan speed" has the figures.

The compiled code is kept beside the SDK's own bytecode under a name Python's loaders never read
(`__pycache__/<module>.cpython-311.opt-offline3.pyc`), in the standard pyc layout, checked
against the source's modification time and size as Python checks its own. It is written even
under PYTHONDONTWRITEBYTECODE: like the bytecode pip writes as it installs the SDK, it belongs
to the installed package, and without it every plan would compile what it loads (about 5 s).
"""

from __future__ import annotations
import __future__

import ast
import contextlib
import importlib.machinery
import importlib.util
import marshal
import os
import struct
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import CodeType, ModuleType

SDK_PACKAGES = ("pulumi_aws", "pulumi_eks", "pulumi_kubernetes")
CACHE_TAG = "offline3"  # a new tag when what get_code compiles changes: old caches are then never read
_TIMESTAMP_PYC = 0  # PEP 552 flags: validated by the source's mtime and size

_MEMBER_LOADER = """
def __getattr__(name):
    module = _LAZY_MEMBERS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib
    loaded = importlib.import_module("." + module, __name__)
    # Every name the module exports, as its star import would bind them: importing it binds the module itself
    # on the package under its own name, which may be one of those names (pulumi_aws.get_caller_identity).
    for member, source in _LAZY_MEMBERS.items():
        if source == module and hasattr(loaded, member):
            globals()[member] = getattr(loaded, member)
    return getattr(loaded, name)
"""


class SdkLoader(importlib.machinery.SourceFileLoader):
    def get_code(self, fullname: str) -> CodeType:
        source_path = self.get_filename(fullname)
        status = os.stat(source_path)
        header = importlib.util.MAGIC_NUMBER + struct.pack(
            "<III", _TIMESTAMP_PYC, int(status.st_mtime) & 0xFFFFFFFF, status.st_size & 0xFFFFFFFF
        )
        cache_path = importlib.util.cache_from_source(source_path, optimization=CACHE_TAG)
        try:
            with open(cache_path, "rb") as cached:
                data = cached.read()
            if data[:16] == header:
                cached_code: CodeType = marshal.loads(data[16:])
                return cached_code
        except (OSError, EOFError, ValueError, TypeError):
            pass  # absent, stale or damaged: compile it again
        tree = ast.parse(self.get_data(source_path), source_path)
        if self.is_package(fullname):
            tree = lazy_members(tree, Path(source_path).parent)
        code: CodeType = compile(tree, source_path, "exec", flags=__future__.annotations.compiler_flag, dont_inherit=True)
        _write_atomically(cache_path, header + marshal.dumps(code))
        return code


class SdkFinder:
    """Finds the modules of `packages` as the path finder does; SdkLoader loads their source."""

    def __init__(self, packages: Sequence[str] = SDK_PACKAGES) -> None:
        self.packages = tuple(packages)

    def find_spec(self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname.partition(".")[0] not in self.packages:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and type(spec.loader) is importlib.machinery.SourceFileLoader:
            spec.loader = SdkLoader(fullname, spec.loader.path)
        return spec


def install(packages: Sequence[str] = SDK_PACKAGES) -> None:
    """Load `packages` with SdkLoader from now on; call it before anything imports them."""
    if any(isinstance(finder, SdkFinder) for finder in sys.meta_path):
        return
    already = sorted(name for name in sys.modules if name.partition(".")[0] in packages)
    if already:
        raise RuntimeError(f"install() comes before the SDKs are imported; already imported: {', '.join(already[:3])}")
    sys.meta_path.insert(0, SdkFinder(packages))


def lazy_members(package: ast.Module, folder: Path) -> ast.Module:
    """A package `__init__` whose `from .module import *` of public modules load on first use.

    The package is returned as it is when that could change what a name means: a star import
    of a subpackage or of a module whose names cannot be read off its source, or a name two
    statements bind.
    """
    bound: list[str] = []  # every name the package's statements bind, once per binding
    lazy: dict[str, str] = {}  # name -> the module that exports it
    body: list[ast.stmt] = []
    for statement in package.body:
        module = _star_import(statement)
        if module is None:
            body.append(statement)
            bound += _bound_names(statement)
            continue
        names = _declared_names(folder / f"{module}.py")
        if names is None:
            return package
        bound += names
        if module.startswith("_"):  # _inputs, _enums: every resource module needs them anyway
            body.append(statement)
        else:
            lazy.update(dict.fromkeys(names, module))
    times_bound = Counter(bound)
    if not lazy or any(times_bound[name] > 1 for name in lazy):
        return package
    members = ast.parse(f"_LAZY_MEMBERS = {lazy!r}\n{_MEMBER_LOADER}")
    return ast.Module(body=body + members.body, type_ignores=package.type_ignores)


def _module_level(statements: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements that run at module level: those of if/try blocks too, not of function or class bodies."""
    for statement in statements:
        yield statement
        if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield from _module_level(_blocks(statement))


def _blocks(statement: ast.stmt) -> list[ast.stmt]:
    """The statements directly inside a compound statement, handlers' included."""
    children = []
    for child in ast.iter_child_nodes(statement):
        if isinstance(child, ast.stmt):
            children.append(child)
        elif isinstance(child, ast.ExceptHandler | ast.match_case):
            children += child.body
    return children


def _bound_names(statement: ast.stmt) -> list[str]:
    if isinstance(statement, ast.Import | ast.ImportFrom):
        return [(alias.asname or alias.name).partition(".")[0] for alias in statement.names]
    if isinstance(statement, ast.Assign | ast.AnnAssign):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        return [node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)]
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [statement.name]
    return [name for child in _blocks(statement) for name in _bound_names(child)]


def _star_import(statement: ast.stmt) -> str | None:
    if isinstance(statement, ast.ImportFrom) and statement.level == 1 and statement.module:
        if [alias.name for alias in statement.names] == ["*"]:
            return statement.module
    return None


def _declared_names(path: Path) -> list[str] | None:
    """The names `from module import *` binds: its literal `__all__`, or without one, the public
    names its statements bind; None when they cannot be read off the source."""
    try:
        tree = ast.parse(path.read_bytes(), str(path))
    except (OSError, SyntaxError):
        return None
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and [getattr(t, "id", None) for t in statement.targets] == ["__all__"]:
            try:
                names = ast.literal_eval(statement.value)
            except ValueError:
                return None
            return list(names) if all(isinstance(name, str) for name in names) else None
    for node in ast.walk(tree):
        star = isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names)
        dynamic = isinstance(node, ast.Global | ast.NamedExpr) or (
            isinstance(node, ast.Name) and node.id in ("globals", "__all__")
        )
        if star or dynamic:
            return None  # another module's names, or names bound as it runs
    for statement in _module_level(tree.body):
        if isinstance(statement, ast.For | ast.AsyncFor | ast.While | ast.With | ast.AsyncWith | ast.AugAssign | ast.Delete):
            return None  # bindings _bound_names does not follow
    return [name for statement in tree.body for name in _bound_names(statement) if not name.startswith("_")]


def _write_atomically(path: str, data: bytes) -> None:
    # Plans run side by side (the tests, `diff` planning two revisions): each writes a file of
    # its own, then renames it into place, so no reader sees half a file.
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError:  # a read-only site-packages: the code is compiled again next time
        with contextlib.suppress(OSError):
            os.unlink(temporary)
