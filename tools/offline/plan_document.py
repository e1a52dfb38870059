"""The plan document, plan.json, as the tools read and write it: its format, its bytes, and how the
placeholders in its values name the resources they come from.

offline/plan.py makes plans from the program's recordings; the diff (offline/diff_command.py) only
reads them, with this module, and so loads no Pulumi SDK.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from eksfargate.stack_files import SECRET_PLACEHOLDER
from offline.unknowns import PLACEHOLDER

PLAN_FORMAT = 1
SECRET = SECRET_PLACEHOLDER


class PlanError(Exception):
    """The stack cannot be planned: invalid settings, a missing stack file, an encrypted secret."""


def dumps(plan: dict[str, Any]) -> str:
    """plan.json's text: byte-identical for identical plans."""
    return json.dumps(plan, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load(path: Path) -> dict[str, Any]:
    plan = json.loads(Path(path).read_text())
    if not isinstance(plan, dict) or plan.get("planFormat") != PLAN_FORMAT:
        raise PlanError(f"{path} is not a plan.json of format {PLAN_FORMAT}")
    return plan


def placeholders(value: Any) -> Iterable[str]:
    """Every `{{...}}` reference inside a (nested) value, JSON strings included."""
    if isinstance(value, str):
        yield from (match.group(1) for match in PLACEHOLDER.finditer(value))
    elif isinstance(value, dict):
        for item in value.values():
            yield from placeholders(item)
    elif isinstance(value, list):
        for item in value:
            yield from placeholders(item)


_SOURCE = re.compile(r"^(?P<source>[^.]+)\.(?P<prop>.+)$")


def placeholder_source(reference: str) -> str:
    """ "Subnet:network-private-a.id" → "Subnet:network-private-a" (the resource the value comes from)."""
    match = _SOURCE.match(reference)
    return match.group("source") if match else reference


def source_key(res: dict[str, Any]) -> str:
    """How placeholders name a resource: "Kind:name"."""
    return f"{res['type'].rsplit(':', 1)[-1]}:{res['name']}"
