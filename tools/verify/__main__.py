"""`python -m verify --stack <stack> [--project-dir tenant]`: the walkthrough's checks on a deployed stack.

Reads the stack's outputs (`pulumi stack output --json --show-secrets`, run in the project's folder,
or --outputs FILE), then, read-only, through the kubeconfig output and the AWS credentials in the
environment:

  nodes        every node is a Fargate node (label eks.amazonaws.com/compute-type=fargate), no EC2 node
  rollout      each Deployment rolled out, by kubectl's rule (generation observed, every replica
               updated and available, no ProgressDeadlineExceeded)
  pods         every pod Ready (the ALB's readiness gate included) and on a Fargate node
  ingress      each Ingress has an address (the ALB's DNS name)
  url          the stack's URL answers HTTP 200; with HTTPS, plain HTTP redirects to it
  pod logs     every pod's log events arrive in the pod log group (CloudWatch Logs)
  autoscaler   each HorizontalPodAutoscaler reads its metrics (ScalingActive True)
  alarms       the stack's alarms (output alarmNames) exist and none is in ALARM

A platform's checks cover every namespace but its tenants' (tenant-*); a tenant's, its namespace.
Checks that fail are repeated every --interval seconds until they pass or --wait seconds are up
(what settles after `pulumi up`: the ALB, the first logs and metrics). The table (check, expected,
found) goes to stdout, and as Markdown to $GITHUB_STEP_SUMMARY when that is set.

Exit codes: 0 every check passed; 1 a check failed; 2 bad arguments; 3 could not read (no outputs,
no access to the cluster or to AWS) and no check failed; 70 crashed (a bug).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from eksfargate.project import PLATFORM_PROJECT_DIR
from offline.exit_codes import crashed
from verify.cloud import Cloud
from verify.cluster import Cluster
from verify.outputs import parse, read_file, read_pulumi
from verify.report import markdown, plain
from verify.results import ReadError, Result, Status
from verify.run import DEFAULT_INTERVAL, DEFAULT_WAIT, Readers, one_round, until_settled

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_UNREADABLE = 0, 1, 2, 3


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be zero or more")
    return value


def parser() -> argparse.ArgumentParser:
    doc = __doc__ or ""
    command = argparse.ArgumentParser(
        prog="python -m verify",
        description=doc.split("\n\n")[0],
        epilog="\n\n".join(doc.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("--stack", required=True, help="the stack name, as `pulumi stack output --stack` takes it")
    command.add_argument(
        "--project-dir",
        type=Path,
        default=PLATFORM_PROJECT_DIR,
        help="the Pulumi project's folder (default: the platform's; `tenant` for a tenant stack)",
    )
    command.add_argument("--outputs", type=Path, help="read the outputs from this JSON file instead of `pulumi stack output`")
    command.add_argument(
        "--wait", type=_seconds, default=DEFAULT_WAIT, help=f"seconds to retry failing checks (default {DEFAULT_WAIT})"
    )
    command.add_argument(
        "--interval", type=_seconds, default=DEFAULT_INTERVAL, help=f"seconds between rounds (default {DEFAULT_INTERVAL})"
    )
    return command


def verdict(results: list[Result]) -> tuple[int, str]:
    failed = sum(result.status is Status.FAILED for result in results)
    unread = sum(result.status is Status.UNREADABLE for result in results)
    if failed:
        return EXIT_FAILED, f"{failed} of {len(results)} checks failed" + (f", {unread} could not read" if unread else "")
    if unread:
        return EXIT_UNREADABLE, f"{unread} of {len(results)} checks could not read"
    return EXIT_OK, f"all {len(results)} checks passed"


def is_tenant(project_dir: Path) -> bool:
    return project_dir.resolve() != PLATFORM_PROJECT_DIR.resolve()


def main(argv: list[str] | None = None, readers: Readers | None = None) -> int:
    """`readers` replaces the real clients (tests); the outputs still come from --outputs or Pulumi."""
    args = parser().parse_args(argv)
    try:
        values = read_file(args.outputs) if args.outputs else read_pulumi(args.stack, args.project_dir)
        outputs = parse(values, tenant=is_tenant(args.project_dir))
        readers = readers or Readers(cluster=Cluster(outputs.kubeconfig, outputs.scope), cloud=Cloud(outputs.region))
    except ReadError as error:
        print(f"error: could not read stack {args.stack}: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    results = until_settled(lambda: one_round(outputs, readers), wait=args.wait, interval=args.interval)
    code, said = verdict(results)
    print(plain(args.stack, results, said), end="")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as file:
            file.write(markdown(args.stack, results, said))
    return code


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:
        sys.exit(crashed("python -m verify"))
