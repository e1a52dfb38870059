"""Benchmark of the plan diff over many stack files (not a test): a pull request's diff as teams are added.

    venv/bin/python bench/many_stacks.py                      # N = 1, 20, 100; 3 runs each; CDK paired (N ≤ 100)
    venv/bin/python bench/many_stacks.py --stacks 20 --runs 5 --rev HEAD~1 --rev HEAD   # before and after, alternating
    venv/bin/python bench/many_stacks.py --no-cdk
    venv/bin/python bench/many_stacks.py --stacks 1000 --shards 10 --runs 1 --change code   # the diff in 10 shards

For each N and each --rev (default HEAD): a temporary clone of this repository at that revision
whose platform stack files are N team stack files made by `python -m teams new` (committed there;
above 200, as its /16s of 10.0.0.0/8 run out, copies of the first with a /18 each), then

- code change: a one-line change in components/ (a comment: no plan changes, every stack is
  planned on both sides), timed as `python -m offline diff 'HEAD:*' ':*'`, 2N plans;
- stack change: a one-line change in one stack file (a comment line), the same command, which
  plans that stack only, on both sides: the common pull request;
- docs change: a one-line change in docs/ (every stack planned on both sides, as for any change
  that is not a stack file's), timed with the plan cache only.

Each change is timed without the plan cache (OFFLINE_PLAN_CACHE=off: every plan made) and, for a
revision that has one (tools/offline/plan_cache.py), with HEAD's plans in it, as main's plan-cache
job leaves them for a pull request's base side (`python -m offline cache warm HEAD`, once per
clone; a fresh copy of that folder for each run, not timed): the base side is then all hits, and
the head side's stacks whose inputs did not change too (a docs change: every stack). The line says
how many plans the diff took from the cache, as it reports them.

The clone plans with its own program, library and tools (cwd = the clone, PYTHONPATH = its
tools/), so `--rev` measures any revision, before or after a change to the tools; several revisions
alternate run by run, so that each sees the same load on the machine. With the CDK
app installed (`npm ci --prefix bench/cdk`), each diff alternates with `node app.js` synthesising
the same stack N times in one app (CDK_STACKS=N, at most --cdk-stacks), twice in a row: base and
head, as the diff plans both.

With `--shards K` the code change is diffed as a pull request above the threshold is
(tools/offline/shards.py): `--shard 1/K` to `K/K` one after the other, each as on a runner of its
own (with HEAD's plans: a fresh copy of them for each shard). The lines give the slowest and the
median shard's wall time, which is what a pull request waits for with the shards side by side, and
the CPU time (user + system, of the command and every process under it) of all K together: the
runners' time the diff costs. `--sample-shard I` times shard I alone, so that each run pairs it
with the CDK synth at the same load. Peak memory is the largest sum of proportional set sizes (PSS: shared pages counted once in
all) of the command and every process under it, sampled every 20 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
CDK_DIR = PROJECT_DIR / "bench" / "cdk"
CODE_CHANGE = ("components/__init__.py", "# bench/many_stacks.py: a one-line change in shared code\n")


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo += [int(child) for child in children.read().split()]
        except OSError:
            continue
    return found


def pss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


def timed(command: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0,)) -> tuple[float, int, str]:
    """Wall time and peak PSS (KiB) of a command and its process tree, and its standard error."""
    peak = 0
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, pss_kib(descendants(child.pid)))
            done.wait(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, stderr = child.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if child.returncode not in ok:
        sys.exit(f"{' '.join(command)} failed ({child.returncode}) in {cwd}: {stderr.decode()[-2000:]}")
    return elapsed, peak, stderr.decode(errors="replace")


def synth_twice(tmp: Path, synth: list[str], env: dict[str, str]) -> tuple[float, int]:
    """The CDK app synthesised for a base and a head, as a pull request's diff needs both: the seconds in
    all and the larger peak memory (KiB)."""
    total, peak = 0.0, 0
    for _side in ("base", "head"):
        seconds, kib, _ = timed(synth, CDK_DIR, env)
        shutil.rmtree(tmp / "cdk.out", ignore_errors=True)
        total, peak = total + seconds, max(peak, kib)
    return total, peak


def run(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-2000:]}")


def make_clone(tmp: Path, rev: str, stacks: int, index: int = 0) -> tuple[Path, dict[str, str]]:
    """A clone at `rev` whose platform stack files are `stacks` team stack files, committed."""
    clone = tmp / f"repo-{stacks}-{index}"
    run(["git", "clone", "--quiet", "--no-checkout", str(PROJECT_DIR), str(clone)], tmp, dict(os.environ))
    env = dict(os.environ, PYTHONPATH=str(clone / "tools"), GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.com")
    env.update(GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.com")
    run(["git", "checkout", "--quiet", rev], clone, env)
    run(["git", "rm", "--quiet", *[path.name for path in clone.glob("Pulumi.*.yaml")]], clone, env)
    made = stacks if stacks <= TEAMS_NEW else 1
    make = f"from teams.__main__ import main\nfor i in range({made}):\n    assert main(['new', f'team{{i:03d}}']) == 0\n"
    run([sys.executable, "-c", make], clone, env)
    if stacks > TEAMS_NEW:
        copy_teams(clone, stacks)
    run(["git", "add", "--", *[path.name for path in clone.glob("Pulumi.*.yaml")]], clone, env)
    run(["git", "commit", "--quiet", "-m", f"{stacks} team stack files"], clone, env)
    return clone, env


def cpu_seconds() -> float:
    """User and system time of this process's children that have been waited for (and of theirs)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


# `python -m teams new` gives each team a /16 of 10.0.0.0/8 that overlaps no other stack's: fewer than 256.
TEAMS_NEW = 200


def copy_teams(clone: Path, stacks: int) -> None:
    """Above TEAMS_NEW, every team's stack file is team000's with its own name and the team's /18 of
    10.0.0.0/8 (1,024 of them), so that no two VPCs overlap; the plans are the same shape as teams new's."""
    first = clone / "Pulumi.team000-dev.yaml"
    text = first.read_text()
    cidr = next(line.split(": ", 1)[1] for line in text.splitlines() if line.strip().startswith("eks-fargate:vpcCidr:"))
    for index in range(stacks):
        own = text.replace("team000", f"team{index:03d}").replace(cidr, f"10.{index // 4}.{index % 4 * 64}.0/18")
        (clone / f"Pulumi.team{index:03d}-dev.yaml").write_text(own)


def summary(label: str, seconds: list[float], peak_kib: int) -> str:
    return (
        f"{label}: {len(seconds)} runs, median {statistics.median(seconds):.2f} s "
        f"(min {min(seconds):.2f}, max {max(seconds):.2f}), peak memory {peak_kib / 1024:.0f} MiB"
    )


# The changes a pull request makes, each timed as `python -m offline diff 'HEAD:*' ':*'`: (file, line appended).
CHANGES = {
    "code": CODE_CHANGE,
    "stack": ("Pulumi.team000-dev.yaml", "# one line more in one stack file\n"),
    "docs": ("docs/contributing.md", "\nbench/many_stacks.py: a one-line change in the documentation\n"),
}
# Which changes are timed without the plan cache, and with HEAD's plans in it (as main's plan-cache job leaves it).
VARIANTS = [("code", False), ("code", True), ("stack", False), ("stack", True), ("docs", True)]


def plans(change: str, stacks: int) -> int:
    return 2 if change == "stack" else 2 * stacks


def warm_cache(clone: Path, env: dict[str, str], folder: Path) -> bool:
    """HEAD's plans of every stack file in `folder` (`python -m offline cache warm HEAD`); False for
    a revision without the plan cache."""
    tools = clone / "tools" / "offline"
    if not (tools / "plan_cache.py").is_file():
        return False
    # Before offline/commands.py, the plan cache's own module was its command.
    warm = ["offline", "cache", "warm"] if (tools / "commands.py").is_file() else ["offline.plan_cache", "warm"]
    run([sys.executable, "-m", *warm, "HEAD"], clone, dict(env, OFFLINE_PLAN_CACHE=str(folder)))
    return True


def reused(stderr: str) -> str:
    """The diff's own count of plans the cache gave ("plan cache …: R of L plans reused, K kept")."""
    line = next((line for line in stderr.splitlines() if line.startswith("plan cache ")), "")
    return line.split(": ", 1)[-1].split(",")[0] if line else "no cache"


@dataclass
class Options:
    runs: int
    cdk: bool
    cdk_stacks: int  # the CDK app's N: at most this
    shards: int  # 1: one diff; more: the code change in that many shards
    sample: int  # 0: every shard; I: shard I alone, paired with the CDK synth run by run
    changes: list[str]  # which of CHANGES are timed


def bench(tmp: Path, revs: list[str], stacks: int, options: Options) -> list[str]:
    """The figures for N = `stacks`: each revision's diff and the CDK synth, alternating run by run."""
    runs, cdk = options.runs, options.cdk
    clones = {rev: make_clone(tmp, rev, stacks, index) for index, rev in enumerate(revs)}
    warmed = {rev: tmp / f"warm-{stacks}-{index}" for index, rev in enumerate(revs)}
    cached = {rev: warm_cache(clone, env, warmed[rev]) for rev, (clone, env) in clones.items()}
    diff = [sys.executable, "-m", "offline", "diff", "HEAD:*", ":*", "--no-details"]
    synth = ["node", str(CDK_DIR / "app.js")]
    synthesised = min(stacks, options.cdk_stacks)
    synth_env = dict(os.environ, CDK_STACKS=str(synthesised), CDK_OUTDIR=str(tmp / "cdk.out"))
    lines = []
    for change, with_cache in VARIANTS:
        revs_here = [rev for rev in revs if cached[rev] or not with_cache]
        if not revs_here or change not in options.changes:
            continue
        if options.shards > 1 and change == "code":
            lines += sharded(tmp, clones, warmed, (stacks, with_cache, revs_here), options, (synth, synth_env, synthesised))
            continue
        path, line = CHANGES[change]
        originals = {}
        for rev in revs_here:
            clone, env = clones[rev]
            changed = clone / path
            originals[changed] = changed.read_text()
            changed.write_text(originals[changed] + line)

        def diff_env(rev: str, with_cache: bool = with_cache) -> dict[str, str]:
            """The clone's environment: the plan cache off, or a copy of HEAD's plans (made before each run, not timed)."""
            if not with_cache:
                return dict(clones[rev][1], OFFLINE_PLAN_CACHE="off")
            folder = tmp / "cache"
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(warmed[rev], folder)
            return dict(clones[rev][1], OFFLINE_PLAN_CACHE=str(folder))

        for rev in revs_here:  # warm-up: the OS file cache, bytecode
            timed(diff, clones[rev][0], diff_env(rev), ok=(0, 1))
        ours: dict[str, list[float]] = {rev: [] for rev in revs_here}
        peaks = dict.fromkeys(revs_here, 0)
        counts = dict.fromkeys(revs_here, "")
        theirs: list[float] = []
        cdk_peak = 0
        for _ in range(runs):
            for rev in revs_here:
                seconds, kib, stderr = timed(diff, clones[rev][0], diff_env(rev), ok=(0, 1))
                ours[rev].append(seconds)
                peaks[rev] = max(peaks[rev], kib)
                counts[rev] = reused(stderr)
            if cdk and change == "code":
                total, kib = synth_twice(tmp, synth, synth_env)
                theirs.append(total)
                cdk_peak = max(cdk_peak, kib)
        for changed, text in originals.items():
            changed.write_text(text)
        where = "HEAD's plans in the cache" if with_cache else "no cache"
        for rev in revs_here:
            label = f"N={stacks}, {change} change, {where}, rev {rev}: diff 'HEAD:*' ':*' ({plans(change, stacks)} plans"
            label += f", {counts[rev]})" if with_cache else ")"
            lines.append(summary(label, ours[rev], peaks[rev]))
        if theirs:
            lines.append(summary(f"N={stacks}, node app.js with CDK_STACKS={synthesised}, twice", theirs, cdk_peak))
            for rev in revs_here:
                ratio = statistics.median(ours[rev]) / statistics.median(theirs)
                lines.append(
                    f"N={stacks}, {change} change, {where}, rev {rev}: diff / CDK synth twice {ratio:.2f} "
                    f"(goal ≤ 1: {'met' if ratio <= 1 else 'not met'})"
                )
    for clone, _ in clones.values():
        shutil.rmtree(clone, ignore_errors=True)
    return lines


def sharded(
    tmp: Path,
    clones: dict[str, tuple[Path, dict[str, str]]],
    warmed: dict[str, Path],
    case: tuple[int, bool, list[str]],
    options: Options,
    cdk: tuple[list[str], dict[str, str], int],
) -> list[str]:
    """The code change diffed in `options.shards` shards, one after the other, each run paired with the
    CDK synth twice: each revision's slowest and median shard (wall) and all shards' CPU time."""
    stacks, with_cache, revs = case
    synth, synth_env, synthesised = cdk
    count = options.shards
    path, line = CHANGES["code"]
    originals = {}
    for rev in revs:
        changed = clones[rev][0] / path
        originals[changed] = changed.read_text()
        changed.write_text(originals[changed] + line)
    walls: dict[str, list[float]] = {rev: [] for rev in revs}  # every shard's, every run
    slowest: dict[str, list[float]] = {rev: [] for rev in revs}
    cpu: dict[str, list[float]] = {rev: [] for rev in revs}
    peaks = dict.fromkeys(revs, 0)
    theirs: list[float] = []
    cdk_peak = 0
    for _ in range(options.runs):
        for rev in revs:
            clone, env = clones[rev]
            run_walls, run_cpu = [], 0.0
            for index in [options.sample] if options.sample else range(1, count + 1):
                diff_env = dict(env, OFFLINE_PLAN_CACHE="off")
                if with_cache:  # each shard restores HEAD's plans on a runner of its own
                    folder = tmp / "cache"
                    shutil.rmtree(folder, ignore_errors=True)
                    shutil.copytree(warmed[rev], folder)
                    diff_env = dict(env, OFFLINE_PLAN_CACHE=str(folder))
                diff = [sys.executable, "-m", "offline", "diff", "HEAD:*", ":*", "--no-details", "--shard", f"{index}/{count}"]
                before = cpu_seconds()
                seconds, kib, _ = timed(diff, clone, diff_env, ok=(0, 1))
                run_cpu += cpu_seconds() - before
                run_walls.append(seconds)
                peaks[rev] = max(peaks[rev], kib)
            walls[rev] += run_walls
            slowest[rev].append(max(run_walls))
            cpu[rev].append(run_cpu)
        if options.cdk:
            total, kib = synth_twice(tmp, synth, synth_env)
            theirs.append(total)
            cdk_peak = max(cdk_peak, kib)
    for changed, text in originals.items():
        changed.write_text(text)
    where = "HEAD's plans in the cache" if with_cache else "no cache"
    which = f"shard {options.sample}" if options.sample else f"all {count} shards"
    lines = []
    for rev in revs:
        label = f"N={stacks}, code change, {where}, rev {rev}, {count} shards"
        label += f", shard {options.sample} alone" if options.sample else ""
        lines.append(summary(f"{label}: slowest shard's diff", slowest[rev], peaks[rev]))
        lines.append(
            f"{label}: shard median {statistics.median(walls[rev]):.2f} s (min {min(walls[rev]):.2f}, max {max(walls[rev]):.2f}"
            f" over {len(walls[rev])}); CPU time of {which} median {statistics.median(cpu[rev]):.1f} s"
        )
    if theirs:
        lines.append(summary(f"N={synthesised}, node app.js with CDK_STACKS={synthesised}, twice", theirs, cdk_peak))
        for rev in revs:
            ratio = statistics.median(slowest[rev]) / statistics.median(theirs)
            lines.append(
                f"N={stacks} in {count} shards, {where}, rev {rev}: slowest shard / CDK synth of {synthesised} twice {ratio:.2f} "
                f"(goal ≤ 1: {'met' if ratio <= 1 else 'not met'})"
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stacks", type=int, action="append", help="N (repeatable; default 1, 20 and 100)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--rev", action="append", help="a revision of this repository to clone (repeatable: they alternate; default HEAD)"
    )
    parser.add_argument("--no-cdk", action="store_true", help="time only the diff")
    parser.add_argument("--cdk-stacks", type=int, default=100, help="the CDK app's N: at most this many stacks (default 100)")
    parser.add_argument("--shards", type=int, default=1, help="diff the code change in this many shards (`--shard I/K`)")
    parser.add_argument("--sample-shard", type=int, default=0, help="with --shards K: time shard I alone, paired run by run")
    parser.add_argument("--change", action="append", choices=sorted(CHANGES), help="time only this change (repeatable)")
    args = parser.parse_args()
    cdk = not args.no_cdk
    options = Options(args.runs, cdk, args.cdk_stacks, args.shards, args.sample_shard, args.change or list(CHANGES))
    if cdk and not (CDK_DIR / "node_modules" / "aws-cdk-lib").is_dir():
        parser.error("bench/cdk is not installed: npm ci --prefix bench/cdk (or --no-cdk)")
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip() if cdk else ""
    load = os.getloadavg()
    print(
        f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}{', node ' + node if node else ''}, "
        f"revs {' '.join(args.rev or ['HEAD'])}, load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-many-") as tmp:
        for stacks in args.stacks or [1, 20, 100]:
            for line in bench(Path(tmp), args.rev or ["HEAD"], stacks, options):
                print(line, flush=True)
    load = os.getloadavg()
    print(f"load average at end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
