"""How the offline tools spell what only a deploy can tell.

A preview recording (offline/harness.py's PreviewMocks) gives whatever the cloud assigns as a
placeholder naming where it will come from: `{{<Kind>:<resource name>.<property>}}`, Kind being
the last part of the type token (names alone repeat, e.g. a subnet and its route table), or
`{{<invoke>.<property>}}`. What the SDK itself leaves unknown, a plan reads KNOWN_AFTER_DEPLOY.
"""

from __future__ import annotations

import re

KNOWN_AFTER_DEPLOY = "(known after deploy)"
LEGEND = "{{Kind:name.property}} = known after deploy (that property of that resource); [secret] = masked"
PLACEHOLDER = re.compile(r"\{\{([^{}\s]+)\}\}")


def placeholder(source: str, prop: str) -> str:
    """The stand-in for property `prop` of `source` ("Kind:name", or an invoke's name), known after deploy."""
    return "{{" + f"{source}.{prop}" + "}}"


def zone_placeholder(zone_id: str) -> str:
    """A zone's name where the offline plan cannot know it: which name an account gives a zone id varies."""
    return f"{{{{AvailabilityZone:{zone_id}.name}}}}"
