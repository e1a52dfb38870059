"""The add-on pins say where each was read, and every configuration key the stack passes says how
far it is confirmed for the pinned build (issue 17, section 5)."""

import re

import pytest

from components import addon_versions, metrics_server
from components.fargate import coredns_configuration
from components.rollout import PodRollout
from eksfargate.settings import SUPPORTED_KUBERNETES_VERSIONS

EKSBUILD = re.compile(r"^v(\d+)\.(\d+)\.(\d+)-eksbuild\.(\d+)$")


def key_paths(configuration: dict, prefix: str = "") -> set[str]:
    """Each top-level key, and the keys one level down (`podDisruptionBudget.enabled`)."""
    paths = set()
    for key, value in configuration.items():
        paths.add(prefix + key)
        if isinstance(value, dict) and key not in ("podAnnotations", "resources"):
            paths |= key_paths(value, f"{key}.")
    return paths


def checked_paths(addon: str) -> set[str]:
    """The keys CONFIGURATION_KEYS_CHECKED names, `a.b/c` read as a.b and a.c."""
    paths = set()
    for name in addon_versions.CONFIGURATION_KEYS_CHECKED[addon]:
        head, _, rest = name.partition(".")
        paths.add(head)
        if rest and head != "resources":
            paths |= {f"{head}.{leaf}" for leaf in rest.split("/")}
    return paths


@pytest.mark.parametrize("addon", sorted(addon_versions.ADDON_VERSIONS))
def test_every_pin_says_where_it_was_read(addon):
    pins = addon_versions.ADDON_VERSIONS[addon]
    assert set(pins.read_from) == set(pins.versions) >= set(SUPPORTED_KUBERNETES_VERSIONS)
    for version, where in pins.read_from.items():
        assert re.search(r"first-hand|second-hand|inferred", where), (addon, version)
    assert pins.read_on == "2026-12-03"


def test_a_newer_kubernetes_version_never_pins_an_older_build():
    for addon, pins in addon_versions.ADDON_VERSIONS.items():
        builds = [tuple(map(int, EKSBUILD.match(pins.versions[v]).groups())) for v in SUPPORTED_KUBERNETES_VERSIONS]
        assert builds == sorted(builds), addon


def test_coredns_carries_the_cve_fixed_upstream_release():
    # CoreDNS v1.14.7 (EKS Distro: 'Update CoreDNS to v1.14.7 for 1-33 to 1-37 with CVE patches').
    assert all(v.startswith("v1.14.7-") for v in addon_versions.ADDON_VERSIONS["coredns"].versions.values())


@pytest.mark.parametrize(
    "addon,configuration",
    [
        ("coredns", coredns_configuration(PodRollout("1.35"))),
        ("metrics-server", metrics_server.configuration(PodRollout("1.35"))),
    ],
)
def test_every_configuration_key_the_stack_passes_says_how_far_it_is_confirmed(addon, configuration):
    assert key_paths(configuration) <= checked_paths(addon), addon
    for key, how in addon_versions.CONFIGURATION_KEYS_CHECKED[addon].items():
        assert "not confirmed" in how or "not read" in how, (addon, key)  # none was read in the pinned build's schema
