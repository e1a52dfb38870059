"""Fixtures of the `teams` tests.

- `platform_plans_once`: the platform plans `teams` reads (tools/teams/tenants.py `platforms`) made once per test
  session for each stack and stack file's bytes, whichever test worker asks first (`shared`).
"""

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from offline import plan as offline_plan
from offline import plan_document
from offline.harness import PROJECT_DIR
from teams import tenants as tenant_files


@pytest.fixture
def platform_plans_once(monkeypatch: pytest.MonkeyPatch, shared: Callable[[str, Callable[[Path], None]], Path]) -> None:
    """`teams` plans every platform stack file that serves tenants with this checkout's program, each time it reads
    them, and its tests copy the projects into folders of their own, most leaving the platform's stack file as it is.
    A plan depends on the stack's name and its stack file's bytes alone (`platforms` plans this checkout's platform
    project, without overrides): one real plan (`offline.plan.build`) per distinct pair in the session, read back
    from plan.json as a plan command writes it; a stack file that cannot be planned fails as it would every time."""

    def build(stack: str, project_dir: Path = PROJECT_DIR, stack_file: Path | None = None, **overrides: Any) -> dict[str, Any]:
        assert project_dir == PROJECT_DIR and not overrides, "only `platforms`' own plans are shared"
        path = stack_file or project_dir / f"Pulumi.{stack}.yaml"
        key = hashlib.sha256(f"{stack}\0".encode() + path.read_bytes()).hexdigest()[:16]

        def make(folder: Path) -> None:
            (folder / "plan.json").write_text(plan_document.dumps(offline_plan.build(stack, project_dir, stack_file)))

        return plan_document.load(shared(f"teams-platform-plans/{stack}-{key}", make) / "plan.json")

    monkeypatch.setattr(tenant_files, "build", build)
