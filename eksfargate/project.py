"""Where the two Pulumi projects live: the platform project at the checkout's root, the tenant
project in tenant/. Every path to a project file or stack file starts here."""

from pathlib import Path

PLATFORM_PROJECT_DIR = Path(__file__).resolve().parent.parent
TENANT_PROJECT_DIR = PLATFORM_PROJECT_DIR / "tenant"
# The tools' packages (offline, cost, teams, security), which pyproject.toml installs as top-level packages.
TOOLS_DIR = PLATFORM_PROJECT_DIR / "tools"
