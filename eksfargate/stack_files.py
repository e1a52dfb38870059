"""Pulumi.yaml and Pulumi.<stack>.yaml read the way the Pulumi CLI reads them.

The CLI (pulumi/pulumi v3.259.0) parses both files with go-yaml v3 (sdk/go/common/encoding/
marshal.go), whose plain scalars follow YAML 1.2's core schema: only true/false (any case
form go-yaml lists) are booleans, `yes`/`on`/`no`/`off` are strings, `0777` is octal, `1_000`
is 1000, timestamps stay strings (resolve.go). Then, in sdk/go/common/workspace/loaders.go
(stackConfigNamespacedWithProject, lines 61-89), a key without a namespace gets the project's,
and sdk/go/common/resource/config/key.go (ParseKey, lines 45-68) refuses any other key that is
not `<namespace>:<name>` or `<namespace>:config:<name>`. Each value reaches the program as a
string (config/object.go MarshalString): booleans and numbers as JSON, lists and maps as
compact JSON. Before the program runs, pkg/workspace/config.go (validateStackConfigValue,
lines 119-156) checks each value of a typed project key with workspace.ValidateConfigValue
(sdk/go/common/workspace/project.go, lines 771-830), which accepts a string that parses as
the declared integer or boolean ("3", "true").

Everything here raises StackFileError with one line: the file, the line and the problem.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import json
import math
import re
from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml


class StackFileError(ValueError):
    """A project or stack file the CLI would refuse; the message names file, line and problem."""


# ---------------------------------------------------------------- YAML as go-yaml v3 resolves it

_GO_INT = re.compile(r"[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_GO_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_TIMESTAMP_START = re.compile(r"[0-9]{4}-")
_INT64 = (-(2**63), 2**63 - 1)
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NULLS = ("", "~", "null", "Null", "NULL")
_SPECIAL_FLOATS = {
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}


def go_yaml_scalar(text: str) -> Any:
    """The value go-yaml v3 gives a plain (unquoted) scalar decoded into an interface{}."""
    if text in _BOOLS:
        return _BOOLS[text]
    if text in _NULLS:
        return None
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if text[0] == ".":
        try:
            return float(text)
        except ValueError:
            return text
    if text[0] in "+-0123456789":
        if _TIMESTAMP_START.match(text):
            return text  # a timestamp decoded into interface{} stays a string in go-yaml v3
        plain = text.replace("_", "")
        if _GO_INT.fullmatch(plain):
            number = _go_int(plain)
            if _INT64[0] <= number < 2**64:
                return number
        if _GO_FLOAT.fullmatch(plain):
            return float(plain)
    return text


def _go_int(plain: str) -> int:
    sign = -1 if plain.startswith("-") else 1
    digits = plain.lstrip("+-")
    if digits[:2].lower() in ("0x", "0o", "0b"):
        return sign * int(digits, 0)
    if len(digits) > 1 and digits.startswith("0"):
        return sign * int(digits, 8)  # Go's base-0 parse: a leading 0 is octal
    return sign * int(digits)


class _CliConstructor(yaml.constructor.SafeConstructor):
    """PyYAML's safe constructor with go-yaml v3's refusal of duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen and key != "<<":
                raise yaml.constructor.ConstructorError(
                    None, None, f'mapping key "{key}" already defined at line {seen[key]}', key_node.start_mark
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


# Parsed by libyaml, which the PyYAML wheel ships: about 8 times as fast as PyYAML's parser in Python
# (Pulumi.yaml: 10 against 75 ms), with the same node tree and values (tests/eksfargate/test_stack_files.py
# compares them over every YAML file of the checkout); only its messages for invalid YAML differ.
class _CliLoader(_CliConstructor, yaml.CSafeLoader):
    """libyaml's parser with go-yaml v3's resolution."""


class _MessageLoader(_CliConstructor, yaml.SafeLoader):
    """PyYAML's parser in Python, for what libyaml refuses: its messages name the problem as before."""


def _construct_scalar(_loader: _CliLoader | _MessageLoader, node: yaml.ScalarNode) -> Any:
    plain = not node.style  # PyYAML's parser marks a plain scalar None, libyaml ''
    return go_yaml_scalar(node.value) if plain else node.value


for _loader in (_CliLoader, _MessageLoader):
    _loader.yaml_implicit_resolvers = {}  # every plain scalar goes through _construct_scalar
    _loader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^<<$"), ["<"])
    _loader.add_constructor("tag:yaml.org,2002:str", _construct_scalar)


def load_yaml(path: Path, text: str | None = None) -> tuple[yaml.Node | None, Any]:
    """The file's node tree (for line numbers) and its value, as go-yaml v3 reads it."""
    text = (path.read_text() if text is None else text).removeprefix("\ufeff")  # the CLI strips a UTF-8 BOM (loaders.go)
    try:
        return _load(_CliLoader(text))
    except yaml.YAMLError:
        pass
    try:
        return _load(_MessageLoader(text))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise StackFileError(f"{path.name}:{mark.line + 1 if mark else '?'}: invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise StackFileError(f"{path.name}: invalid YAML: {exc}") from None


def _load(loader: _CliLoader | _MessageLoader) -> tuple[yaml.Node | None, Any]:
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


# ---------------------------------------------------------------- values as the engine hands them over


def config_string(value: Any) -> str:
    """A config value as the engine hands it to the program (config/object.go MarshalString)."""
    if isinstance(value, str):
        return value
    return _go_json(value)


def _go_json(value: Any) -> str:
    """Go's encoding/json: compact, map keys sorted, <>& escaped, floats without a trailing .0."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
            text = text.replace(char, escape)
        return text
    if isinstance(value, list):
        return "[" + ",".join(_go_json(item) for item in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ",".join(f"{_go_json(str(k))}:{_go_json(v)}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))) + "}"
        )
    raise TypeError(f"no config form for {value!r}")


def _go_float(number: float) -> str:
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"json: unsupported value: {number}")
    magnitude = abs(number)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        mantissa, exponent = repr(number).split("e")
        return f"{mantissa}e{exponent[0]}{exponent[1:].lstrip('0') or '0'}"
    text = format(Decimal(repr(number)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# ---------------------------------------------------------------- the CLI's type check of typed project config

_ATOI = re.compile(r"[+-]?[0-9]+")


def type_name(declaration: dict[str, Any]) -> str:
    """workspace.InferFullTypeName: `integer`, `array<string>`."""
    items = declaration.get("items")
    return f"array<{type_name(items)}>" if items else str(declaration.get("type"))


def cli_accepts(declaration: dict[str, Any], value: Any) -> bool:
    """workspace.ValidateConfigValue: does `value` pass the declared type? (Go's value kinds, Python's types.)"""
    kind = declaration.get("type")
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return True
        if isinstance(value, float):
            return value == math.trunc(value)
        return isinstance(value, str) and bool(_ATOI.fullmatch(value)) and _INT64[0] <= int(value) <= _INT64[1]
    if kind == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if kind == "object":
        return isinstance(value, dict)
    items = declaration.get("items")
    return isinstance(value, list) and items is not None and all(cli_accepts(items, item) for item in value)


def stack_value_content(value: Any) -> Any:
    """What validateStackConfigValue checks: a scalar as the string the engine stores, a list or map as itself."""
    return value if isinstance(value, list | dict) else config_string(value)


# ---------------------------------------------------------------- the files


# What a `secure:` value reads as offline: the value is encrypted with a key only the deploy has.
SECRET_PLACEHOLDER = "[secret]"


@dataclass(frozen=True)
class Project:
    name: str
    path: Path
    declarations: dict[str, Any]  # Pulumi.yaml's config block


@dataclass(frozen=True)
class StackFile:
    stack: str
    path: Path
    values: dict[str, Any]  # fully qualified key -> value as go-yaml v3 decoded it
    lines: dict[str, int]  # fully qualified key -> its line in the file
    secrets: frozenset[str] = frozenset()  # keys whose value is `secure:` (encrypted): SECRET_PLACEHOLDER in values


def read_project(project_dir: Path) -> Project:
    path = project_dir / "Pulumi.yaml"
    if not path.is_file():
        raise StackFileError(f"no Pulumi.yaml in {project_dir}")
    return _read_project(path.resolve(), path.read_text())


# Every plan, diff side, teams listing and tenant setting reads Pulumi.yaml and the stack files, many
# times a process: each is parsed once per path and content (tests write copies and change them).
# What these return is shared: read it, never change it.
@functools.lru_cache(maxsize=16)
def _read_project(path: Path, text: str) -> Project:
    node, data = load_yaml(path, text)
    if not isinstance(data, dict):
        raise StackFileError(f"{path.name}:{_line(node)}: expected project to be an object, was {_kind(data)}")
    if not data.get("name"):
        raise StackFileError(f"{path.name}:{_line(node)}: project is missing a 'name' attribute")
    declarations = data.get("config") or {}
    if not isinstance(declarations, dict):
        raise StackFileError(f"{path.name}:{_line(_child(node, 'config'))}: config must be a mapping, not {_kind(declarations)}")
    return Project(str(data["name"]), path, declarations)


def read_stack(project: Project, stack_file: Path) -> StackFile:
    """A stack file's config, each key qualified as the CLI qualifies it; StackFileError if the CLI would refuse it."""
    return _read_stack(project.name, stack_file, stack_file.read_text())


@functools.lru_cache(maxsize=256)
def _read_stack(project: str, stack_file: Path, text: str) -> StackFile:
    stack = stack_file.name.removeprefix("Pulumi.").removesuffix(".yaml")
    node, data = load_yaml(stack_file, text)
    if data is None:
        return StackFile(stack, stack_file, {}, {})  # an empty stack file is an empty config (loaders.go)
    name = stack_file.name
    if not isinstance(data, dict):
        raise StackFileError(f"{name}:{_line(node)}: expected the stack file to be an object (config: ...), was {_kind(data)}")
    config = data.get("config")
    config_node = _child(node, "config")
    if config is None:
        return StackFile(stack, stack_file, {}, {})
    if not isinstance(config, dict):
        raise StackFileError(f"{name}:{_line(config_node)}: config must be a mapping of keys to values, not {_kind(config)}")
    values: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    secrets: set[str] = set()
    lines = {k.value: k.start_mark.line + 1 for k, _ in config_node.value} if config_node is not None else {}
    for key, value in config.items():
        line = lines.get(key, _line(config_node))
        if not isinstance(key, str):
            raise StackFileError(f"{name}:{line}: config key {key!r} is not a string")
        qualified = qualify(key, project, f"{name}:{line}")
        if qualified in values:
            raise StackFileError(f"{name}:{line}: {qualified} is set twice ({key!r} names it too)")
        if isinstance(value, dict) and set(value) == {"secure"}:
            # Encrypted by the stack's secrets provider: offline, the program gets a placeholder, as a secret.
            secrets.add(qualified)
            value = SECRET_PLACEHOLDER
        values[qualified] = value
        key_lines[qualified] = line
    return StackFile(stack, stack_file, values, key_lines, frozenset(secrets))


def qualify(key: str, project: str, where: str) -> str:
    """The key as the CLI stores it: the project's namespace when it has none (loaders.go), then ParseKey (key.go)."""
    if ":" not in key:
        key = f"{project}:{key}"
    parts = key.split(":")
    if len(parts) == 2:
        return key
    if len(parts) == 3 and parts[1] == "config" and parts[0] and parts[2]:
        return f"{parts[0]}:{parts[2]}"
    raise StackFileError(
        f"{where}: could not parse {key} as a configuration key (configuration keys should be of the form `<namespace>:<name>`)"
    )


def type_errors(project: Project, stack: StackFile) -> list[str]:
    """The CLI's refusals of the stack's values for typed project keys (pkg/workspace/config.go)."""
    errors = []
    for key in sorted(project.declarations):
        declaration = project.declarations[key]
        qualified = f"{project.name}:{key}"
        if not isinstance(declaration, dict) or "type" not in declaration or qualified not in stack.values:
            continue
        if qualified in stack.secrets:  # encrypted: its type is the deploy's to check
            continue
        if not cli_accepts(declaration, stack_value_content(stack.values[qualified])):
            where = f"{stack.path.name}:{stack.lines[qualified]}"
            errors.append(
                f"{where}: Stack '{stack.stack}' with configuration key '{key}' must be of type '{type_name(declaration)}'"
            )
    return errors


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        pairs: list[tuple[yaml.Node, yaml.Node]] = node.value
        for key_node, value_node in pairs:
            if key_node.value == key:
                return value_node
    return None


def _line(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(type(value), "empty")


# ---------------------------------------------------------------- keys nothing reads

# Config namespaces of the providers the program uses, and the Python modules declaring their keys.
PROVIDER_PACKAGES = {"aws": "pulumi_aws", "kubernetes": "pulumi_kubernetes", "eks": "pulumi_eks"}
# The engine's own namespace (pulumi:tags, pulumi:disable-default-providers, ...).
ENGINE_NAMESPACE = "pulumi"
_GETTER_NAME = re.compile(r"@pulumi\.getter(?:\(name=\"(\w+)\"\))?\s+def (\w+)\(")
_CONFIG_GET = re.compile(r"__config__\.get(?:_bool|_int|_float|_object)?\('(\w+)'\)")


def provider_config_keys(namespace: str) -> set[str]:
    """Keys a provider reads from its namespace: its Provider resource's inputs and its config module's
    keys, read from the installed SDK's source (provider.py, config/vars.py)."""
    spec = importlib.util.find_spec(PROVIDER_PACKAGES[namespace])
    if spec is None or spec.origin is None:
        return set()
    package_dir = Path(spec.origin).parent
    keys: set[str] = set()
    provider = package_dir / "provider.py"
    if provider.is_file():
        args_class = provider.read_text().split("class ProviderArgs", 1)[-1].split("\nclass ", 1)[0]
        keys |= {name or method for name, method in _GETTER_NAME.findall(args_class)}
    config_vars = package_dir / "config" / "vars.py"
    if config_vars.is_file():
        source = config_vars.read_text()
        keys |= set(_CONFIG_GET.findall(source))
        keys |= set(re.findall(r"def ([a-z]+)\(self\)", source))  # single-word keys read another way, e.g. region
    return keys


def undeclared_keys(values: dict[str, str], project: str) -> list[str]:
    """Warnings for keys of other namespaces that no provider of the program declares (e.g. aws:regoin, foo:bar)."""
    warnings = []
    for key in sorted(values):
        namespace, _, name = key.partition(":")
        if namespace in (project, ENGINE_NAMESPACE):
            continue
        if namespace not in PROVIDER_PACKAGES:
            warnings.append(f"{key}: no provider of this program reads the namespace '{namespace}'")
            continue
        known = provider_config_keys(namespace)
        if name not in known:
            hint = difflib.get_close_matches(name, sorted(known), n=1)
            warnings.append(
                f"{key}: the {namespace} provider declares no key '{name}'"
                + (f"; did you mean '{namespace}:{hint[0]}'?" if hint else "")
            )
    return warnings
