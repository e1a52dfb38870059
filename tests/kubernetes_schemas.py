"""Strict schema validation of every Kubernetes object the stacks declare, custom resources included.

Built-in kinds: kubernetes-validate's schemas for the Kubernetes version. Custom resources (the VPC
resource controller's SecurityGroupPolicy): their CRD's schema, kept under tests/data/crds/ with its
source, checked with jsonschema.
"""

import functools
import json
from pathlib import Path

import jsonschema
import kubernetes_validate

CRDS = {
    (crd["apiVersion"], crd["kind"]): crd["schema"]
    for crd in (json.loads(path.read_text()) for path in sorted((Path(__file__).parent / "data" / "crds").glob("*.json")))
}


# The objects found valid this session, with the version: the stack files declare many objects alike
# (each stack's collector, the same fixture's objects in several tests), and a valid object stays valid.
_valid: set[tuple[str, str]] = set()


def validate(manifest: dict, kubernetes_version: str) -> None:
    """Raises kubernetes_validate.ValidationError or jsonschema.ValidationError for an invalid object."""
    seen = (json.dumps(manifest, sort_keys=True), kubernetes_version)
    if seen not in _valid:
        _validate(manifest, kubernetes_version)
        _valid.add(seen)


def _validate(manifest: dict, kubernetes_version: str) -> None:
    kind = (manifest.get("apiVersion"), manifest.get("kind"))
    if kind in CRDS:
        # What jsonschema.validate raises, without checking the schema against its metaschema again on every call.
        error = jsonschema.exceptions.best_match(_crd_validator(kind).iter_errors(manifest))
        if error is not None:
            raise error
    else:
        kubernetes_validate.validate(manifest, kubernetes_version, strict=True)


@functools.cache
def _crd_validator(kind: tuple[str, str]) -> jsonschema.protocols.Validator:
    """The CRD schema's validator, its schema checked once per session (as jsonschema.validate checks it)."""
    schema = CRDS[kind]
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    return validator(schema)
