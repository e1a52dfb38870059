"""Tenant stack files (tenant/), read statically: new tenants, and what two tenants must not share.

A tenant stack is tenant/Pulumi.<team>-<env>.yaml: its platform stack (a stack file of the
platform project with servesTenants true), its team, and its namespace, which must match the
platform's tenant rule and belong to no other tenant. `conflicts()` is what `teams list` fails
on: what tenants must not share (eksfargate/tenancy.py: a namespace claimed twice, two tenants
matching one host on a shared ALB, a shared ALB whose tenants' TLS differs), a tenant whose
platform stack file is missing or does not serve tenants, and pod quotas that add up to more
Fargate pods than the platform's private subnets have addresses for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from eksfargate.config_reader import DNS_LABEL_RULE, MAX_LABEL_LENGTH, is_dns_label
from eksfargate.contract import PlatformOutput, default_namespace, is_tenant_namespace
from eksfargate.edge import Edge, is_host
from eksfargate.edge import problems as edge_problems
from eksfargate.project import PLATFORM_PROJECT_DIR, TENANT_PROJECT_DIR
from eksfargate.stack_catalog import namespace_owners, project, stack_files
from eksfargate.stack_catalog import tenants as tenants  # re-exported: `teams list` reads it from here
from eksfargate.tenancy import host_holders, namespace_conflicts, shared_alb_conflicts, tls_disagreeing
from eksfargate.tenant_schema import ALB_MODES
from eksfargate.tenant_settings import is_role_arn
from offline.capacity import assess
from offline.plan import build
from offline.plan_document import PlanError
from teams.stacks import TeamStackError, _scalar

# A tenant's namespace is tenant-<team> unless taken, and a namespace is a DNS-1123 label.
LONGEST_TEAM = MAX_LABEL_LENGTH - len(default_namespace(""))


@dataclass(frozen=True)
class PlatformCapacity:
    stack: str
    serves_tenants: bool
    usable_per_subnet: int | None  # None: existing subnets, sizes unknown offline
    zones: int
    own_pods: int  # at most, as its plan's capacity check counts them


def platforms(platform_dir: Path = PLATFORM_PROJECT_DIR) -> dict[str, PlatformCapacity]:
    """Every platform stack file; for those that serve tenants, what their plan leaves the tenants.

    The plan is this checkout's program run on the stack file: the pods it runs at most and its
    private subnets are the plan's capacity check's (tools/offline/capacity.py), never re-derived
    from settings."""
    proj = project(platform_dir)
    found = {}
    for stack in stack_files(platform_dir):
        serves = proj.setting(stack, "servesTenants") is True
        usable, zones, own = None, 0, 0
        if serves:
            try:
                plan = build(stack.stack, stack_file=stack.path)
            except PlanError as exc:
                raise TeamStackError(f"{stack.path.name}: {exc}") from exc
            room = assess(plan)
            own = room.max_pods
            if room.smallest is not None:
                usable, zones = room.smallest.usable, len(room.subnets)
            else:
                exported = plan["outputs"].get(PlatformOutput.PRIVATE_SUBNET_IDS)
                zones = len(exported) if isinstance(exported, list) else 0
        found[stack.stack] = PlatformCapacity(stack.stack, serves, usable, zones, own)
    return found


def conflicts(platform_dir: Path = PLATFORM_PROJECT_DIR, tenant_dir: Path = TENANT_PROJECT_DIR) -> list[str]:
    all_tenants = tenants(tenant_dir)
    found = namespace_conflicts(all_tenants)
    known = platforms(platform_dir)
    for tenant in all_tenants:
        if tenant.platform not in known:
            found.append(f"tenant stack {tenant.stack}: its platform stack {tenant.platform} has no stack file")
        elif not known[tenant.platform].serves_tenants:
            found.append(f"tenant stack {tenant.stack}: platform stack {tenant.platform} does not set servesTenants: true")
    found += shared_alb_conflicts(all_tenants)
    for name, platform in sorted(known.items()):
        on_it = [t for t in all_tenants if t.platform == name]
        if not on_it or platform.usable_per_subnet is None:
            continue
        pods = platform.own_pods + sum(t.quota_pods for t in on_it)
        per_zone = math.ceil(pods / platform.zones)
        if per_zone > platform.usable_per_subnet:
            found.append(
                f"platform {name}: its own {platform.own_pods} pods and its tenants' quotas "
                f"({sum(t.quota_pods for t in on_it)} pods) need {per_zone} addresses per zone, more than the "
                f"{platform.usable_per_subnet} each private subnet has (AWS reserves 5 per subnet, a Fargate pod takes one)"
            )
    return found


def new_tenant_stack(
    team: str,
    platform_stack: str,
    env: str = "dev",
    tenant_dir: Path = TENANT_PROJECT_DIR,
    platform_dir: Path = PLATFORM_PROJECT_DIR,
    region: str | None = None,
    team_role: str | None = None,
    alb_mode: str = "own",
    host: str | None = None,
    hosted_zone: str | None = None,
    certificate_arn: str | None = None,
) -> tuple[Path, str]:
    """Writes tenant/Pulumi.<team>-<env>.yaml on `platform_stack` with a namespace no tenant has; returns path and namespace.

    team_role: the team's IAM role (teamRoleArn), given edit access to the namespace; None: no access entry.
    alb_mode, host: `own` ALB, or the platform's `shared` one, where the tenant needs a host no other tenant has.
    hosted_zone, certificate_arn: HTTPS for the host (eksfargate/edge.py); on a shared ALB, as its other tenants have it or not.
    """
    for what, value in (("team", team), ("env", env)):
        if not is_dns_label(value):
            raise TeamStackError(f"{what} {value!r} must be {DNS_LABEL_RULE}")
    if not is_dns_label(default_namespace(team)):
        raise TeamStackError(
            f"team {team!r} ({len(team)} characters) is too long for a tenant: its namespace {default_namespace(team)} "
            f"must be {DNS_LABEL_RULE}, so a tenant's team has at most {LONGEST_TEAM} characters"
        )
    if team_role and not is_role_arn(team_role):
        raise TeamStackError(
            f"team role {team_role!r} must be an IAM role ARN, e.g. arn:aws:iam::123456789012:role/checkout-developers"
        )
    if alb_mode not in ALB_MODES:
        raise TeamStackError(f"ALB mode {alb_mode!r} must be one of {list(ALB_MODES)}")
    if host and not is_host(host):
        raise TeamStackError(f"host {host!r} must be a DNS host name, e.g. checkout.apps.example.com")
    if alb_mode == "shared" and not host:
        raise TeamStackError("--alb-mode shared needs --host: on the shared ALB a tenant's rules match only its own host")
    path = tenant_dir / f"Pulumi.{team}-{env}.yaml"
    if path.exists():
        raise TeamStackError(f"{path.name} exists already")
    namespace = _free_namespace(team, env, tenant_dir)
    known = platforms(platform_dir)
    if platform_stack not in known:
        raise TeamStackError(f"no platform stack file Pulumi.{platform_stack}.yaml in {platform_dir}")
    if not known[platform_stack].serves_tenants:
        raise TeamStackError(f"platform stack {platform_stack} does not serve tenants: set servesTenants: true in its stack file")
    if alb_mode == "shared":
        claimed = host_holders(platform_stack, host or "", tenants(tenant_dir))
        if claimed:
            raise TeamStackError(f"host {host} on platform {platform_stack}'s shared ALB is claimed by {', '.join(claimed)}")
        tls = bool(hosted_zone or certificate_arn)
        differ = tls_disagreeing(platform_stack, tls, tenants(tenant_dir))
        if differ:
            raise TeamStackError(
                f"platform {platform_stack}'s shared ALB serves {', '.join(differ)} with TLS {'off' if tls else 'on'}: "
                + ("leave out --hosted-zone and --certificate-arn" if tls else "give --hosted-zone or --certificate-arn")
                + " (one redirect setting holds for every tenant of a shared ALB)"
            )
    proj = project(tenant_dir)
    platform_file = next(s for s in stack_files(platform_dir) if s.stack == platform_stack)
    values = {
        "aws:region": region or platform_file.config["aws:region"],
        f"{proj.name}:platformStack": platform_stack,
        f"{proj.name}:team": team,
        f"{proj.name}:namespace": namespace,
    }
    if team_role:
        values[f"{proj.name}:teamRoleArn"] = team_role
    if alb_mode != "own":
        values[f"{proj.name}:albMode"] = alb_mode
    if host:
        values[f"{proj.name}:host"] = host
    if hosted_zone:
        values[f"{proj.name}:hostedZone"] = hosted_zone
    if certificate_arn:
        values[f"{proj.name}:certificateArn"] = certificate_arn
    edge = Edge(host=host or "", certificate_arn=certificate_arn or "", hosted_zone=hosted_zone or "")
    for problem in edge_problems(edge, values["aws:region"]):
        raise TeamStackError(f"{problem.field.replace('_', ' ')} {problem.value!r}: {problem.allowed}")
    lines = [
        f"# Team {team}, environment {env}, as a tenant of platform stack {platform_stack}: made with",
        f"# `python -m teams new {team} --env {env} --shared {platform_stack}`. Its namespace is no other tenant's;",
        "# set costCenter and owner"
        + ("" if team_role else ", and teamRoleArn (without it the team has no access)")
        + "; every setting and its default is in tenant/Pulumi.yaml.",
        "config:",
        *(f"  {key}: {_scalar(value)}" for key, value in values.items()),
    ]
    path.write_text("\n".join(lines) + "\n")
    return path, namespace


def _free_namespace(team: str, env: str, tenant_dir: Path) -> str:
    """The first of tenant-<team>, tenant-<team>-<env>, tenant-<team>-<env>-2 … -99 that no tenant claims."""
    owners = namespace_owners(tenant_dir)
    candidates = [default_namespace(team), default_namespace(f"{team}-{env}")]
    candidates += [default_namespace(f"{team}-{env}-{n}") for n in range(2, 100)]
    for namespace in candidates:
        if namespace not in owners and is_tenant_namespace(namespace) and is_dns_label(namespace):
            return namespace
    holders = ", ".join(owners.get(candidates[0], []))
    raise TeamStackError(
        f"team {team!r}: no namespace is free for a tenant of it: {candidates[0]} is claimed by {holders}, and "
        f"{candidates[1]} and those after it (-2 to -99) are claimed or longer than {MAX_LABEL_LENGTH} characters; "
        "choose a shorter team or env"
    )
