"""Projects on disk, as the offline tools find them: a project's name, the project folder and stack a
StackReference names, and how to run another checkout's own tools. No SDK: the diff
(offline/diff_command.py) finds its revisions' projects with it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from eksfargate.project import PLATFORM_PROJECT_DIR, TOOLS_DIR
from eksfargate.stack_files import read_project


class NoSuchStack(LookupError):
    """A StackReference names a project or a stack file that is not there."""


def project_name(project_dir: Path = PLATFORM_PROJECT_DIR) -> str:
    return read_project(project_dir).name


def referenced_stack(name: str, project_dir: Path) -> tuple[Path, str]:
    """The project folder and the stack a StackReference of the project in `project_dir` names
    (`[<org>/][<project>/]<stack>`): this project or one beside it or in its parent folder (a tenant
    project in a subfolder of its platform's). Raises NoSuchStack when there is no such stack file."""
    parts = name.split("/")
    stack = parts[-1]
    wanted = parts[-2] if len(parts) > 1 else project_name(project_dir)
    candidates = [project_dir, project_dir.parent, *sorted(p for p in project_dir.parent.iterdir() if p.is_dir())]
    found = next((d for d in candidates if (d / "Pulumi.yaml").is_file() and project_name(d) == wanted), None)
    if found is None:
        raise NoSuchStack(f"stack reference {name!r}: no project named {wanted!r} in or beside {project_dir}")
    if not (found / f"Pulumi.{stack}.yaml").is_file():
        raise NoSuchStack(
            f"stack reference {name!r}: the referenced stack does not exist (no stack file Pulumi.{stack}.yaml in {found})"
        )
    return found, stack


def plan_process(checkout: Path) -> dict[str, Any]:
    """`subprocess.run` arguments that plan with another checkout as it would plan itself: its
    program, library and tools (from its root and tools folder) ahead of this checkout's installed ones."""
    tools = checkout / TOOLS_DIR.relative_to(PLATFORM_PROJECT_DIR)
    path = os.pathsep.join(filter(None, [str(tools), os.environ.get("PYTHONPATH")]))
    return {"cwd": checkout, "env": dict(os.environ, PYTHONPATH=path)}
