"""checkov's Kubernetes checks on the offline plan's manifests, against the documented waivers.

    python -m security.check out/dev/manifests.yaml      # checkov from the same environment

Exit 0 when every failed check is waived in tools/security/waivers.json and every waiver still
matches a failed check; 1 otherwise (the unwaived findings and stale waivers are listed);
2 when checkov cannot run or its report cannot be read.
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


@dataclass(frozen=True)
class Waiver:
    check: str
    resource: str
    reason: str

    def covers(self, finding: Finding) -> bool:
        return finding.check == self.check and fnmatch.fnmatchcase(finding.resource, self.resource)


def load_waivers(path: Path = WAIVERS_FILE) -> list[Waiver]:
    return [Waiver(w["check"], w["resource"], w["reason"]) for w in json.loads(path.read_text())["waivers"]]


def findings_of(report: dict | list) -> list[Finding]:
    """The failed checks of a checkov JSON report (one framework: an object; several: a list)."""
    reports = report if isinstance(report, list) else [report]
    return [
        Finding(failed["check_id"], failed["check_name"], failed["resource"])
        for one in reports
        for failed in one.get("results", {}).get("failed_checks", [])
    ]


def compare(findings: list[Finding], waivers: list[Waiver]) -> tuple[list[Finding], list[Waiver]]:
    """(findings no waiver covers, waivers that cover no finding)."""
    unwaived = [f for f in findings if not any(w.covers(f) for w in waivers)]
    stale = [w for w in waivers if not any(w.covers(f) for f in findings)]
    return unwaived, stale


def run_checkov(manifests: Path) -> dict | list:
    checkov = Path(sys.executable).parent / "checkov"
    command = [str(checkov), "--file", str(manifests), "--framework", "kubernetes", "--output", "json", "--quiet"]
    # Exit 1 means "failed checks", which the waivers decide about; the report is on stdout.
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"checkov exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m security.check", description=__doc__.splitlines()[0])
    parser.add_argument("manifests", type=Path, help="manifests.yaml of an offline plan (out/<stack>/manifests.yaml)")
    args = parser.parse_args(argv)
    try:
        findings = findings_of(run_checkov(args.manifests))
    except (OSError, RuntimeError, json.JSONDecodeError) as exc:
        print(f"error: checkov did not run: {exc}", file=sys.stderr)
        return 2
    waivers = load_waivers()
    unwaived, stale = compare(findings, waivers)
    print(f"checkov: {len(findings)} failed check(s) in {args.manifests}, {len(findings) - len(unwaived)} waived")
    for finding in unwaived:
        print(f"  NOT WAIVED {finding.check} {finding.resource}: {finding.name}")
    for waiver in stale:
        print(f"  STALE WAIVER {waiver.check} {waiver.resource}: no such finding any more; remove it from {WAIVERS_FILE.name}")
    return 1 if unwaived or stale else 0


if __name__ == "__main__":
    sys.exit(main())
