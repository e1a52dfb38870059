"""The files rendered from the settings' declarations: each project's Pulumi.yaml `config:` block and
its settings table in docs/reference.md.

The Pulumi CLI reads Pulumi.yaml itself, so the file stays committed; a test holds each file equal
to its rendering (and names the key and field where a declaration and the file disagree).
`python -m eksfargate.settings_files` writes them after a declaration changes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from eksfargate.platform_schema import PLATFORM
from eksfargate.project import PLATFORM_PROJECT_DIR, TENANT_PROJECT_DIR
from eksfargate.settings_schema import Schema, Setting
from eksfargate.stack_files import go_yaml_scalar
from eksfargate.tenant_schema import TENANT

REFERENCE = PLATFORM_PROJECT_DIR / "docs" / "reference.md"
CONFIG_START = "\nconfig:\n"
_TABLE_END = "<!-- end of the settings table -->"


@dataclass(frozen=True)
class RenderedProject:
    """One project's settings: where its Pulumi.yaml is, and the settings table's name in docs/reference.md."""

    name: str
    schema: Schema
    directory: Path

    @property
    def project_file(self) -> Path:
        return self.directory / "Pulumi.yaml"

    @property
    def table_start(self) -> str:
        return f"<!-- the {self.name} settings table: `python -m eksfargate.settings_files` writes it -->"


def projects() -> tuple[RenderedProject, ...]:
    return (RenderedProject("platform", PLATFORM, PLATFORM_PROJECT_DIR), RenderedProject("tenant", TENANT, TENANT_PROJECT_DIR))


# ---------------------------------------------------------------- Pulumi.yaml


def _scalar(value: Any, flow: bool = False) -> str:
    """A YAML scalar that both PyYAML and the CLI (go-yaml v3) read back as `value`: plain where it can be."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    plain_reads_back = bool(text) and go_yaml_scalar(text) == text and _safe_load(text, flow) == text
    if plain_reads_back and not (flow and any(c in text for c in ",[]{}")):
        return text
    return json.dumps(text, ensure_ascii=False)


def _safe_load(text: str, flow: bool) -> Any:
    try:
        loaded = yaml.safe_load(f"[{text}]" if flow else f"k: {text}")
    except yaml.YAMLError:
        return None
    if flow:
        return loaded[0] if isinstance(loaded, list) and len(loaded) == 1 else None
    return loaded.get("k") if isinstance(loaded, dict) and list(loaded) == ["k"] else None


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(item, flow=True) for item in value) + "]"
    return _scalar(value)


def config_block(schema: Schema) -> str:
    """Pulumi.yaml's `config:` block: every setting with its type, description and default."""
    lines = ["config:"]
    for setting in schema.values():
        lines += [f"  {setting.key}:", f"    type: {setting.type}"]
        if setting.type == "array":
            lines += ["    items:", f"      type: {setting.items}"]
        lines += [f"    description: {_scalar(setting.summary)}", f"    default: {_value(setting.default)}"]
    return "\n".join(lines) + "\n"


def declared_form(setting: Setting) -> dict[str, Any]:
    """A setting as Pulumi.yaml declares it, once the file is parsed."""
    declaration: dict[str, Any] = {"type": setting.type}
    if setting.type == "array":
        declaration["items"] = {"type": setting.items}
    return declaration | {"description": setting.summary, "default": setting.default}


def rendered_project_file(project: RenderedProject) -> str:
    """The project file with its `config:` block rendered from the declarations (the rest is the file's)."""
    text = project.project_file.read_text()
    head = text.split(CONFIG_START, 1)[0]
    return f"{head}\n{config_block(project.schema)}"


# ---------------------------------------------------------------- docs/reference.md


def _code(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_code(item) for item in value) + "]"
    return '""' if value == "" else str(value)


def _markdown(text: str) -> str:
    """Text for a table cell: `|` escaped, and `<...>` outside code spans shown rather than taken for HTML."""
    parts = re.split(r"(`[^`]*`)", text.replace("|", "\\|"))
    return "".join(part if part.startswith("`") else part.replace("<", "&lt;").replace(">", "&gt;") for part in parts)


def settings_table(schema: Schema) -> str:
    """The settings table: one row per key, its default and what it means."""
    rows = ["| key | default | what |", "| --- | --- | --- |"]
    rows += [f"| `{s.key}` | `{_code(s.default)}` | {_markdown(s.doc_text)} |" for s in schema.values()]
    return "\n".join(rows) + "\n"


def table_span(reference: str, project: RenderedProject) -> tuple[int, int]:
    """Where the project's table sits in docs/reference.md: between its start marker and the end marker."""
    start = reference.index(project.table_start) + len(project.table_start)
    return start, reference.index(_TABLE_END, start)


def rendered_reference(reference: str) -> str:
    """docs/reference.md with each project's settings table rendered (blank lines keep the markers out of the table)."""
    for project in projects():
        start, end = table_span(reference, project)
        reference = f"{reference[:start]}\n\n{settings_table(project.schema)}\n{reference[end:]}"
    return reference


def write() -> list[Path]:
    """Writes every rendered file that differs from its rendering; returns those it wrote."""
    written = []
    for project in projects():
        text = rendered_project_file(project)
        if project.project_file.read_text() != text:
            project.project_file.write_text(text)
            written.append(project.project_file)
    reference = REFERENCE.read_text()
    if rendered_reference(reference) != reference:
        REFERENCE.write_text(rendered_reference(reference))
        written.append(REFERENCE)
    return written


if __name__ == "__main__":
    for path in write():
        print(f"wrote {path.relative_to(PLATFORM_PROJECT_DIR)}")
