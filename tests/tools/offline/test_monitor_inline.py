"""The mock monitor answers in the calling thread (offline/mock_runtime.py `AnsweredInline`): a run plans as
it would with the SDK's own default executor, a pool of threads, which the SDK's calls to the monitor
were written for."""

import concurrent.futures
import threading

import pytest

from eksfargate.project import TENANT_PROJECT_DIR
from offline import harness, mock_runtime
from offline import plan as offline_plan
from tests.recordings import planned
from tests.stackfacts import PINNED_DEV
from tests.tenants import tenant_recording


@pytest.fixture
def through_a_pool(monkeypatch):
    """Runs record() with a pool of threads as the event loop's default executor, as the SDK's own is."""
    with concurrent.futures.ThreadPoolExecutor() as pool:
        monkeypatch.setattr(mock_runtime, "MONITOR_INLINE", pool)
        yield


def plan_through_a_pool(stack, **kwargs) -> dict:
    recording = harness.record(stack, **kwargs)
    assert recording.error is None, recording.error
    return offline_plan.from_recording(recording)


def test_a_platform_plans_the_same_when_the_monitor_answers_inline(dev, through_a_pool):
    assert plan_through_a_pool("dev", stack_file=PINNED_DEV) == offline_plan.from_recording(dev)


def test_a_preview_plans_the_same_when_the_monitor_answers_inline(through_a_pool):
    # With unknowns: what the preview's mocks leave out the SDK resolves later, in other tasks.
    assert plan_through_a_pool("dev", stack_file=PINNED_DEV, preview=True) == planned("dev", stack_file=PINNED_DEV)


def test_a_tenant_plans_the_same_when_the_monitor_answers_inline(through_a_pool):
    # A StackReference (the monitor's ReadResource) and invokes for the platform's lookups.
    stack = "checkout-dev"
    assert plan_through_a_pool(stack, project_dir=TENANT_PROJECT_DIR) == offline_plan.from_recording(tenant_recording(stack))


def test_the_program_runs_its_calls_to_the_monitor_in_one_thread(monkeypatch):
    threads = set()
    register = harness.RecordingMonitor.RegisterResource

    def noting_the_thread(self, request):
        threads.add(threading.get_ident())
        return register(self, request)

    monkeypatch.setattr(harness.RecordingMonitor, "RegisterResource", noting_the_thread)
    recording = harness.record("dev", stack_file=PINNED_DEV)
    assert recording.error is None and recording.resources
    assert threads == {threading.get_ident()}
