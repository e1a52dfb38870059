"""The plan cache (offline/plan_cache.py): a hit plans nothing and gives the plan's bytes, every input
a plan reads is in its key, and an entry that cannot be read is planned again and replaced.

The plans run in a snapshot of this working tree (a git repository of its own, committed), so that
what other work changes in the checkout meanwhile changes no key here.
"""

import ast
import gzip
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from offline import commands, diff_command, diff_render, plan_cache
from offline import revisions as offline_revisions
from offline.harness import PROJECT_DIR, SHARED_REFERENCED_PLANS
from offline.plan_cache import PlanCache, Tree
from tests.worker_plans import StandInPlans

PLATFORM_STACK = "shared-dev"  # serves the tenants (tenant/Pulumi.*.yaml's platformStack)
TENANT_STACK = "checkout-dev"


def git(cwd: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t")
    env["GIT_COMMITTER_EMAIL"] = "t@example.com"
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    """This working tree's files (tracked, or new and not ignored), committed in a repository of their own."""
    root = tmp_path_factory.mktemp("snapshot") / "checkout"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_DIR,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = PROJECT_DIR / name
        if source.is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    git(root, "init", "--quiet")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "snapshot")
    return root


def process(root: Path, **env: str) -> dict:
    """`subprocess.run` arguments for a command of the snapshot's own tools."""
    path = os.pathsep.join(filter(None, [str(root / "tools"), os.environ.get("PYTHONPATH")]))
    return {"cwd": root, "env": dict(os.environ, PYTHONPATH=path, **env)}


def files(out: Path) -> dict[str, bytes]:
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


# --- the key -----------------------------------------------------------------------------------


def keys(tree: Tree, **kwargs) -> tuple[str | None, str | None]:
    """The keys of a platform stack's plan and of a tenant stack's, in a cache made now."""
    cache = PlanCache(Path("unused"))
    return cache.key(tree, ".", PLATFORM_STACK, **kwargs), cache.key(tree, "tenant", TENANT_STACK, **kwargs)


def changed(tree: Tree, path: str) -> Tree:
    return Tree({**tree.files, path: plan_cache.blob_id(b"something else\n")})


@pytest.fixture(scope="module")
def tree(snapshot) -> Tree:
    return Tree.of_worktree(snapshot)


def test_a_revision_and_the_same_working_tree_have_the_same_keys(snapshot, tree):
    assert Tree.at_revision(snapshot, "HEAD").files == tree.files
    assert keys(Tree.at_revision(snapshot, "HEAD")) == keys(tree) and None not in keys(tree)
    assert keys(tree) == keys(Tree.of_worktree(snapshot))  # and the same every time


@pytest.mark.parametrize(
    "path",
    [
        "__main__.py",
        "tenant/__main__.py",
        "components/network.py",
        "eksfargate/settings.py",
        "eksfargate/data/regions.json",
        "eksfargate/facts/kubernetes_versions.py",
        "policy/cluster_rules.py",
        "tools/offline/plan.py",
        "Pulumi.yaml",
        "tenant/Pulumi.yaml",
        "requirements.txt",
        "requirements-dev.txt",
        "policy/requirements.txt",
        "components/a_new_module.py",  # a file nobody listed is in the key
    ],
)
def test_a_code_file_pin_or_project_file_is_in_every_key(tree, path):
    platform, tenant = keys(tree)
    assert path in tree.files or path == "components/a_new_module.py"
    new_platform, new_tenant = keys(changed(tree, path))
    assert new_platform != platform and new_tenant != tenant


@pytest.mark.parametrize(
    "path", ["README.md", "docs/reference.md", "tests/conftest.py", "bench/plan.py", ".github/workflows/pull-request.yml"]
)
def test_what_no_plan_reads_is_in_no_key(tree, path):
    assert path in tree.files
    assert keys(changed(tree, path)) == keys(tree)


def test_a_stack_file_is_in_its_own_key_and_a_tenants_reads_both_projects_stack_files(tree):
    # A diff's plan (no checks) of a platform reads its own stack file; a checked one also plans its
    # tenants (the reachability table), which read every stack file.
    platform, tenant = keys(tree, checks=False)
    checked = PlanCache(Path("unused")).key(tree, ".", PLATFORM_STACK)
    # Its own stack file: both keys (a tenant plan reads its platform's plan, made from it).
    new_platform, new_tenant = keys(changed(tree, f"Pulumi.{PLATFORM_STACK}.yaml"), checks=False)
    assert new_platform != platform and new_tenant != tenant
    # Another platform stack file: not a platform plan's input; a tenant reads every platform stack file.
    other = next(p for p in tree.files if plan_cache.is_stack_file(p) and "/" not in p and PLATFORM_STACK not in p)
    new_platform, new_tenant = keys(changed(tree, other), checks=False)
    assert new_platform == platform and new_tenant != tenant
    # The tenant's own stack file, and another tenant's (namespaces and shared ALBs are claimed across them).
    other_tenant = next(
        p for p in tree.files if plan_cache.is_stack_file(p) and p.startswith("tenant/") and TENANT_STACK not in p
    )
    for path in (f"tenant/Pulumi.{TENANT_STACK}.yaml", other_tenant):
        new_platform, new_tenant = keys(changed(tree, path), checks=False)
        assert new_platform == platform and new_tenant != tenant
        assert PlanCache(Path("unused")).key(changed(tree, path), ".", PLATFORM_STACK) != checked
    # A stack file that is not there has no plan to keep.
    assert PlanCache(Path("unused")).key(tree, ".", "no-such-stack") is None


def test_what_the_plan_runs_with_is_in_the_key(tree, monkeypatch):
    before = keys(tree)

    def differs(**changes) -> bool:
        return keys(tree, **changes) != before and None not in keys(tree, **changes)

    assert differs(checks=False)
    assert differs(stack_file=("Pulumi.elsewhere.yaml", b"config: {}\n"))
    with monkeypatch.context() as patch:  # another Python
        python = plan_cache.interpreter()
        patch.setattr(plan_cache, "interpreter", lambda: {**python, "version": "3.12.1 (main)"})
        assert keys(tree) != before
    with monkeypatch.context() as patch:  # another SDK version
        installed = list(importlib.metadata.distributions())
        sdk = next(d for d in installed if d.metadata["Name"] == "pulumi_aws" or d.metadata["Name"] == "pulumi-aws")

        class Upgraded:
            metadata = {"Name": sdk.metadata["Name"]}
            version = sdk.version + ".post1"

        patch.setattr(plan_cache.importlib.metadata, "distributions", lambda: [d for d in installed if d is not sdk] + [Upgraded])
        assert keys(tree) != before
    with monkeypatch.context() as patch:  # another day (the estimate's month, the support calendar's notices)
        patch.setenv("EKSFARGATE_TODAY", "2031-02-03")
        assert keys(tree) != before
    with monkeypatch.context() as patch:  # config the SDK reads from the environment
        patch.setenv("PULUMI_CONFIG_EKS_FARGATE_APPREPLICAS", "7")
        assert keys(tree) != before
    with monkeypatch.context() as patch:  # another format of the cache
        patch.setattr(plan_cache, "FORMAT", plan_cache.FORMAT + 1)
        assert keys(tree) != before
    assert keys(tree) == before


def test_a_distribution_upgraded_within_the_process_changes_the_key(tree, tmp_path, monkeypatch):
    # Each distribution's metadata is read once per folder as it is: an upgrade (pip replaces the
    # folder, whose name holds the version) is seen by the next key.
    monkeypatch.syspath_prepend(str(tmp_path))
    old = tmp_path / "upgraded_thing-1.0.dist-info"
    old.mkdir()
    (old / "METADATA").write_text("Metadata-Version: 2.1\nName: upgraded-thing\nVersion: 1.0\n")
    before = keys(tree)
    assert ["upgraded-thing", "1.0"] in plan_cache.installed() and keys(tree) == before
    new = old.rename(tmp_path / "upgraded_thing-1.1.dist-info")
    (new / "METADATA").write_text("Metadata-Version: 2.1\nName: upgraded-thing\nVersion: 1.1\n")
    assert ["upgraded-thing", "1.1"] in plan_cache.installed() and ["upgraded-thing", "1.0"] not in plan_cache.installed()
    assert keys(tree) != before


# --- plans read only what their key holds ------------------------------------------------------

AUDIT = """
import os, sys

def _audit():
    out = os.environ.get("PLAN_AUDIT")
    if not out:
        return
    pid = os.getpid()
    seen = set()

    def hook(event, args):
        if event == "open" and isinstance(args[0], (str, bytes)) and not (args[2] or 0) & (os.O_WRONLY | os.O_RDWR):
            mode = args[1]
            if mode is None or ("w" not in mode and "a" not in mode and "+" not in mode and "x" not in mode):
                seen.add(os.path.realpath(os.fsdecode(args[0])))

    sys.addaudithook(hook)
    import atexit

    @atexit.register
    def write():
        with open(out, "a") as report:
            started = (sys.argv[:4], os.getpid() != pid)
            report.write(f"{PROCESS}{started!r}\\n" + "".join(f"{path}\\n" for path in sorted(seen)))
_audit()
"""
PROCESS = "process: "  # the line each process of the plan writes first, before the files it opened


def audited(tmp_path: Path, monkeypatch) -> Path:
    """The file every Python process started from now on writes its arguments and the files it opened to."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(AUDIT.replace("{PROCESS}", PROCESS))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(hooks), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("PLAN_AUDIT", str(tmp_path / "opened.txt"))
    return tmp_path / "opened.txt"


def processes(report: Path) -> list[list[str]]:
    """The arguments of each process that wrote to `report` (`audited`), the forks of a worker but its own."""
    lines = report.read_text().splitlines() if report.is_file() else []
    started = [ast.literal_eval(line.removeprefix(PROCESS)) for line in lines if line.startswith(PROCESS)]
    return [argv for argv, forked in started if not forked]


def assert_read_only_its_key(report: Path, snapshot: Path, tree: Tree, project: str, stack: str, started: int) -> None:
    """The plan the `audited` report is of started `started` processes, and opened no file of the
    snapshot outside its key."""
    assert len(processes(report)) == started, processes(report)
    root = snapshot.resolve()
    opened = set()
    for line in report.read_text().splitlines():
        path = Path(line)
        if root not in path.parents or not path.is_file():
            continue
        relative = path.relative_to(root)
        if relative.parent.name == "__pycache__":  # compiled from its source, which is checked instead
            relative = relative.parent.parent / f"{relative.name.split('.')[0]}.py"
        opened.add(relative.as_posix())
    assert {"Pulumi.yaml", "components/__init__.py", "eksfargate/settings.py", "policy/pack.py"} <= opened
    assert opened - tree.key_files(project, stack) == set()


# dev, a platform stack no tenant reads, is audited in its --no-cache plan below
# (test_a_kept_plan_is_byte_for_byte_the_plan_and_prints_the_same): the same plan, one process fewer.
@pytest.mark.parametrize(
    ("project", "stack", "started"),
    [
        ("tenant", TENANT_STACK, 2),  # and its platform's plan, in a process of its own
        # With its checks it plans its tenants too (the reachability table), which read its plan: this one.
        (".", PLATFORM_STACK, 1),
    ],
)
def test_a_plan_reads_no_file_of_the_checkout_outside_its_key(snapshot, tree, tmp_path, monkeypatch, project, stack, started):
    # Every file the plan command opens, in its process and those it starts (a tenant's platform plan).
    report = audited(tmp_path, monkeypatch)
    monkeypatch.delenv(SHARED_REFERENCED_PLANS)  # the session's (conftest.py): a plan another test made is not read here
    command = [sys.executable, "-m", "offline", "plan", "--stack", stack, "--project-dir", str(snapshot / project)]
    env = process(snapshot, OFFLINE_PLAN_CACHE="off")
    done = subprocess.run([*command, "--out", str(tmp_path / "out"), "--quiet"], **env, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    assert_read_only_its_key(report, snapshot, tree, project, stack, started)


# --- the diff --------------------------------------------------------------------------------


def diff(snapshot: Path, cache: PlanCache, monkeypatch, old: str = "HEAD:dev", new: str = ":dev") -> tuple[str, list]:
    """The diff's Markdown, and the plans it made."""
    made: list[tuple[str, str]] = []
    close = offline_revisions.Revisions.close
    monkeypatch.setattr(offline_revisions.Revisions, "close", lambda self: made.extend(self.planned) or close(self))
    diffs = diff_command.diff_specs(old, new, snapshot, cache=cache)
    assert not any(d.error for d in diffs), [d.error for d in diffs]
    return diff_render.render(diffs), sorted(made)


@pytest.fixture
def dev_workers(plan_alone, monkeypatch) -> StandInPlans:
    """The revisions' workers as stand-ins that write the session's plan of dev alone (conftest.py), for
    tests whose property is which plans are made and kept, not how a worker plans (test_worker.py)."""
    dev = plan_alone("dev", PROJECT_DIR, None)
    stand_in = StandInPlans(files(dev.out), dev.status, dev.stderr)
    monkeypatch.setattr(offline_revisions, "subprocess", stand_in)
    return stand_in


def test_a_diff_plans_only_what_the_cache_does_not_keep(snapshot, tmp_path, monkeypatch, dev_workers):
    # The diff's workers are stand-ins (dev_workers): what the cache plans, keeps and hands back is the property.
    code_change = snapshot / "components" / "__init__.py"
    stack_file = snapshot / "Pulumi.dev.yaml"
    originals = {path: path.read_text() for path in (code_change, stack_file)}
    cache_dir = tmp_path / "plans"
    try:
        code_change.write_text(originals[code_change] + "# a comment: the code changes, no plan does\n")
        first, made = diff(snapshot, PlanCache(cache_dir), monkeypatch)
        assert made == [("", "dev"), ("HEAD", "dev")]  # a miss: both sides planned, and kept
        assert dev_workers.stacks() == ["dev", "dev"]
        assert len(list(cache_dir.glob("*.json.gz"))) == 2

        again = PlanCache(cache_dir)
        second, made = diff(snapshot, again, monkeypatch)
        assert made == [] and (again.hits, again.misses, again.stored) == (2, 0, 0)  # a hit: nothing planned
        assert second == first

        # The stack file changes: its plan at the working tree is made again, HEAD's is kept.
        stack_file.write_text(originals[stack_file] + "# one line more\n")
        third, made = diff(snapshot, PlanCache(cache_dir), monkeypatch)
        assert made == [("", "dev")] and third == first
        assert len(list(cache_dir.glob("*.json.gz"))) == 3

        # An entry cut short (a run killed as it wrote, by another means than ours) is a miss: planned again, replaced.
        kept = PlanCache(cache_dir)
        head_key = kept.key(Tree.at_revision(snapshot, "HEAD"), ".", "dev")
        whole = kept.path(head_key).read_bytes()
        kept.path(head_key).write_bytes(whole[: len(whole) // 2])
        fourth, made = diff(snapshot, kept, monkeypatch)
        assert made == [("HEAD", "dev")] and (kept.hits, kept.stored) == (1, 1) and fourth == first
        assert gzip.decompress(kept.path(head_key).read_bytes()) == gzip.decompress(whole)
        assert len(dev_workers.plans) == 4  # one job for each plan made, none for a kept one
    finally:
        for path, text in originals.items():
            path.write_text(text)


def test_a_tenant_stacks_plan_at_a_revision_is_kept(snapshot, tmp_path, monkeypatch):
    # A tenant project inside the platform's: its plan reads its platform's plan and both projects' stack files.
    tenant = snapshot / "tenant"
    started = audited(tmp_path, monkeypatch)
    first, made = diff(tenant, PlanCache(tmp_path / "plans"), monkeypatch, f"HEAD:{TENANT_STACK}", f"HEAD:{TENANT_STACK}")
    assert made == [("HEAD", TENANT_STACK)]
    # Its platform's plan, which the diff compares, is planned once (first, in its own worker) and read by the
    # tenant's plan: no plan in a process of its own.
    assert sorted(Path(argv[0]).name for argv in processes(started)) == ["worker.py", "worker.py"], processes(started)
    second, made = diff(tenant, PlanCache(tmp_path / "plans"), monkeypatch, f"HEAD:{TENANT_STACK}", f"HEAD:{TENANT_STACK}")
    assert made == [] and second == first


# --- the plan command ------------------------------------------------------------------------


def test_a_kept_plan_is_byte_for_byte_the_plan_and_prints_the_same(snapshot, tree, tmp_path, monkeypatch):
    cache_dir = tmp_path / "plans"

    def plan(out: str, *extra: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "offline", "plan", "--stack", "dev", "--out", str(tmp_path / out), *extra]
        done = subprocess.run(command, **process(snapshot, OFFLINE_PLAN_CACHE=str(cache_dir)), capture_output=True, text=True)
        assert done.returncode in (0, 1), done.stderr
        return done

    made = plan("made")
    assert len(list(cache_dir.glob("*.json.gz"))) == 1 and "(planned," in made.stdout
    kept = plan("kept")
    assert "(from the plan cache," in kept.stdout
    assert files(tmp_path / "kept") == files(tmp_path / "made")
    assert (kept.returncode, kept.stderr) == (made.returncode, made.stderr)
    assert kept.stdout.splitlines()[:-1] == made.stdout.splitlines()[:-1]  # all but the "Wrote …" line
    # --no-cache plans, and keeps nothing: the entry is the one made first.
    entry = next(cache_dir.glob("*.json.gz"))
    before = entry.stat().st_mtime_ns
    time.sleep(0.01)
    # It is audited too: every file it opens, in its process and any it starts (none: no tenant reads dev).
    report = audited(tmp_path, monkeypatch)
    monkeypatch.delenv(SHARED_REFERENCED_PLANS)  # the session's (conftest.py): a plan another test made is not read here
    fresh = plan("fresh", "--no-cache")
    assert "(planned," in fresh.stdout and files(tmp_path / "fresh") == files(tmp_path / "made")
    assert_read_only_its_key(report, snapshot, tree, ".", "dev", 1)
    assert entry.stat().st_mtime_ns == before and len(list(cache_dir.glob("*.json.gz"))) == 1


def test_an_entry_that_cannot_be_read_is_a_miss(tmp_path):
    cache = PlanCache(tmp_path)
    entry = plan_cache.Entry(1, {"plan.json": "{}\n", "policy.txt": "x\n"}, [("stderr", "w\n"), ("wrote", "")], True)
    key = "d" * 64
    cache.put(key, entry)
    assert cache.get(key) == entry and cache.get(key, screen=True) == entry
    whole = cache.path(key).read_bytes()
    document = json.loads(gzip.decompress(whole))
    unreadable = {
        "cut short": whole[:-9],
        "not gzip": b"not gzip at all",
        "not JSON": gzip.compress(b"{"),
        "another key": gzip.compress(json.dumps({**document, "key": "e" * 64}).encode()),
        "another format": gzip.compress(json.dumps({**document, "format": plan_cache.FORMAT + 1}).encode()),
        "a failed plan": gzip.compress(json.dumps({**document, "status": 2}).encode()),
        "no plan.json": gzip.compress(json.dumps({**document, "files": {"policy.txt": "x\n"}}).encode()),
        "files not text": gzip.compress(json.dumps({**document, "files": {"plan.json": 3}}).encode()),
    }
    for what, data in unreadable.items():
        cache.path(key).write_bytes(data)
        assert cache.get(key) is None, what
    # A plan made by a diff's worker keeps no screen: `python -m offline plan` without --quiet plans again.
    cache.put(key, plan_cache.Entry(0, entry.files, [("stderr", "w\n")], False))
    assert cache.get(key) is not None and cache.get(key, screen=True) is None


def test_the_cache_is_off_when_told_and_prune_drops_what_no_run_used(tmp_path, monkeypatch):
    monkeypatch.setenv(plan_cache.CACHE_ENV, "off")
    assert plan_cache.from_settings(False, tmp_path) is None
    monkeypatch.setenv(plan_cache.CACHE_ENV, str(tmp_path / "elsewhere"))
    assert plan_cache.from_settings(True, tmp_path) is None
    assert plan_cache.from_settings(False, tmp_path).directory == tmp_path / "elsewhere"
    monkeypatch.delenv(plan_cache.CACHE_ENV)
    cache = plan_cache.from_settings(False, tmp_path)
    assert cache.directory == tmp_path / ".cache" / "plans" and not cache.directory.exists()  # made when first needed

    entry = plan_cache.Entry(0, {"plan.json": "{}\n", "policy.txt": "no violations\n"}, [("stderr", "warning: x\n")], False)
    cache.put("a" * 64, entry)
    cache.put("b" * 64, entry)
    old = time.time() - 3600
    for path in cache.directory.iterdir():
        os.utime(path, (old, old))
    since = time.time() - 60
    assert cache.get("a" * 64) == entry  # used by this run: touched
    assert cache.get("c" * 64) is None and (cache.hits, cache.misses, cache.stored) == (1, 1, 2)
    assert cache.prune(since) == 1
    assert sorted(p.name for p in cache.directory.iterdir()) == ["a" * 64 + ".json.gz"]


def test_the_warm_command_plans_every_stack_file_of_a_revision_once(snapshot, tmp_path, dev_workers, capsys):
    # A revision with a single stack file (dev), made beside HEAD: a commit of HEAD's tree without the others.
    index = dict(os.environ, GIT_INDEX_FILE=str(tmp_path / "index"))
    subprocess.run(["git", "read-tree", "HEAD"], cwd=snapshot, env=index, check=True)
    others = [p.name for p in snapshot.glob("Pulumi.*.yaml") if p.name != "Pulumi.dev.yaml"]
    subprocess.run(["git", "rm", "--cached", "--quiet", *others], cwd=snapshot, env=index, check=True)
    tree = subprocess.run(["git", "write-tree"], cwd=snapshot, env=index, capture_output=True, text=True, check=True)
    rev = git(snapshot, "commit-tree", tree.stdout.strip(), "-p", "HEAD", "-m", "dev alone").strip()
    # The warming run's worker is a stand-in (dev_workers): which plans it makes and keeps is the property.
    # The second run is the command itself, in a process of its own: its exit code, and what it finds kept.
    assert commands.warm(PlanCache(tmp_path / "plans"), snapshot, rev) == 0
    first = capsys.readouterr()
    assert "0 of 1 plans reused, 1 kept" in first.err
    assert dev_workers.stacks() == ["dev"]
    command = [sys.executable, "-m", "offline", "cache", "warm", rev]
    env = process(snapshot, OFFLINE_PLAN_CACHE=str(tmp_path / "plans"))
    again = subprocess.run(command, **env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert "1 of 1 plans reused, 0 kept" in again.stderr
    # What it keeps is what the diff looks up.
    assert PlanCache(tmp_path / "plans").get(PlanCache(tmp_path).key(Tree.at_revision(snapshot, rev), ".", "dev")) is not None


def test_the_revisions_left_to_plan_share_every_cpu(snapshot, monkeypatch):
    # A pull request's base side all kept: its head's worker plans with all the CPUs, not half of them.
    revisions = offline_revisions.Revisions(snapshot, cache=PlanCache(Path("unused")))
    kept = offline_revisions.Side("`HEAD`", plan={})
    monkeypatch.setattr(revisions, "_look_up", lambda rev, stacks: dict.fromkeys(stacks, kept if rev else None))
    asked = []
    monkeypatch.setattr(
        revisions,
        "_plan_revision",
        lambda rev, stacks, parallel, referenced: asked.append((rev, stacks, parallel)) or dict.fromkeys(stacks, kept),
    )
    monkeypatch.setattr(offline_revisions.os, "cpu_count", lambda: 4)
    try:
        sides = revisions.plan_all({"HEAD": ["dev", "search-dev"], "": ["dev", "search-dev"]})
    finally:
        revisions.close()
    assert asked == [("", ["dev", "search-dev"], 4)] and len(sides) == 4
