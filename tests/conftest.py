"""Shared fixtures: each stack file is run once under the recording harness per test session."""

from pathlib import Path

import pytest

from offline.harness import Recording, record


@pytest.fixture(scope="session")
def dev() -> Recording:
    recording = record("dev")
    if recording.error:
        raise recording.error
    return recording


@pytest.fixture(scope="session")
def existing_vpc() -> Recording:
    recording = record("existing-vpc", stack_file=Path(__file__).parent / "data" / "stacks" / "Pulumi.existing-vpc.yaml")
    if recording.error:
        raise recording.error
    return recording
