"""A setting's range has one home, the settings reader; Pulumi.yaml's description of the key
(what `pulumi config` users read) states the same range, and its default lies inside it."""

import ast
import inspect
from types import ModuleType

import pytest
import yaml

from eksfargate import settings, tenant_settings
from eksfargate.project import PLATFORM_PROJECT_DIR, TENANT_PROJECT_DIR

READERS = [(settings, PLATFORM_PROJECT_DIR), (tenant_settings, TENANT_PROJECT_DIR)]


def integer_ranges(module: ModuleType) -> dict[str, tuple[int, int]]:
    """Each `config.integer("key", RANGE)` the reader makes: key -> the range it enforces."""
    ranges = {}
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "integer":
            key, bounds = node.args
            if isinstance(key, ast.Constant) and isinstance(bounds, ast.Name):
                ranges[key.value] = getattr(module, bounds.id)
    return ranges


@pytest.mark.parametrize("module,project_dir", READERS, ids=["platform", "tenant"])
def test_every_integer_setting_states_its_range_and_defaults_inside_it(module, project_dir):
    declared = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())["config"]
    ranges = integer_ranges(module)
    assert len(ranges) >= 3
    for key, (low, high) in ranges.items():
        assert f"{low} to {high}" in declared[key]["description"], key
        default = declared[key].get("default")
        assert default is None or low <= default <= high, key


def test_the_vpc_prefix_range_is_the_one_the_description_states():
    low, high = settings.VPC_PREFIX_RANGE
    declared = yaml.safe_load((PLATFORM_PROJECT_DIR / "Pulumi.yaml").read_text())["config"]["vpcCidr"]
    assert f"/{low} to /{high}" in declared["description"]
    assert low <= int(declared["default"].split("/")[1]) <= high
