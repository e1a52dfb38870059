"""Stack files read as the Pulumi CLI reads them: YAML 1.2 scalars, namespaced keys, typed values as strings.

The CLI's rules are cited in eksfargate/stack_files.py (pulumi/pulumi v3.259.0). Every stack file
here is a fixture; each case is one the CLI accepts or refuses.
"""

import json
import os
from pathlib import Path

import pytest
from pulumi.runtime import config as runtime_config

from eksfargate import stack_files
from eksfargate.config_reader import refuse_unknown_keys
from eksfargate.platform_schema import PLATFORM
from eksfargate.settings import SettingsError, UnknownSettingError
from eksfargate.stack_files import (
    SECRET_PLACEHOLDER,
    StackFileError,
    cli_accepts,
    config_string,
    go_yaml_scalar,
    load_yaml,
    read_project,
    read_stack,
    undeclared_keys,
)
from offline.__main__ import main as offline_main
from offline.harness import PROJECT_DIR, record, stack_config
from tests.rewrite import rewritten_values
from tests.stackfacts import STACKS_DIR

DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def write_stack(tmp_path: Path, body: str, name: str = "case") -> Path:
    path = tmp_path / f"Pulumi.{name}.yaml"
    path.write_text(body)
    return path


# ---------------------------------------------------------------- YAML as go-yaml v3 reads it


@pytest.mark.parametrize(
    "text,value",
    [
        ("yes", "yes"),  # YAML 1.1 (PyYAML) says True; YAML 1.2 and go-yaml v3 a string
        ("on", "on"),
        ("No", "No"),
        ("true", True),
        ("False", False),
        ("0777", 511),  # go-yaml v3 still reads a leading 0 as octal
        ("0o17", 15),
        ("0x1F", 31),
        ("1_000", 1000),
        ("3.0", 3.0),
        ("1e3", 1000.0),
        ("~", None),
        ("2026-11-28", "2026-11-28"),  # timestamps decoded into interface{} stay strings
        ("1.35", 1.35),
        ("10.0.0.0/16", "10.0.0.0/16"),
    ],
)
def test_plain_scalars_resolve_as_go_yaml_v3_resolves_them(text, value):
    assert go_yaml_scalar(text) == value and type(go_yaml_scalar(text)) is type(value)


def test_quoted_scalars_stay_strings(tmp_path):
    _, data = load_yaml(write_stack(tmp_path, "config:\n  a: '3'\n  b: \"true\"\n  c: yes\n"))
    assert data == {"config": {"a": "3", "b": "true", "c": "yes"}}


# Every YAML file of the checkout: both projects' files, the fixtures, the workflows and tool configurations.
CHECKOUT_YAML = sorted(
    path
    for pattern in ("*.yaml", ".*.yaml", "tenant/*.yaml", "policy/*.yaml", "tests/data/**/*.yaml", ".github/**/*.yml")
    for path in PROJECT_DIR.glob(pattern)
)


def _tree(node):
    """A node and its children as comparable data: tag, where it starts and ends, a scalar's style and value."""
    if node is None:
        return None
    where = (node.tag, node.start_mark.line, node.start_mark.column, node.end_mark.line)
    if isinstance(node.value, str):
        return (*where, node.style or None, node.value)  # a plain scalar's style: None in Python, '' in libyaml
    return (*where, [tuple(map(_tree, item)) if isinstance(item, tuple) else _tree(item) for item in node.value])


@pytest.mark.parametrize("path", CHECKOUT_YAML, ids=lambda path: str(path.relative_to(PROJECT_DIR)))
def test_libyaml_reads_each_yaml_file_of_the_checkout_as_pyyamls_own_parser_does(path):
    """load_yaml parses with libyaml (stack_files._CliLoader); PyYAML's parser in Python
    (_MessageLoader, kept for the messages of invalid YAML) must give the same tree and values."""
    node, value = load_yaml(path)
    loader = stack_files._MessageLoader(path.read_text())
    python_node, python_value = stack_files._load(loader)
    assert _tree(node) == _tree(python_node)
    assert repr(value) == repr(python_value)  # repr: a .nan equals itself


def test_a_project_or_stack_file_changed_in_place_is_read_again_even_at_the_same_size_and_time(tmp_path):
    """read_project and read_stack parse a file once per path and content."""
    project_file, stack_file = tmp_path / "Pulumi.yaml", write_stack(tmp_path, "config:\n  aws:region: eu-west-1\n")
    project_file.write_text("name: first\nruntime: python\n")
    assert read_project(tmp_path).name == "first"
    assert read_stack(read_project(tmp_path), stack_file).values == {"aws:region": "eu-west-1"}
    for path, text in ((project_file, "name: other\nruntime: python\n"), (stack_file, "config:\n  aws:region: eu-west-2\n")):
        status = path.stat()
        path.write_text(text)
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert read_project(tmp_path).name == "other"
    assert read_stack(read_project(tmp_path), stack_file).values == {"aws:region": "eu-west-2"}


@pytest.mark.parametrize(
    "value,engine_string",
    [
        (3, "3"),
        (True, "true"),
        (3.0, "3"),  # Go's JSON writes a whole float64 without ".0"
        (1.5e-7, "1.5e-7"),
        (["api", "audit"], '["api","audit"]'),
        ({"b": 1, "a": "<x>"}, '{"a":"\\u003cx\\u003e","b":1}'),
        ("yes", "yes"),
    ],
)
def test_values_reach_the_program_as_the_engine_writes_them(value, engine_string):
    assert config_string(value) == engine_string


@pytest.mark.parametrize(
    "declaration,value,accepted",
    [
        ({"type": "integer"}, "3", True),  # a string that parses as the declared type
        ({"type": "integer"}, "+3", True),
        ({"type": "integer"}, "3.5", False),
        ({"type": "integer"}, "five", False),
        ({"type": "integer"}, 3.0, True),
        ({"type": "boolean"}, "true", True),
        ({"type": "boolean"}, "yes", False),
        ({"type": "boolean"}, True, True),
        ({"type": "string"}, 5, False),
        ({"type": "array", "items": {"type": "string"}}, ["a", "b"], True),
        ({"type": "array", "items": {"type": "string"}}, ["a", 1], False),
        ({"type": "array", "items": {"type": "string"}}, "a", False),
    ],
)
def test_the_clis_type_check(declaration, value, accepted):
    assert cli_accepts(declaration, value) is accepted


# ---------------------------------------------------------------- string values, as `pulumi config set` writes them


def test_string_values_for_integer_and_boolean_keys_work_in_settings_and_plan(tmp_path):
    stack_file = STACKS_DIR / "Pulumi.string-values.yaml"
    recording = record("string-values", stack_file=stack_file)

    assert recording.error is None, recording.error
    assert recording.one(DEPLOYMENT).inputs["spec"]["replicas"] == 3
    assert len(recording.of_type("aws:ec2/subnet:Subnet")) == 2 * 2
    assert recording.one("aws:ec2/vpc:Vpc").protect is True
    assert (
        offline_main(["plan", "--stack-file", str(stack_file), "--stack", "string-values", "--out", str(tmp_path), "--quiet"])
        == 0
    )


def test_yes_for_a_boolean_is_refused_with_the_clis_message(tmp_path):
    stack_file = write_stack(tmp_path, "config:\n  aws:region: ap-northeast-2\n  eks-fargate:protect: yes\n")
    with pytest.raises(StackFileError) as error:
        stack_config("case", stack_file=stack_file)
    assert str(error.value) == "Pulumi.case.yaml:3: Stack 'case' with configuration key 'protect' must be of type 'boolean'"


# ---------------------------------------------------------------- keys


def test_a_key_without_namespace_gets_the_projects_as_the_cli_gives_it(tmp_path):
    stack_file = write_stack(tmp_path, "config:\n  aws:region: ap-northeast-2\n  appReplicas: 2\n")
    assert stack_config("case", stack_file=stack_file)["eks-fargate:appReplicas"] == "2"


def test_the_old_config_module_form_is_read_as_the_cli_reads_it(tmp_path):
    stack_file = write_stack(tmp_path, "config:\n  aws:config:region: ap-northeast-2\n")
    assert stack_config("case", stack_file=stack_file)["aws:region"] == "ap-northeast-2"


def test_a_key_the_cli_cannot_parse_is_refused_with_its_reason(tmp_path):
    stack_file = write_stack(tmp_path, "config:\n  aws:region: ap-northeast-2\n  eks-fargate:app:replicas: 2\n")
    with pytest.raises(StackFileError) as error:
        stack_config("case", stack_file=stack_file)
    assert str(error.value) == (
        "Pulumi.case.yaml:3: could not parse eks-fargate:app:replicas as a configuration key "
        "(configuration keys should be of the form `<namespace>:<name>`)"
    )


def test_a_key_set_twice_is_refused(tmp_path):
    stack_file = write_stack(tmp_path, "config:\n  aws:region: ap-northeast-2\n  appReplicas: 2\n  eks-fargate:appReplicas: 3\n")
    with pytest.raises(StackFileError, match=r"Pulumi.case.yaml:4: eks-fargate:appReplicas is set twice"):
        stack_config("case", stack_file=stack_file)


@pytest.mark.parametrize("key", ["eks-fargate:appReplica", "appReplica"])
def test_an_unknown_setting_fails_before_any_resource_with_the_nearest_name(tmp_path, key):
    stack_file = write_stack(tmp_path, f"config:\n  aws:region: ap-northeast-2\n  {key}: 3\n")
    recording = record("case", stack_file=stack_file)

    assert isinstance(recording.error, UnknownSettingError) and isinstance(recording.error, SettingsError)
    assert str(recording.error) == "unknown setting 'appReplica'; did you mean 'appReplicas'?"
    assert recording.resources == []


def test_the_program_sees_every_key_a_real_run_passes_in_pulumi_config(monkeypatch):
    """`pulumi up` hands the program its config as JSON in PULUMI_CONFIG (pulumi-language-python)."""
    runtime_config.set_all_config({})
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"eks-fargate:appReplcias": "3", "aws:region": "us-east-1"}))
    with pytest.raises(UnknownSettingError, match="did you mean 'appReplicas'"):
        refuse_unknown_keys("eks-fargate", PLATFORM)


def test_keys_no_provider_declares_are_warnings_in_the_plan(tmp_path, capsys):
    body = "config:\n  aws:region: ap-northeast-2\n  aws:regoin: us-east-1\n  foo:bar: baz\n  kubernetes:namespace: x\n"
    stack_file = write_stack(tmp_path, body)

    assert (
        offline_main(["plan", "--stack", "case", "--stack-file", str(stack_file), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    )
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: aws:regoin: the aws provider declares no key 'regoin'; did you mean 'aws:region'?",
        "warning: foo:bar: no provider of this program reads the namespace 'foo'",
    ]


def test_the_committed_stack_files_have_no_undeclared_keys():
    for stack_file in sorted(PROJECT_DIR.glob("Pulumi.*.yaml")):
        stack = stack_file.name.removeprefix("Pulumi.").removesuffix(".yaml")
        assert undeclared_keys(stack_config(stack), "eks-fargate") == [], stack_file.name


# ---------------------------------------------------------------- files the CLI cannot read


@pytest.mark.parametrize(
    "body,message",
    [
        (
            "config:\n  aws:region: [ap-northeast-2\n  x: 1\n",
            "Pulumi.case.yaml:3: invalid YAML: expected ',' or ']', but got ':'",
        ),
        ("config:\n  a: 1\n  a: 2\n", 'Pulumi.case.yaml:3: invalid YAML: mapping key "a" already defined at line 2'),
        ("config:\n\tx: 1\n", "Pulumi.case.yaml:2: invalid YAML: found character '\\t' that cannot start any token"),
        ("- config\n", "Pulumi.case.yaml:1: expected the stack file to be an object (config: ...), was a list"),
        ("config:\n  - aws:region\n", "Pulumi.case.yaml:2: config must be a mapping of keys to values, not a list"),
    ],
    ids=["unclosed-list", "duplicate-key", "tab", "top-level-list", "config-list"],
)
def test_a_file_the_cli_cannot_read_is_one_line_naming_file_line_and_problem(tmp_path, body, message):
    with pytest.raises(StackFileError) as error:
        stack_config("case", stack_file=write_stack(tmp_path, body))
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_a_secure_value_reads_as_a_secret_placeholder(tmp_path):
    """Encrypted by the stack's secrets provider: offline, the program gets a placeholder, marked secret."""
    stack_file = write_stack(tmp_path, "config:\n  aws:secretKey:\n    secure: AAAB\n")
    assert stack_config("case", stack_file=stack_file)["aws:secretKey"] == SECRET_PLACEHOLDER
    assert read_stack(read_project(PROJECT_DIR), stack_file).secrets == {"aws:secretKey"}


def test_each_committed_stack_file_has_a_rewritten_copy_with_other_valid_values():
    """What the `stack` fixture (tests/conftest.py) runs the suite over besides the committed files."""
    shape = ("appReplicas", "availabilityZoneCount", "natMode", "vpcCidr", "kubernetesVersion")
    for stack_file in sorted(PROJECT_DIR.glob("Pulumi.*.yaml")):
        stack = stack_file.name.removeprefix("Pulumi.").removesuffix(".yaml")
        before, after = stack_config(stack), rewritten_values(stack_file)
        for key in shape:
            assert config_string(after[f"eks-fargate:{key}"]) != before[f"eks-fargate:{key}"], (stack, key)
        assert isinstance(after["eks-fargate:appReplicas"], str)  # as `pulumi config set appReplicas 3` writes it
