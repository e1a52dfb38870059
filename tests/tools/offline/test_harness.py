"""The recording harness's own behaviour, on a program of one resource (tools/offline/harness.py)."""

import contextlib
import gc
from pathlib import Path

import pytest
from pulumi.runtime import resource as pulumi_resource

from offline import harness, mock_runtime

# A resource class of the program's own: the SDK's stack trace starts at the third __init__ up the
# stack (Resource, CustomResource, then the class), so a trace of this registration has frames.
PROGRAM = """
import gc

import pulumi


class Thing(pulumi.CustomResource):
    def __init__(self, name):
        super().__init__("test:index:Thing", name, {"size": 1})


Thing("one")
pulumi.export("collectorOn", gc.isenabled())
"""


@pytest.fixture
def one_resource_project(tmp_path) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: one-resource\nruntime: python\n")
    (tmp_path / "Pulumi.test.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(PROGRAM)
    return tmp_path


def traces_seen(monkeypatch) -> list[tuple[str, int, bool]]:
    """(type, stack frames, whether a source position is set) of each registration the monitor gets."""
    seen = []
    register = harness.RecordingMonitor.RegisterResource

    def keep_trace(self, request):
        seen.append((request.type, len(request.stackTrace.frames), request.HasField("sourcePosition")))
        return register(self, request)

    monkeypatch.setattr(harness.RecordingMonitor, "RegisterResource", keep_trace)
    return seen


def test_registrations_under_the_mocks_carry_no_stack_trace_and_the_sdks_function_is_put_back(one_resource_project, monkeypatch):
    seen = traces_seen(monkeypatch)
    captured = getattr(pulumi_resource, mock_runtime.SDK_STACK_TRACE)

    recording = harness.record("test", project_dir=one_resource_project)

    assert recording.error is None
    assert [r.name for r in recording.of_type("test:index:Thing")] == ["one"]
    assert ("test:index:Thing", 0, False) in seen
    assert all(frames == 0 and not position for _, frames, position in seen)
    assert getattr(pulumi_resource, mock_runtime.SDK_STACK_TRACE) is captured


def test_without_the_harnesss_patch_the_same_registration_would_carry_the_stack(one_resource_project, monkeypatch):
    """The control of the test above: the SDK does capture this program's stack when left alone."""
    seen = traces_seen(monkeypatch)
    monkeypatch.setattr(mock_runtime, "no_source_stack_traces", contextlib.nullcontext)

    harness.record("test", project_dir=one_resource_project)

    ((frames, position),) = [(frames, position) for type_, frames, position in seen if type_ == "test:index:Thing"]
    assert frames > 0 and position


def test_a_recording_fails_loudly_when_the_sdk_no_longer_has_the_function_it_replaces(one_resource_project, monkeypatch):
    monkeypatch.delattr(pulumi_resource, mock_runtime.SDK_STACK_TRACE)

    with pytest.raises(RuntimeError, match=f"pulumi.runtime.resource.{mock_runtime.SDK_STACK_TRACE} is gone .*requirements.txt"):
        harness.record("test", project_dir=one_resource_project)


@pytest.mark.parametrize("on_before", [True, False])
def test_the_garbage_collector_is_off_while_the_program_runs_and_as_before_after(one_resource_project, on_before):
    (gc.enable if on_before else gc.disable)()
    try:
        recording = harness.record("test", project_dir=one_resource_project)
        assert recording.outputs["collectorOn"] is False
        assert gc.isenabled() is on_before
    finally:
        gc.enable()
