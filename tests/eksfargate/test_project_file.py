"""Pulumi.yaml and every stack file are what the Pulumi CLI accepts at `pulumi up`.

No CLI runs here, so this is the only check of the project file: the project schema, then
the CLI's own type check of each typed config default and each stack value, with the CLI's
rules (offline/stackfile.py): YAML 1.2 scalars, unprefixed keys in the project's namespace,
"3" accepted for an integer and "true" for a boolean.
"""

import json
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


def test_every_setting_is_in_the_readme_settings_table():
    readme = (PROJECT_DIR / "README.md").read_text()
    table = readme[readme.index("## Settings") :].split("\n## ", 1)[0]
    undocumented = [key for key in PROJECT["config"] if f"`{key}`" not in table]
    assert undocumented == []
