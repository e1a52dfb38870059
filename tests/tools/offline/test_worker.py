"""Many plans in one worker (offline/worker.py): the same files as a process per plan, and no plan sees another's.

The reference is what `python -m offline diff` did before the worker and still does for a
revision without one: `python -m offline plan --stack S --out O --quiet` in a process of its own.
"""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from eksfargate.project import TENANT_PROJECT_DIR
from offline import harness, worker
from offline import revisions as offline_revisions
from offline.harness import PROJECT_DIR, plan_process

FIXTURES = PROJECT_DIR / "tests" / "data" / "stacks"
PLATFORM_STACK = f"{harness.project_name()}/shared-dev"  # what the tenant stacks reference


def plan_args(stack: str, out: Path, project_dir: Path = PROJECT_DIR, stack_file: Path | None = None) -> list[str]:
    args = ["plan", "--stack", stack, "--project-dir", str(project_dir), "--out", str(out), "--quiet"]
    return args + (["--stack-file", str(stack_file)] if stack_file else [])


def every_stack_file() -> list[tuple[str, Path, Path | None]]:
    """(stack, project, stack file or None) for every committed platform and tenant stack file and each fixture."""
    found = [(path.stem.removeprefix("Pulumi."), PROJECT_DIR, None) for path in sorted(PROJECT_DIR.glob("Pulumi.*.yaml"))]
    found += [
        (path.stem.removeprefix("Pulumi."), TENANT_PROJECT_DIR, None) for path in sorted(TENANT_PROJECT_DIR.glob("Pulumi.*.yaml"))
    ]
    found += [
        (f"fixture-{path.stem.removeprefix('Pulumi.')}", PROJECT_DIR, path) for path in sorted(FIXTURES.glob("Pulumi.*.yaml"))
    ]
    return found


def files(out: Path) -> dict[str, bytes]:
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


def outcome(status: int, stderr: str, out: Path) -> tuple:
    """What a plan leaves: its exit code, its last line of standard error (the diff's error message), its files."""
    return status, (stderr.strip().splitlines() or [""])[-1], files(out) if out.is_dir() else {}


def in_worker(stacks: list[tuple[str, Path, Path | None]], tmp: Path, parallel: int = 1) -> dict[str, tuple]:
    """The stacks planned by one worker, in this order: {stack: outcome}."""
    run_worker(stacks, tmp, parallel)
    return worker_outcomes(stacks, tmp)


def job_out(tmp: Path, stack: str, project_dir: Path) -> Path:
    return tmp / project_dir.name / stack


def run_worker(stacks: list[tuple[str, Path, Path | None]], tmp: Path, parallel: int = 1) -> None:
    """One worker plans the stacks, in this order, into `tmp`; its reports go to tmp/reports.json."""
    jobs = []
    for stack, project_dir, stack_file in stacks:
        out = job_out(tmp, stack, project_dir)
        out.parent.mkdir(parents=True, exist_ok=True)
        jobs.append({"argv": plan_args(stack, out, project_dir, stack_file), "stderr": f"{out}.stderr"})
    request = {"protocol": worker.PROTOCOL, "parallel": parallel, "jobs": jobs}
    done = subprocess.run(
        [sys.executable, "-m", "offline.worker"],
        input=json.dumps(request),
        **plan_process(PROJECT_DIR),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    reports = [json.loads(line) for line in done.stdout.splitlines()]
    assert sorted(report["job"] for report in reports) == list(range(len(jobs)))
    (tmp / "reports.json").write_text(json.dumps(reports))


def worker_outcomes(stacks: list[tuple[str, Path, Path | None]], tmp: Path) -> dict[str, tuple]:
    """What `run_worker` left in `tmp`: {stack: outcome}, in the order the jobs ended."""
    outcomes = {}
    for report in json.loads((tmp / "reports.json").read_text()):
        stack, project_dir, _ = stacks[report["job"]]
        out = job_out(tmp, stack, project_dir)
        outcomes[stack] = outcome(report["status"], Path(f"{out}.stderr").read_text(), out)
    return outcomes


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


BROKEN = ("no-such-stack", PROJECT_DIR, None)  # fails: its exit code and message are those of a process of its own
# Every stack file planned in workers: one per project, the platform's with two plans at once. The
# platform's worker plans dev first, alone in its first child, and payments-dev after it, from
# what dev loaded (test_two_stacks_plan_in_either_order_as_each_alone plans the other order).
PLATFORM_JOBS = [s for s in every_stack_file() if s[1] == PROJECT_DIR] + [BROKEN]
TENANT_JOBS = [s for s in every_stack_file() if s[1] == TENANT_PROJECT_DIR]


@pytest.fixture(scope="module")
def worker_plans(shared) -> dict[str, tuple]:
    """The workers' plans, made once per test session, whichever test worker comes first."""
    assert len(every_stack_file()) >= 14
    assert [s[0] for s in PLATFORM_JOBS[:2]] == ["dev", "payments-dev"]

    def make(folder: Path) -> None:  # both workers at once: a test worker waiting for them does nothing meanwhile
        with ThreadPoolExecutor() as pool:
            platform = pool.submit(run_worker, PLATFORM_JOBS, folder / "platform", parallel=2)
            tenant = pool.submit(run_worker, TENANT_JOBS, folder / "tenant")
            platform.result(), tenant.result()

    folder = shared("worker-plans", make)
    return worker_outcomes(PLATFORM_JOBS, folder / "platform") | worker_outcomes(TENANT_JOBS, folder / "tenant")


# One case per stack file, so that the processes of their own spread over the test workers.
@pytest.mark.parametrize(
    ("stack", "project_dir", "stack_file"), [*every_stack_file(), BROKEN], ids=lambda v: getattr(v, "name", v)
)
def test_every_stack_file_plans_byte_for_byte_as_in_a_process_of_its_own(worker_plans, alone, stack, project_dir, stack_file):
    status, message, written = worker_plans[stack]
    assert worker_plans[stack] == alone(stack, project_dir, stack_file), f"{stack} plans differently in the worker"
    if stack == BROKEN[0]:
        assert (status, message) == (2, "error: no stack file Pulumi.no-such-stack.yaml in " + str(PROJECT_DIR))
    else:
        assert status in (0, 1), f"{stack}: {message}"
        assert "plan.json" in written and "policy.txt" in written and "cost.txt" in written


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


def test_a_revision_without_a_worker_plans_each_stack_in_a_process_of_its_own(tmp, monkeypatch):
    # An older revision's tools have no offline/worker.py: its stacks still plan, with its own tools.
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
    assert sides["", "no-such-stack"].plan is None and not sides["", "no-such-stack"].error
    assert sides["", "dev"].plan is not None and sides["", "dev"].plan["stack"] == "dev"


def test_the_plans_of_one_worker_make_a_referenced_stacks_plan_once(tmp_path, monkeypatch):
    # A tenant stack reads its platform's outputs from that stack's plan, made in a process of its
    # own; the children of one worker (one revision) share it through the worker's folder.
    monkeypatch.setenv(harness.SHARED_REFERENCED_PLANS, str(tmp_path))
    monkeypatch.setattr(harness, "_REFERENCED_PLANS", {})
    runs = []
    run = subprocess.run
    monkeypatch.setattr(harness.subprocess, "run", lambda *args, **kwargs: runs.append(args) or run(*args, **kwargs))
    first = harness.referenced_plan(PLATFORM_STACK, TENANT_PROJECT_DIR)
    assert len(runs) == 1 and len(list(tmp_path.iterdir())) == 1
    monkeypatch.setattr(harness, "_REFERENCED_PLANS", {})  # another child of the worker
    assert harness.referenced_plan(PLATFORM_STACK, TENANT_PROJECT_DIR) == first
    assert len(runs) == 1
    monkeypatch.delenv(harness.SHARED_REFERENCED_PLANS)
    monkeypatch.setattr(harness, "_REFERENCED_PLANS", {})  # a process of its own, outside a worker
    assert harness.referenced_plan(PLATFORM_STACK, TENANT_PROJECT_DIR) == first
    assert len(runs) == 2
