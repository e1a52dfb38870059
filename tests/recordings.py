"""Recordings with overrides, made once per test session: `recorded` (harness.record's) and `planned`
(offline_plan.build's), as conftest's `recording_of` makes those of stack files.

Keyed by everything a run of the program reads from its arguments (offline/harness.py `_run`): the
project folder, the stack's name, the config it is handed (Pulumi.yaml's defaults, the stack file's
values, the overrides), which keys are secure, and whether it previews. Two calls that hand the program
the same run share one recording, whichever file and overrides they came by: an override of a value to
what the stack file has already, another file with the same values. A recording is made by whichever test
worker asks first and read back, pickled, by the other (`recording_of`'s shared folder); one that fails
(a settings error: a few milliseconds) is made again by each caller, never shared.

For tests that patch nothing the program reads (its modules, the environment, the regions' data): a
test that does records with `harness.record` itself. Callers only read a recording, never change it.
"""

import contextlib
import hashlib
import json
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eksfargate.stack_files import read_project, read_stack
from offline import plan as offline_plan
from offline.harness import PROJECT_DIR, Recording, overridden, record, stack_config
from tests import conftest

_made: dict[str, Recording] = {}


def handed(stack: str, overrides: dict[str, Any] | None, project_dir: Path, stack_file: Path | None) -> tuple[dict, dict]:
    """The config `record` hands the program for these arguments, without the overrides and with them;
    raises what `record` raises for a stack file it cannot read."""
    own = stack_config(stack, project_dir, stack_file)
    return own, overridden(own, overrides, read_project(project_dir).name)


def run_key(stack: str, config: dict, project_dir: Path, stack_file: Path | None, preview: bool) -> str:
    """The run of the program with this config, hashed."""
    secure = read_stack(read_project(project_dir), stack_file or project_dir / f"Pulumi.{stack}.yaml").secrets
    document = [str(project_dir), stack, preview, sorted(config.items()), sorted(secure)]
    return hashlib.sha256(json.dumps(document).encode()).hexdigest()[:16]


def recorded(
    stack: str,
    overrides: dict[str, Any] | None = None,
    project_dir: Path = PROJECT_DIR,
    stack_file: Path | None = None,
    preview: bool = False,
) -> Recording:
    """`harness.record(...)` with these arguments, made once per test session: overrides that leave the
    stack file's config as it is give the file's own recording (`recording_of`, the `dev` fixture's for
    dev's pinned values)."""
    own, config = handed(stack, overrides, project_dir, stack_file)
    if config == own and not preview:
        with contextlib.suppress(Exception):  # a run that fails: recording_of raises its error
            return conftest.recording_of(stack, stack_file or project_dir / f"Pulumi.{stack}.yaml", project_dir)
    key = run_key(stack, config, project_dir, stack_file, preview)
    return _once(key, stack, lambda: record(stack, overrides, project_dir, stack_file, preview))


def planned(
    stack: str, project_dir: Path = PROJECT_DIR, stack_file: Path | None = None, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`offline_plan.build(...)` with these arguments (a new plan each call: callers may change it), from
    a recording made once per test session; a stack file or setting the plan refuses raises its PlanError."""
    try:
        key = run_key(stack, handed(stack, overrides, project_dir, stack_file)[1], project_dir, stack_file, preview=True)
    except (FileNotFoundError, ValueError):  # as build reports them
        return offline_plan.build(stack, project_dir, stack_file, overrides)
    recording = _once(key, stack, lambda: offline_plan.record_stack(stack, project_dir, stack_file, overrides))
    return offline_plan.from_recording(recording)


def _once(key: str, stack: str, make: Callable[[], Recording]) -> Recording:
    if key in _made:
        return _made[key]
    if not conftest._shared_recordings:  # outside a test session's fixtures
        made = make()
    else:
        made_here: list[Recording] = []

        def share(folder: Path) -> None:
            made_here.append(make())
            if made_here[0].error is None:
                (folder / "recording.pickle").write_bytes(pickle.dumps(made_here[0]))

        folder = conftest.once(conftest._shared_recordings[0] / "by-run" / f"{stack}-{key}", share)
        pickled = folder / "recording.pickle"
        made = made_here[0] if made_here else pickle.loads(pickled.read_bytes()) if pickled.exists() else make()
    if made.error is None:
        _made[key] = made
    return made
