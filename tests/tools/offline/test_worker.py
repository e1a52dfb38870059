"""Many plans in one worker (offline/worker.py): the same files as a process per plan, and no plan sees another's.

The reference is what `python -m offline diff` did before the worker and still does for a
revision without one: `python -m offline plan --stack S --out O --quiet` in a process of its own.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eksfargate.project import TENANT_PROJECT_DIR
from offline import harness
from offline import revisions as offline_revisions
from offline.harness import PROJECT_DIR
from offline.projects import plan_process, project_name
from tests.worker_plans import (
    BROKEN,
    IN_WORKERS,
    PLATFORM_JOBS,
    TENANT_JOBS,
    StandInPlans,
    label,
    outcome,
    run_worker,
    worker_outcomes,
)

PLATFORM_STACK = f"{project_name()}/shared-dev"  # what the tenant stacks reference


def in_worker(stacks: list[tuple[str, Path, Path | None]], tmp: Path, parallel: int = 1) -> dict[str, tuple]:
    """The stacks planned by one worker, in this order: {stack: outcome}."""
    run_worker(stacks, tmp, parallel)
    return worker_outcomes(stacks, tmp)


@pytest.fixture
def alone(plan_alone):
    """The stack planned in a process of its own, once per test session (tests/conftest.py)."""

    def _alone(stack: str, project_dir: Path, stack_file: Path | None) -> tuple:
        planned = plan_alone(stack, project_dir, stack_file)
        return outcome(planned.status, planned.stderr, planned.out)

    return _alone


@pytest.fixture(scope="module")
def tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("worker")


def test_the_representative_set_plans_in_the_workers(worker_plans):
    # `worker_plans` (tests/conftest.py, tests/worker_plans.py): one worker per project, the platform's
    # with two plans at once, dev first, alone in its first child, and payments-dev after it.
    assert [s[0] for s in PLATFORM_JOBS[:2]] == ["dev", "payments-dev"]
    assert sorted(worker_plans) == sorted(map(label, [*PLATFORM_JOBS, *TENANT_JOBS]))
    assert set(map(label, [*PLATFORM_JOBS, *TENANT_JOBS])) - {BROKEN[0]} == IN_WORKERS  # each a stack file there is
    # Of each kind: a committed stack file and a fixture named by --stack-file, of both projects.
    assert {(job[1], job[2] is None) for job in [*PLATFORM_JOBS, *TENANT_JOBS]} == {
        (project, committed) for project in (PROJECT_DIR, TENANT_PROJECT_DIR) for committed in (True, False)
    }
    for stack, (status, message, written) in worker_plans.items():
        if stack == BROKEN[0]:
            assert (status, message) == (2, "error: no stack file Pulumi.no-such-stack.yaml in " + str(PROJECT_DIR))
        else:
            assert status in (0, 1), f"{stack}: {message}"
            assert "plan.json" in written and "policy.txt" in written and "cost.txt" in written


# Byte for byte against a process of its own (a plan command of its own each, about a second and a half):
# a representative set, one of each way a worker's plan could come to differ from one alone. The first
# child of the platform's worker (dev) and the one after it (payments-dev), the platform's last job, which
# starts after all the others (a fixture named by --stack-file: dev's pinned values, whose plan alone
# test_plan.py and test_sdk_loader.py read too), a tenant (its worker handed its platform's plan from the
# platform's worker, as a tenant diff hands it), and a plan that fails. The platform's other plan.json files
# from the same workers are compared with this process's in test_sdk_loader.py.
COMPARED_ALONE = [
    *PLATFORM_JOBS[:2],
    next(s for s in reversed(PLATFORM_JOBS) if s[2] is not None),
    TENANT_JOBS[0],
    BROKEN,
]


# One case per stack file, so that the processes of their own spread over the test workers.
@pytest.mark.parametrize(("stack", "project_dir", "stack_file"), COMPARED_ALONE, ids=[label(job) for job in COMPARED_ALONE])
def test_a_stack_file_plans_byte_for_byte_as_in_a_process_of_its_own(worker_plans, alone, stack, project_dir, stack_file):
    job = label((stack, project_dir, stack_file))
    assert worker_plans[job] == alone(stack, project_dir, stack_file), f"{job} plans differently in the worker"


def test_two_stacks_plan_in_either_order_as_each_alone(worker_plans, alone, tmp):
    # The second child starts from the worker with what the first loaded: whichever came first,
    # each plan is the one a process of its own makes. dev first, then payments-dev: the
    # platform's worker of `worker_plans`; here the other order.
    for stack in ("dev", "payments-dev"):
        assert worker_plans[stack] == alone(stack, PROJECT_DIR, None), f"{stack} in the platform's worker differs from alone"
    order = ["payments-dev", "dev"]
    planned = in_worker([(stack, PROJECT_DIR, None) for stack in order], tmp / "-then-".join(order))
    assert list(planned) == order
    for stack in order:
        assert planned[stack][0] in (0, 1)
        assert planned[stack] == alone(stack, PROJECT_DIR, None), f"{stack} after {order[0]} differs from {stack} alone"
    assert planned["dev"][2]["plan.json"] != planned["payments-dev"][2]["plan.json"]
    # A single plan runs in the worker itself, not in a child: the same files all the same.
    assert in_worker([("dev", PROJECT_DIR, None)], tmp / "dev-only") == {"dev": alone("dev", PROJECT_DIR, None)}


def test_a_worker_refuses_a_request_it_does_not_speak():
    done = subprocess.run(
        [sys.executable, "-m", "offline.worker"],
        input=json.dumps({"protocol": 0, "jobs": []}),
        **plan_process(PROJECT_DIR),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "protocol" in done.stderr and done.stdout == ""


def test_a_revision_without_a_worker_plans_each_stack_in_a_process_of_its_own(monkeypatch, worker_plans):
    # An older revision's tools have no offline/worker.py: its stacks still plan, with its own tools. The
    # plan command it starts is a stand-in writing the workers' plan of dev (that command's own files are
    # compared with the worker's above): which process plans, with which tools, is the property here.
    status, _, written = worker_plans["dev"]
    stand_in = StandInPlans(written, status)
    monkeypatch.setattr(offline_revisions, "subprocess", stand_in)
    revisions = offline_revisions.Revisions(PROJECT_DIR)
    try:
        monkeypatch.setattr(offline_revisions, "WORKER", Path("tools") / "offline" / "no-worker-here.py")
        calls = []
        plan = revisions.plan
        monkeypatch.setattr(revisions, "plan", lambda rev, stack: calls.append(stack) or plan(rev, stack))
        sides = revisions.plan_all({"": ["dev", "no-such-stack"]})
    finally:
        revisions.close()
    assert calls == ["dev"]
    ((command, run),) = stand_in.processes  # one plan command, no worker
    assert command[:6] == [sys.executable, "-m", "offline", "plan", "--stack", "dev"] and "--quiet" in command
    assert run["cwd"] == PROJECT_DIR and run["env"]["PYTHONPATH"].split(os.pathsep)[0] == str(PROJECT_DIR / "tools")
    assert sides["", "no-such-stack"].plan is None and not sides["", "no-such-stack"].error
    assert sides["", "dev"].plan is not None and sides["", "dev"].plan["stack"] == "dev"


def test_the_plans_of_one_worker_make_a_referenced_stacks_plan_once(tmp_path, monkeypatch, worker_plans):
    # A tenant stack reads its platform's outputs from that stack's plan, made in a process of its
    # own; the children of one worker (one revision) share it through the worker's folder. The plan
    # command is a stand-in writing the workers' plan of shared-dev: how often it is started is the property
    # (test_plan_cache.py's tenant audit starts a real one, and counts it).
    stand_in = StandInPlans({"plan.json": worker_plans["shared-dev"][2]["plan.json"]})
    monkeypatch.setattr(harness, "subprocess", stand_in)
    monkeypatch.setenv(harness.SHARED_REFERENCED_PLANS, str(tmp_path))
    monkeypatch.setattr(harness, "_REFERENCED_PLANS", {})
    first = harness.referenced_plan(PLATFORM_STACK, TENANT_PROJECT_DIR)
    assert len(stand_in.processes) == 1 and len(list(tmp_path.iterdir())) == 1
    assert first["stack"] == "shared-dev" and stand_in.plans[0][:2] == ["plan", "--stack"] and "--no-checks" in stand_in.plans[0]
    monkeypatch.setattr(harness, "_REFERENCED_PLANS", {})  # another child of the worker
    assert harness.referenced_plan(PLATFORM_STACK, TENANT_PROJECT_DIR) == first
    assert len(stand_in.processes) == 1
    monkeypatch.delenv(harness.SHARED_REFERENCED_PLANS)
    monkeypatch.setattr(harness, "_REFERENCED_PLANS", {})  # a process of its own, outside a worker
    assert harness.referenced_plan(PLATFORM_STACK, TENANT_PROJECT_DIR) == first
    assert len(stand_in.processes) == 2
