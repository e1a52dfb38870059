"""offline/sdk_loader.py: the provider SDKs loaded with postponed annotations and members on first use.

Each test builds a small package in a temporary folder and loads it with the finder; the plan
command's files are compared with the tests' own, which load the SDKs as Pulumi does, in
tests/test_plan.py.
"""

import importlib
import importlib.util
import json
import re
import sys
import uuid
from pathlib import Path

import pytest

from offline import plan as offline_plan
from offline import sdk_loader
from offline.harness import PROJECT_DIR
from tests.conftest import recording_of
from tests.stackfacts import PINNED_DEV
from tests.tools.offline.test_plan import plan_here
from tests.worker_plans import IN_WORKERS, every_stack_file, label


def write_package(root: Path, files: dict[str, str]) -> str:
    name = f"fake_sdk_{uuid.uuid4().hex[:8]}"
    folder = root / name
    folder.mkdir()
    for file, text in files.items():
        (folder / file).write_text(text)
    return name


SDK = {
    "__init__.py": "import typing\nfrom ._types import *\nfrom .widget import *\nfrom .gadget import *\n",
    "_types.py": "__all__ = ['Size']\nSize = int\n",
    "widget.py": (
        "__all__ = ['Widget']\nclass Widget:\n    size: NotDefinedAnywhere\n    def grow(self, by: AlsoNotDefined) -> None: ...\n"
    ),
    "gadget.py": "__all__ = ['Gadget', 'GADGET_KIND']\nclass Gadget: ...\nGADGET_KIND = 'gadget'\n",
}


@pytest.fixture
def load(tmp_path, monkeypatch):
    """Imports a package from tmp_path, through the finder (kept installed for the test) when `through_finder`."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    imported: list[str] = []

    def _load(name: str, *, through_finder: bool = True):
        imported.append(name)
        if through_finder:
            sys.meta_path.insert(0, sdk_loader.SdkFinder(packages=(name,)))
        importlib.invalidate_caches()
        return importlib.import_module(name)

    yield _load
    for name in list(sys.modules):
        if name.partition(".")[0] in imported:
            del sys.modules[name]


def test_annotations_stay_strings_until_asked_for(tmp_path, load):
    package = load(write_package(tmp_path, SDK))
    assert package.Widget.__annotations__ == {"size": "NotDefinedAnywhere"}
    assert package.Widget.grow.__annotations__ == {"by": "AlsoNotDefined", "return": "None"}
    # Python's own loader evaluates them as it creates the class.
    with pytest.raises(NameError, match="NotDefinedAnywhere"):
        load(write_package(tmp_path, SDK), through_finder=False)


def test_a_package_loads_its_public_modules_when_one_of_their_names_is_first_read(tmp_path, load):
    name = write_package(tmp_path, SDK)
    package = load(name)
    assert f"{name}._types" in sys.modules  # modules named _… are loaded as before
    assert package.Size is int
    assert f"{name}.widget" not in sys.modules and f"{name}.gadget" not in sys.modules
    assert package.GADGET_KIND == "gadget"
    assert f"{name}.gadget" in sys.modules and f"{name}.widget" not in sys.modules
    assert package.Gadget is sys.modules[f"{name}.gadget"].Gadget
    with pytest.raises(AttributeError, match="no attribute 'Gizmo'"):
        package.Gizmo  # noqa: B018


def test_a_module_without_all_is_loaded_on_first_use_of_a_public_name_it_binds(tmp_path, load):
    gadget = (
        "import json\nfrom typing import Any\n"
        "try:\n    import gizmo_lib\nexcept ImportError:\n    FALLBACK = True\n"
        "class Gadget: ...\n_hidden = 1\n"
    )
    name = write_package(tmp_path, {**SDK, "gadget.py": gadget})
    package = load(name)
    assert f"{name}.gadget" not in sys.modules
    assert package.FALLBACK is True and package.json.__name__ == "json"  # what `import *` binds, bound now
    assert f"{name}.gadget" in sys.modules
    with pytest.raises(AttributeError):
        package._hidden  # noqa: B018 - `import *` leaves out names beginning with _


@pytest.mark.parametrize(
    "change",
    [
        {"gadget.py": "__all__ = ['Gadget', 'Widget']\nclass Gadget: ...\nclass Widget: ...\n"},  # two modules, one name
        {"__init__.py": SDK["__init__.py"] + "Gadget = None\n"},  # a statement rebinding a name
        {"gadget.py": "__all__ = ['Gad' + 'get']\nclass Gadget: ...\n"},  # no literal __all__
        {"gadget.py": "class Gadget: ...\nglobals()['Widget'] = Gadget\n"},  # names bound as it runs
        {"gadget.py": "class Gadget: ...\nfor Widget in [Gadget]: pass\n"},  # a binding not followed
    ],
    ids=["exported-twice", "rebound", "computed-all", "globals", "for-loop"],
)
def test_a_package_where_laziness_could_change_a_name_keeps_its_imports(tmp_path, load, change):
    name = write_package(tmp_path, {**SDK, "widget.py": "__all__ = ['Widget']\nclass Widget: ...\n", **change})
    package = load(name)
    assert f"{name}.widget" in sys.modules and f"{name}.gadget" in sys.modules
    eager = load(
        write_package(tmp_path, {**SDK, "widget.py": "__all__ = ['Widget']\nclass Widget: ...\n", **change}), through_finder=False
    )
    for member in ("Widget", "Gadget"):
        assert origin(getattr(package, member)) == origin(getattr(eager, member))


def origin(value) -> str:
    """Which module of its package a class came from, or what else a name is bound to."""
    return value.__module__.rpartition(".")[2] if isinstance(value, type) else repr(value)


def test_the_compiled_code_is_kept_and_compiled_again_when_the_source_changes(tmp_path, load):
    name = write_package(tmp_path, {"__init__.py": "VALUE = 1\n"})
    source = tmp_path / name / "__init__.py"
    cache = Path(importlib.util.cache_from_source(str(source), optimization=sdk_loader.CACHE_TAG))
    assert load(name).VALUE == 1
    assert cache.read_bytes()[:4] == importlib.util.MAGIC_NUMBER
    assert cache.name.endswith(f".opt-{sdk_loader.CACHE_TAG}.pyc")  # never read by Python's own loaders
    assert not Path(importlib.util.cache_from_source(str(source))).exists()

    del sys.modules[name]
    source.write_text("VALUE = 22\n")
    assert load(name).VALUE == 22

    del sys.modules[name]
    cache.write_bytes(cache.read_bytes()[:20])  # damaged
    assert load(name).VALUE == 22


def test_install_refuses_to_come_after_the_sdks(monkeypatch):
    monkeypatch.setattr(sys, "meta_path", [f for f in sys.meta_path if not isinstance(f, sdk_loader.SdkFinder)])
    import pulumi_aws  # noqa: F401, PLC0415 - the test process loads the SDKs as Pulumi does

    with pytest.raises(RuntimeError, match="before the SDKs are imported"):
        sdk_loader.install()


def test_the_plan_command_loads_the_real_sdks_through_it(plan_alone):
    # The command ends with the exit handlers (offline/__main__.py): one reports what was loaded
    # (tests/conftest.py, PLAN_ALONE; the process test_plan.py and test_worker.py compare files with).
    planned = plan_alone("dev", PROJECT_DIR, PINNED_DEV)
    assert planned.status == 0, planned.stderr
    loaded = planned.loaded
    assert loaded["ec2_loader"] == "SdkLoader"
    assert isinstance(loaded["subnet_vpc_id_annotation"], str)
    # The network's resources and what they need, not the 180-odd modules of pulumi_aws.ec2.
    ec2_modules = [name for name in loaded["modules"] if name.startswith("pulumi_aws.ec2.")]
    assert "pulumi_aws.ec2.subnet" in ec2_modules and len(ec2_modules) < 40


# Every committed platform stack file and fixture, as tests/worker_plans.py names them.
STACK_FILES = [job for job in every_stack_file() if job[1] == PROJECT_DIR]
# Those planned through the loader in the workers and in this process too, for what each declares that
# no other does (below, `declared`): dev's pinned values (test_plan.py's dev_plan(), built here anyway),
# payments-dev (TLS: the certificate, the DNS records, the web ACL), shared-dev (servesTenants: the
# admission policy), string-values (the alarm e-mail subscription), tls (the web ACL in the controller's
# values). Every other stack file's program declares nothing they do not: the SDK names and modules its
# plan reads, theirs read, so its plan through the loader is theirs in kind (its recording in this
# process, the session's, says what it declares; its plan in a worker, test_worker.py).
COMPARED_HERE = ["fixture-dev", "payments-dev", "shared-dev", "fixture-string-values", "fixture-tls"]
PROPERTY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def declared(plan: dict) -> set[tuple[str, str]]:
    """What a plan asks of the SDKs: an SDK module loads when the program first reads one of its names,
    a resource's class, the type of an argument, or an invoke (made by a component, whose type is in the
    plan). So: each resource type, and each input property of it by its path (lists as `[]`). A key
    that is not a property name (a tag key, a label, a stack's own name in one) is data: not followed."""

    def paths(value: object, prefix: str) -> set[str]:
        if isinstance(value, list):
            return {path for item in value for path in paths(item, f"{prefix}[]")}
        if not isinstance(value, dict):
            return set()
        named = {f"{prefix}.{key}".lstrip("."): item for key, item in value.items() if PROPERTY_NAME.match(key)}
        return set(named) | {inner for path, item in named.items() for inner in paths(item, path)}

    return {(resource["type"], path) for resource in plan["resources"] for path in {"", *paths(resource["inputs"], "")}}


@pytest.fixture(scope="module")
def declared_by_compared(worker_plans) -> set[tuple[str, str]]:
    return set().union(*(declared(json.loads(worker_plans[name][2]["plan.json"])) for name in COMPARED_HERE))


def test_the_stack_files_are_many():
    assert len(STACK_FILES) >= 8
    assert set(COMPARED_HERE) <= set(map(label, STACK_FILES)) & IN_WORKERS


@pytest.mark.parametrize(("stack", "project_dir", "stack_file"), STACK_FILES, ids=[label(job) for job in STACK_FILES])
def test_every_stack_file_plans_the_same_with_the_sdks_loaded_through_it(
    worker_plans, declared_by_compared, stack, project_dir, stack_file
):
    # The plan command, which loads the SDKs through the loader (above), in offline/worker.py (whose
    # plans are a process of its own's, byte for byte: test_worker.py), against this process, which
    # loads them as Pulumi's language host does. Each stack file declares its own mix of resources, so
    # each reads its own set of the SDKs' lazily loaded modules: those of COMPARED_HERE are compared
    # whole, and every other's reads none they do not.
    job = label((stack, project_dir, stack_file))
    if job in COMPARED_HERE:
        status, message, written = worker_plans[job]
        assert status in (0, 1), message
        through_loader = json.loads(written["plan.json"])
        assert through_loader == plan_here(stack, stack_file), f"{stack_file or stack} plans differently through the loader"
        return
    recording = recording_of(stack, stack_file or project_dir / f"Pulumi.{stack}.yaml")
    new = sorted(declared(offline_plan.from_recording(recording)) - declared_by_compared)
    assert not new, f"{stack_file or stack} declares what no stack file of COMPARED_HERE does ({new[:3]}): add it there"
