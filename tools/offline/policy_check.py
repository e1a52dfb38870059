"""`python -m offline.policy_check`: the policy pack over one stack, recorded offline.

The pack's runner (policy/offline.py, `check`) imports no tool; recording a stack takes the offline
harness, a tool, so the command lives here, above both.

    python -m offline.policy_check --stack dev      # exit 1 on any mandatory violation
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from offline.harness import record
from policy.offline import check
from policy.pack import POLICIES


def _assignment(text: str) -> tuple[str, str]:
    key, equals, value = text.partition("=")
    if not (key and equals):
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return key, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m offline.policy_check",
        description="Runs the policy pack over a recording of the program, offline: no engine, no cloud.",
    )
    parser.add_argument("--stack", default="dev", help="stack name: runs Pulumi.<stack>.yaml (default: dev)")
    parser.add_argument("--stack-file", help="a stack file elsewhere (e.g. tests/data/stacks/Pulumi.existing-vpc.yaml)")
    parser.add_argument("--set", action="append", default=[], type=_assignment, metavar="KEY=VALUE", help="override a config key")
    parser.add_argument("--preview", action="store_true", help="record as a first preview would (values unknown until deploy)")
    options = parser.parse_args(argv)

    overrides = dict(options.set)
    stack_file = Path(options.stack_file) if options.stack_file else None
    try:
        recording = record(options.stack, overrides=overrides, stack_file=stack_file, preview=options.preview)
    except (FileNotFoundError, ValueError) as exc:  # no stack file, one the CLI would refuse
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if recording.error:
        print(f"the program failed, nothing was checked: {recording.error}", file=sys.stderr)
        return 2

    violations = check(recording)
    for violation in sorted(violations, key=lambda v: (not v.mandatory, v.policy, v.resource or "")):
        print(violation)
    mandatory = sum(v.mandatory for v in violations)
    print(
        f"{len(POLICIES)} policies, {len(recording.resources)} resources: "
        f"{mandatory} mandatory and {len(violations) - mandatory} advisory violations",
    )
    return 1 if mandatory else 0


if __name__ == "__main__":
    sys.exit(main())
