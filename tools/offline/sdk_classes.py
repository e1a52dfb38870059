"""The classes of a generated SDK module defined on first use (offline/sdk_loader.py names why, when and its limits).

A module qualifies when it has a literal `__all__`, its statements after the first class are all classes, each
bound once and by nothing else, whose creation runs nothing but what marks or wraps (`_inert`: no decorator but
`pulumi.input_type` and `pulumi.output_type`, which only mark the class they are handed; bases from SAFE_BASES or
the module's own classes; a body of a docstring, bare annotations and methods whose decorators are in
METHOD_DECORATORS and defaults constants), no statement before them reads a class's name, no code reads names
as it runs (DYNAMIC_NAMES), and each of its star imports exports a literal `__all__` no other statement binds.
Each class statement is then compiled alone, kept as marshalled code, and run in the module's namespace when one
of the names it needs is first read (PEP 562 `__getattr__`), after every class it needs, in source order: the
classes its code reads and those its resolvable annotations name. Those are the annotations the SDK resolves
with `typing.get_type_hints` against a plain copy of the module's namespace, which no `__getattr__` fills: the
return annotations of functions (a property getter's type) and class-level annotations (pulumi/_types.py,
`_globals_for_cls`, `_raw_return_hints`, `_types_from_annotations`). Parameter annotations stay strings nothing
resolves (pulumi's setters copy them, unresolved).

A module that star-imports such a module binds only the names it reads, and reads the others through a
`__getattr__` of its own, so that its star import defines no class it does not use.
"""

from __future__ import annotations
import __future__

import ast
import functools
import marshal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import CodeType

MARKING_DECORATORS = {"pulumi.input_type", "pulumi.output_type"}
# Bases whose subclassing runs no code of the SDK's (no `__init_subclass__`, no registering metaclass).
SAFE_BASES = {"dict", "object", "TypedDict", "pulumi.CustomResource", "pulumi.ComponentResource", "pulumi.ProviderResource"}
# A method's decorators that only wrap or mark it (pulumi/_types.py `getter`; the SDK's `_utilities.deprecated`
# warns when the method is called, not when the class is made); `<method>.setter` too.
METHOD_DECORATORS = {"_builtins.property", "property", "staticmethod", "pulumi.getter"}
CALLED_METHOD_DECORATORS = {"pulumi.getter", "_utilities.deprecated"}  # with constant arguments
# Names that read a module's namespace as it runs: a lazily defined class would be missing from it.
DYNAMIC_NAMES = {"globals", "vars", "locals", "eval", "exec", "__import__"}

_LOADER = """
import threading as _LAZY_THREADING
_LAZY_LOCK = _LAZY_THREADING.RLock()
del _LAZY_THREADING

def __getattr__(name):
    needed = _LAZY_CLASSES.get(name)
    namespace = globals()
    if needed is not None:
        import marshal
        with _LAZY_LOCK:  # one definition of each class, whichever thread reads it first
            for each in needed:
                if each not in namespace:
                    exec(marshal.loads(_LAZY_CLASS_CODE[each]), namespace)
        return namespace[name]
    module = _LAZY_STAR_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib
    value = namespace[name] = getattr(importlib.import_module(module, __package__), name)
    return value
"""

_ADDED_NAMES = {
    "_LAZY_CLASSES",
    "_LAZY_CLASS_CODE",
    "_LAZY_LOCK",
    "_LAZY_THREADING",
    "_LAZY_STAR_NAMES",
    "_LAZY_UNUSED",
    "__getattr__",
}


def lazy_module(module: ast.Module, filename: str, folder: Path) -> ast.Module:
    """`module` with its classes defined on first use where it qualifies, and its star imports of modules
    that do binding only the names it reads; as it is when neither applies or either could change a name."""
    if not _rewritable(module, folder):
        return module
    used = set(used_names(module))
    classes = _lazy_classes(module)
    head = module.body[: len(module.body) - len(classes)]
    body: list[ast.stmt] = []
    forwarded: dict[str, str] = {}
    for statement in head:
        source = _star_source(statement)
        exported = lazy_exports(folder / f"{source}.py") if source else None
        if source is None or exported is None:
            body.append(statement)
            continue
        read = [name for name in exported if name in used]
        body += ast.parse(f"from .{source} import {', '.join(read) or '__name__ as _LAZY_UNUSED'}").body
        if not read:
            body += ast.parse("del _LAZY_UNUSED").body
        forwarded.update({name: f".{source}" for name in exported if name not in used})
    if not classes and not forwarded:
        return module
    names = [statement.name for statement in classes]
    lazy = set(names)
    needs = {statement.name: set(used_names(statement)) & lazy - {statement.name} for statement in classes}
    order = {name: index for index, name in enumerate(names)}
    closure = {name: tuple(sorted(_closure(name, needs), key=order.__getitem__)) for name in names}
    code = {statement.name: marshal.dumps(_compile(statement, filename)) for statement in classes}
    tables = f"_LAZY_CLASSES = {closure!r}\n_LAZY_CLASS_CODE = {code!r}\n_LAZY_STAR_NAMES = {forwarded!r}\n"
    return ast.Module(body=body + ast.parse(tables + _LOADER).body, type_ignores=module.type_ignores)


def _rewritable(module: ast.Module, folder: Path) -> bool:
    """Whether binding `module`'s names on first use leaves each name what it was: a literal `__all__` (else
    its own star import would export what it has bound so far), no names read or bound as it runs, star
    imports whose names can be read off their source and that no other statement meets, and none of the
    names the rewrite adds."""
    if literal_all(module) is None or not _names_are_static(module):
        return False
    exports = _star_exports(module, folder)
    bound = {name for statement in module.body for name in _bound(statement)}
    return exports is not None and not _ADDED_NAMES & (bound | exports)


def _names_are_static(module: ast.Module) -> bool:
    """No code of `module` reads or binds names other than by name: no `globals()`, `global`, star import below
    the top level. Else a lazily defined class or a forwarded name could be missing where it is read."""
    top_level = {id(statement) for statement in module.body}
    for node in ast.walk(module):
        if isinstance(node, ast.Name) and node.id in DYNAMIC_NAMES or isinstance(node, ast.Global | ast.Nonlocal):
            return False
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names) and id(node) not in top_level:
            return False
    return True


def _star_exports(module: ast.Module, folder: Path) -> set[str] | None:
    """The names the star imports of `module` bind, when each is a sibling's literal `__all__`, no two export
    the same name and no other statement binds one (so that binding them by name, in place, or leaving them
    to `__getattr__` binds what the star import did); None otherwise."""
    exported: list[str] = []
    others: set[str] = set()
    for statement in module.body:
        if not (isinstance(statement, ast.ImportFrom) and any(alias.name == "*" for alias in statement.names)):
            others.update(_bound(statement))
            continue
        source = _star_source(statement)
        names = _literal_all_of(folder / f"{source}.py") if source else None
        if names is None:
            return None
        exported += names
    if len(set(exported)) < len(exported) or others & set(exported):
        return None
    return set(exported)


def _lazy_classes(module: ast.Module) -> list[ast.ClassDef]:
    """The class statements that end `module`, if it qualifies (above) to define them on first use; else none."""
    first = next((i for i, statement in enumerate(module.body) if isinstance(statement, ast.ClassDef)), None)
    if first is None:
        return []
    head, classes = module.body[:first], module.body[first:]
    if not all(isinstance(statement, ast.ClassDef) for statement in classes):
        return []
    names = [statement.name for statement in classes if isinstance(statement, ast.ClassDef)]
    if not all(isinstance(statement, ast.ClassDef) and _inert(statement, set(names)) for statement in classes):
        return []
    bound = Counter(names + [name for statement in head for name in _bound(statement)])
    if any(bound[name] > 1 for name in names) or not _names_are_static(module):
        return []
    if set(names) & {name for statement in head for name in used_names(statement)}:
        return []  # a statement before the classes that reads one
    return [statement for statement in classes if isinstance(statement, ast.ClassDef)]


def _inert(statement: ast.ClassDef, classes: set[str]) -> bool:
    """Whether making the class runs nothing but what marks or wraps it (above): so making it later, or never,
    changes nothing but when it exists."""
    if statement.keywords or not all(ast.unparse(decorator) in MARKING_DECORATORS for decorator in statement.decorator_list):
        return False
    if not all(ast.unparse(base) in SAFE_BASES or isinstance(base, ast.Name) and base.id in classes for base in statement.bases):
        return False
    methods: set[str] = set()
    for member in statement.body:
        if isinstance(member, ast.FunctionDef):
            defaults = member.args.defaults + [default for default in member.args.kw_defaults if default is not None]
            if not all(_wraps(decorator, methods) for decorator in member.decorator_list):
                return False
            if not all(isinstance(default, ast.Constant) for default in defaults):
                return False
            methods.add(member.name)
        elif isinstance(member, ast.AnnAssign):
            if member.value is not None or not isinstance(member.target, ast.Name):
                return False  # a bare annotation stays a string (PEP 563); a value would run
        elif not (isinstance(member, ast.Pass) or isinstance(member, ast.Expr) and isinstance(member.value, ast.Constant)):
            return False
    return True


def _wraps(decorator: ast.expr, methods: set[str]) -> bool:
    if isinstance(decorator, ast.Call):
        arguments = decorator.args + [keyword.value for keyword in decorator.keywords]
        return ast.unparse(decorator.func) in CALLED_METHOD_DECORATORS and all(isinstance(a, ast.Constant) for a in arguments)
    if ast.unparse(decorator) in METHOD_DECORATORS:
        return True
    return isinstance(decorator, ast.Attribute) and decorator.attr == "setter" and ast.unparse(decorator.value) in methods


@functools.cache  # each resource module of a package asks of the same _inputs
def lazy_exports(path: Path) -> list[str] | None:
    """The `__all__` of the module at `path` if its classes load on first use, else None."""
    tree = _parsed(path)
    if tree is None or not _rewritable(tree, path.parent) or not _lazy_classes(tree):
        return None
    return literal_all(tree)


@functools.cache
def _literal_all_of(path: Path) -> list[str] | None:
    tree = _parsed(path)
    return literal_all(tree) if tree is not None else None


def _parsed(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_bytes(), str(path))
    except (OSError, SyntaxError):
        return None


def literal_all(module: ast.Module) -> list[str] | None:
    """The names of `module`'s `__all__` when one top-level statement binds it to a literal and nothing else
    names it (no `__all__ +=`, no second binding); else None."""
    if sum(isinstance(node, ast.Name) and node.id == "__all__" for node in ast.walk(module)) != 1:
        return None
    for statement in module.body:
        if isinstance(statement, ast.Assign) and [getattr(t, "id", None) for t in statement.targets] == ["__all__"]:
            try:
                names = ast.literal_eval(statement.value)
            except ValueError:
                return None
            return list(names) if all(isinstance(name, str) for name in names) else None
    return None


def used_names(node: ast.AST) -> Iterator[str]:
    """The names `node` reads as it runs, and those its resolvable annotations name (above), strings parsed."""
    if isinstance(node, ast.arg):
        return  # a parameter's annotation: nothing resolves it
    if isinstance(node, ast.Name):
        yield node.id
        return
    annotated = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.AnnAssign)
    for field, value in ast.iter_fields(node):
        for child in value if isinstance(value, list) else [value]:
            if not isinstance(child, ast.AST):
                continue
            if annotated and field in ("returns", "annotation"):
                yield from _annotation_names(child)
            else:
                yield from used_names(child)


def _annotation_names(node: ast.AST) -> Iterator[str]:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name):
            yield inner.id
        elif isinstance(inner, ast.Constant) and isinstance(inner.value, str):
            try:
                parsed = ast.parse(inner.value.strip(), mode="eval")
            except SyntaxError:
                continue  # not an expression: no name to resolve
            yield from _annotation_names(parsed)


def _closure(name: str, needs: dict[str, set[str]]) -> set[str]:
    seen = {name}
    todo = [name]
    while todo:
        for needed in needs[todo.pop()]:
            if needed not in seen:
                seen.add(needed)
                todo.append(needed)
    return seen


def _bound(statement: ast.stmt) -> Iterator[str]:
    for node in ast.walk(statement):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            yield node.id
        elif isinstance(node, ast.alias):
            yield (node.asname or node.name).partition(".")[0]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node is statement:
            yield node.name


def _star_source(statement: ast.stmt) -> str | None:
    if isinstance(statement, ast.ImportFrom) and statement.level == 1 and statement.module:
        if [alias.name for alias in statement.names] == ["*"]:
            return statement.module
    return None


def _compile(statement: ast.stmt, filename: str) -> CodeType:
    tree = ast.Module(body=[statement], type_ignores=[])
    code: CodeType = compile(tree, filename, "exec", flags=__future__.annotations.compiler_flag, dont_inherit=True)
    return code
