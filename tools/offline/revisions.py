"""Plans of stacks at git revisions, as the diff (offline/diff_command.py) needs them.

`REV:STACK` is that stack file's plan at git revision REV, planned with that revision's own program,
library and tools from `git archive REV` in a temporary folder (`:STACK` is the working tree). A
revision's stacks are planned by one worker (offline/worker.py), those the plan cache keeps
(offline/plan_cache.py) not at all.
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
from eksfargate.project import PLATFORM_PROJECT_DIR
from offline.plan_cache import CACHE_ENV, OFF, Entry, PlanCache, Tree, plans_itself, platform_root
from offline.plan_document import load
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


def git(*args: str, cwd: Path = PLATFORM_PROJECT_DIR) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise DiffError("git is not installed") from exc
    if done.returncode != 0:
        raise DiffError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


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
