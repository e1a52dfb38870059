"""WAF: the web ACL on the ALBs, owned elsewhere and billed to its owner."""

from __future__ import annotations

from eksfargate.estimate.product import Priced, Stack

CLAUSE = "the WAF web ACL on the ALBs (albWebAclArn: owned elsewhere and billed to its owner)"


def price(stack: Stack) -> Priced:
    return Priced(not_included=(CLAUSE,) if stack.footprint.web_acls else ())
