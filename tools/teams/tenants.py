"""Tenant stack files (tenant/), read statically: new tenants, and what two tenants must not share.

A tenant stack is tenant/Pulumi.<team>-<env>.yaml: its platform stack (a stack file of the
platform project with servesTenants true), its team, and its namespace, which must match the
platform's tenant rule and belong to no other tenant. `conflicts()` is what `teams list` fails
on: a namespace claimed twice, a tenant whose platform stack file is missing or does not serve
tenants, two tenants matching one host on the shared ALB, and pod quotas that add up to more
Fargate pods than the platform's private subnets have addresses for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from components.alb_controller import CONTROLLER_REPLICAS
from components.metrics_server import REPLICAS as METRICS_SERVER_REPLICAS
from components.network import subnet_cidrs
from eksfargate.contract import TENANT_NAMESPACE_PREFIX, is_tenant_namespace
from eksfargate.estimate import COREDNS_DEFAULT_REPLICAS
from eksfargate.project import PLATFORM_PROJECT_DIR, TENANT_PROJECT_DIR
from eksfargate.settings import DNS_LABEL_RULE, is_dns_label
from eksfargate.stack_catalog import namespace_owners, project, stack_files, tenants
from offline.capacity import PrivateSubnet
from teams.stacks import TeamStackError, _scalar


@dataclass(frozen=True)
class PlatformCapacity:
    stack: str
    serves_tenants: bool
    usable_per_subnet: int | None  # None: existing subnets, sizes unknown offline
    zones: int
    own_pods: int  # at most: CoreDNS, the controller, the game (its HPA maximum), metrics-server


def platforms(platform_dir: Path = PLATFORM_PROJECT_DIR) -> dict[str, PlatformCapacity]:
    proj = project(platform_dir)
    found = {}
    for stack in stack_files(platform_dir):
        game = proj.setting(stack, "appEnabled") is not False
        autoscaled = game and proj.setting(stack, "appAutoscaling") is not False
        # At most, as offline/capacity.py counts a plan: the game at its HPA maximum, metrics-server with the HPA.
        game_pods = int(proj.setting(stack, "appMaxReplicas" if autoscaled else "appReplicas")) if game else 0
        own = COREDNS_DEFAULT_REPLICAS + CONTROLLER_REPLICAS + game_pods + (METRICS_SERVER_REPLICAS if autoscaled else 0)
        if proj.setting(stack, "existingVpcId"):
            usable, zones = None, len(proj.setting(stack, "existingPrivateSubnetIds") or [])
        else:
            zones = int(proj.setting(stack, "availabilityZoneCount"))
            private, _ = subnet_cidrs(str(proj.setting(stack, "vpcCidr")), zones)
            usable = min(PrivateSubnet(cidr, cidr).usable for cidr in private)
        found[stack.stack] = PlatformCapacity(stack.stack, proj.setting(stack, "servesTenants") is True, usable, zones, own)
    return found


def conflicts(platform_dir: Path = PLATFORM_PROJECT_DIR, tenant_dir: Path = TENANT_PROJECT_DIR) -> list[str]:
    found = []
    all_tenants = tenants(tenant_dir)
    for namespace, owners in sorted(namespace_owners(tenant_dir).items()):
        if len(owners) > 1:
            found.append(f"namespace {namespace} is claimed by tenant stacks {', '.join(owners)}")
    known = platforms(platform_dir)
    for tenant in all_tenants:
        if tenant.platform not in known:
            found.append(f"tenant stack {tenant.stack}: its platform stack {tenant.platform} has no stack file")
        elif not known[tenant.platform].serves_tenants:
            found.append(f"tenant stack {tenant.stack}: platform stack {tenant.platform} does not set servesTenants: true")
    hosts: dict[tuple[str, str], list[str]] = {}
    for tenant in all_tenants:
        if tenant.alb_mode == "shared":
            hosts.setdefault((tenant.platform, tenant.host), []).append(tenant.stack)
    for (platform, host), stacks in sorted(hosts.items()):
        if len(stacks) > 1:
            found.append(f"host {host} on platform {platform}'s shared ALB is claimed by {', '.join(stacks)}")
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
) -> tuple[Path, str]:
    """Writes tenant/Pulumi.<team>-<env>.yaml on `platform_stack` with a namespace no tenant has; returns path and namespace."""
    for what, value in (("team", team), ("env", env)):
        if not is_dns_label(value):
            raise TeamStackError(f"{what} {value!r} must be {DNS_LABEL_RULE}")
    known = platforms(platform_dir)
    if platform_stack not in known:
        raise TeamStackError(f"no platform stack file Pulumi.{platform_stack}.yaml in {platform_dir}")
    if not known[platform_stack].serves_tenants:
        raise TeamStackError(f"platform stack {platform_stack} does not serve tenants: set servesTenants: true in its stack file")
    stack = f"{team}-{env}"
    path = tenant_dir / f"Pulumi.{stack}.yaml"
    if path.exists():
        raise TeamStackError(f"{path.name} exists already")
    taken = set(namespace_owners(tenant_dir))
    candidates = [f"{TENANT_NAMESPACE_PREFIX}{team}", f"{TENANT_NAMESPACE_PREFIX}{team}-{env}"]
    candidates += [f"{TENANT_NAMESPACE_PREFIX}{team}-{env}-{n}" for n in range(2, 100)]
    namespace = next(ns for ns in candidates if ns not in taken and is_tenant_namespace(ns) and is_dns_label(ns))
    proj = project(tenant_dir)
    platform_file = next(s for s in stack_files(platform_dir) if s.stack == platform_stack)
    values = {
        "aws:region": region or platform_file.config["aws:region"],
        f"{proj.name}:platformStack": platform_stack,
        f"{proj.name}:team": team,
        f"{proj.name}:namespace": namespace,
    }
    lines = [
        f"# Team {team}, environment {env}, as a tenant of platform stack {platform_stack}: made with",
        f"# `python -m teams new {team} --env {env} --shared {platform_stack}`. Its namespace is no other tenant's;",
        "# set teamRoleArn, costCenter and owner; every setting and its default is in tenant/Pulumi.yaml.",
        "config:",
        *(f"  {key}: {_scalar(value)}" for key, value in values.items()),
    ]
    path.write_text("\n".join(lines) + "\n")
    return path, namespace
