"""The projects' stack files read statically, as a catalog: each stack's settings by key, and
the tenant stacks with the namespaces they claim.

What a stack *deploys* is not read here: that is the recorded plan's (tools/offline). This is
what the files say, read as the CLI reads them (eksfargate/stack_files.py), for checks that
span stack files: a namespace claimed twice, a free VPC CIDR, a cluster name given twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eksfargate.contract import default_namespace
from eksfargate.project import TENANT_PROJECT_DIR
from eksfargate.stack_files import read_project, read_stack


@dataclass(frozen=True)
class StackFile:
    stack: str
    path: Path
    config: dict[str, Any]  # the file's config, keys qualified as the CLI qualifies them (eksfargate/stack_files.py)


@dataclass(frozen=True)
class Project:
    name: str
    directory: Path
    declarations: dict[str, Any]  # Pulumi.yaml's config block

    def default(self, key: str) -> Any:
        declaration = self.declarations.get(key)
        return declaration.get("default") if isinstance(declaration, dict) else None

    def setting(self, stack: StackFile, key: str) -> Any:
        """A project key's value for a stack: the stack file's, else Pulumi.yaml's default."""
        return stack.config.get(f"{self.name}:{key}", self.default(key))


def project(directory: Path) -> Project:
    """Pulumi.yaml, read as the CLI reads it; StackFileError (a ValueError) if it cannot be."""
    read = read_project(directory)
    return Project(read.name, directory, read.declarations)


def stack_files(directory: Path) -> list[StackFile]:
    """Every Pulumi.<stack>.yaml beside Pulumi.yaml, by stack name; StackFileError if one cannot be read."""
    proj = read_project(directory)
    files = []
    for path in sorted(directory.glob("Pulumi.*.yaml")):
        read = read_stack(proj, path)
        files.append(StackFile(read.stack, path, read.values))
    return files


@dataclass(frozen=True)
class Tenant:
    stack: str
    file: str
    team: str
    namespace: str
    platform: str  # the platform stack's name
    quota_pods: int
    alb_mode: str
    host: str
    tls: bool  # a certificate (certificateArn or hostedZone): HTTPS, with HTTP redirected

    def on_shared_alb_of(self, platform: str) -> bool:
        """Whether the tenant joins platform stack `platform`'s shared ALB."""
        return self.platform == platform and self.alb_mode == "shared"


def tenants(tenant_dir: Path = TENANT_PROJECT_DIR) -> list[Tenant]:
    proj = project(tenant_dir)
    return [_tenant(proj, stack) for stack in stack_files(tenant_dir)]


def _tenant(proj: Project, stack: StackFile) -> Tenant:
    team = str(proj.setting(stack, "team"))
    return Tenant(
        stack=stack.stack,
        file=f"{proj.directory.name}/{stack.path.name}",
        team=team,
        namespace=str(proj.setting(stack, "namespace") or default_namespace(team)),
        platform=str(proj.setting(stack, "platformStack")).rsplit("/", 1)[-1],
        quota_pods=int(proj.setting(stack, "quotaPods")),
        alb_mode=str(proj.setting(stack, "albMode")),
        host=str(proj.setting(stack, "host")),
        tls=bool(proj.setting(stack, "certificateArn") or proj.setting(stack, "hostedZone")),
    )


def namespace_owners(tenant_dir: Path = TENANT_PROJECT_DIR) -> dict[str, list[str]]:
    """Namespace → the tenant stacks that claim it."""
    owners: dict[str, list[str]] = {}
    for tenant in tenants(tenant_dir):
        owners.setdefault(tenant.namespace, []).append(tenant.stack)
    return owners


def shared_alb_tenants(platform_stack: str, tenant_dir: Path = TENANT_PROJECT_DIR) -> list[str]:
    """Tenant stacks on `platform_stack` that join its shared ALB."""
    return [t.stack for t in tenants(tenant_dir) if t.on_shared_alb_of(platform_stack)]
