"""The folder a plan's files go into (`python -m offline plan --out`, out/<stack>/ by default): one plan's
files, whole, or none.

`put` writes every file into a fresh folder beside it and only then moves that folder into place, so a
reader never finds two plans' files mixed, nor a file the new plan does not write (an IAM document of a
role it dropped, the policy report of a run with checks after one without). `remove` takes an earlier
plan away once a plan has failed, so that nothing reads it as the failed plan's. The folder is the
plan's: one that holds something else is refused (`refusal`), never emptied.

Standard library only: the command line uses it for a plan the plan cache keeps, without the SDK.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

# Every plan writes it: a folder that holds one holds a plan.
PLAN_JSON = "plan.json"


def refusal(out: Path) -> str | None:
    """Why a plan may not take `out` (None: it may): it is not a folder, or holds files but no plan."""
    if not out.exists():
        return None
    if not out.is_dir():
        return f"{out} is not a folder"
    if (out / PLAN_JSON).is_file() or not any(out.iterdir()):
        return None
    return f"{out} holds files but no {PLAN_JSON}: a plan replaces its folder whole, so give --out a new or empty folder"


def put(out: Path, files: Mapping[str, str]) -> list[Path]:
    """Makes `files` (path under `out` -> text) all that `out` holds; returns their paths, in order."""
    refused = refusal(out)
    if refused:
        raise ValueError(refused)
    out.parent.mkdir(parents=True, exist_ok=True)
    # A private folder beside `out`, on its file system: the moves below are renames.
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}-") as scratch:
        fresh = Path(scratch) / out.name  # made by mkdir, with the permissions `out` would have had
        fresh.mkdir()
        for name, text in files.items():
            path = fresh / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        if out.exists():
            os.rename(out, Path(scratch) / "earlier")  # goes with the scratch folder
        os.rename(fresh, out)
    return [out / name for name in files]


def remove(out: Path) -> None:
    """Takes away the plan `out` holds, if it holds one (anything else is left as it is)."""
    if not (out / PLAN_JSON).is_file():
        return
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}-") as scratch:
        os.rename(out, Path(scratch) / "earlier")  # gone at once for any reader; deleted with the scratch folder
