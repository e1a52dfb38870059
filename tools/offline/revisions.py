"""The sides of a plan diff as `python -m offline diff` takes them, and the plans they need.

A side is a plan.json file (or a folder holding one), or `REV:STACK`: that stack file's plan at
git revision REV, planned with that revision's own program, library and tools from `git archive
REV` in a temporary folder (`:STACK` is the working tree, `REV:*` every stack file at either
revision). A revision's stacks are planned by one worker (offline/worker.py), those the plan cache
keeps (offline/plan_cache.py) not at all; a stack that neither its stack file nor anything else
the program reads changes between the revisions is not planned either (`UNTOUCHED`). A stack whose
plans read another stack's outputs (a tenant, its platform's) is diffed with what it reads from
that stack, planned at the same revisions in its own project (offline/diff_tenancy.py).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eksfargate.facts.resource_types import STACK_REFERENCE
from eksfargate.project import PLATFORM_PROJECT_DIR, TENANT_PROJECT_DIR
from eksfargate.stack_catalog import tenants
from offline.diff import UNTOUCHED, StackDiff, compare
from offline.diff_tenancy import PlatformChange, add_tenant_reads, platform_change
from offline.plan_cache import CACHE_ENV, OFF, Entry, PlanCache, Tree, plans_itself, platform_root
from offline.plan_document import PlanError, load
from offline.projects import NoSuchStack, plan_process, referenced_stack


class DiffError(Exception):
    """A side cannot be read: not a plan file, not a revision, git missing."""


@dataclass
class Side:
    label: str
    plan: dict[str, Any] | None = None  # None: the stack file does not exist there
    error: str = ""
    findings: list[str] | None = None  # the policy pack's findings, where the side was planned here
    folder: Path | None = None  # the plan's files, where the side was planned (or looked up) here


def pair(old: Side, new: Side, stack: str, platform: PlatformChange | None = None) -> StackDiff:
    """The diff of one stack's two sides; `platform`: what it reads from its platform that changes between them."""
    if old.error or new.error:
        which = [f"{side.label}: {side.error}" for side in (old, new) if side.error]
        return StackDiff(stack=stack, old_label=old.label, new_label=new.label, error="; ".join(which))
    upstream = platform.upstream if platform else None
    diff = compare(old.plan, new.plan, stack, (old.label, new.label), (old.findings, new.findings), upstream)
    if platform and diff.changed:
        diff.platform, diff.platform_reads = platform.platform, platform.reads
    if old.plan is None and new.plan is not None:
        diff.note = f"The stack file is new: it does not exist at {old.label}."
    elif new.plan is None and old.plan is not None:
        diff.note = f"The stack file is removed: it does not exist at {new.label}. (`pulumi destroy` the stack first.)"
    return diff


def git(*args: str, cwd: Path = PLATFORM_PROJECT_DIR) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise DiffError("git is not installed") from exc
    if done.returncode != 0:
        raise DiffError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def is_revision_spec(spec: str) -> bool:
    return ":" in spec and not Path(spec).exists()


def load_file_side(spec: str) -> Side:
    path = Path(spec)
    if path.is_dir():
        path = path / "plan.json"
    if not path.is_file():
        raise DiffError(f"{spec}: neither a plan.json (or a folder with one) nor REV:STACK")
    try:
        return Side(label=f"`{spec}`", plan=load(path))
    except (PlanError, json.JSONDecodeError) as exc:
        raise DiffError(f"{spec}: {exc}") from exc


# A revision's worker (its tools/offline/worker.py, run as `python -m offline.worker`) and the request it reads.
WORKER = Path("tools") / "offline" / "worker.py"
WORKER_PROTOCOL = 1


@dataclass(frozen=True)
class Referenced:
    """A plan a worker's plans read through a StackReference (harness.referenced_plan), made already:
    the plan.json of `stack` in the project folder `project_dir`, planned from its own stack file."""

    project_dir: Path
    stack: str
    plan: Path


class Revisions:
    """Plans stacks at git revisions: one `git archive` per revision, one worker process per revision.

    With a `cache` (offline/plan_cache.py), a stack whose plan is kept there is not planned, and a
    plan made is kept. `planned` lists the (revision, stack) plans made, in order. `beside` gives
    another project of the checkout the same revisions, their archives shared.
    """

    def __init__(self, project_dir: Path = PLATFORM_PROJECT_DIR, cache: PlanCache | None = None, *, of: Revisions | None = None):
        self.project_dir = project_dir.resolve()
        self.owner = of is None
        self.top: Path = of.top if of else Path(git("rev-parse", "--show-toplevel", cwd=self.project_dir).strip())
        self.inside = self.project_dir.relative_to(self.top)
        self.tmp: tempfile.TemporaryDirectory[str] = of.tmp if of else tempfile.TemporaryDirectory(prefix="offline-diff-")
        self.archives: dict[str, Path] = of.archives if of else {}  # revision → its `git archive`
        self.cache = cache
        self.planned: list[tuple[str, str]] = []
        # Sides planned or looked up, by (project folder, revision, stack): a tenant's platform's, made once.
        self.known: dict[tuple[str, str, str], Side] = of.known if of else {}
        self._keyed: dict[str, Tree | None] = {}
        self._lock: threading.Lock = of._lock if of else threading.Lock()

    def close(self) -> None:
        if self.owner:
            self.tmp.cleanup()

    def beside(self, inside: Path) -> Revisions:
        """The same revisions for the project in folder `inside` of the checkout."""
        return Revisions(self.top / inside, self.cache, of=self)

    def referenced(self, rev: str, plan: dict[str, Any]) -> tuple[Path, str] | None:
        """The project folder (under the checkout's top) and the stack that the one StackReference of
        `plan`, this project's at `rev`, names; None for a plan without one (or with several)."""
        names = [res["inputs"].get("name") for res in plan["resources"] if res["type"] == STACK_REFERENCE]
        if len(names) != 1 or not isinstance(names[0], str):
            return None
        try:
            folder, stack = referenced_stack(names[0], self.tree(rev))
        except NoSuchStack:
            return None
        top = self.archives[rev] if rev else self.top
        return folder.resolve().relative_to(top.resolve()), stack

    def label(self, rev: str) -> str:
        if not rev:
            return "working tree"
        short = git("rev-parse", "--short", f"{rev}^{{commit}}", cwd=self.top).strip()
        return f"`{short}`" if re.fullmatch(r"[0-9a-f]{7,40}", rev) else f"`{rev}` ({short})"

    def stacks(self, rev: str) -> set[str]:
        if not rev:
            names = [p.name for p in self.project_dir.glob("Pulumi.*.yaml")]
        else:
            listing = git("ls-tree", "--name-only", f"{rev}^{{tree}}", "--", f"{self.inside.as_posix()}/", cwd=self.top)
            names = [Path(line).name for line in listing.splitlines()]
        return {
            name[len("Pulumi.") : -len(".yaml")] for name in names if name.startswith("Pulumi.") and name.endswith(".yaml")
        } - {""}

    def tree(self, rev: str) -> Path:
        """The project folder at `rev` (the working tree itself for "")."""
        if not rev:
            return self.project_dir
        with self._lock:
            if rev not in self.archives:
                target = Path(self.tmp.name) / f"tree-{len(self.archives)}"
                target.mkdir()
                archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=self.top, capture_output=True, check=False)
                if archive.returncode != 0:
                    raise DiffError(f"git archive {rev}: {archive.stderr.decode(errors='replace').strip()}")
                with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
                    tar.extractall(target, filter="data")
                self.archives[rev] = target
            return self.archives[rev] / self.inside

    def plan(self, rev: str, stack: str) -> Side:
        """One stack at one revision: from the cache, or in a process of its own (`python -m offline plan`)."""
        label = self.label(rev)
        project = self.tree(rev)
        if not (project / f"Pulumi.{stack}.yaml").is_file():
            return Side(label=label, plan=None)
        out = self._out(stack)
        kept = self._cached(rev, stack, label, out)
        if kept is not None:
            return kept
        self.planned.append((rev, stack))
        # Each revision plans itself: its program, library, policy pack and tools.
        done = subprocess.run(
            [sys.executable, "-m", "offline", *self._plan_args(project, stack, out)],
            **self._process(platform_root(project)),
            capture_output=True,
            text=True,
            check=False,
        )
        self._keep(rev, stack, out, done.returncode, done.stderr)
        return self._side(label, out, done.returncode, done.stderr)

    def plan_all(
        self, wanted: dict[str, list[str]], referenced: dict[str, list[Referenced]] | None = None
    ) -> dict[tuple[str, str], Side]:
        """Every (revision, stack) of `wanted` (stacks by revision): those the cache keeps from it, the
        rest by one worker per revision (offline/worker.py, in that revision's checkout: its program,
        library and tools), each planning its stacks in children forked once the SDKs are loaded, at
        most one worker per CPU and the CPUs shared among the revisions left to plan (a pull request's
        base side all kept: its head's worker has them all). A revision whose tools have no worker
        (older than it) plans each stack in a process of its own, as does any stack its worker did not report.
        `referenced`: by revision, plans made already that its worker hands the StackReferences of its plans."""
        cpus = max(1, os.cpu_count() or 1)
        sides: dict[tuple[str, str], Side] = {}
        todo: dict[str, list[str]] = {}
        for rev in sorted(wanted):
            found = self._look_up(rev, sorted(set(wanted[rev])))
            sides.update(((rev, stack), side) for stack, side in found.items() if side is not None)
            left = [stack for stack, side in found.items() if side is None]
            if left:
                todo[rev] = left
        revs = sorted(todo)
        with ThreadPoolExecutor(max_workers=min(cpus, max(1, len(revs)))) as pool:
            parallel = max(1, cpus // max(1, len(revs)))
            given = referenced or {}
            done = pool.map(lambda rev: self._plan_revision(rev, todo[rev], parallel, given.get(rev, [])), revs)
            sides.update(((rev, stack), side) for rev, planned in zip(revs, done, strict=True) for stack, side in planned.items())
        self.known.update(((self.inside.as_posix(), rev, stack), side) for (rev, stack), side in sides.items())
        return sides

    def _look_up(self, rev: str, stacks: list[str]) -> dict[str, Side | None]:
        """The side of each stack at `rev` that needs no plan (no stack file there, or a plan the cache
        keeps); None for those to plan."""
        label = self.label(rev)
        project = self.tree(rev)
        found: dict[str, Side | None] = {}
        for stack in stacks:
            known = self.known.get((self.inside.as_posix(), rev, stack))
            if known is not None:
                found[stack] = known
            elif not (project / f"Pulumi.{stack}.yaml").is_file():
                found[stack] = Side(label=label, plan=None)
            else:
                found[stack] = self._cached(rev, stack, label, self._out(stack))
        return found

    def _plan_revision(self, rev: str, stacks: list[str], parallel: int, referenced: list[Referenced]) -> dict[str, Side]:
        """Plans `stacks` (each with its stack file at `rev`) in the revision's worker, `parallel` at once;
        the worker hands the StackReferences of its plans the `referenced` plans instead of making them."""
        label = self.label(rev)
        project = self.tree(rev)
        root = platform_root(project)
        sides: dict[str, Side] = {}
        outs = {stack: self._out(stack) for stack in stacks}
        if stacks and (root / WORKER).is_file():
            jobs = [
                {
                    "argv": self._plan_args(project, stack, outs[stack]),
                    "stderr": str(outs[stack].parent / f"{outs[stack].name}.stderr"),
                }
                for stack in stacks
            ]
            self.planned += [(rev, stack) for stack in stacks]
            given = [{"project_dir": str(ref.project_dir), "stack": ref.stack, "plan": str(ref.plan)} for ref in referenced]
            request = json.dumps({"protocol": WORKER_PROTOCOL, "parallel": parallel, "jobs": jobs, "referenced": given})
            done = subprocess.run(
                [sys.executable, "-m", "offline.worker"],
                input=request,
                **self._process(root),
                capture_output=True,
                text=True,
                check=False,
            )
            for line in done.stdout.splitlines():
                try:
                    report = json.loads(line)
                    stack = stacks[report["job"]]
                    stderr = Path(jobs[report["job"]]["stderr"]).read_text(errors="replace")
                except (ValueError, KeyError, IndexError, TypeError, OSError):
                    continue
                self._keep(rev, stack, outs[stack], report["status"], stderr)
                sides[stack] = self._side(label, outs[stack], report["status"], stderr)
        missing = [stack for stack in stacks if stack not in sides]
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            sides.update(zip(missing, pool.map(lambda stack: self.plan(rev, stack), missing), strict=True))
        return sides

    # The plan cache (offline/plan_cache.py)

    def _key(self, rev: str, stack: str) -> str | None:
        """The cache key of `stack`'s plan at `rev`; None without a cache, or for a checkout whose
        plans borrow a library from elsewhere (a project folder without its own tools)."""
        if self.cache is None:
            return None
        project = self.tree(rev)
        root = platform_root(project)
        with self._lock:
            if rev not in self._keyed:
                tree = None
                if plans_itself(root):
                    try:
                        if rev:
                            archive = project.parents[len(self.inside.parts) - 1] if self.inside.parts else project
                            tree = Tree.at_revision(self.top, rev, root.relative_to(archive).as_posix())
                        else:
                            tree = Tree.of_worktree(root)
                    except (OSError, subprocess.CalledProcessError):
                        tree = None
                self._keyed[rev] = tree
            tree = self._keyed[rev]
        return self.cache.key(tree, project.relative_to(root).as_posix(), stack) if tree is not None else None

    def _cached(self, rev: str, stack: str, label: str, out: Path) -> Side | None:
        key = self._key(rev, stack)
        entry = self.cache.get(key) if self.cache is not None and key is not None else None
        if entry is None or "policy.txt" not in entry.files:
            return None
        entry.write(out)
        return self._side(label, out, entry.status, entry.stderr())

    def _keep(self, rev: str, stack: str, out: Path, status: int, stderr: str) -> None:
        """Keeps a plan that worked (exit 0, or 1 with its policy report) in the cache."""
        key = self._key(rev, stack)
        if self.cache is None or key is None or status not in (0, 1) or not (out / "policy.txt").is_file():
            return
        try:
            entry = Entry.from_out(out, status, stderr)
        except (OSError, UnicodeDecodeError):
            return
        self.cache.put(key, entry)

    @staticmethod
    def _process(root: Path) -> dict[str, Any]:
        """`plan_process(root)`, its plans kept from the cache: the diff looks up and keeps them itself."""
        process = plan_process(root)
        process["env"][CACHE_ENV] = OFF
        return process

    def _out(self, stack: str) -> Path:
        return Path(tempfile.mkdtemp(dir=self.tmp.name, prefix=f"plan-{stack}-"))

    @staticmethod
    def _plan_args(project: Path, stack: str, out: Path) -> list[str]:
        return ["plan", "--stack", stack, "--project-dir", str(project), "--out", str(out), "--quiet"]

    @staticmethod
    def _side(label: str, out: Path, returncode: int, stderr: str) -> Side:
        # Exit 1 is a mandatory policy finding: the revision still has a plan to compare, and its
        # policy report. Without the report, exit 1 is Python's own: the plan crashed.
        if returncode not in (0, 1) or not (out / "policy.txt").is_file():
            message = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit code {returncode}"
            return Side(label=label, error=message.removeprefix("error: "))
        report = (out / "policy.txt").read_text().splitlines()
        findings = [line for line in report if line and line != "no violations"]
        return Side(label=label, plan=load(out / "plan.json"), findings=findings, folder=out)

    def changed_files(self, old_rev: str, new_rev: str) -> set[str] | None:
        """Files that differ between the revisions, relative to the project (`../` outside it); None if git cannot say."""
        # A project in a subfolder (tenant/) reads the shared modules and its platform's stack
        # files beside it: every change of the checkout counts.
        inside = "."
        try:
            names = git("diff", "--name-only", old_rev, *([new_rev] if new_rev else []), "--", inside, cwd=self.top).split()
            if not new_rev:
                names += git("ls-files", "--others", "--exclude-standard", "--", inside, cwd=self.top).split()
        except DiffError:
            return None
        prefix = f"{self.inside.as_posix()}/" if self.inside.parts else ""
        return {name.removeprefix(prefix) if name.startswith(prefix) else f"../{name}" for name in names}


def diff_specs(
    old_spec: str,
    new_spec: str,
    project_dir: Path = PLATFORM_PROJECT_DIR,
    *,
    cache: PlanCache | None = None,
    only: set[str] | None = None,
) -> list[StackDiff]:
    """The stack diffs for two sides as given on the command line; plans kept in `cache` are not made again.
    `only`: of `REV:*` sides, these stacks alone (a shard's: offline/shards.py)."""
    old_is_rev, new_is_rev = is_revision_spec(old_spec), is_revision_spec(new_spec)
    if not old_is_rev and not new_is_rev:
        old, new = load_file_side(old_spec), load_file_side(new_spec)
        return [pair(old, new, (new.plan or old.plan or {}).get("stack", ""))]
    revisions = Revisions(project_dir, cache)
    try:
        jobs: list[tuple[str, Any, Any]] = []
        old_rev, old_stack = old_spec.rsplit(":", 1) if old_is_rev else (None, None)
        new_rev, new_stack = new_spec.rsplit(":", 1) if new_is_rev else (None, None)
        if "*" in (old_stack, new_stack):
            if not (old_rev is not None and new_rev is not None and old_stack == new_stack == "*"):
                raise DiffError("`REV:*` (every stack) needs `REV:*` on both sides")
            stacks = sorted(revisions.stacks(old_rev) | revisions.stacks(new_rev))
            if only is not None:
                stacks = [stack for stack in stacks if stack in only]
            unchanged = _untouched_stacks(revisions.changed_files(old_rev, new_rev), stacks)
            jobs = [(stack, (old_rev, stack), (new_rev, stack)) for stack in stacks if stack not in unchanged]
            skipped = [
                StackDiff(stack, revisions.label(old_rev), revisions.label(new_rev), note=UNTOUCHED) for stack in unchanged
            ]
        else:
            stack = new_stack or old_stack or ""
            jobs = [(stack, (old_rev, old_stack) if old_is_rev else old_spec, (new_rev, new_stack) if new_is_rev else new_spec)]
            skipped = []
        for rev in sorted({side[0] for _, o, n in jobs for side in (o, n) if isinstance(side, tuple)}):
            revisions.tree(rev)  # archive each revision once, before planning in parallel
        if old_is_rev and new_is_rev and old_stack == new_stack != "*":
            _check_stack_exists(revisions, [old_rev or "", new_rev or ""], old_stack or "")

        wanted: dict[str, list[str]] = {}
        for _, *specs in jobs:
            for spec in specs:
                if isinstance(spec, tuple):
                    wanted.setdefault(spec[0], []).append(spec[1])
        sides = revisions.plan_all(wanted, _platform_plans(revisions, jobs))

        def side(spec: Any) -> Side:
            return sides[spec] if isinstance(spec, tuple) else load_file_side(spec)

        platforms = _platform_changes(revisions, jobs, sides)
        planned = [pair(side(o), side(n), stack, platforms.get(stack)) for stack, o, n in jobs]
        if new_is_rev:
            add_tenant_reads(planned, revisions.tree(new_rev or "") / TENANT_PROJECT_DIR.name)
        return sorted(planned + skipped, key=lambda d: d.stack)
    finally:
        revisions.close()


def _platform_plans(revisions: Revisions, jobs: list[tuple[str, Any, Any]]) -> dict[str, list[Referenced]]:
    """For a project inside a platform's (tenant/) diffed between two revisions: the platform plans
    its stack files name (platformStack, read statically), planned first, the diff compares them
    (`_platform_changes`); by revision, for its worker to hand its plans' StackReferences, which
    would each plan their platform again in a process of its own. A name read wrong costs that plan alone."""
    diffed = {stack: (old[0], new[0]) for stack, old, new in jobs if isinstance(old, tuple) and isinstance(new, tuple)}
    wanted: dict[Path, dict[str, list[str]]] = {}  # platform folder → revision → the stacks named there
    for rev in sorted({rev for revs in diffed.values() for rev in revs}):
        project, top = revisions.tree(rev), revisions.archives[rev] if rev else revisions.top
        root = platform_root(project)
        try:
            named = sorted({t.platform for t in tenants(project) if t.stack in diffed}) if root != project else []
        except (OSError, ValueError, TypeError):  # a stack file the diff reports as it plans it
            continue
        if named:
            wanted.setdefault(root.resolve().relative_to(top.resolve()), {})[rev] = named
    referenced: dict[str, list[Referenced]] = {}
    for inside, by_rev in wanted.items():
        beside = revisions.beside(inside)
        for (rev, stack), side in beside.plan_all(by_rev).items():
            if side.folder is not None:
                referenced.setdefault(rev, []).append(Referenced(beside.tree(rev), stack, side.folder / "plan.json"))
    return referenced


def _platform_changes(
    revisions: Revisions, jobs: list[tuple[str, Any, Any]], sides: dict[tuple[str, str], Side]
) -> dict[str, PlatformChange]:
    """For each stack planned at two revisions whose plans read another stack's outputs (a tenant, its
    platform's): what it reads that changes, from that stack's plans at the same two revisions."""
    reads: dict[str, tuple[tuple[str, Path, str], tuple[str, Path, str]]] = {}  # (revision, project folder, stack) read
    for stack, old_spec, new_spec in jobs:
        if not (isinstance(old_spec, tuple) and isinstance(new_spec, tuple)):
            continue
        old_plan, new_plan = sides[old_spec].plan, sides[new_spec].plan
        old_read = revisions.referenced(old_spec[0], old_plan) if old_plan is not None else None
        new_read = revisions.referenced(new_spec[0], new_plan) if new_plan is not None else None
        if old_read is not None and new_read is not None:
            reads[stack] = ((old_spec[0], *old_read), (new_spec[0], *new_read))
    wanted: dict[Path, dict[str, list[str]]] = {}
    for read in reads.values():
        for rev, inside, other in read:
            wanted.setdefault(inside, {}).setdefault(rev, []).append(other)
    planned = {inside: revisions.beside(inside).plan_all(by_rev) for inside, by_rev in wanted.items()}
    changes = {}
    for stack, _, new_spec in jobs:
        if stack not in reads:
            continue
        (old_rev, old_in, old_stack), (new_rev, new_in, new_stack) = reads[stack]
        old, new = planned[old_in][old_rev, old_stack].plan, planned[new_in][new_rev, new_stack].plan
        if old is not None and new is not None:
            changes[stack] = platform_change(old, new, sides[new_spec].plan or {})
    return changes


def _check_stack_exists(revisions: Revisions, revs: list[str], stack: str) -> None:
    """A stack on neither side is a typo, not a stack without changes."""
    existing = set().union(*(revisions.stacks(rev) for rev in revs))
    if stack not in existing:
        sides = " or ".join(revisions.label(rev) for rev in revs)
        known = ", ".join(sorted(existing)) or "none"
        raise DiffError(f"no stack {stack!r}: there is no Pulumi.{stack}.yaml at {sides}; the stacks are {known}")


def _untouched_stacks(changed: set[str] | None, stacks: list[str]) -> set[str]:
    """Stacks that need no plan: when only stack files changed, every stack whose file did not."""
    if changed is None or any(not _is_stack_file(name) for name in changed):
        return set()
    return {stack for stack in stacks if f"Pulumi.{stack}.yaml" not in changed}


def _is_stack_file(name: str) -> bool:
    return "/" not in name and name.startswith("Pulumi.") and name.endswith(".yaml") and name != "Pulumi.yaml"
