"""The cluster-scoped Kubernetes kinds (eksfargate/facts/kubernetes_kinds.py) are the API's own kinds."""

import json
from pathlib import Path

import kubernetes_validate

from eksfargate.facts.kubernetes_kinds import CLUSTER_SCOPED_BY_GROUP, CLUSTER_SCOPED_KINDS, NAMESPACE

SCHEMAS = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
NEWEST = max(SCHEMAS.glob("v*-local"), key=lambda path: tuple(int(part) for part in path.name[1:].split("-")[0].split(".")))


def test_every_listed_kind_is_an_object_of_its_group_beyond_alpha():
    """Each kind is in the OpenAPI definitions of the newest Kubernetes the project validates against, in
    the group it is listed under, at a GA or beta version (a misspelt kind, or a wrong group, fails)."""
    definitions = json.loads((NEWEST / "_definitions.json").read_text())["$defs"]
    served = {
        (gvk["group"] or "core", gvk["kind"])
        for definition in definitions.values()
        for gvk in definition.get("x-kubernetes-group-version-kind", [])
        if "alpha" not in gvk["version"]
    }
    listed = {(group, kind) for group, kinds in CLUSTER_SCOPED_BY_GROUP.items() for kind in kinds}
    assert ("core", NAMESPACE) in listed and ("core", "Pod") in served  # the controls
    assert listed - served == set()
    assert len(CLUSTER_SCOPED_KINDS) == len(listed)  # no kind under two groups
