"""offline/sdk_classes.py: a generated SDK module's classes defined on first use, and the modules where they are not.

Each test builds a small package shaped as pulumigen writes them (`_enums`, `_inputs`, `outputs`, a resource
module) and loads it through the finder, as test_sdk_loader.py does; the same package loaded by Python's own
loader is the reference. The plans of every stack file through the loader are compared in test_sdk_loader.py.
"""

import __future__

import importlib
import importlib.util
import pickle
import sys
import typing
import warnings
from pathlib import Path

import pulumi
import pulumi_kubernetes
import pytest
from pulumi import _types

from offline import sdk_classes
from tests.tools.offline.test_sdk_loader import load, write_package  # noqa: F401  (load is a fixture)

HEAD = "import builtins as _builtins\nimport pulumi\nfrom typing import Optional, TypedDict\n"


def getter(name: str, returns: str) -> str:
    return (
        f"    @_builtins.property\n    @pulumi.getter(name={name!r})\n    def {name}(self) -> {returns}:\n"
        f"        return pulumi.get(self, {name!r})\n\n"
        f"    @{name}.setter\n    def {name}(self, value: Optional[{returns}] = None):\n"
        f"        pulumi.set(self, {name!r}, value)\n"
    )


SDK = {
    "__init__.py": "from ._enums import *\nfrom ._inputs import *\nfrom .thing import *\nfrom . import outputs\n",
    # A base outside SAFE_BASES: loaded as it is, and star-imported as it is.
    "_enums.py": "from enum import Enum\n__all__ = ['Color', 'Shade']\nclass Color(str, Enum):\n    RED = 'red'\n"
    "class Shade(str, Enum):\n    DARK = 'dark'\n",
    "_inputs.py": HEAD
    + "from ._enums import *\n__all__ = ['RootArgs', 'RootArgsDict', 'LeafArgs', 'LeafArgsDict', 'UnusedArgs']\n"
    + "@pulumi.input_type\nclass RootArgs:\n"
    + "    def __init__(__self__, *, leaf: Optional['LeafArgs'] = None, color=None, shade: 'Shade' = None):\n"
    + "        if leaf is not None:\n            pulumi.set(__self__, 'leaf', leaf)\n"
    + getter("leaf", "Optional['LeafArgs']")
    + getter("color", "Optional['Color']")
    + "class RootArgsDict(TypedDict):\n    '''The dict form.'''\n    leaf: 'LeafArgsDict'\n"
    + "@pulumi.input_type\nclass LeafArgs:\n    def __init__(__self__, *, size: Optional[int] = None):\n"
    + "        pulumi.set(__self__, 'size', size)\n"
    + getter("size", "Optional[int]")
    + "class LeafArgsDict(TypedDict):\n    size: int\n"
    + "@pulumi.input_type\nclass UnusedArgs:\n    pass\n",
    "outputs.py": HEAD
    + "from . import outputs\n__all__ = ['Root', 'Leaf']\n"
    + "@pulumi.output_type\nclass Root(dict):\n    @_builtins.property\n    @pulumi.getter\n"
    + "    def leaf(self) -> Optional['outputs.Leaf']:\n        return pulumi.get(self, 'leaf')\n"
    + "@pulumi.output_type\nclass Leaf(dict):\n    @_builtins.property\n    @pulumi.getter\n"
    + "    def size(self) -> int:\n        return pulumi.get(self, 'size')\n",
    # A resource module: it star-imports _inputs, reads RootArgs, and names UnusedArgs only as a parameter's type.
    "thing.py": HEAD
    + "from ._inputs import *\n__all__ = ['ThingArgs']\n"
    + "@pulumi.input_type\nclass ThingArgs:\n    def __init__(__self__, *, root: 'RootArgs', unused: 'UnusedArgs' = None):\n"
    + "        pulumi.set(__self__, 'root', root)\n"
    + getter("root", "'RootArgs'"),
}


def defined(module) -> set[str]:
    """The classes the module has made so far."""
    return {name for name, value in vars(module).items() if isinstance(value, type) and value.__module__ == module.__name__}


def submodule(package, name: str):
    return importlib.import_module(f"{package.__name__}.{name}")


def names(types: dict) -> dict:
    return {key: f"{value.__module__.rpartition('.')[2]}.{value.__qualname__}" for key, value in types.items()}


@pytest.fixture
def packages(tmp_path, load):  # noqa: F811
    """The package through the finder, and the same package loaded as Python loads it."""

    def _packages(files: dict[str, str]):
        return load(write_package(tmp_path, files)), load(write_package(tmp_path, files), through_finder=False)

    return _packages


def test_a_class_is_made_when_first_read_with_the_classes_its_resolved_annotations_name(packages):
    package, eager = packages(SDK)
    inputs = submodule(package, "_inputs")
    assert "_LAZY_CLASSES" in vars(inputs) and defined(inputs) == set()
    root = package.RootArgs
    # Its getters' types, which the SDK resolves against a plain copy of the module's namespace (no __getattr__).
    assert defined(inputs) == {"RootArgs", "LeafArgs"}
    assert names(_types.input_type_types(root)) == names(_types.input_type_types(eager.RootArgs))
    assert names(_types.input_type_types(root)) == {"leaf": "_inputs.LeafArgs", "color": "_enums.Color"}
    assert package.LeafArgs is inputs.LeafArgs is _types.input_type_types(root)["leaf"]  # made once
    assert "UnusedArgs" not in vars(inputs)
    # A class-level annotation names a class to make with it (pulumi's _types_from_annotations resolves them).
    assert typing.get_type_hints(package.RootArgsDict, dict(vars(inputs))) == {"leaf": inputs.LeafArgsDict}


def test_output_types_resolve_through_their_own_module(packages):
    package, eager = packages(SDK)
    outputs = package.outputs
    assert defined(outputs) == set()
    root = outputs.Root
    assert (
        names(_types.output_type_types(root)) == names(_types.output_type_types(eager.outputs.Root)) == {"leaf": "outputs.Leaf"}
    )


def test_a_lazily_made_class_is_the_one_pickle_star_imports_and_isinstance_see(packages):
    package, eager = packages(SDK)
    inputs = submodule(package, "_inputs")
    leaf = package.LeafArgs(size=3)
    assert (type(leaf).__module__, type(leaf).__qualname__) == (inputs.__name__, "LeafArgs")
    again = pickle.loads(pickle.dumps(leaf))
    assert type(again) is package.LeafArgs and again.size == 3
    starred: dict = {}
    exec(f"from {inputs.__name__} import *", starred)  # noqa: S102 - what a program's star import binds
    eager_inputs = submodule(eager, "_inputs")
    assert sorted(name for name in starred if name != "__builtins__") == sorted(eager_inputs.__all__)
    assert all(starred[name] is getattr(inputs, name) for name in inputs.__all__)
    assert isinstance(leaf, starred["LeafArgs"])
    assert defined(inputs) == set(inputs.__all__)
    assert package._inputs is inputs  # bound on the package before, as its star import bound it
    with pytest.raises(AttributeError, match=r"_inputs' has no attribute 'Missing'"):
        inputs.Missing  # noqa: B018


def test_a_module_that_star_imports_one_binds_only_what_it_reads(packages):
    package, eager = packages(SDK)
    inputs = submodule(package, "_inputs")
    thing = submodule(package, "thing")
    assert names(_types.input_type_types(package.ThingArgs)) == names(_types.input_type_types(eager.ThingArgs))
    assert "RootArgs" in vars(thing) and "UnusedArgs" not in vars(thing) and "UnusedArgs" not in vars(inputs)
    assert thing.UnusedArgs is inputs.UnusedArgs  # the rest still reads as its star import bound it
    assert submodule(package, "_inputs").Shade is package.Shade  # what _inputs's star import of _enums bound


def classes_with(
    head: str = "", body: str = "    pass\n", tail: str = "", all_: str = "__all__ = ['LeafArgs', 'RootArgs']"
) -> dict:
    source = HEAD + head + all_ + "\n@pulumi.input_type\nclass LeafArgs:\n    pass\n" + "class RootArgs:\n" + body + tail
    return {
        **SDK,
        "_inputs.py": source,
        "thing.py": HEAD + "from ._inputs import *\n__all__ = ['Thing']\nclass Thing(RootArgs): ...\n",
    }


@pytest.mark.parametrize(
    "files",
    [
        classes_with(head="def made():\n    return LeafArgs\n"),  # a statement before the classes reads one
        classes_with(head="RootArgs = None\n"),  # a name bound twice
        classes_with(tail="VERSION = 1\n"),  # a statement after the classes
        classes_with(body="    def find(self):\n        return globals()['LeafArgs']\n"),  # names read as it runs
        classes_with(body="    kind = pulumi.log.info('made')\n"),  # a class body that runs code
        classes_with(body="    def f(self, x=pulumi.Output.from_input(1)): ...\n"),  # a default that runs code
        classes_with(body="    @pulumi.type_token('x')\n    def f(self): ...\n"),  # a decorator that is not known to only wrap
        classes_with(head="from enum import Enum\n", tail="class Color(Enum):\n    RED = 1\n"),  # a base that runs code
        classes_with(tail="class Tagged(LeafArgs, metaclass=type): ...\n"),  # a metaclass
        classes_with(tail="@pulumi.type_token('pkg:index:Tagged')\nclass Tagged: ...\n"),  # a decorator that registers
        classes_with(all_="__all__ = ['LeafArgs']\n__all__ += ['RootArgs']"),  # __all__ not a literal alone
        classes_with(head="from typing import *\n"),  # a star import whose names cannot be read off the source
        classes_with(head="from ._enums import *\nColor = 'shadowed'\n"),  # a name a star import and a statement bind
    ],
    ids=[
        "read-before",
        "bound-twice",
        "statement-after",
        "globals",
        "class-body-code",
        "default-code",
        "method-decorator",
        "enum-base",
        "metaclass",
        "class-decorator",
        "all-augmented",
        "unknown-star",
        "star-rebound",
    ],
)
def test_a_module_where_laziness_could_change_a_name_or_an_effect_is_loaded_as_it_is(packages, files):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pulumi.log outside a program
        package, eager = packages(files)
    inputs = submodule(package, "_inputs")
    assert "_LAZY_CLASSES" not in vars(inputs) and "__getattr__" not in vars(inputs)
    assert "__getattr__" not in vars(submodule(package, "thing"))  # its star import stays one
    eager_inputs = submodule(eager, "_inputs")
    assert {k: type(v).__name__ for k, v in vars(inputs).items() if not k.startswith("__")} == {
        k: type(v).__name__ for k, v in vars(eager_inputs).items() if not k.startswith("__")
    }


def test_a_module_that_star_imports_one_and_binds_one_of_its_names_keeps_its_star_import(packages):
    thing = HEAD + "from ._inputs import *\nRootArgs = 'rebound'\n__all__ = ['ThingArgs']\nclass ThingArgs: ...\n"
    package, eager = packages({**SDK, "thing.py": thing})
    module = submodule(package, "thing")
    assert "_LAZY_STAR_NAMES" not in vars(module) and module.RootArgs == "rebound"
    assert module.UnusedArgs is package.UnusedArgs


def test_pulumi_resolves_no_parameter_annotation_and_marks_without_registering():
    # What the laziness rests on in pulumi itself (pulumi/_types.py): a parameter's type is never resolved, so a
    # class it names may stay unmade; input_type and output_type change only the class they are handed.
    namespace: dict = {"__name__": "no_such_module"}
    source = HEAD + "@pulumi.input_type\nclass Args:\n" + getter("size", "int").replace("Optional[int]", "NeverDefined")
    before = dict(vars(_types)), set(sys.modules)
    exec(compile(source, "<args>", "exec", flags=__future__.annotations.compiler_flag), namespace)  # noqa: S102
    args = namespace["Args"]
    assert (dict(vars(_types)), set(sys.modules)) == before
    assert args.size.fset.__annotations__ == {"value": "NeverDefined"}
    assert _types.input_type_types(args) == {"size": int} and _types.input_type_py_to_pulumi_names(args) == {"size": "size"}


def test_the_sdk_decorators_it_lets_through_only_wrap():
    # SAFE_BASES and the method decorators, as the installed SDKs define them: a new version that registers or
    # warns as a class is made fails here, and the lists must shrink.
    assert "__init_subclass__" not in {name for base in pulumi.CustomResource.__mro__[:-1] for name in vars(base)}
    assert type(pulumi.CustomResource) is type and type(pulumi.ComponentResource) is type
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wrapped = pulumi_kubernetes._utilities.deprecated("gone")(lambda self: 1)
        pulumi.getter(name="x")(wrapped)
    assert caught == [] and wrapped.__dict__["_pulumi_deprecated_callable"] is not None


def test_the_sdk_modules_a_plan_reads_most_still_qualify():
    # pulumigen's layout is what makes a module qualify; a generator that changes it would quietly undo the
    # saving (not the plans: those are compared in test_sdk_loader.py). meta/v1 is the smallest of them.
    folder = Path(pulumi_kubernetes.__file__).parent / "meta" / "v1"
    assert "ObjectMetaArgs" in (sdk_classes.lazy_exports(folder / "_inputs.py") or [])
    assert importlib.util.find_spec("pulumi_kubernetes.meta.v1._inputs") is not None
