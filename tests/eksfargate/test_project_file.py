"""Pulumi.yaml and every stack file are what the Pulumi CLI accepts at `pulumi up`.

No CLI runs here, so this is the only check of the project file: the project schema, then
the CLI's own type check of each typed config default and each stack value, with the CLI's
rules (eksfargate/stack_files.py): YAML 1.2 scalars, unprefixed keys in the project's namespace,
"3" accepted for an integer and "true" for a boolean.
"""

import json
import re
from pathlib import Path

import jsonschema
import pytest

from eksfargate import settings
from eksfargate.stack_files import cli_accepts, load_yaml, read_project, read_stack, type_errors
from offline.harness import PROJECT_DIR
from tests.stackfacts import DATA_DIR, STACKS_DIR

SCHEMA = json.loads((DATA_DIR / "pulumi-project.schema.json").read_text())
PROJECT = load_yaml(PROJECT_DIR / "Pulumi.yaml")[1]
STACK_FILES = sorted(PROJECT_DIR.glob("Pulumi.*.yaml")) + sorted((STACKS_DIR).glob("Pulumi.*.yaml"))


def test_project_file_validates_against_pulumis_schema():
    jsonschema.validate(PROJECT, SCHEMA)


def test_project_runs_python_in_a_virtualenv():
    assert PROJECT["runtime"]["name"] == "python"
    assert PROJECT["runtime"]["options"]["virtualenv"]


@pytest.mark.parametrize("key", sorted(PROJECT["config"]))
def test_every_setting_is_typed_described_and_its_default_matches_its_type(key):
    declaration = PROJECT["config"][key]
    assert declaration.get("description"), key
    assert "default" in declaration, key
    assert cli_accepts(declaration, declaration["default"]), key


@pytest.mark.parametrize("stack_file", STACK_FILES, ids=lambda p: p.name)
def test_stack_file_values_match_declared_types_and_name_declared_keys(stack_file):
    project = read_project(PROJECT_DIR)
    stack = read_stack(project, stack_file)  # keys qualified as the CLI qualifies them, unprefixed ones too
    assert stack.values.get("aws:region"), "every stack names its region"
    for key in stack.values:
        namespace, _, name = key.partition(":")
        if namespace == project.name:
            assert name in project.declarations, f"{stack_file.name}: {key} is not declared in Pulumi.yaml"
    assert type_errors(project, stack) == []


def test_the_type_check_catches_a_mistyped_value(tmp_path):
    project = read_project(PROJECT_DIR)
    stack_file = tmp_path / "Pulumi.typo.yaml"
    stack_file.write_text("config:\n  appReplicas: five\n  protect: yes\n  clusterLogTypes: [api, 1]\n  vpcCidr: 10.0.0.0/16\n")
    assert type_errors(project, read_stack(project, stack_file)) == [
        "Pulumi.typo.yaml:2: Stack 'typo' with configuration key 'appReplicas' must be of type 'integer'",
        "Pulumi.typo.yaml:4: Stack 'typo' with configuration key 'clusterLogTypes' must be of type 'array<string>'",
        "Pulumi.typo.yaml:3: Stack 'typo' with configuration key 'protect' must be of type 'boolean'",
    ]


def test_every_declared_setting_is_read_by_the_program():
    source = Path(settings.__file__).read_text()
    unread = [key for key in PROJECT["config"] if f'"{key}"' not in source]
    assert unread == []


def settings_table() -> dict[str, str | None]:
    """The settings table of docs/reference.md: each key its rows name, and the default the row writes.

    A row may name several keys (`team` / `costCenter` / `owner`): one default for all of them, or one
    each in the same order. A default may be followed by what it means (`""` (`<project>-<stack>`)).
    """
    reference = (PROJECT_DIR / "docs" / "reference.md").read_text()
    table = reference.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str | None] = {}
    for line in table.splitlines():
        if not line.startswith("| `"):
            continue
        key_cell, default_cell = line.strip("|").split("|")[:2]
        keys, defaults = re.findall(r"`([^`]+)`", key_cell), re.findall(r"`([^`]*)`", default_cell)
        each = defaults if len(keys) > 1 and len(defaults) == len(keys) else [defaults[0] if defaults else None] * len(keys)
        rows.update(zip(keys, each, strict=True))
    return rows


def as_written(value) -> str:
    """A Pulumi.yaml default as the settings table writes it (YAML flow style)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(as_written(item) for item in value) + "]"
    return '""' if value == "" else str(value)


def test_every_setting_is_in_the_settings_table_and_nothing_else_is():
    documented = {key for key in settings_table() if ":" not in key}  # aws:region is the provider's, not Pulumi.yaml's
    assert documented == set(PROJECT["config"])


def test_the_settings_table_states_each_settings_default():
    table = settings_table()
    assert {key: table[key] for key in PROJECT["config"]} == {
        key: as_written(declaration["default"]) for key, declaration in PROJECT["config"].items()
    }
