"""The pull-request comment's schema and renderer (.github/scripts), for the diff's own use.

They live beside plan_comment.py because the posting workflow runs that from the base branch with a
bare python3: standard library only, in no package of the project. So they are loaded from their
files, under the names plan_comment.py imports them by, once per process: `make diff` renders with
the module the comment renders with, and diff_data.py writes the FORMAT and VERSION it reads.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

# What the diff and the tests import from here (to the checker the two modules are imports, below,
# which it re-exports only when listed).
__all__ = ["SCRIPTS_DIR", "markdown", "schema", "shards"]

# The checkout this code is in (tools/offline/ under its root): its renderer reads what its diff_data.py writes.
SCRIPTS_DIR = Path(__file__).resolve().parents[2] / ".github" / "scripts"


def _load(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPTS_DIR / f"{name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"no {name}.py in {SCRIPTS_DIR}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


if TYPE_CHECKING:  # the checker reads the same files, found by their names ([tool.mypy] mypy_path)
    import plan_markdown as markdown
    import plan_schema as schema
    import plan_shards as shards
else:
    schema = _load("plan_schema")
    markdown = _load("plan_markdown")
    shards = _load("plan_shards")  # imports plan_schema, loaded above under that name
