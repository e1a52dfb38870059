"""How an app meets the internet: its host, its certificate, its DNS record; shared by the
platform's app and every tenant's.

An `Edge` is what a stack's settings say about one app's entry point. TLS is on when the app has
a certificate: an existing ACM certificate (`certificate_arn`), or a new one the stack requests
for `host` and validates through DNS in the Route 53 public hosted zone `hosted_zone`. With TLS
the app's Ingress gets an HTTPS listener and its HTTP listener redirects to it; `dns_record`
adds a Route 53 alias from `host` to the app's ALB, in `hosted_zone`.

`problems()` lists what an edge gets wrong, by field, with the stack's region; the settings
readers turn each into a SettingsError naming their own config key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A DNS host name as an Ingress rule takes it (lowercase, no wildcard, no trailing dot).
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$")
# ACM's certificate ARN: arn:<partition>:acm:<region>:<account>:certificate/<id>.
_CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:acm:(?P<region>[a-z]{2}(-[a-z]+)+-\d):\d{12}:certificate/[0-9a-f-]{36}$")
# A regional WAFv2 web ACL (the only scope the load balancer controller attaches to an ALB).
_WEB_ACL_ARN = re.compile(
    r"^arn:aws[a-z-]*:wafv2:(?P<region>[a-z]{2}(-[a-z]+)+-\d):\d{12}:regional/webacl/[\w-]{1,128}/[0-9a-f-]{36}$"
)

HOST_RULE = "a DNS host name, e.g. shop.example.com"


@dataclass(frozen=True)
class Edge:
    """One app's entry point: host, certificate and DNS record (all optional; HTTP on the ALB's own name without them)."""

    host: str = ""
    certificate_arn: str = ""
    hosted_zone: str = ""
    dns_record: bool = False

    @property
    def tls(self) -> bool:
        return bool(self.certificate_arn or self.hosted_zone)

    @property
    def issues_certificate(self) -> bool:
        """The stack requests the certificate itself (DNS validation in `hosted_zone`)."""
        return self.tls and not self.certificate_arn


@dataclass(frozen=True)
class Problem:
    field: str  # host, certificate_arn, hosted_zone or dns_record
    value: object
    allowed: str


def is_host(value: str) -> bool:
    return bool(_HOST.match(value))


def in_zone(host: str, zone: str) -> bool:
    return host == zone or host.endswith(f".{zone}")


def region_of_arn(arn: str) -> str | None:
    """The region of an ACM certificate or WAFv2 web ACL ARN; None if it is neither."""
    match = _CERTIFICATE_ARN.match(arn) or _WEB_ACL_ARN.match(arn)
    return match["region"] if match else None


def problems(edge: Edge, region: str) -> list[Problem]:
    found: list[Problem] = []
    if edge.host and not is_host(edge.host):
        found.append(Problem("host", edge.host, HOST_RULE))
    if edge.certificate_arn:
        if not _CERTIFICATE_ARN.match(edge.certificate_arn):
            found.append(
                Problem(
                    "certificate_arn",
                    edge.certificate_arn,
                    "an ACM certificate ARN, e.g. arn:aws:acm:ap-northeast-2:123456789012:certificate/<uuid>",
                )
            )
        elif region_of_arn(edge.certificate_arn) != region:
            found.append(
                Problem(
                    "certificate_arn",
                    edge.certificate_arn,
                    f"a certificate in {region} (aws:region): an ALB uses ACM certificates of its own region only",
                )
            )
    if edge.hosted_zone and not is_host(edge.hosted_zone):
        found.append(Problem("hosted_zone", edge.hosted_zone, "the name of a Route 53 public hosted zone, e.g. example.com"))
    if edge.tls and not edge.host:
        found.append(Problem("host", edge.host, f"{HOST_RULE}: a certificate is for a host, and HTTPS needs one"))
    if edge.hosted_zone and edge.host and not in_zone(edge.host, edge.hosted_zone):
        found.append(Problem("host", edge.host, f"a host in the hosted zone {edge.hosted_zone}, e.g. app.{edge.hosted_zone}"))
    if edge.dns_record and not (edge.hosted_zone and edge.host):
        found.append(Problem("dns_record", edge.dns_record, "false, or set the host and the hosted zone the record is made in"))
    return found


# The load balancer controller's word for "detach the web ACL".
NO_WEB_ACL = "none"


def web_acl_problem(arn: str, region: str) -> str | None:
    """What is wrong with a WAFv2 web ACL ARN for an ALB in `region`; None if nothing."""
    if arn in ("", NO_WEB_ACL):
        return None
    if not _WEB_ACL_ARN.match(arn):
        return (
            f"empty, {NO_WEB_ACL!r}, or a regional WAFv2 web ACL ARN, e.g. "
            f"arn:aws:wafv2:{region}:123456789012:regional/webacl/<name>/<uuid> (the controller attaches regional ACLs only)"
        )
    if region_of_arn(arn) != region:
        return f"a web ACL in {region} (aws:region): an ALB takes a regional web ACL of its own region"
    return None
