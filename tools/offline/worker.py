"""Many plans of one checkout in one process: `python -m offline.worker`, for `python -m offline diff`.

A plan in a process of its own spends most of its time loading the SDKs (docs/contributing.md,
"Plan speed"); a pull request that changes shared code plans every stack file twice. So the diff
starts one worker per revision, in that revision's checkout (`projects.plan_process`: its
program, library and tools), and the worker:

1. loads the SDK loader and the plan command, as `python -m offline` does, and reads the
   projects' Pulumi.yaml into the library's cache;
2. forks a child per plan: the child runs `python -m offline plan ...` (`offline.__main__.main`
   with the job's arguments: the same code, the same files), with its standard output discarded
   and its standard error in the job's file, and exits with the command's exit code (a single
   plan runs in the worker itself, as in a process of its own);
3. after the first child, loads what that child loaded (the SDK modules and names the program
   uses, the revision's library and policy pack, and the SDK's resolved annotations of the types
   it used: `shareable_state`, `preload`), so that every later child finds them loaded: a plan
   after the first costs the program's run and the plan's files, about a fifth of a plan alone.

The worker's plans never use the plan cache (offline/plan_cache.py: it sets OFFLINE_PLAN_CACHE=off for
its children): the diff that starts it looks up the plans it keeps before asking for them, and keeps
what it gets.

Isolation between plans is the process's: every child starts from the worker's state, in which
modules are loaded but no program has run, no config or mocks are set, and nothing any plan did
is left. One plan never sees another's state. The tests compare every committed platform and
tenant stack file's and each fixture's files with those of a process of its own, byte for byte,
and plan two stacks in both orders.

Input on standard input, JSON: {"protocol": 1, "parallel": N, "jobs": [{"argv": [...], "stderr": path}],
"referenced": [{"project_dir": path, "stack": name, "plan": path}]}: "referenced" (optional) the plan.json
files the diff made already of stacks the plans may read through a StackReference (a tenant's platform).
Output on standard output, one JSON line per finished job: {"job": index, "status": exit code, "cpu": seconds, "maxrss_kib": KiB}.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import importlib
import json
import os
import resource
import shutil
import sys
import tempfile
import traceback
import types
import weakref
from pathlib import Path
from typing import Any

from pulumi import _types

from eksfargate.stack_files import read_project
from offline import __main__ as offline_command
from offline import sdk_loader
from offline.harness import SHARED_REFERENCED_PLANS, keep_referenced_plan
from offline.plan_cache import CACHE_ENV, OFF

PROTOCOL = 1


def shareable_state(resolved: list[type]) -> dict[str, Any]:
    """What this process loaded, for a worker to load before forking: its modules but `__main__`
    (the SDKs, the checkout's library and policy pack, the tools), the lazily loaded SDK names it
    read by package (offline/sdk_loader.py), and the SDK types whose property annotations it
    resolved (`resolved`; the SDK caches what it resolves by class)."""
    modules, members = [], {}
    for name, module in list(sys.modules.items()):
        if name in ("__main__", "__mp_main__") or module is None:
            continue
        modules.append(name)
        namespace = getattr(module, "__dict__", {})
        lazy = namespace.get("_LAZY_MEMBERS")
        if isinstance(lazy, dict):
            read = [key for key in lazy if key in namespace and not isinstance(namespace[key], types.ModuleType)]
            if read:
                members[name] = read
    classes = list(dict.fromkeys((cls.__module__, cls.__qualname__) for cls in resolved))
    return {"modules": modules, "members": members, "types": classes}


def _recording_resolved() -> list[type]:
    """Records which classes the SDK resolves property annotations of (`pulumi._types._raw_return_hints`,
    a cache by class that its callers read by name) in this process, without changing what it returns."""
    resolved: list[type] = []
    cached = _types._raw_return_hints

    def recording(cls: type) -> dict[str, Any]:
        resolved.append(cls)
        return cached(cls)

    _types._raw_return_hints = recording  # type: ignore[assignment]
    return resolved


def _plan(argv: list[str], stderr: str, modules: str | None) -> int:
    """The plan command (`offline.__main__.main`), its standard output discarded and its standard
    error in the file `stderr`; its exit code. With `modules`, also writes there what it loaded."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    err = os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(err, 2)
    resolved = _recording_resolved() if modules else []
    try:
        status = offline_command.main(argv)
    except SystemExit as exc:  # argparse
        status = exc.code if isinstance(exc.code, int) else 1
    except BrokenPipeError:
        status = 0
    except BaseException:  # noqa: BLE001 - reported as `python -m offline` would, exit code 1
        traceback.print_exc()
        status = 1
    if modules:
        Path(modules).write_text(json.dumps(shareable_state(resolved)))
    return status


def _child(argv: list[str], stderr: str, modules: str | None) -> None:
    """In the forked child: the plan command, then exit with its code (never returns)."""
    status = 1
    try:
        # The worker's own clean-ups (`weakref.finalize`, e.g. a temporary folder) stay the worker's:
        # the child runs only the exit handlers a process of its own would.
        for finalizer in list(weakref.finalize._registry):  # type: ignore[attr-defined]
            finalizer.atexit = False
        status = _plan(argv, stderr, modules)
    except BaseException:  # noqa: BLE001 - the child must never return into the worker's loop
        with contextlib.suppress(BaseException):
            traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
            atexit._run_exitfuncs()  # noqa: SLF001 - as `python -m offline` ends
        os._exit(status)


def preload(state: dict[str, Any]) -> None:
    """Loads what a child loaded (`shareable_state`): its modules in its order (packages before their
    modules; one that fails is left out), then the SDK names it read, each through its package's own
    lazy loader, as the child read them (importing a module directly binds the package's attribute of
    that name to the module, where reading a member of the same name binds it to the member), then
    the annotations of the SDK types it resolved, into the SDK's cache (a pure function of the class:
    one that fails is not cached, and the child resolves it again, as a process of its own would)."""
    for name in state["modules"]:
        package, _, leaf = name.rpartition(".")
        # A module whose name the child read as a member of its package (pulumi_kubernetes'
        # apiextensions.CustomResource, a class in a module of that name) is loaded by reading the
        # member below: importing it first would bind the package's attribute to the module.
        if name not in sys.modules and leaf not in state["members"].get(package, ()):
            with contextlib.suppress(Exception):
                importlib.import_module(name)
    for package, names in state["members"].items():
        load = getattr(sys.modules.get(package), "__dict__", {}).get("__getattr__")
        if load is None:
            continue
        for name in names:
            with contextlib.suppress(Exception):
                load(name)
    for module, qualname in state["types"]:
        with contextlib.suppress(Exception):
            cls = functools.reduce(getattr, qualname.split("."), sys.modules[module])
            _types._types_from_py_properties(cls)


def read_projects(jobs: list[dict[str, Any]]) -> None:
    """Reads the Pulumi.yaml of each job's project (and of the folder above: a tenant's platform) into
    the library's cache (`eksfargate.stack_files.read_project`, by path and content:
    a child whose file changed since parses it again), as every plan reads it."""
    folders = {Path.cwd()}
    for job in jobs:
        argv = job["argv"]
        if "--project-dir" in argv[:-1]:
            folders.add(Path(argv[argv.index("--project-dir") + 1]))
    for folder in sorted(folders | {folder.parent for folder in folders}):
        with contextlib.suppress(Exception):
            read_project(folder)


def run(jobs: list[dict[str, Any]], parallel: int, report: Any, referenced: list[dict[str, Any]] | None = None) -> None:
    """Plans every job in a forked child, at most `parallel` at once; `report(index, status, rusage)` as each ends.
    `referenced`: plans the jobs' StackReferences read, made already (harness.keep_referenced_plan)."""
    pending = list(enumerate(jobs))
    running: dict[int, int] = {}  # pid -> job index
    tmp = tempfile.mkdtemp(prefix="offline-worker-")
    # The referenced plans a tenant stack reads (harness.referenced_plan): made once for all the children,
    # and for the other workers and plans of a caller that shares a folder of them already (each plan is
    # filed by its project folder and stack, so workers of other revisions never read each other's).
    outer = os.environ.get(SHARED_REFERENCED_PLANS)
    shared = Path(outer) if outer and Path(outer).is_dir() else Path(tmp) / "referenced-plans"
    shared.mkdir(exist_ok=True)
    os.environ[SHARED_REFERENCED_PLANS] = str(shared)
    for given in referenced or []:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):  # not given: planned as before
            keep_referenced_plan(Path(given["project_dir"]), given["stack"], Path(given["plan"]).read_text())
    try:
        if len(jobs) == 1:
            # One plan: in this process, as `python -m offline plan` would (forking would only add the
            # copying of the pages the child writes, about 0.05 s).
            report(0, _plan(jobs[0]["argv"], jobs[0]["stderr"], None), resource.getrusage(resource.RUSAGE_SELF))
            pending = []
        if pending:
            # The first child runs alone and tells which modules it loaded: later children find them loaded.
            index, job = pending.pop(0)
            learned = Path(tmp) / "modules.json" if pending else None
            pid = _fork(job, learned)
            _, status, usage = os.wait4(pid, 0)
            report(index, os.waitstatus_to_exitcode(status), usage)
            if learned is not None:
                with contextlib.suppress(OSError, ValueError):
                    preload(json.loads(learned.read_text()))
        while pending or running:
            while pending and len(running) < parallel:
                index, job = pending.pop(0)
                running[_fork(job, None)] = index
            pid, status, usage = os.wait3(0)
            report(running.pop(pid), os.waitstatus_to_exitcode(status), usage)
    finally:
        if outer is None:
            os.environ.pop(SHARED_REFERENCED_PLANS, None)
        else:
            os.environ[SHARED_REFERENCED_PLANS] = outer
        shutil.rmtree(tmp, ignore_errors=True)


def _fork(job: dict[str, Any], learned: Path | None) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        _child(job["argv"], job["stderr"], str(learned) if learned else None)
    return pid


def main() -> int:
    request = json.load(sys.stdin)
    if request.get("protocol") != PROTOCOL:
        print(f"error: offline.worker speaks protocol {PROTOCOL}, not {request.get('protocol')}", file=sys.stderr)
        return 2
    offline_command.load_commands()  # the SDK core, the harness and the plan's modules, loaded once for every child
    read_projects(request["jobs"])
    os.environ[CACHE_ENV] = OFF  # for the children and the referenced plans they make: the diff keeps plans
    reports = os.fdopen(os.dup(1), "w")  # standard output as it is now: a plan run here discards its own

    def report(index: int, status: int, usage: Any) -> None:
        cpu = round(usage.ru_utime + usage.ru_stime, 3)
        reports.write(json.dumps({"job": index, "status": status, "cpu": cpu, "maxrss_kib": usage.ru_maxrss}) + "\n")
        reports.flush()

    run(request["jobs"], max(1, int(request.get("parallel", 1))), report, request.get("referenced"))
    return 0


if __name__ == "__main__":
    sdk_loader.install()  # before anything imports the SDKs, as `python -m offline` does
    gc.disable()  # as `python -m offline` does; every child inherits it
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()  # noqa: SLF001 - as `python -m offline` ends (a plan may have run here)
    os._exit(code)
