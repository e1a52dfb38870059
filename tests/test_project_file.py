"""Pulumi.yaml and every stack file are what the Pulumi CLI accepts at `pulumi up`.

No CLI runs here, so this is the only check of the project file: the project schema, then
the CLI's own type check of each typed config default and each stack value.
"""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from offline.harness import PROJECT_DIR

SCHEMA = json.loads((Path(__file__).parent / "data" / "pulumi-project.schema.json").read_text())
PROJECT = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())
STACK_FILES = sorted(PROJECT_DIR.glob("Pulumi.*.yaml")) + sorted(
    (Path(__file__).parent / "data" / "stacks").glob("Pulumi.*.yaml")
)


def matches(declaration: dict, value) -> bool:
    kind = declaration["type"]
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list) and all(matches(declaration["items"], item) for item in value)
    raise AssertionError(f"unknown config type {kind}")


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
    assert matches(declaration, declaration["default"]), key


@pytest.mark.parametrize("stack_file", STACK_FILES, ids=lambda p: p.name)
def test_stack_file_values_match_declared_types_and_name_declared_keys(stack_file):
    values = yaml.safe_load(stack_file.read_text())["config"]
    assert values.get("aws:region"), "every stack names its region"
    for key, value in values.items():
        namespace, _, name = key.partition(":")
        if namespace != PROJECT["name"]:
            continue
        assert name in PROJECT["config"], f"{stack_file.name}: {key} is not declared in Pulumi.yaml"
        assert matches(PROJECT["config"][name], value), f"{stack_file.name}: {key}={value!r}"


def test_the_type_check_catches_a_mistyped_value():
    assert not matches({"type": "integer"}, "5")
    assert not matches({"type": "array", "items": {"type": "string"}}, ["a", 1])
    assert not matches({"type": "boolean"}, "true")


def test_every_declared_setting_is_read_by_the_program():
    source = (PROJECT_DIR / "settings.py").read_text()
    unread = [key for key in PROJECT["config"] if f'"{key}"' not in source]
    assert unread == []


def test_every_setting_is_in_the_readme_settings_table():
    readme = (PROJECT_DIR / "README.md").read_text()
    table = readme[readme.index("## Settings") :].split("\n## ", 1)[0]
    undocumented = [key for key in PROJECT["config"] if f"`{key}`" not in table]
    assert undocumented == []
