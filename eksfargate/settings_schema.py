"""A project setting declared once: its key, type, default, what is allowed and what it means.

Each project declares its settings in a module of its own (eksfargate/platform_schema.py,
eksfargate/tenant_schema.py). Pulumi.yaml's `config:` block and the settings tables of
docs/reference.md are rendered from those declarations (eksfargate/settings_files.py; a test holds
the committed files equal to the rendering), and the settings readers take each key's range and
allowed values from them (eksfargate/config_reader.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The types Pulumi.yaml declares (every array here is of strings).
TYPES = ("string", "integer", "boolean", "array")


@dataclass(frozen=True)
class Setting:
    """One key of a project's config.

    `description` is what `pulumi config` users read in Pulumi.yaml, `doc` the settings table's
    Markdown (the description when empty). Both may name `{low}`, `{high}` (the bounds) and
    `{allowed}` (the allowed values, comma-separated): the numbers are written once, here.
    """

    key: str
    type: str
    default: Any
    description: str
    # An integer's range; for a CIDR the prefix length's, for a list its length's.
    bounds: tuple[int, int] | None = None
    # The values a string or integer may take; for a list, the values its items may take.
    allowed: tuple[Any, ...] = ()
    doc: str = ""
    # A list's item type.
    items: str = "string"

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"setting {self.key}: type {self.type!r} is not one of {list(TYPES)}")

    def text(self, template: str) -> str:
        low, high = self.bounds or (None, None)
        return template.format(low=low, high=high, allowed=", ".join(str(value) for value in self.allowed))

    @property
    def summary(self) -> str:
        """Pulumi.yaml's description of the key."""
        return self.text(self.description)

    @property
    def doc_text(self) -> str:
        """The settings table's description of the key."""
        return self.text(self.doc) if self.doc else self.summary


Schema = Mapping[str, Setting]


def declare(*settings: Setting) -> Schema:
    """A project's settings by key, in the order Pulumi.yaml lists them."""
    schema: dict[str, Setting] = {}
    for setting in settings:
        if setting.key in schema:
            raise ValueError(f"setting {setting.key} is declared twice")
        schema[setting.key] = setting
    return schema
