"""EKS's namespace wildcards: the one matcher the policy pack and the tenant program (eksfargate/contract.py) share.

Fargate profile selectors and access-policy namespace scopes accept `*` (any run of
characters) and `?` (one character) (EKS user guide, fargate-profile.adoc and
grant-k8s-access.adoc). Standard library only: the pack runs this folder on its own.
"""

from __future__ import annotations

import functools
import re


@functools.cache
def _pattern(wildcards: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in wildcards) + r"\Z")


def wildcard_matches(pattern: str, value: str) -> bool:
    """Whether `value` matches `pattern` with EKS's `*` and `?` wildcards."""
    return bool(_pattern(pattern).match(value))
