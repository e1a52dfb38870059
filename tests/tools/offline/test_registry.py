"""The registry of resource types (tools/offline/registry/): each type the programs can declare is one
entry, every entry is used, and each token is spelled once."""

from collections import Counter
from pathlib import Path

import pytest

from eksfargate.facts import resource_types
from offline import plan as offline_plan
from offline import registry
from offline.harness import Recording
from offline.registry.entry import NewResource, cluster_scoped, is_kubernetes_object
from tests.conftest import recording_of
from tests.stackfacts import STACKS_DIR
from tests.tenants import TENANT_STACKS, tenant_recording

TOOLS_OFFLINE = Path(offline_plan.__file__).parent
FIXTURES = sorted(STACKS_DIR.glob("Pulumi.*.yaml"))


@pytest.fixture(scope="module")
def recordings() -> list[Recording]:
    """Every fixture stack file's recording and every tenant stack's: between them, every type the
    programs declare (the fixtures are made to reach each feature)."""
    platform = [recording_of(path.stem.removeprefix("Pulumi."), path) for path in FIXTURES]
    return platform + [tenant_recording(stack) for stack in TENANT_STACKS]


@pytest.fixture(scope="module")
def recorded_types(recordings) -> set[str]:
    """The types of everything recorded that a provider handles (the project's own components are left out)."""
    return {r.type for recording in recordings for r in recording.resources if r.custom or r.remote}


def entries_of(token: str) -> list[registry.ResourceType]:
    return [entry for entry in registry.RESOURCE_TYPES if entry.token == token]


def test_every_type_the_programs_record_has_exactly_one_entry(recorded_types):
    assert {"aws:ec2/vpc:Vpc", "eks:index:Cluster", "pulumi:pulumi:StackReference"} <= recorded_types  # the control
    assert {token: len(entries_of(token)) for token in recorded_types} == dict.fromkeys(recorded_types, 1)


def test_every_token_the_facts_spell_has_exactly_one_entry():
    tokens = {value for name, value in vars(resource_types).items() if name.isupper() and isinstance(value, str)}
    invokes = {value for name, value in vars(resource_types).items() if name.startswith("GET_")}
    assert invokes and invokes < tokens
    assert Counter(invoke.token for invoke in registry.INVOKES if invoke.token in invokes) == dict.fromkeys(invokes, 1)
    assert {token: len(entries_of(token)) for token in tokens - invokes} == dict.fromkeys(tokens - invokes, 1)
    assert len({invoke.token for invoke in registry.INVOKES}) == len(registry.INVOKES)
    assert len({entry.token for entry in registry.RESOURCE_TYPES}) == len(registry.RESOURCE_TYPES)


def test_each_token_is_spelled_once_in_the_tools(recorded_types):
    """A token eksfargate/facts/resource_types.py spells is imported, never spelled again; one only the
    registry names is spelled in its entry alone."""
    sources = "\n".join(path.read_text() for path in TOOLS_OFFLINE.rglob("*.py"))
    facts = {value for name, value in vars(resource_types).items() if name.isupper() and isinstance(value, str)}
    tokens = {entry.token for entry in registry.RESOURCE_TYPES} | {invoke.token for invoke in registry.INVOKES}
    spelled = {token: sources.count(f'"{token}"') for token in tokens}
    assert spelled == {token: 0 if token in facts else 1 for token in tokens}


def test_every_entry_with_mock_answers_is_what_the_harness_recorded_for_its_type(recordings):
    """An entry's mocks are used: the harness answered for each recorded resource of its type with them."""
    mocked = {entry.token: entry for entry in registry.RESOURCE_TYPES if entry.id_of or entry.outputs or entry.preview_outputs}
    answered: set[str] = set()
    for recording in recordings:
        region = recording.config["aws:region"]
        for res in recording.resources:
            if res.type in mocked:
                resource_id, outputs = registry.deployed(NewResource(res.type, res.name, res.inputs, region))
                assert (res.id, res.outputs) == (resource_id, outputs), res.urn
                answered.add(res.type)
    assert answered == set(mocked)


def test_every_entry_with_a_summary_is_shown_in_the_tree(recordings):
    summarized = {entry.token for entry in registry.RESOURCE_TYPES if entry.summary}
    shown: set[str] = set()
    for recording in recordings:
        plan = offline_plan.from_recording(recording)
        tree = offline_plan.render_tree(plan).splitlines()
        for res in plan["resources"]:
            lines = registry.summarize(res)
            if res["type"] in summarized and lines:
                line = f"{res['name']}  ({res['type']})"
                assert any(line in shown_line and shown_line.endswith("; ".join(lines)) for shown_line in tree), line
                shown.add(res["type"])
    assert shown == summarized


def test_a_kubernetes_object_has_a_namespace_exactly_when_its_kind_is_namespaced(recordings):
    """The scope the registry gives a kind (eksfargate/facts/kubernetes_kinds.py) is the one the programs
    declare it with: a namespace on every namespaced object, none on a cluster-scoped one."""
    scopes = {
        (r.type, cluster_scoped(r.type), "namespace" in (r.inputs.get("metadata") or {}))
        for recording in recordings
        for r in recording.resources
        if is_kubernetes_object(r.type) and r.custom
    }
    assert ("kubernetes:core/v1:Namespace", True, False) in scopes and len(scopes) > 5
    assert all(scoped != namespaced for _, scoped, namespaced in scopes), sorted(scopes)
