"""Which stacks `pulumi up` runs for on main, in what order, whether each may be deployed, and the
record of what was deployed (.github/workflows/pulumi.yml's deploy jobs run it).

Deploys converge. Each stack's last successful `pulumi up` is recorded as a git ref,
`refs/deployed/<stack>`, pointing at the commit that was deployed (platform and tenant stacks share
the namespace, as they share the `pulumi-<stack>` environments). A run deploys a stack when its
offline plan at the run's commit differs from its plan at that recorded commit
(`python -m offline diff REC:* SHA:* --json`, with `--project-dir tenant` for tenant stacks: a
tenant's plan changes with what it reads from its platform), when what `pulumi up` runs with and no
plan shows changed since then (`RUNTIME_PINS`, `CLI_PIN`), or when it has no record. A failed,
cancelled or superseded run moves no ref, so the next run (the next push, the nightly run, or a
manual one) deploys it again. Why a git ref and not a Pulumi stack tag: the planning job must read
every stack's record without any stack's cloud
credentials (each stack's deploy role lives in its own environment), which a ref read through the
GitHub API allows; a stack tag is read through the state backend, with that stack's credentials.

Order: waves, each a job of the workflow. 0: platform stacks without `protect`; 1: their tenants;
2: protected platform stacks; 3: tenants of protected platforms. A tenant needs its platform if
that deploys in the same run; a protected stack (or a tenant of one) needs every unprotected stack
of the run. A failure stops what needs the failed stack (`ready`), and the others go on.

A stack that cannot be planned, or whose change EKS would refuse (the offline diff's error or
refusal), does not deploy, and neither does a tenant whose change comes from such a platform; each
is a failed check of its own (pulumi.yml's `not-deployed`), and every other stack deploys.

Refusals (before anything deploys), read through the GitHub REST API (the token needs
`actions: read`): a stack whose environment `pulumi-<stack>` does not exist or does not restrict
deployments to main (`GET /repos/{owner}/{repo}/environments/{name}` → `deployment_branch_policy`,
and with custom policies `GET …/environments/{name}/deployment-branch-policies`); a protected stack
whose environment has no required reviewers (`protection_rules` of type `required_reviewers`). With
`--drift`, the same branch rule for each stack's `pulumi-<stack>-drift` environment.

It runs with the project installed: it reads the stack files with the library's stack catalog.
The gate between waves and the record run without the project: they are deploy_record.py's.

    deploy_plan.py plan --target SHA [--drift]      # GITHUB_OUTPUT: wave0..wave3, any, drift, failed
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deploy_record import REFS, api, records_from_api
from plan_schema import Invalid, load

from eksfargate.stack_catalog import project, stack_files, tenants

PROJECTS = (("platform", "."), ("tenant", "tenant"))
WAVES = 4
MAIN = "main"
# What `pulumi up` runs with that no offline plan shows (the plans of both sides are made in one venv):
# the runtime pins both projects' programs run on (their SDK and providers; a provider's plugin is the
# version of its SDK package) and the Pulumi CLI that runs `pulumi up`. A change to either deploys
# every stack. The Helm chart and add-on pins are in the code, plan inputs: they change the plans.
RUNTIME_PINS = "requirements.txt"
CLI_PIN = ".github/workflows/deploy-stack.yml"
CLI = "the Pulumi CLI"


class Refused(Exception):
    """An environment that does not guard its stack as it must."""


class PlanFailed(Exception):
    """The offline diff of a project could not run at all, or the checkout is not the target."""


@dataclass
class Deploy:
    stack: str
    project: str  # "platform" or "tenant"
    workdir: str  # the Pulumi project's folder: "." or "tenant"
    since: str | None  # the recorded commit; None: no record
    protected: bool
    platform: str | None = None  # a tenant's platform stack
    wave: int = 0
    needs: list[str] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    reads_platform: bool = False  # a tenant whose change comes (also) from its platform's

    def matrix(self) -> dict[str, str]:
        return {"stack": self.stack, "workdir": self.workdir, "needs": " ".join(self.needs)}


@dataclass
class Failure:
    """A stack this run does not deploy, though it differs from its record: a failed check."""

    stack: str
    project: str
    why: str  # one line

    def matrix(self) -> dict[str, str]:
        return {"stack": self.stack, "project": self.project, "why": self.why}


@dataclass
class Planned:
    """One project's offline diff between a record and the target, as the planner reads it."""

    changed: dict[str, list[str]]  # stack → why it deploys
    failed: dict[str, str]  # stack → why it cannot deploy
    reads_platform: set[str]  # tenant stacks whose change comes from their platform's
    markdown: str


@dataclass
class Run:
    target: str
    deploys: list[Deploy]
    diffs: dict[str, str]  # project → the offline diff's Markdown against the records
    stacks: list[Deploy]  # every stack at the target (what the drift check previews)
    failed: list[Failure] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# Planning


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def is_commit(repo: Path, rev: str) -> bool:
    return subprocess.run(["git", "cat-file", "-e", f"{rev}^{{commit}}"], cwd=repo, capture_output=True).returncode == 0


def records_from_git(repo: Path) -> dict[str, str]:
    """The records as local refs (tests; a clone that fetched refs/deployed/*)."""
    listing = git(repo, "for-each-ref", "--format=%(refname) %(objectname)", REFS)
    return {ref.removeprefix(REFS): sha for ref, sha in (line.split() for line in listing.splitlines())}


def offline_diff(repo: Path, workdir: str, since: str, target: str) -> Planned:
    """One project's offline diff between two commits: what changed, what cannot deploy, the Markdown.
    A stack that cannot be planned or is refused (exit 2, 3) is the document's to say, stack by stack."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "diff.json"
        command = [sys.executable, "-m", "offline", "diff", f"{since}:*", f"{target}:*"]
        command += ["--project-dir", str(repo / workdir), "--json", str(data)]
        done = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)
        try:
            document = load(data.read_bytes())
        except (OSError, Invalid) as exc:
            sys.stderr.write(done.stderr)
            last = (done.stderr.strip().splitlines() or [str(exc)])[-1]
            where = f"offline diff {since[:12]}..{target[:12]} ({workdir})"
            raise PlanFailed(f"{where} failed, exit {done.returncode}: {last}") from exc
        return read_diff(document, since, done.stdout)


def read_diff(document: dict[str, Any], since: str, markdown: str) -> Planned:
    """What the planner takes from an offline diff document (plan_schema.py) against the record `since`."""
    planned = Planned({}, {}, set(), markdown)
    for stack in document["stacks"]:
        name = stack["stack"]
        refused = [finding["text"] for finding in stack["upgrade"] if finding["refused"]]
        if stack["error"]:
            planned.failed[name] = one_line(f"cannot be planned: {stack['error']}")
        elif refused:
            planned.failed[name] = one_line(f"EKS would refuse it: {' '.join(refused)}")
        elif stack["changed"]:
            planned.changed[name] = [f"plan changed since `{since[:12]}`"]
            if stack["platform_reads"]:
                reads = ", ".join(f"`{change['path']}`" for change in stack["platform_reads"])
                planned.changed[name].append(f"what it reads from `{stack['platform']}` changes: {reads}")
                planned.reads_platform.add(name)
    return planned


def one_line(text: str, limit: int = 1_000) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def runtime(repo: Path, rev: str) -> dict[str, str]:
    """What `pulumi up` runs with at `rev` (RUNTIME_PINS, CLI_PIN): each requirement by name, and the CLI."""
    pins = {}
    for line in show(repo, rev, RUNTIME_PINS).splitlines():
        requirement = line.split("#", 1)[0].strip()
        named = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
        if named:  # a requirement by its normalized name (PEP 503), and its version specifier
            pins[re.sub(r"[-_.]+", "-", named.group(0)).lower()] = requirement[named.end() :].strip()
        elif requirement:  # an option line (an index, a constraints file): itself
            pins[requirement] = requirement
    cli = re.search(r"^\s*PULUMI_VERSION:\s*(\S+)", show(repo, rev, CLI_PIN), flags=re.M)
    pins[CLI] = cli.group(1) if cli else ""
    return pins


def runtime_changes(repo: Path, since: str, target: str) -> list[str]:
    """What `pulumi up` runs with that changed from `since` to `target`, as reasons to deploy."""
    old, new = runtime(repo, since), runtime(repo, target)
    return [
        f"{name} {old.get(name) or '(none)'} → {new.get(name) or '(none)'} ({CLI_PIN if name == CLI else RUNTIME_PINS})"
        for name in sorted(old.keys() | new.keys())
        if old.get(name) != new.get(name)
    ]


def show(repo: Path, rev: str, path: str) -> str:
    """A file at a commit; "" where it does not exist."""
    done = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=repo, capture_output=True, text=True, check=False)
    return done.stdout if done.returncode == 0 else ""


def stacks_at(repo: Path) -> list[Deploy]:
    """Every stack file of the checkout (the run's commit), platform then tenant, with its protection."""
    platform_project = project(repo)
    protected = {s.stack: str(platform_project.setting(s, "protect")).lower() == "true" for s in stack_files(repo)}
    found = [Deploy(name, "platform", ".", None, flag) for name, flag in sorted(protected.items())]
    if (repo / "tenant" / "Pulumi.yaml").is_file():
        for tenant in tenants(repo / "tenant"):
            found.append(Deploy(tenant.stack, "tenant", "tenant", None, protected.get(tenant.platform, False), tenant.platform))
    names = [d.stack for d in found]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise Refused(f"stack name(s) {', '.join(clashes)} used by both projects: each needs its own pulumi-<stack> environment")
    return found


def plan_run(
    repo: Path,
    target: str,
    recorded: dict[str, str],
    lookup: Callable[[str], dict[str, Any] | None] | None = None,
    drift: bool = False,
    diff: Callable[[Path, str, str, str], Planned] = offline_diff,
) -> Run:
    """What a run at `target` (the checked-out commit) deploys, ordered, its environments checked, and
    what it does not deploy though it differs from its record."""
    repo = repo.resolve()
    target = git(repo, "rev-parse", f"{target}^{{commit}}")
    if git(repo, "rev-parse", "HEAD") != target:
        raise PlanFailed(f"the checkout is not at {target}: stack settings are read from the working tree")
    every = stacks_at(repo)
    pending: list[Deploy] = []
    failed: list[Failure] = []
    diffs: dict[str, str] = {}
    for name, workdir in PROJECTS:
        mine = [d for d in every if d.project == name]
        groups: dict[str, list[Deploy]] = {}
        for item in mine:
            since = recorded.get(item.stack)
            if since == target:
                continue
            if since is None or not is_commit(repo, since):
                item.why = ["no record of a deploy"]  # (or one no longer in the history): deploy
                pending.append(item)
            else:
                groups.setdefault(since, []).append(item)
        for since, group in groups.items():
            try:
                planned = diff(repo, workdir, since, target)
            except PlanFailed as exc:
                failed += [Failure(item.stack, item.project, one_line(str(exc))) for item in group]
                continue
            diffs[name] = diffs.get(name, "") + planned.markdown
            runtime = runtime_changes(repo, since, target)
            for item in group:
                if item.stack in planned.failed:
                    failed.append(Failure(item.stack, item.project, planned.failed[item.stack]))
                elif item.stack in planned.changed or runtime:
                    item.since, item.why = since, planned.changed.get(item.stack, []) + runtime
                    item.reads_platform = item.stack in planned.reads_platform
                    pending.append(item)
    pending, failed = hold_back(pending, failed)
    ordered = arrange(pending)
    if lookup is not None:
        check_environments(ordered, every if drift else [], lookup)
    return Run(target, ordered, diffs, every, failed)


def hold_back(pending: list[Deploy], failed: list[Failure]) -> tuple[list[Deploy], list[Failure]]:
    """A tenant whose change comes from its platform's does not deploy while that platform cannot: it
    would be recorded as deployed with a platform change that is not (and never redeployed after it)."""
    stuck = {f.stack for f in failed}
    held = [d for d in pending if d.reads_platform and d.platform in stuck]
    failed = failed + [
        Failure(d.stack, d.project, f"waits for its platform `{d.platform}`, whose change it reads and which does not deploy")
        for d in held
    ]
    return [d for d in pending if d not in held], failed


def arrange(deploys: list[Deploy]) -> list[Deploy]:
    """Waves and needs: a platform before its tenants, unprotected before protected."""
    in_run = {d.stack for d in deploys}
    unprotected = sorted(d.stack for d in deploys if not d.protected)
    for d in deploys:
        d.wave = (2 if d.protected else 0) + (1 if d.project == "tenant" else 0)
        needs = set(unprotected) if d.protected else set()
        if d.project == "tenant" and d.platform in in_run:
            needs.add(d.platform)
        d.needs = sorted(needs - {d.stack})
    return sorted(deploys, key=lambda d: (d.wave, d.stack))


# ---------------------------------------------------------------------------------------
# Environments


def has_reviewers(env: dict[str, Any] | None) -> bool:
    return any(
        rule.get("type") == "required_reviewers" and rule.get("reviewers") for rule in (env or {}).get("protection_rules", [])
    )


def main_only(env: dict[str, Any]) -> bool:
    """Deployments restricted to the branch main: custom policies that name `main` only (no tags, no
    patterns). "Protected branches" is not enough: any protected branch could deploy."""
    policy = env.get("deployment_branch_policy")
    if not policy or not policy.get("custom_branch_policies"):
        return False
    rules = env.get("branch_policies") or []
    return bool(rules) and all(r.get("name") == MAIN and r.get("type", "branch") == "branch" for r in rules)


HOW = (
    "Settings → Environments → {env} → Deployment branches and tags → Selected branches and tags → "
    "Add deployment branch or tag rule → Ref type: Branch, Name pattern: main (and no other rule)"
)


def check_environments(deploys: list[Deploy], drifting: list[Deploy], lookup: Callable[[str], dict[str, Any] | None]) -> None:
    problems = []
    wanted = [(f"pulumi-{d.stack}", d.protected) for d in deploys] + [(f"pulumi-{d.stack}-drift", False) for d in drifting]
    for name, protected in wanted:
        env = lookup(name)
        if env is None:
            problems.append(
                f"{name} does not exist: create it (Settings → Environments → New environment); {HOW.format(env=name)}"
            )
            continue
        if not main_only(env):
            problems.append(f"{name} does not restrict deployments to main: {HOW.format(env=name)}")
        if protected and not has_reviewers(env):
            problems.append(
                f"{name} guards a protected stack without required reviewers: "
                + f"Settings → Environments → {name} → Required reviewers"
            )
    if problems:
        raise Refused(
            "refusing to deploy; fix the environments, then re-run this workflow:\n" + "\n".join(f"- {p}" for p in problems)
        )


# ---------------------------------------------------------------------------------------
# GitHub REST API


def environment(name: str, call: Callable[..., object | None] = api) -> dict[str, Any] | None:
    """The environment, with its custom deployment branch policies under `branch_policies`."""
    env = call("GET", f"environments/{name}")
    if not isinstance(env, dict):
        return None
    if (env.get("deployment_branch_policy") or {}).get("custom_branch_policies"):
        listed = call("GET", f"environments/{name}/deployment-branch-policies?per_page=100")
        env["branch_policies"] = (listed or {}).get("branch_policies", []) if isinstance(listed, dict) else []
    return env


# ---------------------------------------------------------------------------------------
# Command line


def summary(run: Run) -> str:
    lines = [f"## Deploy plan at `{run.target[:12]}`", ""]
    if not run.deploys and not run.failed:
        lines.append(
            "Every stack is converged: its plan at this commit, and what `pulumi up` runs with, are those it was last"
            " deployed with."
        )
    elif run.deploys:
        lines += ["| wave | stack | project | why | after |", "| --- | --- | --- | --- | --- |"]
        for d in run.deploys:
            lines.append(f"| {d.wave} | `{d.stack}` | {d.project} | {cell('; '.join(d.why))} | {', '.join(d.needs) or '—'} |")
    if run.failed:
        lines += ["", "**Not deployed** (each a failed check `not deployed <stack>`; the other stacks deploy):", ""]
        lines += ["| stack | project | why |", "| --- | --- | --- |"]
        lines += [f"| `{f.stack}` | {f.project} | {cell(f.why)} |" for f in run.failed]
    for name, markdown in run.diffs.items():
        lines += ["", f"<details><summary>Offline plan diff against the records ({name})</summary>", "", markdown, "</details>"]
    return "\n".join(lines) + "\n"


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def outputs(run: Run, drift: bool) -> dict[str, str]:
    out = {f"wave{n}": json.dumps([d.matrix() for d in run.deploys if d.wave == n]) for n in range(WAVES)}
    out["any"] = json.dumps(bool(run.deploys))
    out["failed"] = json.dumps([f.matrix() for f in run.failed])
    out["drift"] = json.dumps([{"stack": d.stack, "workdir": d.workdir} for d in run.stacks] if drift else [])
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="deploy_plan.py")
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan")
    plan.add_argument("--target", required=True)
    plan.add_argument("--drift", action="store_true", help="also list every stack for the drift check")
    plan.add_argument("--records", choices=["api", "git"], default="api")
    args = parser.parse_args(argv)
    repo = Path.cwd()

    recorded = records_from_api() if args.records == "api" else records_from_git(repo)
    try:
        run = plan_run(repo, args.target, recorded, environment, drift=args.drift)
    except (Refused, PlanFailed) as exc:
        for line in str(exc).splitlines():
            print(f"::error::{line}")
        return 1
    text = summary(run)
    sys.stdout.write(text)
    if os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a") as handle:
            handle.write(text)
    if os.environ.get("GITHUB_OUTPUT"):
        with open(os.environ["GITHUB_OUTPUT"], "a") as handle:
            handle.writelines(f"{key}={value}\n" for key, value in outputs(run, args.drift).items())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
