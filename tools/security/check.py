"""checkov's Kubernetes checks on offline plans' manifests, against the documented waivers.

    python -m security.check out/dev/manifests.yaml tenant/out/checkout-dev/manifests.yaml ...
    python -m security.check --partial out/dev/manifests.yaml     # some stacks only

checkov (from the same environment) runs once over every file given: `make security` plans every
platform and tenant stack file with ./venv and passes all their manifests here. Exit 0 when every
failed check, in every file, is waived in tools/security/waivers.json and every waiver matches a
failed check in at least one of the files (a waiver may hold for some stacks only: whether it is
stale is judged over all of them at once); 1 otherwise (the unwaived findings, with their files,
and the stale waivers are listed); 2 when checkov cannot run, its report cannot be read, or it
checked nothing in one of the files. With --partial (`make security STACK=x`) the files are some
stacks only, so a waiver that matches nothing in them is not judged stale.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

WAIVERS_FILE = Path(__file__).with_name("waivers.json")


@dataclass(frozen=True)
class Finding:
    check: str
    name: str
    resource: str
    file: str = ""  # the manifests file checkov found it in, as checkov names it (file_abs_path)


@dataclass(frozen=True)
class Waiver:
    check: str
    resource: str
    reason: str

    def covers(self, finding: Finding) -> bool:
        return finding.check == self.check and fnmatch.fnmatchcase(finding.resource, self.resource)


def load_waivers(path: Path = WAIVERS_FILE) -> list[Waiver]:
    return [Waiver(w["check"], w["resource"], w["reason"]) for w in json.loads(path.read_text())["waivers"]]


def _reports(report: dict | list) -> list[dict]:
    """checkov's JSON report: one framework gives an object, several a list."""
    return report if isinstance(report, list) else [report]


def _file_of(result: dict) -> str:
    return result.get("file_abs_path") or result.get("file_path") or ""


def findings_of(report: dict | list) -> list[Finding]:
    """The failed checks of a checkov JSON report, each with its file."""
    return [
        Finding(failed["check_id"], failed["check_name"], failed["resource"], _file_of(failed))
        for one in _reports(report)
        for failed in one.get("results", {}).get("failed_checks", [])
    ]


def checked_files(report: dict | list) -> set[str]:
    """The files checkov ran at least one check on, passed or failed."""
    return {
        _file_of(result)
        for one in _reports(report)
        for kind in ("passed_checks", "failed_checks")
        for result in one.get("results", {}).get(kind, [])
    }


def compare(findings: list[Finding], waivers: list[Waiver]) -> tuple[list[Finding], list[Waiver]]:
    """(findings no waiver covers, waivers that cover no finding): the findings of every file
    checked together, so that a waiver one stack needs is not stale for the others."""
    unwaived = [f for f in findings if not any(w.covers(f) for w in waivers)]
    stale = [w for w in waivers if not any(w.covers(f) for f in findings)]
    return unwaived, stale


def run_checkov(manifests: list[Path]) -> dict | list:
    """checkov's report on every file at once (one run: its start-up is most of its time).
    Passed checks are kept in the report, so that a file checkov read nothing from shows."""
    checkov = Path(sys.executable).parent / "checkov"
    command = [str(checkov), "--file", *map(str, manifests), "--framework", "kubernetes", "--output", "json"]
    # Exit 1 means "failed checks", which the waivers decide about; the report is on stdout.
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"checkov exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


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
        report = run_checkov(files)
        findings = findings_of(report)
    except (OSError, RuntimeError, json.JSONDecodeError) as exc:
        print(f"error: checkov did not run: {exc}", file=sys.stderr)
        return 2
    checked = checked_files(report)
    unread = [path for path in files if not any(_same_file(name, path) for name in checked)]
    if unread:
        for path in unread:
            print(f"error: checkov checked nothing in {path} (missing, empty or not Kubernetes YAML)", file=sys.stderr)
        return 2

    def file_of(finding: Finding) -> Path | None:
        return next((path for path in files if _same_file(finding.file, path)), files[0] if len(files) == 1 else None)

    waivers = load_waivers()
    unwaived, stale = compare(findings, waivers)
    for path in files:
        mine = [f for f in findings if file_of(f) == path]
        waived = [f for f in mine if f not in unwaived]
        print(f"checkov: {len(mine)} failed check(s) in {path}, {len(waived)} waived")
    for finding in unwaived:
        where = file_of(finding) or finding.file
        print(f"  NOT WAIVED {finding.check} {finding.resource} in {where}: {finding.name}")
    if args.partial:
        if stale:
            print(f"  {len(stale)} waiver(s) match nothing in these stacks; only a run over every stack file judges them")
        stale = []
    for waiver in stale:
        print(
            f"  STALE WAIVER {waiver.check} {waiver.resource}: no such finding in any of the {len(files)} "
            f"file(s) checked any more; remove it from {WAIVERS_FILE.name}"
        )
    return 1 if unwaived or stale else 0


if __name__ == "__main__":
    sys.exit(main())
