"""Shared fixtures: each stack file is run once under the recording harness per test session.

- `stack`: every committed stack file (Pulumi.*.yaml beside Pulumi.yaml) and a rewritten copy
  of each with other valid values (tests/rewrite.py). Tests over it assert what must hold for
  every valid configuration: they compare with the recording's own config, never with a value.
- `dev`: dev's values pinned in tests/data/stacks/Pulumi.dev.yaml, for tests that need fixed
  values (5 replicas, 3 zones, the dollar figures), so that editing Pulumi.dev.yaml never
  breaks them. `existing_vpc`: tests/data/stacks/Pulumi.existing-vpc.yaml. `logging_off`:
  tests/data/stacks/Pulumi.logging-off.yaml.
- `plan_alone`: a stack planned by the plan command in a process of its own, once per test session
  whichever test worker asks first (tests/tools/offline/test_worker.py compares the worker's plans
  with it for a representative set of stack files; test_plan.py and test_sdk_loader.py read dev's
  pinned values' plan and what its process loaded).
- `worker_plans`: a representative set of stack files planned by offline/worker.py, once per test session
  (tests/worker_plans.py `IN_WORKERS`): test_worker.py compares them with `plan_alone`'s, test_sdk_loader.py
  with this process's plans, and tests/tools/security/test_stack_fixtures.py reads its fixtures' manifests from them.
- `shared_dir`, `shared`: a folder every test worker of the session sees, and a folder in it made once.
"""

import fcntl
import functools
import gc
import hashlib
import json
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import kubernetes_validate.utils
import pytest

from offline.harness import PROJECT_DIR, SHARED_REFERENCED_PLANS, Recording, record
from offline.plan_cache import CACHE_ENV, OFF
from offline.projects import plan_process
from tests.rewrite import rewritten_stack_file
from tests.stackfacts import PINNED_DEV, STACKS_DIR
from tests.worker_plans import plan_in_workers, planned

COMMITTED = sorted(PROJECT_DIR.glob("Pulumi.*.yaml"))
STACK_IDS = [f"{path.stem.removeprefix('Pulumi.')}" for path in COMMITTED]
STACK_IDS += [f"{stack}-rewritten" for stack in STACK_IDS]

# The suite plans from scratch, in this process and every one it starts: the plan cache
# (tools/offline/plan_cache.py) is off unless a test names a folder (tests/tools/offline/test_plan_cache.py).
os.environ[CACHE_ENV] = OFF

_recordings: dict[tuple[str, Path], Recording] = {}


@pytest.hookimpl(wrapper=True)
def pytest_collection(session):
    """The test modules are imported with the cyclic garbage collector off, and what they made is set
    aside from it (as after each test, below): importing the SDKs builds thousands of classes, and the
    collector's passes over them were nearly half of a test worker's collection time."""
    gc.disable()
    try:
        return (yield)
    finally:
        gc.freeze()
        gc.enable()


def pytest_runtest_logfinish(nodeid, location) -> None:
    """What is alive after a test is set aside from the cyclic garbage collector for the session.

    A test worker keeps what its session fixtures and caches made (recordings, plans, the SDKs'
    classes, the schemas) to its end, and each of the collector's full passes walked all of it again:
    a fifth of the CPU of the recording tests. The test's own young garbage is collected first; cycles
    among what is set aside are never collected (about 100 MB more per worker at the end).
    """
    gc.collect(1)
    gc.freeze()


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config) -> int | None:
    """`--numprocesses=auto` (pyproject.toml): one test worker per core this process may run on, logical
    cores counted (pytest-xdist would count physical ones if psutil were installed). A worker more paid
    for itself while test workers waited on plan processes they started; with each module on one
    worker and fewer of those processes, it costs more CPU than it saves (paired runs on 2 cores: 2
    workers 36.0-36.6 s and 67 s of CPU, 3 workers 37.7-38.8 s and 75 s). PYTEST_XDIST_AUTO_NUM_WORKERS
    still sets the number (pytest-xdist's own reader, next in line)."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    return len(os.sched_getaffinity(0))


# kubernetes-validate reads and parses its schema files (the definitions file is megabytes) on every
# validate() call; the suite validates hundreds of objects, so each file is parsed once per session.
# The schemas are only read, never changed, by the validator.
kubernetes_validate.utils.schema_contents = functools.cache(kubernetes_validate.utils.schema_contents)
# It also lists its schema folders twice a call (all_versions): the same list all session, only read.
kubernetes_validate.utils.all_versions = functools.cache(kubernetes_validate.utils.all_versions)

# Where the test workers of this session share their recordings (`share_recordings`).
_shared_recordings: list[Path] = []


def recording_of(stack: str, stack_file: Path, project_dir: Path = PROJECT_DIR) -> Recording:
    """The stack file's recording, made once per session by whichever test worker asks first, the
    others reading it back (pickled: a Recording is plain data); the program must accept the file.
    Keyed by the project, the stack's name and the file's bytes, which is all a recording of this
    checkout reads that differs between them (a rewritten copy is written in each worker's own
    folder; a tenant's platform stack files are never changed in place)."""
    if (stack, stack_file) not in _recordings:
        if not _shared_recordings:
            _recordings[stack, stack_file] = _record(stack, stack_file, project_dir)
            return _recordings[stack, stack_file]
        named = f"{project_dir.name}\0{stack}\0".encode()
        key = hashlib.sha256(named + stack_file.read_bytes()).hexdigest()[:16]

        def make(folder: Path) -> None:
            (folder / "recording.pickle").write_bytes(pickle.dumps(_record(stack, stack_file, project_dir)))

        folder = once(_shared_recordings[0] / f"{stack}-{key}", make)
        _recordings[stack, stack_file] = pickle.loads((folder / "recording.pickle").read_bytes())
    return _recordings[stack, stack_file]


def _record(stack: str, stack_file: Path, project_dir: Path) -> Recording:
    recording = record(stack, project_dir=project_dir, stack_file=stack_file)
    if recording.error:
        raise recording.error
    return recording


@pytest.fixture(scope="session", autouse=True)
def share_referenced_plans(shared_dir):
    """A tenant's platform plan (offline/harness.py `referenced_plan`, a plan command of its own) made
    once per session for this process and the plan commands it starts, as offline/worker.py shares it
    between its children: keyed by the platform's folder and stack, which no test changes in place
    (tests that change a stack file change a copy in a folder of their own)."""
    folder = shared_dir / "referenced-plans"
    folder.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SHARED_REFERENCED_PLANS, str(folder))
        yield


@pytest.fixture(scope="session", autouse=True)
def share_recordings(shared_dir):
    """`recording_of` shares its recordings between the test workers of the session."""
    _shared_recordings.append(shared_dir / "recordings")
    yield
    _shared_recordings.clear()


@pytest.fixture(scope="session", params=STACK_IDS)
def stack(request, tmp_path_factory) -> Recording:
    name: str = request.param
    original = name.removesuffix("-rewritten")
    path = PROJECT_DIR / f"Pulumi.{original}.yaml"
    if name != original:
        path = rewritten_stack_file(path, tmp_path_factory.mktemp("rewritten") / f"Pulumi.{name}.yaml")
    return recording_of(name, path)


@pytest.fixture(scope="session")
def committed() -> dict[str, Recording]:
    """Every committed stack file's recording, by stack name."""
    return {
        stack: recording_of(stack, PROJECT_DIR / f"Pulumi.{stack}.yaml")
        for stack in STACK_IDS
        if not stack.endswith("-rewritten")
    }


@pytest.fixture(scope="session")
def dev() -> Recording:
    return recording_of("dev", PINNED_DEV)


@pytest.fixture(scope="session")
def existing_vpc() -> Recording:
    return recording_of("existing-vpc", STACKS_DIR / "Pulumi.existing-vpc.yaml")


@pytest.fixture(scope="session")
def logging_off() -> Recording:
    """dev's pinned values with fargateLogging false."""
    return recording_of("logging-off", STACKS_DIR / "Pulumi.logging-off.yaml")


# ---------------------------------------------------------------- shared by the test workers


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory, worker_id) -> Path:
    """A folder of this test session that every test worker sees (pytest-xdist runs tests in several
    processes, each with a temporary folder of its own inside the session's)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base if worker_id == "master" else base.parent) / "shared"
    folder.mkdir(exist_ok=True)
    return folder


def once(folder: Path, make: Callable[[Path], None]) -> Path:
    """`make(folder)` once per test session: the first test worker to ask makes it, the others wait
    for it (a lock beside the folder) and find it made. A `make` that raises leaves it to be made again."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.with_name(f"{folder.name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = folder / ".made"
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def shared(shared_dir) -> Callable[[str, Callable[[Path], None]], Path]:
    """shared(name, make): the folder `name` in `shared_dir`, made by `make(folder)` once per test session."""
    return lambda name, make: once(shared_dir / name, make)


class PlannedAlone(NamedTuple):
    status: int  # the plan command's exit code
    stderr: str
    out: Path  # the folder it wrote its files in (--out)
    loaded: dict  # what the process had loaded as it ended (`PLAN_ALONE`)


# The plan command as `python -m offline` runs it (runpy, as -m does), with an exit handler of its own,
# run after the command's: it writes down what the process loaded, its modules and how pulumi_aws.ec2
# came (tests/tools/offline/test_sdk_loader.py). argv: the report's path, then the command's arguments.
PLAN_ALONE = """\
import atexit, json, runpy, sys
report, sys.argv = sys.argv[1], ["offline", *sys.argv[2:]]
def loaded():
    state = {"modules": sorted(sys.modules)}
    ec2 = sys.modules.get("pulumi_aws.ec2")
    if ec2 is not None:
        state["ec2_loader"] = type(ec2.__spec__.loader).__name__
        state["subnet_vpc_id_annotation"] = ec2.SubnetArgs.__init__.__annotations__["vpc_id"]
    with open(report, "w") as out:
        json.dump(state, out)
atexit.register(loaded)
runpy.run_module("offline", run_name="__main__", alter_sys=True)
"""
# Another hash seed than this process's and the workers' (random): a plan alone shows that none of its
# files depends on one (tests/tools/offline/test_plan.py compares dev's with this process's).
PLAN_ALONE_HASH_SEED = "12345"


@pytest.fixture(scope="session")
def plan_alone(shared_dir) -> Callable[..., PlannedAlone]:
    """plan_alone(stack, project_dir=PROJECT_DIR, stack_file=None): the stack planned by the plan command
    (`PLAN_ALONE`, `plan --quiet --no-cache`: a real plan, not the plan cache's) in a process of its own,
    with this checkout's program, library and tools, once per test session."""

    @functools.cache
    def plan(stack: str, project_dir: Path = PROJECT_DIR, stack_file: Path | None = None) -> PlannedAlone:
        key = hashlib.sha256(repr((stack, str(project_dir), str(stack_file))).encode()).hexdigest()[:12]

        def make(folder: Path) -> None:
            command = [sys.executable, "-c", PLAN_ALONE, str(folder / "loaded.json")]
            command += ["plan", "--stack", stack, "--project-dir", str(project_dir)]
            command += ["--out", str(folder / "out"), "--quiet", "--no-cache"]
            command += ["--stack-file", str(stack_file)] if stack_file else []
            process = plan_process(PROJECT_DIR)
            process["env"]["PYTHONHASHSEED"] = PLAN_ALONE_HASH_SEED
            done = subprocess.run(command, **process, capture_output=True, text=True, check=False)
            (folder / "status").write_text(str(done.returncode))
            (folder / "stderr").write_text(done.stderr)

        folder = once(shared_dir / "plan-alone" / f"{project_dir.name}-{stack}-{key}", make)
        status, stderr = int((folder / "status").read_text()), (folder / "stderr").read_text()
        return PlannedAlone(status, stderr, folder / "out", json.loads((folder / "loaded.json").read_text()))

    return plan


@pytest.fixture(scope="session")
def worker_plans_folder(shared) -> Path:
    """Where `worker_plans`'s workers wrote their plans (tests/worker_plans.py `job_out`)."""
    return shared("worker-plans", plan_in_workers)


@pytest.fixture(scope="session")
def worker_plans(worker_plans_folder) -> dict[str, tuple]:
    """{stack: (exit code, last line of standard error, {file: bytes})} for each stack file of
    tests/worker_plans.py's `IN_WORKERS`, planned by two offline/worker.py processes once per test
    session, whichever test worker comes first."""
    return planned(worker_plans_folder)
