"""`python -m cost --stack dev`: the monthly cost breakdown of one stack file, offline.

Runs the program for Pulumi.<stack>.yaml under the recording harness (no AWS, no Pulumi CLI),
prices its plan's footprint with eksfargate/data/prices.json and prints a table (or JSON with --json).
Exit 0, or 2 with the error on stderr (invalid settings, no stack file, no prices for the region).
`--project-dir tenant --stack <team-env>` prices a tenant stack (its pods, its ALB or its share
of the shared one); `--all` prints every stack file of both projects with each team's monthly
cost in its shape (dedicated, or tenant plus an even share of its platform) and the total.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pulumi

from cost.tenancy import from_recording, render_shapes, shapes
from eksfargate.estimate import DEFAULT_ALB_LCU, DEFAULT_NAT_GB_PER_MONTH, UnknownRegionError, Usage, render
from eksfargate.fargate_pods import FargateSizeError
from offline import sdk_loader
from offline.harness import PROJECT_DIR, record

EXIT_OK, EXIT_ERROR = 0, 2


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 0 or not value.is_finite():
        raise argparse.ArgumentTypeError(f"{text!r} must be zero or more")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cost", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default dev)")
    parser.add_argument("--stack-file", type=Path, help="a stack file elsewhere than beside Pulumi.yaml")
    parser.add_argument("--project-dir", type=Path, help="the Pulumi project (default: this checkout)")
    parser.add_argument(
        "--nat-gb",
        type=_amount,
        default=DEFAULT_NAT_GB_PER_MONTH,
        help=f"GB a month through NAT (default {DEFAULT_NAT_GB_PER_MONTH})",
    )
    parser.add_argument(
        "--lcu", type=_amount, default=DEFAULT_ALB_LCU, help=f"average LCUs per ALB-hour (default {DEFAULT_ALB_LCU})"
    )
    parser.add_argument("--json", action="store_true", help="print the estimate as JSON")
    parser.add_argument("--all", action="store_true", help="every stack file (dedicated, platform, tenants): per-team table")
    args = parser.parse_args(argv)
    if args.all:
        return _all_stacks(Usage(nat_gb_per_month=args.nat_gb, alb_lcu=args.lcu))
    try:
        recording = record(args.stack, project_dir=(args.project_dir or PROJECT_DIR).resolve(), stack_file=args.stack_file)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if isinstance(recording.error, pulumi.RunError):
        print(f"error: {recording.error}", file=sys.stderr)
        return EXIT_ERROR
    if recording.error is not None:
        raise recording.error
    try:
        result = from_recording(recording, Usage(nat_gb_per_month=args.nat_gb, alb_lcu=args.lcu))
    except (UnknownRegionError, FargateSizeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n" if args.json else render(result))
    return EXIT_OK


def _all_stacks(usage: Usage) -> int:
    try:
        rows = shapes(usage)
    except (FileNotFoundError, ValueError, UnknownRegionError, FargateSizeError, pulumi.RunError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write(render_shapes(rows))
    return EXIT_OK


if __name__ == "__main__":
    sdk_loader.install()  # before the program imports the SDKs (tools/offline/sdk_loader.py)
    sys.exit(main())
