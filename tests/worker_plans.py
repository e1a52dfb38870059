"""A representative set of stack files planned by the plan command in offline/worker.py, once per test session.

tests/conftest.py's `worker_plans` fixture serves these plans to tests/tools/offline/test_worker.py
(the worker's files against a process of its own), test_sdk_loader.py (the plan command, whose SDKs
come through the loader, against this process, which loads them as Pulumi does) and
tests/tools/security/test_stack_fixtures.py (the manifests checkov reads): one set of plans for all,
made by two workers at once while the test workers wait.
"""

import json
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from subprocess import PIPE

import yaml

from eksfargate.project import TENANT_PROJECT_DIR
from offline import worker
from offline.harness import PROJECT_DIR
from offline.plan_cache import Entry, PlanCache, Tree
from offline.projects import plan_process, project_name
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
# Planned in the workers, each a plan (about a third of a second of CPU after a worker's first): what
# the tests read from them, which is one of each way a worker's plan could come to differ from a plan
# alone. Every job is a child forked from the same state, whatever its stack file declares:
# - dev and payments-dev: the platform worker's first child and the one after it, from what dev loaded;
# - shared-dev: the tenants' platform, whose plan the tenant worker is handed (and test_worker.py's stand-in);
# - checkout-dev: a committed tenant stack file;
# - the security fixtures (tests/data/security/, platform and tenant, named by --stack-file), whose
#   manifests tests/tools/security/test_stack_fixtures.py hands checkov;
# - string-values and tls: compared whole with this process's plans in test_sdk_loader.py (COMPARED_HERE);
# - dev's pinned values: the platform worker's last job (`every_stack_file` puts it last).
# test_sdk_loader.py requires every other platform stack file's program (its session recording) to
# declare no resource type or input property those do not.
IN_WORKERS = {"dev", "payments-dev", "shared-dev", "checkout-dev", "fixture-string-values", "fixture-tls", "fixture-dev"}
IN_WORKERS |= {f"fixture-{path.stem.removeprefix('Pulumi.')}" for path in SECURITY_FIXTURES.glob("Pulumi.*.yaml")}
# One worker per project, the platform's with two plans at once. The platform's worker plans dev first,
# alone in its first child, and payments-dev after it (test_two_stacks_plan_in_either_order_as_each_alone
# plans the other order).
PLATFORM_JOBS = [s for s in every_stack_file() if s[1] == PROJECT_DIR and label(s) in IN_WORKERS] + [BROKEN]
TENANT_JOBS = [s for s in every_stack_file() if s[1] == TENANT_PROJECT_DIR and label(s) in IN_WORKERS]


def files(out: Path) -> dict[str, bytes]:
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


def outcome(status: int, stderr: str, out: Path) -> tuple:
    """What a plan leaves: its exit code, its last line of standard error (the diff's error message), its files."""
    return status, (stderr.strip().splitlines() or [""])[-1], files(out) if out.is_dir() else {}


def job_out(tmp: Path, job: Job) -> Path:
    return tmp / job[1].name / label(job)


def run_worker(
    stacks: list[Job],
    tmp: Path,
    parallel: int = 1,
    referenced: list[dict] | None = None,
    ended: Callable[[Job], None] | None = None,
) -> None:
    """One worker plans the stacks, in this order, into `tmp`, handed the `referenced` plans (the worker's
    protocol); `ended(job)` as each job ends; its reports go to tmp/reports.json."""
    jobs = []
    for job in stacks:
        stack, project_dir, stack_file = job
        out = job_out(tmp, job)
        out.parent.mkdir(parents=True, exist_ok=True)
        jobs.append({"argv": plan_args(stack, out, project_dir, stack_file), "stderr": f"{out}.stderr"})
    request = {"protocol": worker.PROTOCOL, "parallel": parallel, "jobs": jobs, "referenced": referenced or []}
    tmp.mkdir(parents=True, exist_ok=True)
    with (tmp / "worker.stderr").open("w+") as stderr:
        command = [sys.executable, "-m", "offline.worker"]
        with subprocess.Popen(command, stdin=PIPE, stdout=PIPE, stderr=stderr, text=True, **plan_process(PROJECT_DIR)) as run:
            run.stdin.write(json.dumps(request))
            run.stdin.close()
            reports = []
            for line in run.stdout:
                reports.append(json.loads(line))
                if ended is not None:
                    ended(stacks[reports[-1]["job"]])
        stderr.seek(0)
        assert run.returncode == 0, stderr.read()
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


def platforms_of(jobs: list[Job]) -> set[str]:
    """The platform stacks the tenant jobs' stack files name (platformStack)."""
    tenant = project_name(TENANT_PROJECT_DIR)
    files = [stack_file or project_dir / f"Pulumi.{stack}.yaml" for stack, project_dir, stack_file in jobs]
    named = {(yaml.safe_load(path.read_text()) or {}).get("config", {}).get(f"{tenant}:platformStack") for path in files}
    return named - {None}


def plan_in_workers(folder: Path) -> None:
    """Both workers at once, the tenants' from when the platform's has planned the platforms they read:
    handed those plans, as a tenant project's diff hands its platforms' to its workers, the tenants
    plan no platform in a process of their own. A test worker waiting for them does nothing meanwhile."""
    platforms = [job for job in PLATFORM_JOBS if job[2] is None and job[0] in platforms_of(TENANT_JOBS)]
    left, ready = set(map(label, platforms)), threading.Event()

    def platform_ended(job: Job) -> None:
        left.discard(label(job))
        if not left:
            ready.set()

    def plan_platforms() -> None:
        try:
            run_worker(PLATFORM_JOBS, folder / "platform", parallel=2, ended=platform_ended)
        finally:
            ready.set()  # a worker that failed: the tenants plan their platforms themselves, and this fixture fails

    def plan_tenants() -> None:
        ready.wait()
        made = [(job, job_out(folder / "platform", job) / "plan.json") for job in platforms]
        given = [{"project_dir": str(job[1]), "stack": job[0], "plan": str(plan)} for job, plan in made if plan.is_file()]
        run_worker(TENANT_JOBS, folder / "tenant", referenced=given)

    with ThreadPoolExecutor() as pool:
        platform, tenant = pool.submit(plan_platforms), pool.submit(plan_tenants)
        platform.result(), tenant.result()


def keep_platform_plan(cache: PlanCache, folder: Path, tree: Tree, stack: str) -> None:
    """Keeps the workers' plan of this checkout's platform stack `stack` (in `folder`, `plan_in_workers`'s)
    in `cache` as its plan in `tree`, if that plan's key there is its key in this working tree, which
    the workers planned: a plan is a function of its key (offline/plan_cache.py; test_plan_cache.py
    audits what a plan reads)."""
    (job,) = [job for job in PLATFORM_JOBS if job[0] == stack and job[2] is None]
    key = cache.key(tree, ".", stack)
    if key is None or key != cache.key(Tree.of_worktree(PROJECT_DIR), ".", stack):
        return
    out = job_out(folder / "platform", job)
    (report,) = [r for r in json.loads((folder / "platform" / "reports.json").read_text()) if PLATFORM_JOBS[r["job"]] == job]
    cache.put(key, Entry.from_out(out, report["status"], Path(f"{out}.stderr").read_text()))


def planned(folder: Path) -> dict[str, tuple]:
    """The outcomes `plan_in_workers` left in `folder`, by label."""
    return worker_outcomes(PLATFORM_JOBS, folder / "platform") | worker_outcomes(TENANT_JOBS, folder / "tenant")


class StandInPlans:
    """A module's `subprocess` (offline/revisions.py's, offline/harness.py's) whose plan commands plan
    nothing: a plan command (`python -m offline plan … --out O`) or each job of a worker (`python -m
    offline.worker`) writes `files`, a plan made already, and ends with `status` and `stderr`; every other
    command runs as it is. For tests whose property is which plans are made and where they go, not how a
    plan is made: test_worker.py compares the workers' plans with plans alone, byte for byte."""

    CalledProcessError = subprocess.CalledProcessError

    def __init__(self, files: dict[str, bytes], status: int = 0, stderr: str = ""):
        self.files, self.status, self.stderr = files, status, stderr
        self.plans: list[list[str]] = []  # the arguments (plan …) of each plan command or worker job, in order
        self.processes: list[tuple[list[str], dict]] = []  # each plan command or worker started: argv, run's arguments

    def run(self, command: list[str], *args, input: str | None = None, **kwargs) -> subprocess.CompletedProcess:
        if command[1:] == ["-m", "offline.worker"]:
            self.processes.append((command, kwargs))
            reports = []
            for number, job in enumerate(json.loads(input or "{}")["jobs"]):
                self._plan(job["argv"])
                Path(job["stderr"]).write_text(self.stderr)
                reports.append(json.dumps({"job": number, "status": self.status}) + "\n")
            return subprocess.CompletedProcess(command, 0, "".join(reports), "")
        if command[1:4] == ["-m", "offline", "plan"]:
            self.processes.append((command, kwargs))
            self._plan(command[3:])
            return subprocess.CompletedProcess(command, self.status, "", self.stderr)
        return subprocess.run(command, *args, input=input, **kwargs)

    def stacks(self) -> list[str]:
        """The stack of each plan made (its --stack), in order."""
        return [argv[argv.index("--stack") + 1] for argv in self.plans]

    def _plan(self, argv: list[str]) -> None:
        self.plans.append(argv)
        out = Path(argv[argv.index("--out") + 1])
        for name, data in self.files.items():
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            (out / name).write_bytes(data)
