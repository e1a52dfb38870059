"""One stack per team: `python -m teams new <team> [--env dev]` and `python -m teams list`.

new   writes Pulumi.<team>-<env>.yaml beside Pulumi.yaml: region, team, cost center and owner
      (tags on every taggable AWS resource) and the first 10.x.0.0/16 VPC CIDR that overlaps
      no other stack file's (nor Pulumi.yaml's default). prod/production: one NAT gateway per
      zone and protect on. Exit 0, or 2 with the error on stderr.
      With --shared PLATFORM: a tenant of that platform stack instead, tenant/Pulumi.<team>-<env>.yaml
      with a namespace (tenant-<team>) that no other tenant stack claims, the team's role
      (--team-role ARN), and an ALB of its own or the platform's shared one (--alb-mode shared
      --host HOST, a host no other tenant on that ALB has).
list  every stack file's shape (dedicated, platform, tenant), team, VPC CIDR or namespace and
      cluster; exit 1 when two VPC CIDRs overlap, two stacks would give AWS the same cluster
      name, or a tenant conflicts (teams/tenants.py: a namespace or shared-ALB host claimed
      twice, a missing platform, quotas above what the platform's subnets hold); 2 when a stack
      file cannot be read, or a platform's cannot be planned (named on stderr).

Both exit 70 when they crash (an exception escaped them: a bug), with the traceback on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eksfargate.project import PLATFORM_PROJECT_DIR, TENANT_PROJECT_DIR
from eksfargate.stack_catalog import project, stack_files
from eksfargate.stack_files import StackFileError
from offline.exit_codes import EXIT_ERROR, EXIT_OK, crashed
from teams import tenants
from teams.stacks import (
    DEFAULT_REGION,
    PRODUCTION_ENVS,
    TeamStackError,
    cidr_overlaps,
    cluster_name,
    duplicate_cluster_names,
    new_team_stack,
    vpc_cidr,
)

PROJECT_DIR = PLATFORM_PROJECT_DIR
TENANT_DIR = TENANT_PROJECT_DIR.name
EXIT_CONFLICT = 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m teams", description=__doc__.split("\n\n")[0])
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help="the Pulumi project (default: this checkout)")
    commands = parser.add_subparsers(dest="command", required=True)

    new = commands.add_parser("new", help="write a new team's stack file")
    new.add_argument("team", help="team name, a DNS-1123 label (e.g. payments)")
    new.add_argument("--env", default="dev", help="environment, a DNS-1123 label (default dev); the stack is <team>-<env>")
    new.add_argument("--region", default=DEFAULT_REGION, help=f"AWS region (default {DEFAULT_REGION})")
    new.add_argument(
        "--zone-ids",
        default=None,
        help="comma-separated availability zone ids (default: the region's first 3 EKS and Fargate can use, from "
        "eksfargate/data/regions.json; required where that file has no zone ids for the region)",
    )
    new.add_argument("--cost-center", help="cost center tag value (default: the team name)")
    new.add_argument("--owner", help="owner tag value, e.g. a team alias or e-mail address (default: the team name)")
    new.add_argument("--shared", metavar="PLATFORM", help="a tenant of this platform stack (servesTenants true) instead")
    new.add_argument(
        "--team-role",
        metavar="ARN",
        help="with --shared: the team's IAM role, given access to its namespace only (teamRoleArn; without it the team has none)",
    )
    new.add_argument(
        "--alb-mode",
        choices=["own", "shared"],
        default="own",
        help="with --shared: an ALB of the tenant's own (default) or the platform's shared one (then --host is required)",
    )
    new.add_argument(
        "--host", help="with --shared: the host name the tenant's Ingress rules match, e.g. checkout.apps.example.com"
    )
    new.add_argument(
        "--hosted-zone",
        help="with --shared and --host: HTTPS on a new certificate for the host, DNS-validated in this Route 53 zone"
        " (hostedZone)",
    )
    new.add_argument(
        "--certificate-arn", metavar="ARN", help="with --shared and --host: HTTPS on this ACM certificate (certificateArn)"
    )

    commands.add_parser("list", help="every stack file's team, VPC CIDR and cluster name, and any conflict")

    args = parser.parse_args(argv)
    try:
        return run(args)
    except (StackFileError, TeamStackError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception:  # noqa: BLE001 - a crash: its own exit code, never 1's (a conflict)
        return crashed(f"python -m teams {args.command}")


def run(args: argparse.Namespace) -> int:
    directory = args.project_dir.resolve()
    if args.command == "new" and args.shared:
        path, namespace = tenants.new_tenant_stack(
            args.team,
            args.shared,
            args.env,
            directory / TENANT_DIR,
            directory,
            args.region,
            team_role=args.team_role,
            alb_mode=args.alb_mode,
            host=args.host,
            hosted_zone=args.hosted_zone,
            certificate_arn=args.certificate_arn,
        )
        stack = path.name[len("Pulumi.") : -len(".yaml")]
        print(f"Wrote {TENANT_DIR}/{path.name}: tenant stack {stack} of platform {args.shared}, namespace {namespace}.")
        if args.team_role:
            print("Set costCenter and owner in the file before deploying.")
        else:
            print(
                "No --team-role: the team has no access to its namespace (the plan says so too). Set teamRoleArn "
                "(the team's IAM role), costCenter and owner in the file before deploying."
            )
        print(
            f"Next: python -m offline plan --project-dir {TENANT_DIR} --stack {stack}, python -m teams list, then a pull request."
        )
        return EXIT_OK
    if args.command == "new" and (
        args.team_role or args.host or args.alb_mode != "own" or args.hosted_zone or args.certificate_arn
    ):
        print(
            "error: --team-role, --alb-mode, --host, --hosted-zone and --certificate-arn are for a tenant: add --shared PLATFORM",
            file=sys.stderr,
        )
        return EXIT_ERROR
    if args.command == "new":
        zone_ids = tuple(z.strip() for z in args.zone_ids.split(",")) if args.zone_ids else None
        path, cidr = new_team_stack(directory, args.team, args.env, args.region, args.cost_center, args.owner, zone_ids=zone_ids)
        stack = path.name[len("Pulumi.") : -len(".yaml")]
        print(f"Wrote {path.name}: stack {stack}, VPC {cidr}.")
        if not (args.cost_center and args.owner):
            print("Cost center and owner are the team name; set the real ones in the file before deploying.")
        print(f"Next: python -m offline plan --stack {stack}, python -m cost --stack {stack}, then a pull request.")
        if args.env in PRODUCTION_ENVS:
            print(
                f"Production: before merging, create the GitHub environment pulumi-{stack} (Settings → Environments → "
                "New environment) and add Required reviewers to it; the deploy workflow refuses a protected stack "
                "whose environment has none (docs/operating.md, 'Deploying from CI')."
            )
        return EXIT_OK
    return list_stacks(directory)


def list_stacks(directory: Path) -> int:
    proj = project(directory)
    rows = [("stack file", "shape", "team", "VPC CIDR / namespace", "cluster")]
    for stack in stack_files(directory):
        cidr = vpc_cidr(proj, stack)
        rows.append(
            (
                stack.path.name,
                "platform" if proj.setting(stack, "servesTenants") is True else "dedicated",
                str(proj.setting(stack, "team")),
                str(cidr) if cidr else "(existing VPC)",
                cluster_name(proj, stack),
            )
        )
    tenant_dir = directory / TENANT_DIR
    if (tenant_dir / "Pulumi.yaml").is_file():
        for tenant in tenants.tenants(tenant_dir):
            rows.append((tenant.file, f"tenant of {tenant.platform}", tenant.team, tenant.namespace, "(its platform's)"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    conflicts = [f"VPC CIDRs overlap: {a} and {b}" for a, b in cidr_overlaps(directory)]
    conflicts += [f"cluster name {name!r} in {', '.join(files)}" for name, files in duplicate_cluster_names(directory).items()]
    if (tenant_dir / "Pulumi.yaml").is_file():
        conflicts += tenants.conflicts(directory, tenant_dir)
    for conflict in conflicts:
        print(f"conflict: {conflict}", file=sys.stderr)
    return EXIT_CONFLICT if conflicts else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
