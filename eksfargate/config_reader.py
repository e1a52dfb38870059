"""Typed access to one project's Pulumi config, checked against its settings' declarations.

Both projects' settings readers (eksfargate/settings.py, eksfargate/tenant_settings.py) read
through a `Reader`: an integer within its declared bounds, a string among its declared values,
a list of strings. A bad value raises `SettingsError` naming the fully qualified key, the value
and what is allowed, before any resource exists.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from eksfargate.settings_schema import Schema, Setting

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
MAX_LABEL_LENGTH = 63
DNS_LABEL_RULE = "a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit"
# What AWS accepts as a tag value (letters, digits, spaces and _ . : / = + - @, up to 256),
# less '=': the load balancer controller receives its default tags as one k=v,k=v flag.
TAG_VALUE = re.compile(r"^[\w .:/+@-]{1,256}$")
TAG_VALUE_RULE = "1 to 256 letters, digits, spaces and _ . : / + - @ (an AWS tag value)"


def is_dns_label(value: str) -> bool:
    return len(value) <= MAX_LABEL_LENGTH and bool(DNS1123_LABEL.match(value))


class SettingsError(pulumi.RunError):
    """A stack setting has a value the stack cannot use."""

    def __init__(self, key: str, value: Any, allowed: str):
        self.key = key
        self.value = value
        self.allowed = allowed
        super().__init__(f"config key '{key}' has invalid value {value!r}: {allowed}")


class UnknownSettingError(SettingsError):
    """A key in the project's namespace that its Pulumi.yaml does not declare (a typo, most likely)."""

    def __init__(self, key: str, declared: list[str]):
        name = key.partition(":")[2]
        hint = difflib.get_close_matches(name, declared, n=1)
        self.key, self.value = key, None
        self.allowed = f"did you mean '{hint[0]}'?" if hint else f"the settings are {declared}"
        pulumi.RunError.__init__(self, f"unknown setting '{name}'; {self.allowed}")


def refuse_unknown_keys(project: str, schema: Schema) -> None:
    """A key of the project's namespace that the project does not declare is a typo: refuse it.

    The program is handed every config key of the stack: the Python language host puts them
    all, as JSON, in PULUMI_CONFIG (pulumi-language-python main.go, constructConfig), which
    pulumi.runtime.config reads; mocks and inline programs set them with set_all_config.
    """
    given = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    declared = sorted(schema)
    for key in sorted(given):
        namespace, _, name = key.partition(":")
        if namespace == project and name not in declared:
            raise UnknownSettingError(key, declared)


class Reader:
    """Typed access to one config namespace; every error names the fully qualified key.

    With a schema (the project's own namespace), integers are held to their declared bounds and
    strings and list items to their declared values; a key the schema does not declare is a bug.
    """

    def __init__(self, config: pulumi.Config, namespace: str, schema: Schema | None = None):
        self._config = config
        self._namespace = namespace
        self._schema = schema

    def key(self, name: str) -> str:
        return f"{self._namespace}:{name}"

    def declared(self, name: str) -> Setting:
        if self._schema is None:
            raise KeyError(f"{self._namespace} has no declared settings (reading {name})")
        return self._schema[name]

    def bounds(self, name: str) -> tuple[int, int]:
        bounds = self.declared(name).bounds
        if bounds is None:
            raise KeyError(f"{self.key(name)} declares no bounds")
        return bounds

    def raw(self, name: str) -> str | None:
        return self._config.get(name)

    def string(self, name: str) -> str:
        return (self.raw(name) or "").strip()

    def boolean(self, name: str) -> bool:
        value = self.raw(name)
        if value not in ("true", "false"):
            raise SettingsError(self.key(name), value, "true or false")
        return value == "true"

    def integer(self, name: str) -> int:
        """A whole number within the declared bounds (for a list of allowed values, their lowest to highest), and one
        of those values if the declaration lists them."""
        setting = self.declared(name)
        low, high = setting.bounds or (min(setting.allowed), max(setting.allowed))
        value = self.raw(name)
        try:
            number = int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise SettingsError(self.key(name), value, f"a whole number from {low} to {high}") from None
        if not low <= number <= high:
            raise SettingsError(self.key(name), number, f"a whole number from {low} to {high}")
        if setting.allowed and number not in setting.allowed:
            raise SettingsError(self.key(name), number, f"one of {list(setting.allowed)}")
        return number

    def choice(self, name: str) -> str:
        allowed = self.declared(name).allowed
        value = self.string(name)
        if value not in allowed:
            raise SettingsError(self.key(name), value, f"one of {list(allowed)}")
        return value

    def strings(self, name: str) -> tuple[str, ...]:
        """A list of strings; with declared values, each item one of them."""
        value = self.raw(name)
        if value is None or value == "":
            return ()
        try:
            items = json.loads(value)
        except json.JSONDecodeError:
            items = None
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise SettingsError(self.key(name), value, "a list of strings")
        allowed = self.declared(name).allowed if self._schema is not None else ()
        for item in items:
            if allowed and item not in allowed:
                raise SettingsError(self.key(name), item, f"a subset of {list(allowed)}")
        return tuple(items)

    def integers(self, name: str) -> tuple[int, ...]:
        """A list of distinct integers, each within the declared bounds; an unset key is its declared default."""
        value = self.raw(name)
        low, high = self.bounds(name)
        rule = f"a list of distinct integers from {low} to {high}"
        if value is None or value == "":
            return tuple(self.declared(name).default)
        try:
            items = json.loads(value)
        except json.JSONDecodeError:
            items = None
        if not isinstance(items, list) or not all(type(item) is int for item in items) or len(set(items)) != len(items):
            raise SettingsError(self.key(name), value, rule)
        for item in items:
            if not low <= item <= high:
                raise SettingsError(self.key(name), item, rule)
        return tuple(items)

    def check(self, name: str, value: Any, accept: Callable[[Any], Any], allowed: str) -> None:
        if not accept(value):
            raise SettingsError(self.key(name), value, allowed)
