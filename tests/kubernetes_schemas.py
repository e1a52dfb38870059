"""Strict schema validation of every Kubernetes object the stacks declare, custom resources included.

Built-in kinds: kubernetes-validate's schemas for the Kubernetes version. Custom resources (the VPC
resource controller's SecurityGroupPolicy): their CRD's schema, kept under tests/data/crds/ with its
source, checked with jsonschema.
"""

import json
from pathlib import Path

import jsonschema
import kubernetes_validate

CRDS = {
    (crd["apiVersion"], crd["kind"]): crd["schema"]
    for crd in (json.loads(path.read_text()) for path in sorted((Path(__file__).parent / "data" / "crds").glob("*.json")))
}


def validate(manifest: dict, kubernetes_version: str) -> None:
    """Raises kubernetes_validate.ValidationError or jsonschema.ValidationError for an invalid object."""
    schema = CRDS.get((manifest.get("apiVersion"), manifest.get("kind")))
    if schema is not None:
        jsonschema.validate(manifest, schema)
    else:
        kubernetes_validate.validate(manifest, kubernetes_version, strict=True)
