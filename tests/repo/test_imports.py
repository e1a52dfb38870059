"""Every import stands at the top of its module, but one: the offline command line's lazy load of
what needs the Pulumi SDK (`load_commands` in tools/offline/__main__.py), so that `--help`, a plan
the plan cache keeps, `cache prune` and a diff never import the SDK core."""

import json
import os
import subprocess
import sys

from offline import plan_document
from tests.recordings import planned
from tests.repo import import_graph
from tests.repo.import_graph import ROOT
from tests.stackfacts import PINNED_DEV

# (file, function, module): the one import inside a function.
LAZY_SDK_LOAD = ("tools/offline/__main__.py", "load_commands", "offline.commands")


def test_every_import_but_the_lazy_sdk_load_stands_at_the_top_of_its_module():
    nested = {
        (found.path, found.scope, found.imported): found
        for found in import_graph.imports(import_graph.source_files())
        if found.scope is not None
    }
    assert LAZY_SDK_LOAD in nested, "the lazy SDK load is gone: update LAZY_SDK_LOAD and this module's docstring"
    unexpected = [
        f"{found.path}:{found.line} ({found.scope}): {found.imported}" for key, found in nested.items() if key != LAZY_SDK_LOAD
    ]
    assert not unexpected, "imports inside a function or block; move them to the top of their module:\n" + "\n".join(unexpected)


# What a command that plans nothing must not load: the SDK core, the policy pack's SDK, and the modules
# of the command line that need them.
SDK_MODULES = ("pulumi", "pulumi_policy", "offline.commands", "offline.plan", "offline.harness")


def loaded_by(argv: list[str], tmp_path, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, list[str]]:
    """`python -m offline *argv` in a process of its own, and which of `SDK_MODULES` it had loaded when it
    ended (as every command ends: its exit handlers run)."""
    report = tmp_path / "loaded.json"
    probe = (
        "import atexit, json, runpy, sys\n"
        f"names = {SDK_MODULES!r}\n"
        f"atexit.register(lambda: json.dump([n for n in names if n in sys.modules], open({str(report)!r}, 'w')))\n"
        f"sys.argv = ['offline', *{argv!r}]\n"
        "runpy.run_module('offline', run_name='__main__', alter_sys=True)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    return done, json.loads(report.read_text())


def test_the_command_line_loads_no_sdk_until_a_command_needs_it(tmp_path):
    # `cache prune` goes through everything the command line imports.
    env = dict(os.environ, OFFLINE_PLAN_CACHE=str(tmp_path / "plans"))
    done, loaded = loaded_by(["cache", "prune", "--unused-since", "0"], tmp_path, env)
    assert done.returncode == 0, done.stderr
    assert "0 unused entries removed" in done.stderr
    assert loaded == []


def test_a_diff_of_two_plans_loads_no_sdk(tmp_path):
    # A diff reads plan documents; the plans of revisions are made by workers, in processes of their own
    # (the import contract "The diff loads no Pulumi SDK" in pyproject.toml holds for all of its modules).
    plan = tmp_path / "plan.json"
    plan.write_text(plan_document.dumps(planned("dev", stack_file=PINNED_DEV)))
    done, loaded = loaded_by(["diff", str(plan), str(plan)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "No changes to stacks <code>dev</code>" in done.stdout
    assert loaded == []
