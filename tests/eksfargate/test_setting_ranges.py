"""A setting's range and allowed values have one home, its declaration: the readers enforce them,
Pulumi.yaml's description and the settings table state them, and the default lies inside them."""

import ipaddress

import pytest

from eksfargate.platform_schema import PLATFORM
from eksfargate.project import PLATFORM_PROJECT_DIR, TENANT_PROJECT_DIR
from eksfargate.settings import SettingsError
from eksfargate.tenant_schema import TENANT
from offline.harness import record

SCHEMAS = {"eks-fargate": PLATFORM, "eks-fargate-tenant": TENANT}
DECLARED = [(project, setting) for project, schema in SCHEMAS.items() for setting in schema.values()]
BOUNDED = [(project, s) for project, s in DECLARED if s.bounds]
INTEGERS = [(project, s) for project, s in DECLARED if s.type == "integer"]
# The stack each project's bad values are tried on.
STACKS = {"eks-fargate": ("dev", PLATFORM_PROJECT_DIR), "eks-fargate-tenant": ("checkout-dev", TENANT_PROJECT_DIR)}


def measure(setting, value) -> int:
    """What a setting's bounds bound: an integer itself, a CIDR's prefix length, a list's length."""
    if setting.type == "array":
        return len(value)
    if setting.type == "string":
        return ipaddress.IPv4Network(value).prefixlen
    return value


@pytest.mark.parametrize("project,setting", BOUNDED, ids=lambda v: getattr(v, "key", v))
def test_a_bounded_setting_states_its_range_and_defaults_inside_it(project, setting):
    low, high = setting.bounds
    for text in (setting.summary, setting.doc_text):
        assert f"{low} to {high}" in text.replace("/", ""), (setting.key, text)
    if setting.default != []:  # an empty list: none given (availabilityZoneIds: a live lookup)
        assert low <= measure(setting, setting.default) <= high


@pytest.mark.parametrize("project,setting", [(p, s) for p, s in DECLARED if s.allowed], ids=lambda v: getattr(v, "key", v))
def test_a_setting_with_allowed_values_defaults_to_them(project, setting):
    defaults = setting.default if setting.type == "array" else [setting.default]
    assert set(defaults) <= set(setting.allowed)


@pytest.mark.parametrize("project,setting", INTEGERS, ids=lambda v: getattr(v, "key", v))
def test_the_reader_holds_an_integer_to_its_declared_range(project, setting):
    low, high = setting.bounds or (min(setting.allowed), max(setting.allowed))
    stack, project_dir = STACKS[project]
    recording = record(stack, overrides={setting.key: high + 1}, project_dir=project_dir)
    assert isinstance(recording.error, SettingsError), recording.error
    assert recording.error.key == f"{project}:{setting.key}"
    assert recording.error.allowed == f"a whole number from {low} to {high}"
    assert recording.resources == []
