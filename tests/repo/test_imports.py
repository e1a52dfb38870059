"""Every import stands at the top of its module, but one: the offline command line's lazy load of
what needs the Pulumi SDK (`load_commands` in tools/offline/__main__.py), so that `--help`, a plan
the plan cache keeps and `cache prune` never import the SDK core."""

import json
import os
import subprocess
import sys

from tests.repo import import_graph
from tests.repo.import_graph import ROOT

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


def test_the_command_line_loads_no_sdk_until_a_command_needs_it(tmp_path):
    # `cache prune` goes through everything the command line imports and ends as every command does
    # (its exit handlers run): one reports which of the SDK's modules and the commands' were loaded.
    report = tmp_path / "loaded.json"
    probe = (
        "import atexit, json, runpy, sys\n"
        "names = ('pulumi', 'pulumi_policy', 'offline.commands', 'offline.plan')\n"
        f"atexit.register(lambda: json.dump([n for n in names if n in sys.modules], open({str(report)!r}, 'w')))\n"
        "sys.argv = ['offline', 'cache', 'prune', '--unused-since', '0']\n"
        "runpy.run_module('offline', run_name='__main__', alter_sys=True)\n"
    )
    env = dict(os.environ, OFFLINE_PLAN_CACHE=str(tmp_path / "plans"))
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "0 unused entries removed" in done.stderr
    assert json.loads(report.read_text()) == []
