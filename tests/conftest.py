"""Shared fixtures: each stack file is run once under the recording harness per test session."""

import pytest

from offline.harness import Recording, record


@pytest.fixture(scope="session")
def dev() -> Recording:
    recording = record("dev")
    if recording.error:
        raise recording.error
    return recording
