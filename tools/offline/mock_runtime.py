"""How the harness (offline/harness.py) runs the Pulumi SDK under its mocks: what only the engine
needs, or what the mocks make needless, left out of each run. None of it changes what a run
declares (tests/tools/offline/test_harness.py, test_monitor_inline.py).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
from collections.abc import Iterator
from typing import Any

from pulumi.runtime import resource as pulumi_resource
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.sync_await import _ensure_event_loop

# The SDK function (pulumi/runtime/resource.py, pulumi pinned in requirements.txt) that captures the
# Python stack of every registration and read, for the engine to show where a resource was declared.
SDK_STACK_TRACE = "_get_stack_trace"


@contextlib.contextmanager
def no_source_stack_traces() -> Iterator[None]:
    """Registrations carry no stack trace while the program runs under the mocks.

    Only the engine reads a request's stackTrace and sourcePosition; the mock monitor ignores them
    and a recording keeps neither. Capturing one (traceback.extract_stack, each frame's file made a
    URI) cost more than the rest of a registration, the more so under a test runner's deep stack.
    If an SDK upgrade renames or drops the function, this fails rather than patch nothing.
    """
    captured = getattr(pulumi_resource, SDK_STACK_TRACE, None)
    if not callable(captured):
        raise RuntimeError(
            f"pulumi.runtime.resource.{SDK_STACK_TRACE} is gone from the installed Pulumi SDK (requirements.txt "
            "pins it): tools/offline/mock_runtime.py cannot leave stack traces out of the mocks' registrations"
        )
    setattr(pulumi_resource, SDK_STACK_TRACE, source_pb2.StackTrace)  # an empty trace: no frames, no source position
    try:
        yield
    finally:
        setattr(pulumi_resource, SDK_STACK_TRACE, captured)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector is off while the program runs, as in `python -m offline`.

    A run makes its garbage (futures, outputs) faster than the collector frees it, and each of the
    collector's full passes walks every object of the process, the SDKs' classes and, in the tests,
    every recording kept: a third of a recording's time in the tests went to it. Its garbage is
    collected once the collector is back on.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


class AnsweredInline(concurrent.futures.ThreadPoolExecutor):
    """The event loop's default executor while the program runs: each call the SDK hands it (every
    call to the monitor: registrations, reads, invokes) runs at once, in the calling thread.

    Against the engine those calls are blocking gRPC, which the SDK keeps off its event loop; the
    mock monitor answers from memory, and a hop to a pool thread and back for each of them (and the
    loop's wake-up through its self-pipe) was about a fifth of a recording. The mock monitor's own
    waits (`_sync_await`) pump the running loop. A run's plan is the same either way, byte for byte
    (tests/tools/offline/test_monitor_inline.py). A ThreadPoolExecutor by class, starting no thread:
    `loop.set_default_executor` takes no other executor since Python 3.11 (bpo-43234).
    """

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        answered: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            answered.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - the caller's future carries it, as a pool's would
            answered.set_exception(exc)
        return answered


MONITOR_INLINE = AnsweredInline(max_workers=1)


def answer_the_monitor_inline() -> None:
    """`MONITOR_INLINE` as the default executor of the event loop the SDK's `_sync_await` runs the
    program on (the SDK's helper is unannotated)."""
    _ensure_event_loop().set_default_executor(MONITOR_INLINE)  # type: ignore[no-untyped-call]
