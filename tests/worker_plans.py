"""Every stack file planned by the plan command in offline/worker.py, once per test session.

tests/conftest.py's `worker_plans` fixture serves these plans to tests/tools/offline/test_worker.py
(the worker's files against a process of its own), test_sdk_loader.py (the plan command, whose SDKs
come through the loader, against this process, which loads them as Pulumi does) and
tests/tools/security/test_stack_fixtures.py (the manifests checkov reads): one set of plans for all,
made by two workers at once while the test workers wait.
"""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from eksfargate.project import TENANT_PROJECT_DIR
from offline import worker
from offline.harness import PROJECT_DIR, plan_process, project_name
from tests.stackfacts import DATA_DIR, PINNED_DEV, STACKS_DIR

Job = tuple[str, Path, Path | None]  # (stack, project folder, stack file or None: the project's own)
SECURITY_FIXTURES = DATA_DIR / "security"


def plan_args(stack: str, out: Path, project_dir: Path = PROJECT_DIR, stack_file: Path | None = None) -> list[str]:
    args = ["plan", "--stack", stack, "--project-dir", str(project_dir), "--out", str(out), "--quiet"]
    return args + (["--stack-file", str(stack_file)] if stack_file else [])


def every_stack_file() -> list[Job]:
    """Every committed platform and tenant stack file and each fixture (tests/data/stacks/, and
    tests/data/security/, whose manifests tests/tools/security/test_stack_fixtures.py reads), the fixtures
    planned as the stack their file names (dev's pinned values as stack dev, as test_plan.py plans them) and
    dev's pinned values last: the platform worker's last job is a plan test_plan.py and test_sdk_loader.py
    also need alone."""
    found = [(path.stem.removeprefix("Pulumi."), PROJECT_DIR, None) for path in sorted(PROJECT_DIR.glob("Pulumi.*.yaml"))]
    found += [
        (path.stem.removeprefix("Pulumi."), TENANT_PROJECT_DIR, None) for path in sorted(TENANT_PROJECT_DIR.glob("Pulumi.*.yaml"))
    ]
    fixtures = sorted(
        [*STACKS_DIR.glob("Pulumi.*.yaml"), *SECURITY_FIXTURES.glob("Pulumi.*.yaml")], key=lambda path: (path == PINNED_DEV, path)
    )
    found += [(path.stem.removeprefix("Pulumi."), project_of(path), path) for path in fixtures]
    return found


def project_of(stack_file: Path) -> Path:
    """The project a fixture stack file is for: the tenant's if its settings are (Pulumi names a
    project's settings by the project's name), else the platform's."""
    settings = (yaml.safe_load(stack_file.read_text()) or {}).get("config", {})
    tenant = f"{project_name(TENANT_PROJECT_DIR)}:"
    return TENANT_PROJECT_DIR if any(str(key).startswith(tenant) for key in settings) else PROJECT_DIR


def label(job: Job) -> str:
    """A job's name in `worker_plans` and its folder: its stack, or `fixture-<stack>` for a fixture's
    (fixture-dev: dev's pinned values)."""
    stack, _, stack_file = job
    return f"fixture-{stack}" if stack_file else stack


BROKEN: Job = ("no-such-stack", PROJECT_DIR, None)  # fails: its exit code and message are those of a process of its own
# Every stack file planned in workers: one per project, the platform's with two plans at once. The
# platform's worker plans dev first, alone in its first child, and payments-dev after it, from
# what dev loaded (test_two_stacks_plan_in_either_order_as_each_alone plans the other order).
PLATFORM_JOBS = [s for s in every_stack_file() if s[1] == PROJECT_DIR] + [BROKEN]
TENANT_JOBS = [s for s in every_stack_file() if s[1] == TENANT_PROJECT_DIR]


def files(out: Path) -> dict[str, bytes]:
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


def outcome(status: int, stderr: str, out: Path) -> tuple:
    """What a plan leaves: its exit code, its last line of standard error (the diff's error message), its files."""
    return status, (stderr.strip().splitlines() or [""])[-1], files(out) if out.is_dir() else {}


def job_out(tmp: Path, job: Job) -> Path:
    return tmp / job[1].name / label(job)


def run_worker(stacks: list[Job], tmp: Path, parallel: int = 1) -> None:
    """One worker plans the stacks, in this order, into `tmp`; its reports go to tmp/reports.json."""
    jobs = []
    for job in stacks:
        stack, project_dir, stack_file = job
        out = job_out(tmp, job)
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


def worker_outcomes(stacks: list[Job], tmp: Path) -> dict[str, tuple]:
    """What `run_worker` left in `tmp`: {label: outcome}, in the order the jobs ended."""
    outcomes = {}
    for report in json.loads((tmp / "reports.json").read_text()):
        job = stacks[report["job"]]
        out = job_out(tmp, job)
        outcomes[label(job)] = outcome(report["status"], Path(f"{out}.stderr").read_text(), out)
    return outcomes


def plan_every_stack_file(folder: Path) -> None:
    """Both workers at once: a test worker waiting for them does nothing meanwhile."""
    with ThreadPoolExecutor() as pool:
        platform = pool.submit(run_worker, PLATFORM_JOBS, folder / "platform", parallel=2)
        tenant = pool.submit(run_worker, TENANT_JOBS, folder / "tenant")
        platform.result(), tenant.result()


def planned(folder: Path) -> dict[str, tuple]:
    """The outcomes `plan_every_stack_file` left in `folder`, by label."""
    return worker_outcomes(PLATFORM_JOBS, folder / "platform") | worker_outcomes(TENANT_JOBS, folder / "tenant")
