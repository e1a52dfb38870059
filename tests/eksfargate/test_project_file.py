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
import yaml

from eksfargate import alarm_settings, secrets, secrets_settings, settings, tenant_settings, workload_settings
from eksfargate.settings_files import (
    REFERENCE,
    config_block,
    declared_form,
    projects,
    rendered_project_file,
    rendered_reference,
    table_span,
)
from eksfargate.settings_schema import Setting
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


# The modules that read each project's settings: a declared key nobody reads is a setting that does nothing.
READERS = {
    "platform": (settings, workload_settings, alarm_settings, secrets_settings, secrets),
    "tenant": (tenant_settings, workload_settings, alarm_settings, secrets_settings, secrets),
}


@pytest.mark.parametrize("project", projects(), ids=lambda p: p.name)
def test_every_declared_setting_is_read_by_the_program(project):
    source = "".join(Path(module.__file__).read_text() for module in READERS[project.name])
    unread = [key for key in project.schema if f'"{key}"' not in source]
    assert unread == []


def differences(declared: dict, written: dict) -> list[str]:
    """Where a project file's `config:` block and the declarations disagree: key and field, each side's value."""
    found = [f"{key}: declared, missing from the file" for key in declared if key not in written]
    found += [f"{key}: in the file, declared nowhere" for key in written if key not in declared]
    for key in declared.keys() & written.keys():
        for field in declared[key].keys() | written[key].keys():
            if declared[key].get(field) != written[key].get(field):
                found.append(f"{key}: {field} is {written[key].get(field)!r} in the file, {declared[key].get(field)!r} declared")
    if not found and list(declared) != list(written):
        found.append(f"the keys are in another order than declared: {list(written)}")
    return sorted(found)


@pytest.mark.parametrize("project", projects(), ids=lambda p: p.name)
def test_the_project_file_declares_each_setting_as_its_declaration_says(project):
    written = load_yaml(project.project_file)[1]["config"]
    assert differences({key: declared_form(s) for key, s in project.schema.items()}, written) == [], (
        "run venv/bin/python -m eksfargate.settings_files"
    )
    assert project.project_file.read_text() == rendered_project_file(project)  # and as it renders them


def test_the_difference_names_the_key_and_the_field():
    declared = {"a": {"type": "integer", "default": 1}, "b": {"type": "string", "default": ""}}
    written = {"a": {"type": "integer", "default": 2}, "c": {"type": "string", "default": ""}}
    assert differences(declared, written) == [
        "a: default is 2 in the file, 1 declared",
        "b: declared, missing from the file",
        "c: in the file, declared nowhere",
    ]


def table_rows(reference: str, project) -> dict[str, str]:
    """A settings table of docs/reference.md: key -> its row."""
    start, end = table_span(reference, project)
    rows = [line for line in reference[start:end].splitlines() if line.startswith("| `")]
    return {re.match(r"\| `([^`]+)`", row)[1]: row for row in rows}


@pytest.mark.parametrize("project", projects(), ids=lambda p: p.name)
def test_the_settings_table_is_the_rendered_one(project):
    committed = table_rows(REFERENCE.read_text(), project)
    rendered = table_rows(rendered_reference(REFERENCE.read_text()), project)
    assert list(rendered) == list(project.schema)
    changed = {key: (committed.get(key), row) for key, row in rendered.items() if committed.get(key) != row}
    assert changed == {}, "run venv/bin/python -m eksfargate.settings_files"
    assert list(committed) == list(rendered)


@pytest.mark.parametrize("project", projects(), ids=lambda p: p.name)
def test_the_settings_table_states_each_settings_default(project):
    """The rows as a reader sees them: each key once, in its own row, with its default as Pulumi.yaml writes it."""
    written = load_yaml(project.project_file)[1]["config"]
    for key, row in table_rows(REFERENCE.read_text(), project).items():
        default_cell = row.strip("|").split(" | ")[1]
        assert default_cell == f"`{as_written(written[key]['default'])}`", key


def as_written(value) -> str:
    """A Pulumi.yaml default as the settings table writes it (YAML flow style)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(as_written(item) for item in value) + "]"
    return '""' if value == "" else str(value)


def test_a_rendered_scalar_reads_back_the_same_in_pyyaml_and_as_the_cli_reads_it(tmp_path):
    strings = ["1.35", "4", "", "yes", "a: b", "'quoted'", "#x", "x #y", "public.ecr.aws/x:latest"]
    values = [*strings, ["/tmp", "a,b", "[x]", "no"], True, 0]
    kinds = {list: "array", bool: "boolean", int: "integer", str: "string"}
    schema = {f"k{n}": Setting(f"k{n}", kinds[type(v)], v, f"text {n}: {v}") for n, v in enumerate(values)}
    project_file = tmp_path / "Pulumi.yaml"
    project_file.write_text("name: x\nruntime: python\n" + config_block(schema))
    read_back = load_yaml(project_file)[1]["config"]
    assert read_back == yaml.safe_load(project_file.read_text())["config"]
    assert {key: declared["default"] for key, declared in read_back.items()} == dict(zip(schema, values, strict=True))
