"""Shared fixtures: each stack file is run once under the recording harness per test session.

- `stack`: every committed stack file (Pulumi.*.yaml beside Pulumi.yaml) and a rewritten copy
  of each with other valid values (tests/rewrite.py). Tests over it assert what must hold for
  every valid configuration: they compare with the recording's own config, never with a value.
- `dev`: dev's values pinned in tests/data/stacks/Pulumi.dev.yaml, for tests that need fixed
  values (5 replicas, 3 zones, the dollar figures), so that editing Pulumi.dev.yaml never
  breaks them. `existing_vpc`: tests/data/stacks/Pulumi.existing-vpc.yaml. `logging_off`:
  tests/data/stacks/Pulumi.logging-off.yaml.
"""

import functools
import os
from pathlib import Path

import kubernetes_validate.utils
import pytest

from offline.harness import PROJECT_DIR, Recording, record
from offline.plan_cache import CACHE_ENV, OFF
from tests.rewrite import rewritten_stack_file
from tests.stackfacts import PINNED_DEV, STACKS_DIR

COMMITTED = sorted(PROJECT_DIR.glob("Pulumi.*.yaml"))
STACK_IDS = [f"{path.stem.removeprefix('Pulumi.')}" for path in COMMITTED]
STACK_IDS += [f"{stack}-rewritten" for stack in STACK_IDS]

# The suite plans from scratch, in this process and every one it starts: the plan cache
# (tools/offline/plan_cache.py) is off unless a test names a folder (tests/tools/offline/test_plan_cache.py).
os.environ[CACHE_ENV] = OFF

_recordings: dict[tuple[str, Path], Recording] = {}

# kubernetes-validate reads and parses its schema files (the definitions file is megabytes) on every
# validate() call; the suite validates hundreds of objects, so each file is parsed once per session.
# The schemas are only read, never changed, by the validator.
kubernetes_validate.utils.schema_contents = functools.cache(kubernetes_validate.utils.schema_contents)


def recording_of(stack: str, stack_file: Path) -> Recording:
    """The stack file's recording, made once per session; the program must accept the file."""
    if (stack, stack_file) not in _recordings:
        recording = record(stack, stack_file=stack_file)
        if recording.error:
            raise recording.error
        _recordings[stack, stack_file] = recording
    return _recordings[stack, stack_file]


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
