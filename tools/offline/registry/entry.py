"""The shape of a registry entry: what the offline tools know of one resource type or invoke, and
what a mock is given to answer for it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eksfargate.facts.kubernetes_kinds import CLUSTER_SCOPED_KINDS
from eksfargate.facts.resource_types import HELM_RELEASE
from offline.unknowns import placeholder

# The account every made-up ARN and identity of a recording is in.
MOCK_ACCOUNT_ID = "123456789012"


@dataclass(frozen=True)
class NewResource:
    """A resource the program registers, as the mocks see it: what they answer is made of these alone,
    so that the same program gives the same answers in every run."""

    token: str
    name: str
    inputs: dict[str, Any]
    region: str

    @property
    def suffix(self) -> str:
        """The made-up part of the resource's id and ARN: a hash of its type and name."""
        return hashlib.sha256(f"{self.token}::{self.name}".encode()).hexdigest()[:17]

    @property
    def default_id(self) -> str:
        return f"{self.name}-{self.suffix[:8]}"

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{MOCK_ACCOUNT_ID}:{resource}"

    def placeholder(self, prop: str) -> str:
        """`{{<Kind>:<name>.<prop>}}`: the value a first preview cannot know (offline/unknowns.py)."""
        return placeholder(f"{kind_of(self.token)}:{self.name}", prop)


Summary = Callable[[dict[str, Any]], list[str]]


@dataclass(frozen=True)
class ResourceType:
    """One resource type, the one place the offline tools read its facts from.

    After a deploy (StackMocks) the resource's outputs are its inputs with `outputs(resource, id)`
    over them, its id `id_of(resource)` (else `<name>-<hash>`); in a preview (PreviewMocks) they are
    its inputs with `preview_outputs(resource)` over them, and an AWS resource's `arn` a placeholder.
    `replace_on`: the input paths whose change replaces it (for a Kubernetes object, besides
    metadata.name and metadata.namespace: offline/replacements.py); `ignored`: inputs whose change
    changes nothing; `set_valued`: lists whose order means nothing; `fixed_name`: the input holding a
    name AWS or Kubernetes keeps unique, so a replacement deletes first; `warn_on`: in-place changes
    a reviewer must know of, by input. `summary`: what the plan's tree shows of it; a Kubernetes
    object with none shows its kind, name and the fields of `kubernetes.object_summary`. A
    Kubernetes object's scope is its kind's (`cluster_scoped`).
    """

    token: str
    id_of: Callable[[NewResource], str] | None = None
    outputs: Callable[[NewResource, str], dict[str, Any]] | None = None
    preview_outputs: Callable[[NewResource], dict[str, Any]] | None = None
    replace_on: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    set_valued: tuple[str, ...] = ()
    fixed_name: str | None = None
    warn_on: Mapping[str, str] = field(default_factory=dict)
    summary: Summary | None = None


@dataclass(frozen=True)
class Invoke:
    """One invoke (a data source): what it answers after a deploy, from its arguments and the stack's
    region, and what of that a first preview knows only as placeholders (over the answer)."""

    token: str
    answer: Callable[[dict[str, Any], str], dict[str, Any]]
    preview: Callable[[dict[str, Any]], dict[str, Any]] | None = None


def kind_of(token: str) -> str:
    """The last part of a type token: the Kubernetes kind, the AWS resource's name."""
    return token.rsplit(":", 1)[-1]


def is_kubernetes_object(token: str) -> bool:
    """A Kubernetes object of the API (a Helm release is the provider's own, not an object)."""
    return token.startswith("kubernetes:") and token != HELM_RELEASE


def cluster_scoped(token: str) -> bool:
    """Whether a Kubernetes object's kind lives outside any namespace (eksfargate/facts/kubernetes_kinds.py)."""
    return kind_of(token) in CLUSTER_SCOPED_KINDS


def prefixed_id(prefix: str) -> Callable[[NewResource], str]:
    """An EC2-style id: the prefix AWS gives the resource type, then hex (the program reads ids by their form)."""
    return lambda resource: f"{prefix}{resource.suffix}"


def show(value: Any) -> str:
    """A value as the tree shows it: strings as they are, a list of strings in brackets, the rest as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "[" + ", ".join(value) + "]"
    return json.dumps(value, sort_keys=True)


def json_document(text: Any) -> Any:
    """A JSON document held in a string input, or None when it is not one (yet)."""
    if isinstance(text, str):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return None
    return None
