"""checkov's Kubernetes checks on offline plans' manifests, against the documented waivers.

    python -m security.check out/dev/manifests.yaml tenant/out/checkout-dev/manifests.yaml ...
    python -m security.check --partial out/dev/manifests.yaml     # some stacks only

checkov (from the same environment) runs once over every file given: `make security` plans every
platform and tenant stack file with ./venv and passes all their manifests here. A waiver in
tools/security/waivers.json covers a failed check on the objects its resource pattern names, and
only where its conditions hold, read from the manifests themselves: `image` (every container runs
that image), `passing` (checkov passed that other check on the same object), `secrets` (no
container takes a whole Secret as environment variables). So a waiver written for an image does not
cover another image that an object of the same name runs.

Exit 0 when every failed check, in every file, is waived and every waiver matches a failed check in
at least one of the files (a waiver may hold for some stacks only: whether it is stale is judged over
all of them at once), except a waiver for a `setting`, which holds for any stack that sets it, when
none of these does (tests/tools/security checks it on a stack file that does); 1 otherwise (the
unwaived findings, with their files, and the stale waivers are listed); 2 when the waivers or the
manifests cannot be read, checkov cannot run, its report cannot be read, or it checked nothing in
one of the files. With --partial (`make security STACK=x`) the files are some stacks only, so a
waiver that matches nothing in them is not judged stale.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

WAIVERS_FILE = Path(__file__).with_name("waivers.json")
CHECKOV = Path(sys.executable).parent / "checkov"
# `secrets`'s one value: Secrets reach the containers one key at a time, as appSecretEnv renders them.
SECRETS_BY_KEY = "env keys"
# checkov's JSON report: one object per framework (a list of them when several ran), its results as
# checkov writes them.
CheckovResult = dict[str, Any]
CheckovReport = dict[str, Any] | list[dict[str, Any]]


@dataclass(frozen=True)
class Finding:
    check: str
    name: str
    resource: str
    file: str = ""  # the manifests file checkov found it in, as checkov names it (file_abs_path)


def _reports(report: CheckovReport) -> list[dict[str, Any]]:
    """checkov's JSON report: one framework gives an object, several a list."""
    return report if isinstance(report, list) else [report]


def _file_of(result: CheckovResult) -> str:
    return result.get("file_abs_path") or result.get("file_path") or ""


def _resolved(name: str) -> str:
    return str(Path(name).resolve()) if name else ""


def findings_of(report: CheckovReport) -> list[Finding]:
    """The failed checks of a checkov JSON report, each with its file."""
    return [
        Finding(failed["check_id"], failed["check_name"], failed["resource"], _file_of(failed))
        for one in _reports(report)
        for failed in one.get("results", {}).get("failed_checks", [])
    ]


def checked_files(report: CheckovReport) -> set[str]:
    """The files checkov ran at least one check on, passed or failed."""
    return {
        _file_of(result)
        for one in _reports(report)
        for kind in ("passed_checks", "failed_checks")
        for result in one.get("results", {}).get(kind, [])
    }


def resource_id(obj: dict[str, Any]) -> str:
    """checkov's id of a named object (its container checks' resource ids)."""
    metadata = obj.get("metadata") or {}
    return f"{obj.get('kind')}.{metadata.get('namespace', 'default')}.{metadata.get('name')}"


def objects_of(manifests: list[Path]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every named object of the manifests, by its file and checkov's resource id."""

    def documents(path: Path) -> Iterator[dict[str, Any]]:
        for document in yaml.safe_load_all(path.read_text()):
            if isinstance(document, dict) and (document.get("metadata") or {}).get("name"):
                yield document

    return {(_resolved(str(path)), resource_id(obj)): obj for path in manifests for obj in documents(path)}


def _pod_spec(obj: dict[str, Any]) -> Any:
    """Where a workload keeps its pod's spec, for the kinds checkov's container checks read."""
    spec = obj.get("spec") or {}
    if obj.get("kind") == "Pod":
        return spec
    if obj.get("kind") == "PodTemplate":
        return (obj.get("template") or {}).get("spec")
    if obj.get("kind") == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    return (spec.get("template") or {}).get("spec")


def containers_of(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The containers and init containers of a workload (both are what checkov's container checks read)."""
    spec = _pod_spec(obj)
    if not isinstance(spec, dict):
        return []
    return [c for key in ("containers", "initContainers") for c in spec.get(key) or [] if isinstance(c, dict)]


def takes_a_whole_secret(container: dict[str, Any]) -> bool:
    """envFrom a Secret: every key of it as an environment variable, which no setting renders."""
    return any(isinstance(source, dict) and "secretRef" in source for source in container.get("envFrom") or [])


class Checked:
    """One checkov run over the manifests: the checks it passed, and the objects it checked, by file and
    by checkov's resource id (Kind.namespace.name), for the waivers that hold for some objects only."""

    def __init__(self, report: CheckovReport, objects: dict[tuple[str, str], dict[str, Any]]) -> None:
        self._passed = {
            (result["check_id"], _resolved(_file_of(result)), result["resource"])
            for one in _reports(report)
            for result in one.get("results", {}).get("passed_checks", [])
        }
        self._objects = objects

    def passed(self, check: str, finding: Finding) -> bool:
        return (check, _resolved(finding.file), finding.resource) in self._passed

    def containers(self, finding: Finding) -> list[dict[str, Any]]:
        """The containers of the object the finding is about ([] when it has none or is not found)."""
        obj = self._objects.get((_resolved(finding.file), finding.resource))
        return containers_of(obj) if obj else []


@dataclass(frozen=True)
class Waiver:
    check: str
    resource: str  # a shell-style pattern over checkov's resource id
    reason: str
    image: str | None = None  # only where every container runs this image
    passing: str | None = None  # only where checkov passed this check on the same object
    secrets: str | None = None  # SECRETS_BY_KEY: only where no container takes a whole Secret
    setting: str | None = None  # written for stacks that set it: the stacks alone do not judge it stale

    def covers(self, finding: Finding, checked: Checked) -> bool:
        if finding.check != self.check or not fnmatch.fnmatchcase(finding.resource, self.resource):
            return False
        if self.passing is not None and not checked.passed(self.passing, finding):
            return False
        if self.image is None and self.secrets is None:
            return True
        containers = checked.containers(finding)
        if not containers:
            return False  # nothing to hold the condition for: not what the waiver was written for
        if self.image is not None and any(c.get("image") != self.image for c in containers):
            return False
        return self.secrets is None or not any(takes_a_whole_secret(c) for c in containers)


def load_waivers(path: Path = WAIVERS_FILE) -> list[Waiver]:
    """The waivers, each checked for keys it does not know (a misspelt condition would widen it)."""
    known = {field.name for field in fields(Waiver)}
    waivers = []
    for entry in json.loads(path.read_text())["waivers"]:
        unknown = sorted(set(entry) - known)
        if unknown:
            raise ValueError(f"{path.name}: waiver {entry.get('check')} {entry.get('resource')}: unknown key(s) {unknown}")
        waiver = Waiver(**entry)
        if waiver.secrets not in (None, SECRETS_BY_KEY):
            raise ValueError(f"{path.name}: waiver {waiver.check}: secrets is {SECRETS_BY_KEY!r} or absent")
        waivers.append(waiver)
    return waivers


@dataclass(frozen=True)
class Verdict:
    unwaived: list[Finding]  # findings no waiver covers
    stale: list[Waiver]  # waivers that cover no finding, and are for no setting
    unused: list[Waiver]  # waivers for a setting that cover no finding (no stack here sets it)


def judge(findings: list[Finding], waivers: list[Waiver], checked: Checked) -> Verdict:
    """The findings of every file checked together, so that a waiver one stack needs is not stale for
    the others. A waiver for a setting is judged by tests/tools/security, on a stack that sets it."""
    unwaived = [f for f in findings if not any(w.covers(f, checked) for w in waivers)]
    matching_nothing = [w for w in waivers if not any(w.covers(f, checked) for f in findings)]
    return Verdict(
        unwaived,
        stale=[w for w in matching_nothing if w.setting is None],
        unused=[w for w in matching_nothing if w.setting is not None],
    )


def run_checkov(manifests: list[Path], checkov: Path = CHECKOV) -> CheckovReport:
    """checkov's report on every file at once (one run: its start-up is most of its time).
    Passed checks are kept in the report, so that a file checkov read nothing from shows."""
    # --skip-download: no guidelines, severities or policies from Prisma Cloud (no network; the
    # checks themselves ship with checkov).
    command = [str(checkov), "--file", *map(str, manifests), "--framework", "kubernetes", "--output", "json", "--skip-download"]
    # Exit 1 means "failed checks", which the waivers decide about; the report is on stdout.
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"checkov exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    report: CheckovReport = json.loads(done.stdout)
    return report


def _same_file(reported: str, given: Path) -> bool:
    return bool(reported) and Path(reported).resolve() == given.resolve()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m security.check", description=__doc__.splitlines()[0])
    parser.add_argument(
        "manifests", type=Path, nargs="+", help="manifests.yaml of offline plans (out/<stack>/, tenant/out/<stack>/)"
    )
    parser.add_argument(
        "--partial",
        action="store_true",
        help="the files are some stacks only: a waiver that matches nothing in them is not stale",
    )
    args = parser.parse_args(argv)
    files: list[Path] = list(dict.fromkeys(args.manifests))
    try:
        waivers = load_waivers()
    except (OSError, ValueError, TypeError) as exc:
        print(f"error: {WAIVERS_FILE.name} cannot be read: {exc}", file=sys.stderr)
        return 2
    try:
        report = run_checkov(files)
        findings = findings_of(report)
    except (OSError, RuntimeError, json.JSONDecodeError) as exc:
        print(f"error: checkov did not run: {exc}", file=sys.stderr)
        return 2
    read = checked_files(report)
    unread = [path for path in files if not any(_same_file(name, path) for name in read)]
    if unread:
        for path in unread:
            print(f"error: checkov checked nothing in {path} (missing, empty or not Kubernetes YAML)", file=sys.stderr)
        return 2
    try:
        objects = objects_of(files)
    except (OSError, yaml.YAMLError) as exc:
        print(f"error: the manifests cannot be read: {exc}", file=sys.stderr)
        return 2

    def file_of(finding: Finding) -> Path | None:
        return next((path for path in files if _same_file(finding.file, path)), files[0] if len(files) == 1 else None)

    verdict = judge(findings, waivers, Checked(report, objects))
    for path in files:
        mine = [f for f in findings if file_of(f) == path]
        waived = [f for f in mine if f not in verdict.unwaived]
        print(f"checkov: {len(mine)} failed check(s) in {path}, {len(waived)} waived")
    for finding in verdict.unwaived:
        where = file_of(finding) or finding.file
        print(f"  NOT WAIVED {finding.check} {finding.resource} in {where}: {finding.name}")
    stale = verdict.stale
    if args.partial:
        if stale:
            print(f"  {len(stale)} waiver(s) match nothing in these stacks; only a run over every stack file judges them")
        stale = []
    for waiver in stale:
        print(
            f"  STALE WAIVER {waiver.check} {waiver.resource}: no such finding in any of the {len(files)} "
            f"file(s) checked any more; remove it from {WAIVERS_FILE.name}"
        )
    for waiver in verdict.unused if not args.partial else []:
        print(
            f"  waiver {waiver.check} for {waiver.setting}: no stack file here needs it "
            "(tests/tools/security checks it on one that does)"
        )
    return 1 if verdict.unwaived or stale else 0


if __name__ == "__main__":
    sys.exit(main())
