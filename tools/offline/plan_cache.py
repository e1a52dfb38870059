"""The plan cache: a stack's plan, kept by a hash of everything the plan can read.

A plan is a pure function of its inputs, so `python -m offline diff` and `python -m offline plan`
look it up before planning and keep what they plan. The key is the SHA-256 of:

- the cache's FORMAT;
- the code: every file of the checkout's platform project (its root: the folder of the platform's
  Pulumi.yaml, which holds both programs, the library, the policy pack, the tools, Pulumi.yaml and
  the requirements*.txt pins) but those no plan reads (NOT_READ) and the stack files, by path and
  git blob id (`git ls-tree` for a revision, the same hash of the file's bytes for the working
  tree, where files git does not ignore count whether tracked or not). A file nobody listed is in
  the key: a new module or data file invalidates the cache rather than be missed;
- the stack files the plan reads: its own (or --stack-file's name and bytes); for a stack of a
  project inside the platform's (tenant/), also every stack file of that project and of the
  platform, which a tenant plan reads (its platform's plan through its StackReference, the
  platform stack files for their settings, the other tenants for the namespaces and shared ALBs
  they claim);
- the project (its folder under the root), the stack's name, and whether the checks (policy
  pack, cost estimate, subnet capacity) run;
- what the plan runs with that no file says: the Python version and platform, every installed
  distribution and its version (the SDKs, their protobuf and gRPC, PyYAML; pip's view, as
  `importlib.metadata` sees it in this interpreter, which is the one that plans), the date the
  plan is for (the estimate's month and the policy pack's Kubernetes support notices depend on
  it: `today_utc`, EKSFARGATE_TODAY or today in UTC), and the environment variables a plan reads
  config from (PULUMI_CONFIG, PULUMI_CONFIG_<KEY>) or the library reads (EKSFARGATE_*).

tests/tools/offline/test_plan_cache.py runs plans with an audit hook and checks that every file of
the checkout they open is one of their key's files.

An entry is one gzip-compressed JSON file `<key>.json.gz` in the cache folder: the plan command's
exit code (0, or 1 for a mandatory policy finding or too small subnets; a plan that fails is not
kept), the files it wrote (plan.json, manifests.yaml, iam/*.json, diagram.mmd, and with the
checks policy.txt, cost.txt, capacity.txt) and what it printed. It is written to a temporary file
and renamed, so a reader sees a whole entry or none; one that cannot be read (cut short, damaged,
another format) is a miss, and the plan made then replaces it. A hit touches the entry, so that
`prune --unused-since` keeps what a run used.

The folder: $OFFLINE_PLAN_CACHE, else `.cache/plans/` in the checkout (git-ignored);
OFFLINE_PLAN_CACHE=off, or `--no-cache`, turns it off. The processes a diff plans in are given
OFFLINE_PLAN_CACHE=off: the diff looks up and keeps their plans itself.

    python -m offline cache warm REV [--project-dir tenant]   # plan every stack file at REV into the cache
    python -m offline cache prune --unused-since EPOCH        # drop entries no run has used since then
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eksfargate.facts.kubernetes_versions import today_utc
from offline import plan_folder

FORMAT = 1
CACHE_ENV = "OFFLINE_PLAN_CACHE"
OFF = "off"
DEFAULT_DIR = Path(".cache") / "plans"
SUFFIX = ".json.gz"

# Paths of the platform project (relative to its root, POSIX) that no plan reads: the tests, the
# documentation, the benchmarks, CI, and the tools above `offline` (the import contract in
# pyproject.toml forbids `offline` to import cost, teams or security). Everything else is in the key.
NOT_READ = (
    ".ci/",
    # The diff renders through .github/scripts/plan_markdown.py and plan_schema.py, which every plan
    # command loads (offline/comment_scripts.py): those two are in the key, the rest of .github is not read.
    ".github/workflows/",
    ".github/scripts/deploy_plan.py",
    ".github/scripts/deploy_record.py",
    ".github/scripts/plan_comment.py",
    "bench/",
    "docs/",
    "tests/",
    "tools/cost/",
    "tools/security/",
    "tools/teams/",
    ".gitignore",
    ".pre-commit-config.yaml",
    "Makefile",
    "README.md",
)
_STACK_FILE = re.compile(r"^Pulumi\.[^/]+\.yaml$")
# The environment variables a plan reads its inputs from (the SDK's config fallbacks; the library's own).
_READ_ENV = re.compile(r"^(PULUMI_CONFIG(_.*)?|EKSFARGATE_.*)$")


def platform_root(project: Path) -> Path:
    """The platform project holding `project`: itself, or the outermost folder above it that is a
    Pulumi project too (tenant/ sits inside its platform's project and imports its library)."""
    root = project
    while (root.parent / "Pulumi.yaml").is_file():
        root = root.parent
    return root


def plans_itself(root: Path) -> bool:
    """Whether a checkout plans with its own library and tools (what the key hashes): a copy of this
    project, not a folder with a Pulumi.yaml that borrows an installed library."""
    return (root / "eksfargate").is_dir() and (root / "tools" / "offline").is_dir() and (root / "Pulumi.yaml").is_file()


def blob_id(data: bytes) -> str:
    """git's id of a file with these bytes (`git hash-object`)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # noqa: S324 - git's own object id


def is_stack_file(path: str) -> bool:
    """Pulumi.<stack>.yaml (not Pulumi.yaml), by its path relative to the root."""
    return bool(_STACK_FILE.match(path.rsplit("/", 1)[-1]))


def not_read(path: str) -> bool:
    return any(path == prefix or (prefix.endswith("/") and path.startswith(prefix)) for prefix in NOT_READ)


class Tree:
    """A checkout's platform project as the key sees it: its files' git blob ids, by path relative to its root."""

    def __init__(self, files: dict[str, str]):
        self.files = files

    @classmethod
    def at_revision(cls, top: Path, rev: str, root: str = "") -> Tree:
        """The files at git revision `rev` under `root` (a folder of the repository at `top`; "" for its top)."""
        prefix = f"{root.strip('/')}/" if root.strip("/.") else ""
        listing = subprocess.run(
            ["git", "ls-tree", "-r", "-z", "--full-tree", f"{rev}^{{tree}}", "--", *([prefix] if prefix else [])],
            cwd=top,
            capture_output=True,
            check=True,
        ).stdout.decode()
        files = {}
        for line in filter(None, listing.split("\0")):
            meta, path = line.split("\t", 1)
            files[path.removeprefix(prefix)] = meta.split()[2]
        return cls(files)

    @classmethod
    def of_worktree(cls, root: Path) -> Tree:
        """The files of the working tree under `root`: tracked or not, but not those git ignores."""
        listing = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout.decode()
        files = {}
        for path in sorted(set(filter(None, listing.split("\0")))):
            full = root / path
            try:
                data = os.readlink(full).encode() if full.is_symlink() else full.read_bytes()
            except OSError:  # deleted, not yet staged: the plan cannot read it either
                continue
            files[path] = blob_id(data)
        return cls(files)

    @functools.cached_property
    def code_digest(self) -> str:
        """The hash of the code files: all but NOT_READ and the stack files."""
        code = sorted((path, blob) for path, blob in self.files.items() if is_code(path))
        return hashlib.sha256(json.dumps(code).encode()).hexdigest()

    def stack_files_read(self, project: str, stack: str, stack_file_given: bool = False, checks: bool = True) -> list[str] | None:
        """The stack files of the tree a plan of `stack` in `project` ("." or a folder under the root)
        reads, by path; None if its own is not there and no --stack-file is given."""
        folder = project.strip("/") if project.strip("/.") else ""
        own = f"{folder}/Pulumi.{stack}.yaml".lstrip("/")
        if own not in self.files and not stack_file_given:
            return None
        if not folder and not checks:  # a platform stack reads its own stack file (or the one given instead)
            return [] if stack_file_given else [own]
        if not folder:
            # With its checks, a platform's plan also plans its tenants for the reachability table
            # (offline/reachability.py), which read every stack file of both projects.
            return sorted({*([] if stack_file_given else [own]), *(path for path in self.files if is_stack_file(path))})
        # A stack of a project inside the platform's: every stack file of both projects.
        return sorted(path for path in self.files if is_stack_file(path) and _folder(path) in ("", folder))

    def key_files(self, project: str, stack: str) -> set[str]:
        """Every file in the key of that plan, with its checks (for the test that plans read no other)."""
        return {path for path in self.files if is_code(path)} | set(self.stack_files_read(project, stack) or [])


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def is_code(path: str) -> bool:
    return not not_read(path) and not is_stack_file(path)


def installed() -> list[list[str]]:
    """Every distribution this interpreter can import from, with its version (pip's view)."""
    return [list(pair) for pair in sorted({_name_and_version(dist) for dist in importlib.metadata.distributions()})]


# A distribution's name and version by its metadata folder as it is now (path, inode, modification
# time): parsing every METADATA file again took about 30 ms a key, and a test session makes hundreds.
_READ: dict[tuple[str, int, int], tuple[str, str]] = {}


def _name_and_version(dist: importlib.metadata.Distribution) -> tuple[str, str]:
    folder = getattr(dist, "_path", None)  # a PathDistribution's metadata folder; other kinds are read each time
    stamp = None
    if isinstance(folder, Path):
        with contextlib.suppress(OSError):
            status = folder.stat()
            stamp = (str(folder.absolute()), status.st_ino, status.st_mtime_ns)
    if stamp in _READ:
        return _READ[stamp]
    read = (re.sub(r"[-_.]+", "-", dist.metadata["Name"] or "").lower(), dist.version)
    if stamp is not None:
        _READ[stamp] = read
    return read


def interpreter() -> dict[str, str]:
    return {
        "version": sys.version,
        "cache_tag": sys.implementation.cache_tag or "",
        "system": platform.system(),
        "machine": platform.machine(),
    }


def environment() -> dict[str, Any]:
    """What a plan runs with that no file of the checkout says (the same for every plan of a run)."""
    return {
        "python": interpreter(),
        "distributions": installed(),
        "date": today_utc().isoformat(),
        "environment": {name: value for name, value in sorted(os.environ.items()) if _READ_ENV.match(name)},
    }


@dataclass
class Entry:
    """A kept plan: the plan command's exit code, the files it wrote and what it printed.

    `output` is what it printed, in order: ("stderr", text), ("stdout", text), and ("wrote", "")
    where the command prints its "Wrote …" line, which names the folder and the time. `screen`
    tells whether the standard output is kept: a plan made by a diff's worker keeps only its
    standard error, and `python -m offline plan` without --quiet plans again rather than show
    nothing.
    """

    status: int
    files: dict[str, str]
    output: list[tuple[str, str]]
    screen: bool

    @classmethod
    def from_out(cls, out: Path, status: int, stderr: str) -> Entry:
        files = {path.relative_to(out).as_posix(): path.read_text() for path in sorted(out.rglob("*")) if path.is_file()}
        return cls(status, files, [("stderr", stderr)] if stderr else [], screen=False)

    def write(self, out: Path) -> list[Path]:
        """The files as all that `out` holds, as the plan command writes them (offline/plan_folder.py)."""
        return plan_folder.put(out, self.files)

    def stderr(self) -> str:
        return "".join(text for stream, text in self.output if stream == "stderr")


class PlanCache:
    """A folder of entries (`<key>.json.gz`), shared by the processes and threads that use it."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._environment: dict[str, Any] | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.stored = 0

    def environment(self) -> dict[str, Any]:
        with self._lock:
            if self._environment is None:
                self._environment = environment()
            return self._environment

    def key(
        self,
        tree: Tree,
        project: str,
        stack: str,
        checks: bool = True,
        stack_file: tuple[str, bytes] | None = None,
    ) -> str | None:
        """The key of a plan of `stack` in `project` (".", "tenant") of `tree`, or None if it reads no
        stack file there. `stack_file`: (name, bytes) of a --stack-file, which replaces its own."""
        read = tree.stack_files_read(project, stack, stack_file_given=stack_file is not None, checks=checks)
        if read is None:
            return None
        document = {
            "format": FORMAT,
            "environment": self.environment(),
            "project": project.strip("/") or ".",
            "stack": stack,
            "checks": checks,
            "code": tree.code_digest,
            "stack files": [[path, tree.files[path]] for path in read],
            "stack file": [stack_file[0], blob_id(stack_file[1])] if stack_file else None,
        }
        return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()

    def path(self, key: str) -> Path:
        return self.directory / f"{key}{SUFFIX}"

    def get(self, key: str, screen: bool = False) -> Entry | None:
        """The entry of `key` (one that keeps the standard output, with `screen`), or None: absent or unreadable."""
        path = self.path(key)
        try:
            document = json.loads(gzip.decompress(path.read_bytes()))
            entry = _entry(document, key)
        except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError, gzip.BadGzipFile):
            entry = None
        if entry is None or (screen and not entry.screen):
            with self._lock:
                self.misses += 1
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: `prune --unused-since` keeps it
        with self._lock:
            self.hits += 1
        return entry

    def put(self, key: str, entry: Entry) -> None:
        """Keeps `entry` under `key`, whole or not at all. A plan made after the date its key was made
        for (a run over midnight UTC) is not kept: it may have read either day."""
        if today_utc().isoformat() != self.environment()["date"]:
            return
        document = {
            "format": FORMAT,
            "key": key,
            "status": entry.status,
            "files": entry.files,
            "output": [list(event) for event in entry.output],
            "screen": entry.screen,
        }
        data = gzip.compress(json.dumps(document).encode(), compresslevel=6, mtime=0)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=f".{key[:16]}-", suffix=".tmp")
            try:
                os.fchmod(handle, 0o644)  # mkstemp's are the owner's alone; an entry is as readable as the checkout
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.replace(temporary, self.path(key))
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as exc:  # a read-only or full disk: the plan is still good, only not kept
            print(f"warning: plan cache {self.directory}: {exc}", file=sys.stderr)
            return
        with self._lock:
            self.stored += 1

    def summary(self) -> str:
        looked = self.hits + self.misses
        return f"plan cache {self.directory}: {self.hits} of {looked} plans reused, {self.stored} kept"

    def prune(self, unused_since: float) -> int:
        """Removes the entries (and left-over temporary files) not used since `unused_since` (seconds
        since the epoch); the number removed."""
        removed = 0
        for path in self.directory.glob("*") if self.directory.is_dir() else []:
            if not (path.name.endswith(SUFFIX) or path.name.endswith(".tmp")):
                continue
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < unused_since:
                    path.unlink()
                    removed += 1
        return removed


def _entry(document: Any, key: str) -> Entry | None:
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("key") != key:
        return None
    files, output = document["files"], document["output"]
    if document["status"] not in (0, 1) or not isinstance(files, dict) or "plan.json" not in files:
        return None
    if not all(isinstance(name, str) and isinstance(text, str) for name, text in files.items()):
        return None
    if not all(isinstance(stream, str) and isinstance(text, str) for stream, text in output):
        return None
    return Entry(document["status"], files, [(stream, text) for stream, text in output], bool(document["screen"]))


def from_settings(no_cache: bool, root: Path) -> PlanCache | None:
    """The cache a command uses: None with --no-cache or OFFLINE_PLAN_CACHE=off; else the folder
    $OFFLINE_PLAN_CACHE, or `.cache/plans/` under `root` (the checkout)."""
    setting = os.environ.get(CACHE_ENV, "").strip()
    if no_cache or setting.lower() == OFF:
        return None
    return PlanCache(Path(setting) if setting else root / DEFAULT_DIR)
