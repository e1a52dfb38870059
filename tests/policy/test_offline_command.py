"""`python -m offline.policy_check`: the pack over one stack recorded offline, and its exit codes."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from offline import policy_check
from offline.harness import Recording
from tests.policy.engine_args import PROFILE


def test_the_offline_command_runs_as_a_module_of_the_tools() -> None:
    """`python -m offline.policy_check` runs the command (tools/offline/policy_check.py) with its exit codes."""
    done = subprocess.run(
        [sys.executable, "-m", "offline.policy_check", "--stack", "no-such-stack"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and "no stack file Pulumi.no-such-stack.yaml" in done.stderr


def test_offline_command_exit_codes(dev: Recording, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(policy_check, "record", lambda *args, **kwargs: dev)
    assert policy_check.main(["--stack", "dev"]) == 0
    out = capsys.readouterr().out
    assert "0 mandatory and 3 advisory violations" in out and "advisory: image-tag-pinned" in out

    no_profiles = dataclasses.replace(dev, resources=[r for r in dev.resources if r.type != PROFILE])
    monkeypatch.setattr(policy_check, "record", lambda *args, **kwargs: no_profiles)
    assert policy_check.main(["--stack", "dev"]) == 1
    assert "mandatory: fargate-profile-covers-workload" in capsys.readouterr().out
