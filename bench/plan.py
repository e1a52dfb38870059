"""Benchmark of the offline plan (not a test): wall time and peak memory over fresh processes.

    venv/bin/python bench/plan.py                 # 5 runs of `python -m offline plan --stack dev`
    venv/bin/python bench/plan.py --runs 9 --stack payments-dev
    venv/bin/python bench/plan.py --cdk           # paired with the AWS CDK synth in bench/cdk/

Each run is a new process, as a developer or CI runs it, writing into a temporary folder.
Peak memory is the child's maximum resident set size (`ru_maxrss` of `os.wait4`, what
`resource.getrusage(RUSAGE_CHILDREN)` sums up for all children). With `--cdk` the plan and
`node app.js` (a FargateCluster, its AlbController and the 2048 manifest; install it first
with `npm ci --prefix bench/cdk`) alternate, so both see the same load on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from eksfargate.project import PLATFORM_PROJECT_DIR as PROJECT_DIR

CDK_DIR = PROJECT_DIR / "bench" / "cdk"
GOAL_RATIO = 1 / 3
GOAL_SECONDS = 1.5


@dataclass
class Runs:
    label: str
    seconds: list[float] = field(default_factory=list)
    peak_kib: int = 0

    def summary(self) -> str:
        median = statistics.median(self.seconds)
        return (
            f"{self.label}: {len(self.seconds)} runs, median {median:.2f} s "
            f"(min {min(self.seconds):.2f}, max {max(self.seconds):.2f}), peak memory {self.peak_kib / 1024:.0f} MiB"
        )


def run_once(command: list[str], cwd: Path, env: dict[str, str], runs: Runs) -> None:
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):  # 1: a policy or capacity finding, still a full plan
        sys.exit(f"{' '.join(command)} failed ({child.returncode}): {child.stderr.read().decode() if child.stderr else ''}")
    runs.seconds.append(elapsed)
    runs.peak_kib = max(runs.peak_kib, usage.ru_maxrss)  # KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--cdk", action="store_true", help="alternate with `node app.js` in bench/cdk/")
    args = parser.parse_args()
    if args.cdk and not (CDK_DIR / "node_modules" / "aws-cdk-lib").is_dir():
        parser.error("bench/cdk is not installed: npm ci --prefix bench/cdk")

    plan = Runs(f"python -m offline plan --stack {args.stack}")
    synth = Runs("node app.js (bench/cdk, AWS CDK synth)")
    with tempfile.TemporaryDirectory(prefix="bench-plan-") as tmp:
        env = dict(os.environ)
        plan_command = [sys.executable, "-m", "offline", "plan", "--stack", args.stack, "--out", str(Path(tmp) / "out")]
        run_once(plan_command, PROJECT_DIR, env, Runs("warm-up"))  # fill the OS file cache, compile bytecode
        if args.cdk:
            run_once(["node", "app.js"], CDK_DIR, dict(env, CDK_OUTDIR=str(Path(tmp) / "cdk.out")), Runs("warm-up"))
        for _ in range(args.runs):
            run_once(plan_command, PROJECT_DIR, env, plan)
            if args.cdk:
                outdir = Path(tmp) / "cdk.out"
                run_once(["node", "app.js"], CDK_DIR, dict(env, CDK_OUTDIR=str(outdir)), synth)
                shutil.rmtree(outdir, ignore_errors=True)

    print(f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}", end="")
    print(f", {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}" if args.cdk else "")
    print(plan.summary())
    median = statistics.median(plan.seconds)
    print(f"goal < {GOAL_SECONDS} s: {'met' if median < GOAL_SECONDS else 'not met'}")
    if args.cdk:
        print(synth.summary())
        ratio = median / statistics.median(synth.seconds)
        print(f"plan / synth: {ratio:.2f} (goal ≤ {GOAL_RATIO:.2f}: {'met' if ratio <= GOAL_RATIO else 'not met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
